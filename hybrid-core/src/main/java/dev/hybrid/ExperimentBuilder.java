package dev.hybrid;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.config.PlatformConfig;
import dev.hybrid.platform.PlatformContext;
import dev.hybrid.platform.PlatformProvider;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.internal.ExperimentSettings;
import dev.hybrid.internal.Ids;
import dev.hybrid.internal.Registry;
import dev.hybrid.platform.ExperimentScope;
import dev.hybrid.platform.ExperimentScoped;
import dev.hybrid.platform.HybridPlatform;
import dev.hybrid.platform.InProcessPlatform;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.store.ExperimentStore;
import dev.hybrid.store.InMemoryExperimentStore;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.trial.TrialFunction;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an {@link Experiment}. Setters only record values (a {@code null} argument is a programming error and throws
 * {@link NullPointerException} at once); {@link #build()} validates them all and reports every problem in one
 * {@link ConfigException}, each at its field path in NNI's YAML spelling ({@code trialConcurrency},
 * {@code maxTrialNum}, {@code tuner.classArgs.gamma}, ...). Not thread-safe; a builder may build several experiments.
 */
public final class ExperimentBuilder {
    private static final Logger log = LoggerFactory.getLogger(ExperimentBuilder.class);
    /** No leading {@code -}: the command line would read such an id as an option and could not address it. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,63}");
    private static final long DEFAULT_DEADLINE_GRACE_MINUTES = 10;
    /** Trials still running at maxExecDuration may go on this long by default. */
    static final Duration DEFAULT_DEADLINE_GRACE = Duration.ofMinutes(DEFAULT_DEADLINE_GRACE_MINUTES);

    private SearchSpace searchSpace;
    private Path searchSpaceFile;
    private Tuner tuner;
    private String tunerName;
    /** Where problems with the named tuner are reported: {@code tuner}, or {@code advisor} for an advisor. */
    private String tunerSection = "tuner";
    private Map<String, Object> classArgs;
    private OptimizeMode optimizeMode;
    private Long seed;
    private int trialConcurrency = 1;
    private Integer maxTrialNumber;
    private Duration maxExecDuration;
    private Duration maxTrialDuration;
    private Duration deadlineGrace = DEFAULT_DEADLINE_GRACE;
    private Path workingDirectory;
    private String experimentId;
    private String name;
    private final List<ExperimentListener> listeners = new ArrayList<>();
    private TrainingPlatform platform;
    private TrialFunction trialFunction;
    private Clock clock;
    private ScheduledExecutorService scheduler;
    private ExperimentConfig config;
    private Registry registry;
    private dev.hybrid.assessor.Assessor assessor;
    private boolean includeIntermediateResults;
    private String assessorName;
    private Map<String, Object> assessorArgs;
    private ExperimentStore store;
    /** Set by {@link ResumeBuilder}: the settings the resumed experiment was stored with. */
    private Map<String, Object> resumedSettings;
    /** Which run of the experiment this is: 0 for a new one, one more than the stored run for a resumed one. */
    private long run;

    ExperimentBuilder() {
    }

    /**
     * Where the experiment keeps its state. By default an experiment with a working directory (every config-based
     * one, and builder experiments given {@link #workingDirectory}) uses a {@link SqliteExperimentStore} in
     * {@code <workingDirectory>/<id>/db/}, which {@code Experiment.resume} and the command line can read; one
     * without a working directory keeps its state in an {@link InMemoryExperimentStore} and cannot be resumed. A
     * store given here is opened by the experiment but never closed by it.
     */
    public ExperimentBuilder store(ExperimentStore experimentStore) {
        this.store = Objects.requireNonNull(experimentStore, "experimentStore");
        return this;
    }

    /** Used by {@link ResumeBuilder}: the experiment continues what {@code resumed} holds; it owns the store. */
    ExperimentBuilder resumeFrom(ExperimentStore resumed, Map<String, Object> settingsAsStored) {
        this.store = Objects.requireNonNull(resumed, "resumed");
        this.resumedSettings = Objects.requireNonNull(settingsAsStored, "settingsAsStored");
        this.run = (settingsAsStored.get("run") instanceof Number n ? n.longValue() : 0L) + 1;
        return this;
    }

