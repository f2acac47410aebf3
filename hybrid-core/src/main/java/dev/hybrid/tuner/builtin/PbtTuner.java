package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.LogNormal;
import dev.hybrid.space.LogUniform;
import dev.hybrid.space.Normal;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.QLogNormal;
import dev.hybrid.space.QLogUniform;
import dev.hybrid.space.QNormal;
import dev.hybrid.space.QUniform;
import dev.hybrid.space.RandInt;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.UnsupportedSearchSpaceException;
import dev.hybrid.tuner.WarmStart;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NNI's {@code PBTTuner}: population-based training, in generations of {@code population_size} trials that hand
 * their model on through checkpoint folders.
 *
 * <h2>Algorithm</h2>
 * Member {@code i} of the population owns the folders {@code <all_checkpoint_dir>/<i>/<generation>}. Every trial
 * receives, besides its hyperparameters, {@code load_checkpoint_dir} (where to resume from; it may not exist yet) and
 * {@code save_checkpoint_dir} (where to save), as in NNI; the trial creates the folder it saves to.
 * <ol>
 *   <li>Generation 0: {@code population_size} members with hyperparameters drawn from the space, each loading from
 *       and saving to {@code <i>/0} (as NNI does, so a first trial finds nothing to load).</li>
 *   <li>Once every member of a generation has ended, the members are ranked by their result (a trial that ended
 *       without one ranks last). The bottom {@code ceil(fraction · population_size)} members <b>exploit</b>: each
 *       takes a member of the top as many, drawn uniformly, loads that member's checkpoint and copies its
 *       hyperparameters, then <b>explores</b>: each hyperparameter is, with probability {@code resample_probability},
 *       drawn again from the space, else perturbed: numbers are multiplied by {@code 1 + factor} or
 *       {@code 1 − factor} (even odds; then rounded for {@code randint} and the q-types and clipped to the bounds),
 *       and a {@code choice} moves to a neighbouring option. Every other member keeps its hyperparameters and loads
 *       its own last checkpoint. Each saves to {@code <i>/<generation>}.</li>
 * </ol>
 * Within a generation, trials are proposed as slots free up; once all of a generation's trials are out, the tuner
 * answers {@link Suggestion.Later} until the last one ends. It never answers {@code Done}: the experiment's budget
 * ends it. A result that arrives after its trial ended still counts while its generation is open.
 *
 * <h2>Resume and import ({@link WarmStart})</h2>
 * Recorded trials (a resumed experiment's, or NNI import data) rebuild the population as NNI's {@code import_data}
 * does: a trial's generation is the last element of its {@code save_checkpoint_dir} and its member folder the one
 * above, so the population goes on in the folders it was using, whatever {@code all_checkpoint_dir} is now. The
 * latest generation with a recorded trial for every one of the {@code population_size} members (all ended; a
 * member that ended without a result ranks last, as during the run) is ranked and bred into the next one, with
 * the parents it would have had. Beyond NNI, that next generation keeps what the record holds of it: a member whose
 * trial finished keeps its hyperparameters and result, and one whose trial runs again after the resume waits for
 * it; only the others are bred and proposed. With no complete generation, generation 0 is completed with fresh
 * draws. Recorded trials whose folders do not read as {@code <folder>/<member>/<generation>} with members below
 * {@code population_size}, that lie under another folder than most of them, or whose hyperparameters do not fit the
 * space, are left out;
 * if none is left the population starts afresh in {@code all_checkpoint_dir}. Unlike NNI, the tuner does not check
 * that the checkpoint folders still exist (it does no I/O, and they may be on another machine): a trial that finds
 * nothing to load starts from scratch, as in generation 0. Prior trials are taken only before the first
 * {@code suggest}; later ones are ignored.
 *
 * <p>Only flat spaces are supported (no nested choices), and no parameter may be named {@code load_checkpoint_dir}
 * or {@code save_checkpoint_dir}. The tuner only names folders: it does no I/O. Called only from the experiment
 * thread; not thread-safe. A fixed seed and the same results give the same sequence.
 */
public final class PbtTuner implements Tuner, WarmStart {
    private static final Logger log = LoggerFactory.getLogger(PbtTuner.class);
    /** The parameter naming the folder a trial resumes from. */
    public static final String LOAD_CHECKPOINT_DIR = "load_checkpoint_dir";
    /** The parameter naming the folder a trial saves to. */
    public static final String SAVE_CHECKPOINT_DIR = "save_checkpoint_dir";

    /**
     * The tuner's settings, NNI's {@code classArgs}.
     *
     * @param mode whether larger or smaller results are better
     * @param checkpointDir the folder holding every member's checkpoints ({@code all_checkpoint_dir})
     * @param populationSize the trials per generation, at least 2
     * @param factor the relative perturbation of numeric hyperparameters, in (0, 1)
     * @param resampleProbability the probability that a hyperparameter is drawn again rather than perturbed
     * @param fraction the fraction of the population replaced by copies of the top, in (0, 0.5]
     */
    public record Settings(OptimizeMode mode, Path checkpointDir, int populationSize, double factor,
            double resampleProbability, double fraction) {
        public Settings {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(checkpointDir, "checkpointDir");
            if (populationSize < 2) {
                throw new IllegalArgumentException("populationSize must be >= 2, was " + populationSize);
            }
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("factor must be in (0, 1), was " + factor);
            }
            if (!(resampleProbability >= 0 && resampleProbability <= 1)) {
                throw new IllegalArgumentException("resampleProbability must be in [0, 1], was " + resampleProbability);
            }
            if (!(fraction > 0 && fraction <= 0.5)) {
                throw new IllegalArgumentException("fraction must be in (0, 0.5], was " + fraction);
            }
        }
    }

    private static final class Member {
        final int slot;
        final Map<String, Object> hyper;
        final String load;
        final String save;
        TrialId trial;
        boolean ended;
        boolean hasResult;
        double loss = Double.POSITIVE_INFINITY;

        Member(int slot, Map<String, Object> hyper, String load, String save) {
            this.slot = slot;
            this.hyper = hyper;
            this.load = load;
            this.save = save;
        }

        Parameters parameters() {
            Map<String, Object> all = new LinkedHashMap<>(hyper);
            all.put(LOAD_CHECKPOINT_DIR, load);
            all.put(SAVE_CHECKPOINT_DIR, save);
            return new Parameters(all);
        }
    }

    /** A recorded trial of an earlier run, read from its checkpoint folders. */
    private record Prior(TrialId trial, Map<String, Object> hyper, String load, String save, Path base, int slot,
            int generation, boolean ended, double loss) {
        Prior {
            hyper = Map.copyOf(hyper);
        }
    }

    private final Settings settings;
    private final RandomGenerator random;
    private SearchSpace space;
    private SpaceModel model;
    private int generation;
    /** The folder holding every member's folder: {@code all_checkpoint_dir}, or a restored population's own. */
    private Path base;
    private List<Member> members = List.of();
    private final Map<TrialId, Member> byTrial = new HashMap<>();
    private final List<Prior> priors = new ArrayList<>();

    /** A tuner with these settings, drawing from {@code random}. */
    public PbtTuner(Settings settings, RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The direction it was built for. */
    @Override
    public Optional<OptimizeMode> optimizeMode() {
        return Optional.of(settings.mode());
    }

    /**
     * Sets the space and starts a new population at generation 0.
     *
     * @throws UnsupportedSearchSpaceException for a nested choice, or a parameter named like a checkpoint folder
     */
    @Override
    public void updateSearchSpace(SearchSpace space) {
        Objects.requireNonNull(space, "space");
        for (ParameterSpec p : space.parameters()) {
            if (p instanceof Choice c && c.isNested()) {
                throw new UnsupportedSearchSpaceException("PBTTuner", p.name(), p.nniType(),
                        "PBT perturbs flat hyperparameters; nested choices are not supported");
            }
            if (p.name().equals(LOAD_CHECKPOINT_DIR) || p.name().equals(SAVE_CHECKPOINT_DIR)) {
                throw new UnsupportedSearchSpaceException("PBTTuner", p.name(), p.nniType(),
                        "the name is the checkpoint folder PBT passes to each trial");
            }
        }
        this.space = space;
        this.model = new SpaceModel(space);
        generation = 0;
        base = settings.checkpointDir();
        byTrial.clear();
        priors.clear();
        members = null;
    }

    /**
     * A recorded trial with its result: it joins the population being rebuilt (see the class comment). Ignored once
     * this tuner has proposed a trial, and when its parameters name no checkpoint folders of a population.
     *
     * @throws IllegalStateException before {@link #updateSearchSpace}
     */
    @Override
    public void addPriorResult(TrialId trial, Parameters parameters, double value) {
        double loss = settings.mode().toLoss(value);
        addPrior(trial, parameters, true, Double.isNaN(loss) ? Double.POSITIVE_INFINITY : loss);
    }

    /**
     * A recorded trial without a result: one that ended (it ranks last in its generation) or one that runs again
     * (its member waits for it).
     *
     * @throws IllegalStateException before {@link #updateSearchSpace}
     */
    @Override
    public void addPriorTrial(TrialId trial, Parameters parameters, TrialStatus status) {
        addPrior(trial, parameters, status.isFinished(), Double.POSITIVE_INFINITY);
    }

    private void addPrior(TrialId trial, Parameters parameters, boolean ended, double loss) {
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(parameters, "parameters");
        if (space == null) {
            throw new IllegalStateException("updateSearchSpace must be called before prior trials are added");
        }
        if (members != null) {
            log.debug("PBT ignores prior trial {}: the population has started", trial);
            return;
        }
        Optional<Prior> prior = prior(trial, parameters, ended, loss);
        if (prior.isEmpty()) {
            log.debug("PBT ignores prior trial {}: {} names no member folder of a population of {} or does not fit"
                    + " the space", trial, parameters, settings.populationSize());
            return;
        }
        priors.add(prior.get());
    }

    /** The recorded trial, if its save folder reads {@code <base>/<member>/<generation>} and its hyperparameters fit. */
    private Optional<Prior> prior(TrialId trial, Parameters parameters, boolean ended, double loss) {
        if (!(parameters.values().get(SAVE_CHECKPOINT_DIR) instanceof String save)
                || !(parameters.values().get(LOAD_CHECKPOINT_DIR) instanceof String load)) {
            return Optional.empty();
        }
        Map<String, Object> hyper = new HashMap<>(parameters.values());
        hyper.remove(SAVE_CHECKPOINT_DIR);
        hyper.remove(LOAD_CHECKPOINT_DIR);
        if (!hyper.keySet().equals(java.util.Set.copyOf(space.names())) || model.encode(new Parameters(hyper)).isEmpty()) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(save);
            Path member = path.getParent();
            Path root = member == null ? null : member.getParent();
            if (root == null) {
                return Optional.empty();
            }
            int gen = Integer.parseInt(path.getFileName().toString());
            int slot = Integer.parseInt(member.getFileName().toString());
            if (gen < 0 || slot < 0 || slot >= settings.populationSize()) {
                return Optional.empty();
            }
            return Optional.of(new Prior(trial, hyper, load, save, root, slot, gen, ended, loss));
        } catch (InvalidPathException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The next member of the current generation not yet running, or {@link Suggestion.Later} while the generation's
     * last trials run.
     *
     * @throws IllegalStateException before {@link #updateSearchSpace}
     */
    @Override
    public Suggestion suggest(TrialId trial) {
        Objects.requireNonNull(trial, "trial");
        if (space == null) {
            throw new IllegalStateException("updateSearchSpace must be called before suggest");
        }
        if (members == null) {
            members = priors.isEmpty() ? firstGeneration() : restored();
            priors.clear();
        }
        for (Member m : members) {
            if (m.trial == null) {
                m.trial = trial;
                byTrial.put(trial, m);
                Parameters p = m.parameters();
                log.debug("PBT generation {} member {} is trial {}: {}", generation, m.slot, trial, p);
                return new Suggestion.Next(p);
            }
        }
        return new Suggestion.Later();
    }

    /** Records a trial's result while its generation is open. */
    @Override
    public void onResult(TrialId trial, Parameters parameters, double value) {
        Member m = byTrial.get(trial);
        if (m == null) {
            return;
        }
        double loss = settings.mode().toLoss(value);
        m.loss = Double.isNaN(loss) ? Double.POSITIVE_INFINITY : loss;
        m.hasResult = true;
        advanceIfComplete();
    }

    /** A trial ended; once every member of the generation has, the next generation is bred. */
    @Override
    public void onTrialEnd(TrialId trial, TrialStatus status) {
        Member m = byTrial.get(trial);
        if (m == null) {
            return;
        }
        m.ended = true;
        advanceIfComplete();
    }

    private void advanceIfComplete() {
        for (Member m : members) {
            if (!m.ended) {
                return;
            }
        }
        members = nextGeneration();
    }

    private List<Member> firstGeneration() {
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < settings.populationSize(); i++) {
            String dir = folder(i, 0);
            out.add(new Member(i, new LinkedHashMap<>(prior().values()), dir, dir));
        }
        return out;
    }

    /** The population rebuilt from {@link #priors} (see the class comment). */
    private List<Member> restored() {
        // the folder most recorded trials share; the others belong to another population and are left out
        Map<Path, Integer> votes = new HashMap<>();
        for (Prior p : priors) {
            votes.merge(p.base(), 1, Integer::sum);
        }
        Path root = priors.get(0).base();
        for (Prior p : priors) {
            if (votes.get(p.base()) > votes.get(root)) {
                root = p.base();
            }
        }
        // generation → member → its recorded trial; a trial with a result wins over one without
        TreeMap<Integer, Map<Integer, Prior>> byGeneration = new TreeMap<>();
        for (Prior p : priors) {
            if (!p.base().equals(root)) {
                continue;
            }
            Map<Integer, Prior> gen = byGeneration.computeIfAbsent(p.generation(), g -> new HashMap<>());
            Prior before = gen.get(p.slot());
            if (before == null || !(before.ended() && before.loss() < Double.POSITIVE_INFINITY)) {
                gen.put(p.slot(), p);
            }
        }
        int complete = -1;
        for (Map.Entry<Integer, Map<Integer, Prior>> e : byGeneration.entrySet()) {
            if (e.getValue().size() == settings.populationSize()
                    && e.getValue().values().stream().allMatch(Prior::ended)) {
                complete = e.getKey();
            }
        }
        base = root;
        List<Member> out;
        if (complete < 0) {
            generation = 0;
            out = new ArrayList<>(firstGeneration());
        } else {
            List<Member> ranked = new ArrayList<>();
            for (int slot = 0; slot < settings.populationSize(); slot++) {
                Prior p = byGeneration.get(complete).get(slot);
                Member m = new Member(slot, new LinkedHashMap<>(ordered(p.hyper())), p.load(), p.save());
                m.ended = true;
                m.hasResult = p.loss() < Double.POSITIVE_INFINITY;
                m.loss = p.loss();
                ranked.add(m);
            }
            members = ranked;
            generation = complete;
            out = new ArrayList<>(nextGeneration());
        }
        int kept = 0;
        for (Prior p : byGeneration.getOrDefault(generation, Map.of()).values()) {
            Member m = new Member(p.slot(), new LinkedHashMap<>(ordered(p.hyper())), p.load(), p.save());
            m.trial = p.trial();
            m.ended = p.ended();
            m.hasResult = p.ended() && p.loss() < Double.POSITIVE_INFINITY;
            m.loss = p.loss();
            out.set(p.slot(), m);
            byTrial.put(p.trial(), m);
            kept++;
        }
        log.info("PBT resumes generation {} in {} from {} recorded trials: {} of its members recorded, {} to propose",
                generation, root, priors.size(), kept, settings.populationSize() - kept);
        return List.copyOf(out);
    }

    /** The hyperparameters in the space's order. */
    private Map<String, Object> ordered(Map<String, Object> hyper) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParameterSpec p : space.parameters()) {
            out.put(p.name(), hyper.get(p.name()));
        }
        return out;
    }

    private List<Member> nextGeneration() {
        generation++;
        byTrial.clear();
        List<Member> ranked = new ArrayList<>(members);
        // stable: ties keep slot order
        ranked.sort(Comparator.comparingDouble(m -> m.loss));
        int n = ranked.size();
        int cut = (int) Math.ceil(settings.fraction() * n);
        Member[] next = new Member[n];
        for (int r = 0; r < n; r++) {
            Member m = ranked.get(r);
            if (r >= n - cut) {
                Member top = ranked.get(random.nextInt(cut));
                next[m.slot] = new Member(m.slot, explore(top.hyper), top.save, folder(m.slot, generation));
                log.debug("PBT generation {}: member {} copies member {}", generation, m.slot, top.slot);
            } else {
                next[m.slot] = new Member(m.slot, m.hyper, m.save, folder(m.slot, generation));
            }
        }
        return List.of(next);
    }

    private String folder(int slot, int gen) {
        return base.resolve(Integer.toString(slot)).resolve(Integer.toString(gen)).toString();
    }

    private Parameters prior() {
        double[] x = model.emptyPoint();
        model.samplePrior(model.root(), x, random);
        return model.decode(x);
    }

    private Map<String, Object> explore(Map<String, Object> hyper) {
        Map<String, Object> out = new LinkedHashMap<>();
        Parameters fresh = prior();
        for (ParameterSpec p : space.parameters()) {
            Object v = hyper.get(p.name());
            out.put(p.name(), random.nextDouble() < settings.resampleProbability() ? fresh.values().get(p.name())
                    : perturb(p, v));
        }
        return out;
    }

    private Object perturb(ParameterSpec p, Object v) {
        if (p instanceof Choice c) {
            int i = indexOf(c, v);
            int j = random.nextBoolean() ? i + 1 : i - 1;
            j = Math.max(0, Math.min(c.size() - 1, j));
            return ((ChoiceOption.Value) c.options().get(j)).value();
        }
        double x = ((Number) v).doubleValue() * (random.nextBoolean() ? 1 + settings.factor() : 1 - settings.factor());
        if (p instanceof RandInt r) {
            long k = Math.max(r.lower(), Math.min(r.upper() - 1, (long) Math.rint(x)));
            return k == (int) k ? (Object) (int) k : (Object) k;
        }
        if (p instanceof Uniform u) {
            return clamp(x, u.low(), u.high());
        }
        if (p instanceof QUniform u) {
            return u.quantize(x);
        }
        if (p instanceof LogUniform u) {
            return clamp(x, u.low(), u.high());
        }
        if (p instanceof QLogUniform u) {
            return u.quantize(x);
        }
        if (p instanceof QNormal n) {
            return n.quantize(x);
        }
        if (p instanceof QLogNormal n) {
            return n.quantize(x);
        }
        if (p instanceof Normal || p instanceof LogNormal) {
            return x;
        }
        throw new IllegalStateException("unknown parameter spec " + p);
    }

    private static int indexOf(Choice c, Object v) {
        for (int i = 0; i < c.size(); i++) {
            Object option = ((ChoiceOption.Value) c.options().get(i)).value();
            // a recorded trial's numbers may come back from the store as another Number type
            if (option.equals(v) || option instanceof Number a && v instanceof Number b
                    && a.doubleValue() == b.doubleValue()) {
                return i;
            }
        }
        throw new IllegalStateException("value " + v + " is no option of " + c.name());
    }

    private static double clamp(double v, double low, double high) {
        return Math.max(low, Math.min(high, v));
    }
}
