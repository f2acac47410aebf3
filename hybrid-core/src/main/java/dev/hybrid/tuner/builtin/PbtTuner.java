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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * <p>Only flat spaces are supported (no nested choices), and no parameter may be named {@code load_checkpoint_dir}
 * or {@code save_checkpoint_dir}. The tuner only names folders: it does no I/O. Called only from the experiment
 * thread; not thread-safe. A fixed seed and the same results give the same sequence.
 */
public final class PbtTuner implements Tuner {
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

    private final Settings settings;
    private final RandomGenerator random;
    private SearchSpace space;
    private SpaceModel model;
    private int generation;
    private List<Member> members = List.of();
    private final Map<TrialId, Member> byTrial = new HashMap<>();

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
        byTrial.clear();
        members = null;
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
            members = firstGeneration();
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
        return settings.checkpointDir().resolve(Integer.toString(slot)).resolve(Integer.toString(gen)).toString();
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
            if (((ChoiceOption.Value) c.options().get(i)).value().equals(v)) {
                return i;
            }
        }
        throw new IllegalStateException("value " + v + " is no option of " + c.name());
    }

    private static double clamp(double v, double low, double high) {
        return Math.max(low, Math.min(high, v));
    }
}