    /**
     * Takes everything from a loaded NNI config: search space, tuner, budgets, concurrency, name, working directory
     * and the training platform, which {@link #build()} creates through the platform's {@code PlatformProvider}
     * (the experiment owns and closes it). Later setter calls override the config's values.
     */
    public ExperimentBuilder config(ExperimentConfig experimentConfig) {
        this.config = Objects.requireNonNull(experimentConfig, "experimentConfig");
        searchSpace(config.searchSpace());
        config.tuner().ifPresent(t -> {
            tuner(t.name(), t.classArgs());
            includeIntermediateResults(t.includeIntermediateResults());
        });
        config.advisor().ifPresent(a -> advisor(a.name(), a.classArgs()));
        config.assessor().ifPresent(a -> assessor(a.name(), a.classArgs()));
        trialConcurrency(config.trialConcurrency());
        config.maxTrialNumber().ifPresent(this::maxTrialNumber);
        config.maxExperimentDuration().ifPresent(this::maxExecDuration);
        config.maxTrialDuration().ifPresent(this::maxTrialDuration);
        config.deadlineGrace().ifPresent(this::deadlineGrace);
        config.experimentWorkingDirectory().ifPresent(this::workingDirectory);
        config.experimentName().ifPresent(this::name);
        return this;
    }

    /**
     * An assessor that stops unpromising trials early from their intermediate results; such trials end
     * {@code EARLY_STOPPED}. Replaces an earlier {@link #assessor(String, Map)}.
     */
    public ExperimentBuilder assessor(dev.hybrid.assessor.Assessor theAssessor) {
        this.assessor = Objects.requireNonNull(theAssessor, "assessor");
        this.assessorName = null;
        this.assessorArgs = null;
        return this;
    }

    /**
     * A built-in assessor by its NNI name ({@code Medianstop}, {@code Curvefitting}) and {@code classArgs}; problems
     * are reported at {@code assessor.classArgs.<key>}.
     */
    public ExperimentBuilder assessor(String builtinName, Map<String, ?> classArgs) {
        this.assessorName = Objects.requireNonNull(builtinName, "builtinName");
        this.assessorArgs = new LinkedHashMap<>(Objects.requireNonNull(classArgs, "classArgs"));
        this.assessor = null;
        return this;
    }

    /**
     * NNI's {@code includeIntermediateResults}: a trial stopped early by the assessor gives the tuner its last
     * intermediate result as its final one (otherwise the tuner learns nothing from it). Off by default.
     */
    public ExperimentBuilder includeIntermediateResults(boolean include) {
        this.includeIntermediateResults = include;
        return this;
    }

    /** The default working directory, as NNI's {@code ~/nni-experiments}: {@code ~/hybrid-experiments}. */
    public static Path defaultWorkingDirectory() {
        return Path.of(System.getProperty("user.home"), "hybrid-experiments");
    }

    /** The space to search. Replaces an earlier {@link #searchSpace(Path)}. */
    public ExperimentBuilder searchSpace(SearchSpace space) {
        this.searchSpace = Objects.requireNonNull(space, "space");
        this.searchSpaceFile = null;
        return this;
    }

    /** An NNI {@code search_space.json} file, read and checked by {@link #build()}. Replaces an earlier space. */
    public ExperimentBuilder searchSpace(Path jsonFile) {
        this.searchSpaceFile = Objects.requireNonNull(jsonFile, "jsonFile");
        this.searchSpace = null;
        return this;
    }

    /**
     * The tuner to use, as an instance. Replaces an earlier tuner. A tuner with an {@link Tuner#optimizeMode() optimize
     * mode} of its own sets the experiment's; {@link #build()} refuses an {@link #optimizeMode} that contradicts it.
     * Every tuner learns the experiment's mode and seed in {@link Tuner#onStart}.
     */
    public ExperimentBuilder tuner(Tuner tuner) {
        this.tuner = Objects.requireNonNull(tuner, "tuner");
        this.tunerName = null;
        this.classArgs = null;
        this.tunerSection = "tuner";
        return this;
    }

