package dev.hybrid.bench;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Creates tuners by NNI name through the {@link TunerProvider}s on the class path, the way the benchmark protocol
 * wants them: {@code optimize_mode: minimize} and the run's seed injected (both dropped again for a tuner that takes
 * no such key), the user's {@code classArgs} merged over them.
 */
public final class TunerFactory {
    private static final FieldPath AT = FieldPath.of("tuner.classArgs");

    private final TunerProvider provider;
    private final Map<String, Object> classArgs;

    /**
     * Looks the tuner up by name.
     *
     * @throws ConfigException at {@code tuner.builtinTunerName} listing the known names if there is no such tuner
     */
    public TunerFactory(String name, Map<String, ?> classArgs) {
        Objects.requireNonNull(name, "name");
        Map<String, TunerProvider> known = new TreeMap<>();
        for (TunerProvider p : ServiceLoader.load(TunerProvider.class)) {
            known.put(p.name(), p);
        }
        this.provider = known.get(name);
        if (provider == null) {
            throw new ConfigException(FieldPath.of("tuner.builtinTunerName"),
                    "unknown tuner '" + name + "'; known: " + known.keySet());
        }
        this.classArgs = new LinkedHashMap<>(classArgs);
    }

    /**
     * A fresh tuner for one run.
     *
     * @throws ConfigException listing every problem of the merged classArgs
     */
    public Tuner create(long seed) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("optimize_mode", "minimize");
        args.put("seed", seed);
        args.putAll(classArgs);
        args.put("seed", seed);
        Problems problems = new Problems();
        Tuner tuner = provider.create(ConfigNode.of(args, AT, problems), TunerContext.seeded(seed));
        if (problems.isEmpty()) {
            return tuner;
        }
        if (onlyInjectedKeysRejected(problems)) {
            // drop only what the tuner refused: an advisor without a seed classArg still minimises
            for (ConfigProblem p : problems.list()) {
                args.remove(p.path().value().substring(AT.value().length() + 1));
            }
            problems = new Problems();
            tuner = provider.create(ConfigNode.of(args, AT, problems), TunerContext.seeded(seed));
        }
        problems.throwIfAny();
        return tuner;
    }

    private boolean onlyInjectedKeysRejected(Problems problems) {
        for (ConfigProblem p : problems.list()) {
            String path = p.path().value();
            boolean injected = path.equals(AT.child("seed").value())
                    || (path.equals(AT.child("optimize_mode").value()) && !classArgs.containsKey("optimize_mode"));
            if (!injected) {
                return false;
            }
        }
        return true;
    }
}