    /**
     * A registered tuner, as NNI's {@code builtinTunerName} and {@code classArgs}. {@link #build()} resolves the name
     * and reports bad arguments at {@code tuner.classArgs.<key>}; an {@code optimize_mode} argument sets the
     * experiment's optimize mode. Replaces an earlier tuner.
     */
    public ExperimentBuilder tuner(String builtinName, Map<String, ?> classArgs) {
        this.tunerName = Objects.requireNonNull(builtinName, "builtinName");
        this.classArgs = new LinkedHashMap<>(Objects.requireNonNull(classArgs, "classArgs"));
        this.tuner = null;
        this.tunerSection = "tuner";
        return this;
    }

    /**
     * A registered advisor, as NNI's {@code builtinAdvisorName} ({@code Hyperband}, {@code BOHB}) and
     * {@code classArgs}: a tuner that also decides each trial's budget, passed to the trial as the parameter
     * {@code TRIAL_BUDGET}. The same as {@link #tuner(String, Map)}, except that {@link #build()} reports problems at
     * {@code advisor.classArgs.<key>} and refuses a name that is not an advisor. Replaces an earlier tuner.
     */
    public ExperimentBuilder advisor(String builtinName, Map<String, ?> classArgs) {
        tuner(builtinName, classArgs);
        this.tunerSection = "advisor";
        return this;
    }

    /**
     * Whether larger or smaller final values are better, for {@link ExperimentHandle#bestTrial()} and the tuner.
     * Defaults to the tuner's {@code optimize_mode} class argument (or its provider's default) when the tuner is built
     * by name, to the tuner's own {@link Tuner#optimizeMode()} when it is passed as an object, else to
     * {@code MAXIMIZE}. A tuner built by name without {@code optimize_mode} follows this mode.
     */
    public ExperimentBuilder optimizeMode(OptimizeMode mode) {
        this.optimizeMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * The seed of the tuner's random generator. By default a random seed is chosen and logged. A tuner built by name
     * with a {@code seed} class argument uses that one, and {@link Experiment#seed()} reports it.
     */
    public ExperimentBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** How many trials run at once (NNI's {@code trialConcurrency}); at least 1, default 1. */
    public ExperimentBuilder trialConcurrency(int trialConcurrency) {
        this.trialConcurrency = trialConcurrency;
        return this;
    }

    /** How many trials to submit in all (NNI's {@code maxTrialNum}); at least 1, unlimited by default. */
    public ExperimentBuilder maxTrialNumber(int maxTrialNumber) {
        this.maxTrialNumber = maxTrialNumber;
        return this;
    }

    /**
     * How long to keep submitting trials (NNI's {@code maxExecDuration}), from the start; unlimited by default. Trials
     * still running at the deadline may go on for the {@link #deadlineGrace(Duration) deadline grace}; those still
     * running after it are cancelled ({@code USER_CANCELED}, with a message naming the limit).
     */
    public ExperimentBuilder maxExecDuration(Duration maxExecDuration) {
        this.maxExecDuration = Objects.requireNonNull(maxExecDuration, "maxExecDuration");
        return this;
    }

    /**
     * The longest one trial may run (NNI's {@code maxTrialDuration}), from its start; unlimited by default. A trial
     * still running then is cancelled on whatever platform runs it and ends {@code EARLY_STOPPED} (as in NNI) with a
     * message naming the limit; it is not run again.
     */
    public ExperimentBuilder maxTrialDuration(Duration maxTrialDuration) {
        this.maxTrialDuration = Objects.requireNonNull(maxTrialDuration, "maxTrialDuration");
        return this;
    }

    /**
     * How long trials still running at {@code maxExecDuration} may go on before they are cancelled (Hybrid's
     * {@code deadlineGrace}); {@value #DEFAULT_DEADLINE_GRACE_MINUTES} minutes by default, zero cancels them at the
     * deadline. Without a {@code maxExecDuration} it has no effect.
     */
    public ExperimentBuilder deadlineGrace(Duration grace) {
        this.deadlineGrace = Objects.requireNonNull(grace, "grace");
        return this;
    }

    /** The directory that holds experiment directories (NNI's {@code experimentWorkingDirectory}). */
    public ExperimentBuilder workingDirectory(Path directory) {
        this.workingDirectory = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /** The experiment's id; by default a random 8-character one, as NNI makes. */
    public ExperimentBuilder experimentId(String experimentId) {
        this.experimentId = Objects.requireNonNull(experimentId, "experimentId");
        return this;
    }

    /** A name for people (NNI's {@code experimentName}). */
    public ExperimentBuilder name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Adds a listener; listeners are called in the order they were added, on the experiment thread. */
    public ExperimentBuilder listener(ExperimentListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * The platform that runs the trials. The experiment starts it and closes it when it ends. A platform that lays out
     * trials by experiment ({@link ExperimentScoped}: {@code local}, {@code remote}, and the children of a
     * {@link HybridPlatform}) gets this experiment's id and directory from {@link #build()}. Exclusive with
     * {@link #trialFunction}.
     */
    public ExperimentBuilder platform(TrainingPlatform platform) {
        this.platform = Objects.requireNonNull(platform, "platform");
        return this;
    }

    /**
     * Runs trials on several platforms at once (hybrid mode): a {@link HybridPlatform} over {@code children} with the
     * default dispatch policy. For another policy or per-platform caps, build a {@code HybridPlatform} and pass it to
     * {@link #platform}.
     */
    public ExperimentBuilder platforms(TrainingPlatform... children) {
        return platform(HybridPlatform.of(children));
    }

    /**
     * Runs trials in this JVM: the experiment gets an {@link InProcessPlatform} with {@code trialConcurrency}
     * threads running {@code function}. Exclusive with {@link #platform}.
     */
    public ExperimentBuilder trialFunction(TrialFunction function) {
        this.trialFunction = Objects.requireNonNull(function, "function");
        return this;
    }

    /** The clock for timestamps and the {@code maxExecDuration} budget; the UTC system clock by default. */
    public ExperimentBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The scheduler for the experiment's timers (deadline, retries, stop grace). By default the experiment creates
     * one thread for them and shuts it down on close; a scheduler given here is never shut down by the experiment.
     */
    public ExperimentBuilder scheduler(ScheduledExecutorService scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        return this;
    }

    /**
     * Validates the settings and builds the experiment (not started). A new experiment with a working directory
     * opens its database here and holds it until the experiment is closed.
     *
     * @throws ConfigException listing every problem found, each with its field path
     * @throws IllegalStateException if two registered tuner providers share a name
     * @throws dev.hybrid.store.StoreException if another run holds the same experiment, or its database cannot be
     *     created
     */
    public Experiment build() {
        Problems problems = new Problems();
        String id = experimentId != null ? experimentId : Ids.random(new SplittableRandom(), 8);
        problems.check(ID.matcher(id).matches(), FieldPath.of("experimentId"),
                "must be 1 to 64 letters, digits, '-' or '_', not starting with '-', was '%s'", id);
        problems.check(name == null || !name.isBlank(), FieldPath.of("experimentName"), "must not be blank");
        problems.check(trialConcurrency >= 1, FieldPath.of("trialConcurrency"), "must be >= 1, was %d",
                trialConcurrency);
        problems.check(maxTrialNumber == null || maxTrialNumber >= 1, FieldPath.of("maxTrialNum"),
                "must be >= 1, was %s", maxTrialNumber);
        problems.check(maxExecDuration == null || (!maxExecDuration.isNegative() && !maxExecDuration.isZero()),
                FieldPath.of("maxExecDuration"), "must be positive, was %s", maxExecDuration);
        problems.check(maxTrialDuration == null || (!maxTrialDuration.isNegative() && !maxTrialDuration.isZero()),
                FieldPath.of("maxTrialDuration"), "must be positive, was %s", maxTrialDuration);
        problems.check(!deadlineGrace.isNegative(), FieldPath.of("deadlineGrace"), "must not be negative, was %s",
                deadlineGrace);
        problems.check(workingDirectory == null || !Files.exists(workingDirectory)
                        || Files.isDirectory(workingDirectory), FieldPath.of("experimentWorkingDirectory"),
                "must be a directory, was the file %s", workingDirectory);

        SearchSpace space = resolveSearchSpace(problems);

        // A tuner's own seed classArg is the seed its proposals come from, so it is the one to report and reuse.
        Optional<Long> argSeed = tunerName != null && classArgs.get("seed") instanceof Number n
                && n.doubleValue() == Math.rint(n.doubleValue()) ? Optional.of(n.longValue()) : Optional.empty();
        boolean randomSeed = argSeed.isEmpty() && seed == null;
        long theSeed = argSeed.orElseGet(() -> seed != null ? seed : new SecureRandom().nextLong());
        OptimizeMode mode = optimizeMode;
        Tuner theTuner = tuner;
        if (tuner == null && tunerName == null) {
            problems.add(FieldPath.of("tuner"), "is required");
        } else if (tuner == null) {
            mode = resolveOptimizeMode(problems);
            theTuner = resolveTuner(TunerContext.of(theSeed, mode == null ? OptimizeMode.MAXIMIZE : mode).withStream(run)
                    .withExperimentId(id), problems);
        } else if (tuner.optimizeMode().isPresent()) {
            OptimizeMode own = tuner.optimizeMode().get();
            if (optimizeMode != null && optimizeMode != own) {
                problems.add(FieldPath.of("optimizeMode"), "is " + optimizeMode + " but the tuner ("
                        + tuner.getClass().getSimpleName() + ") was built to " + own
                        + "; build the tuner for " + optimizeMode + " or leave optimizeMode unset");
            }
            mode = own;
        }
        if (mode == null) {
            mode = OptimizeMode.MAXIMIZE;
        }
        if (tuner == null && theTuner != null && space != null) {
            checkSpace(theTuner, space, problems);
        }

        dev.hybrid.assessor.Assessor theAssessor = assessor;
        if (assessorName != null) {
            theAssessor = resolveAssessor(problems);
        }
        boolean fromConfig = config != null && platform == null && trialFunction == null;
        if (platform != null && trialFunction != null) {
            problems.add(FieldPath.of("trainingService"), "set either a platform or a trial function, not both");
        } else if (platform == null && trialFunction == null && !fromConfig) {
            problems.add(FieldPath.of("trainingService"), "is required: set a platform or a trial function");
        }
        if (resumedSettings == null && store == null) {
            Path dir = workingDirectory != null ? workingDirectory : fromConfig ? defaultWorkingDirectory() : null;
            if (dir != null && recorded(dir.resolve(id))) {
                problems.add(FieldPath.of("experimentId"), "experiment '" + id + "' already exists in " + dir
                        + "; resume it (Experiment.resume(" + dir.resolve(id) + ") in code, hybrid resume " + id
                        + " on the command line) or choose another id");
            }
        }
        Map<String, Object> settingsJson = problems.isEmpty() ? settingsAsJson(space, theSeed, mode, fromConfig)
                : Map.of();
        if (resumedSettings != null && problems.isEmpty()) {
            checkUnchangedOnResume(id, settingsJson, problems);
        }
        problems.throwIfAny();

        Clock theClock = clock != null ? clock : Clock.systemUTC();
        Path workDir = workingDirectory;
        TrainingPlatform thePlatform;
        if (platform != null) {
            thePlatform = platform;
        } else if (trialFunction != null) {
            thePlatform = InProcessPlatform.create(trialFunction, trialConcurrency, theClock);
        } else {
            if (workDir == null) {
                workDir = defaultWorkingDirectory();
            }
            thePlatform = platformFromConfig(id, workDir.resolve(id), theClock);
        }
        if (thePlatform instanceof ExperimentScoped scoped) {
            Path dir = workDir != null ? workDir.resolve(id)
                    : Path.of(System.getProperty("java.io.tmpdir"), "hybrid-experiments", id);
            scoped.bindExperiment(new ExperimentScope(id, dir));
        }
        if (randomSeed) {
            log.info("Experiment {} uses the random seed {}", id, theSeed);
        }
        ExperimentStore theStore = store;
        boolean ownsStore = resumedSettings != null;
        if (theStore == null) {
            ownsStore = true;
            theStore = workDir != null ? createdStore(id, workDir) : new InMemoryExperimentStore();
        }
        Map<String, Object> stored = new LinkedHashMap<>(settingsJson);
        stored.put("platform", thePlatform.name());
        return new Experiment(new ExperimentSettings(id, Optional.ofNullable(name), space, theTuner,
                Optional.ofNullable(theAssessor), includeIntermediateResults, mode, theSeed,
                trialConcurrency, maxTrialNumber == null ? Integer.MAX_VALUE : maxTrialNumber,
                Optional.ofNullable(maxExecDuration), Optional.ofNullable(maxTrialDuration), deadlineGrace,
                Optional.ofNullable(workDir), listeners, thePlatform,
                platform == null, theClock, Optional.ofNullable(scheduler), theStore, ownsStore,
                resumedSettings != null, dev.hybrid.internal.json.Json.write(stored)));
    }

    /**
     * Whether an experiment is recorded in {@code experimentDir}: its database holds one, or cannot be read (then
     * it is not ours to overwrite). A database that an experiment built but never started left without a row does
     * not count.
     */
    private static boolean recorded(Path experimentDir) {
        if (!Files.exists(SqliteExperimentStore.databaseFile(experimentDir))) {
            return false;
        }
        try (SqliteExperimentStore existing = SqliteExperimentStore.readOnly(experimentDir)) {
            existing.open();
            return existing.experiment().isPresent();
        } catch (dev.hybrid.store.StoreException e) {
            return true;
        }
    }

    /**
     * The new experiment's database, opened now rather than when the experiment starts: of two runs racing to create
     * the same experiment, the second learns it here, with a clear error, before anything has started.
     *
     * @throws dev.hybrid.store.StoreException if another run holds the experiment
     * @throws ConfigException if the experiment was created meanwhile
     */
    private static SqliteExperimentStore createdStore(String id, Path workDir) {
        SqliteExperimentStore created = SqliteExperimentStore.forWriting(workDir.resolve(id));
        created.open();
        if (created.experiment().isPresent()) {
            created.close();
            throw new ConfigException(FieldPath.of("experimentId"), "experiment '" + id + "' already exists in "
                    + workDir + "; resume it (hybrid resume " + id + ") or choose another id");
        }
        return created;
    }

    /**
     * The settings as the store keeps them: what {@code Experiment.resume} needs to build the experiment again,
     * including the NNI config file's content (as JSON) for config-based experiments.
     */
    private Map<String, Object> settingsAsJson(SearchSpace space, long theSeed, OptimizeMode mode,
            boolean fromConfig) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("experimentName", name);
        out.put("searchSpace", space.toPlain());
        out.put("tuner", algorithmAsJson(tunerName, classArgs, tuner));
        if (assessorName != null || assessor != null) {
            out.put("assessor", algorithmAsJson(assessorName, assessorArgs, assessor));
        }
        out.put("optimizeMode", mode.name());
        out.put("seed", theSeed);
        out.put("run", run);
        out.put("trialConcurrency", trialConcurrency);
        out.put("maxTrialNumber", maxTrialNumber);
        out.put("maxExecDuration", maxExecDuration == null ? null : maxExecDuration.toString());
        out.put("maxTrialDuration", maxTrialDuration == null ? null : maxTrialDuration.toString());
        out.put("deadlineGrace", deadlineGrace.toString());
        out.put("trialFunction", trialFunction != null);
        if (fromConfig && config.configFile().isPresent()) {
            Path file = config.configFile().get();
            try {
                Object tree = dev.hybrid.internal.json.Json.toPlain(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(Files.readString(file)));
                // Secrets stay out of the database: only where they came from is kept, and a resume reads them again.
                List<Map<String, Object>> secrets = new ArrayList<>();
                for (PlatformConfig pc : config.trainingServices()) {
                    for (FieldPath at : pc.secretPaths()) {
                        if (dev.hybrid.internal.ConfigTree.remove(tree, at)) {
                            Map<String, Object> s = new LinkedHashMap<>();
                            s.put("path", at.value());
                            s.put("from", file.toAbsolutePath().toString());
                            secrets.add(s);
                        }
                    }
                }
                out.put("nniConfig", tree);
                if (!secrets.isEmpty()) {
                    out.put("secrets", secrets);
                }
                out.put("configFile", file.toString());
                out.put("configBaseDir", file.toAbsolutePath().getParent().toString());
            } catch (IOException | RuntimeException e) {
                log.warn("Cannot keep a copy of {} for resuming: {}", file, e.toString());
            }
        }
        return out;
    }

    private static Map<String, Object> algorithmAsJson(String registeredName, Map<String, Object> args,
            Object instance) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (registeredName != null) {
            out.put("name", registeredName);
            out.put("classArgs", args);
        } else if (instance != null) {
            out.put("class", instance.getClass().getName());
        }
        return out;
    }

    /** A resumed experiment may change its budgets and concurrency, but not what it searches or how. */
    private void checkUnchangedOnResume(String id, Map<String, Object> now, Problems problems) {
        String json = dev.hybrid.internal.json.Json.write(now.get("searchSpace"));
        String was = dev.hybrid.internal.json.Json.write(resumedSettings.get("searchSpace"));
        if (!json.equals(was)) {
            problems.add(FieldPath.of("searchSpace"), "cannot change when resuming experiment " + id
                    + " (was " + was + ", now " + json + "); start a new experiment instead");
        }
        String tunerNow = dev.hybrid.internal.json.Json.write(now.get("tuner"));
        String tunerWas = dev.hybrid.internal.json.Json.write(resumedSettings.get("tuner"));
        if (!tunerNow.equals(tunerWas)) {
            problems.add(FieldPath.of("tuner"), "cannot change when resuming experiment " + id + " (was "
                    + tunerWas + ", now " + tunerNow + "); start a new experiment instead");
        }
    }

    /** The named components, loaded through {@code ServiceLoader} once for this builder. */
    private Registry registry() {
        if (registry == null) {
            registry = Registry.load();
        }
        return registry;
    }

    private dev.hybrid.assessor.Assessor resolveAssessor(Problems problems) {
        Registry registry = registry();
        var provider = registry.assessor(assessorName);
        if (provider.isEmpty()) {
            problems.add(FieldPath.of("assessor.builtinAssessorName"),
                    "unknown assessor '" + assessorName + "'; known: " + registry.assessorNames());
            return null;
        }
        FieldPath at = FieldPath.of("assessor.classArgs");
        try {
            return provider.get().create(ConfigNode.of(assessorArgs, at, problems));
        } catch (RuntimeException e) {
            problems.add(at, "assessor " + assessorName + " rejected its arguments: " + e.getMessage());
            return null;
        }
    }

    /** The config's platform; several (hybrid mode) run under one {@link HybridPlatform}. */
    private TrainingPlatform platformFromConfig(String id, Path experimentDir, Clock theClock) {
        Registry registry = registry();
        List<TrainingPlatform> created = new ArrayList<>();
        for (PlatformConfig pc : config.trainingServices()) {
            PlatformProvider provider = registry.platform(pc.platform()).orElseThrow(() ->
                    new ConfigException(pc.path(), "platform '" + pc.platform() + "' is not on the class path"));
            created.add(provider.create(pc, new PlatformContext(id, experimentDir, config.trial(),
                    trialConcurrency, theClock)));
        }
        if (created.size() == 1) {
            return created.get(0);
        }
        dev.hybrid.config.HybridSettings settings = config.hybrid();
        HybridPlatform.Builder hybrid = HybridPlatform.builder().clock(theClock)
                .policy(dev.hybrid.platform.DispatchPolicy.named(settings.dispatch()).orElseThrow());
        for (int i = 0; i < created.size(); i++) {
            dev.hybrid.config.HybridSettings.Child child = settings.children().get(i);
            hybrid.add(created.get(i), child.maxTrialConcurrency().map(java.util.OptionalInt::of)
                    .orElse(java.util.OptionalInt.empty()), child.weight());
        }
        return hybrid.build();
    }

    private SearchSpace resolveSearchSpace(Problems problems) {
        FieldPath at = FieldPath.of("searchSpace");
        if (searchSpace != null) {
            return searchSpace;
        }
        if (searchSpaceFile == null) {
            problems.add(at, "is required");
            return null;
        }
        String text;
        try {
            text = Files.readString(searchSpaceFile);
        } catch (IOException e) {
            problems.add(FieldPath.of("searchSpaceFile"), "cannot read " + searchSpaceFile + ": " + e);
            return null;
        }
        try {
            return SearchSpace.parse(text, at);
        } catch (ConfigException e) {
            problems.addAll(e);
            return null;
        }
    }

    private Tuner resolveTuner(TunerContext context, Problems problems) {
        Registry registry = registry();
        Optional<TunerProvider> provider = registry.tuner(tunerName);
        boolean advisor = tunerSection.equals("advisor");
        if (provider.isEmpty() || (advisor && !provider.get().isAdvisor())) {
            problems.add(FieldPath.of(advisor ? "advisor.builtinAdvisorName" : "tuner.builtinTunerName"), advisor
                    ? "unknown advisor '" + tunerName + "'; known: " + registry.tunerNames().stream()
                            .filter(n -> registry.tuner(n).orElseThrow().isAdvisor()).toList()
                    : registry.unknownTuner("tuner", tunerName));
            return null;
        }
        FieldPath at = FieldPath.of(tunerSection + ".classArgs");
        try {
            return provider.get().create(ConfigNode.of(classArgs, at, problems), context);
        } catch (RuntimeException e) {
            problems.add(at, tunerSection + " " + tunerName + " rejected its arguments: " + e.getMessage());
            return null;
        }
    }

    /**
     * A space the named tuner cannot search is a configuration problem at the parameter's path, reported with the
     * others before anything starts. (A tuner passed as an object meets the space only when the experiment starts:
     * its lifecycle begins with {@code onStart}.)
     */
    private static void checkSpace(Tuner named, SearchSpace space, Problems problems) {
        try {
            named.updateSearchSpace(space);
        } catch (dev.hybrid.tuner.UnsupportedSearchSpaceException e) {
            problems.add(FieldPath.of("searchSpace").child(e.parameter()), e.getMessage());
        }
    }

    /** The mode named by the {@code optimize_mode} class argument; the provider reports a bad value itself. */
    private OptimizeMode resolveOptimizeMode(Problems problems) {
        Object raw = classArgs.get("optimize_mode");
        if (!(raw instanceof String s)) {
            if (optimizeMode != null) {
                return optimizeMode;
            }
            return registry().tuner(tunerName).map(TunerProvider::defaultOptimizeMode).orElse(null);
        }
        OptimizeMode fromArgs;
        try {
            fromArgs = OptimizeMode.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return optimizeMode;
        }
        if (optimizeMode != null && optimizeMode != fromArgs) {
            problems.add(FieldPath.of(tunerSection + ".classArgs.optimize_mode"),
                    "is '" + s + "' but optimizeMode was set to " + optimizeMode);
        }
        return fromArgs;
    }
}
