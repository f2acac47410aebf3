package dev.hybrid;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.config.FieldPath;
import dev.hybrid.internal.json.Json;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.trial.TrialFunction;
import dev.hybrid.tuner.Tuner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/**
 * Builds an {@link Experiment} that continues one stored in its experiment directory, from
 * {@link Experiment#resume(Path)}.
 *
 * <p>A config-based experiment (started from an NNI config) is rebuilt from the config stored in its database,
 * platform included. A builder experiment whose trials ran in this process, or whose tuner was given as an
 * instance, needs those again: {@code Experiment.resume(dir).trialFunction(f).tuner(new MyTuner()).build()}.
 *
 * <p>The resumed experiment replays every finished trial's final result into its tuner, runs the trials that
 * were waiting or running when the process died again (same trial id and parameters, a new attempt), counts stored
 * trials against {@code maxTrialNum} and the running time already spent against {@code maxExecDuration}. Budgets
 * and concurrency may be changed (as {@code nnictl update} does); the search space and the tuner may not. A named
 * tuner is rebuilt with the stored seed (or its own {@code seed} classArg) but draws from the next of that seed's
 * streams (see {@link dev.hybrid.tuner.TunerContext}), so it repeats no earlier run's proposals.
 *
 * <p>{@link #build()} opens the database and takes the experiment's lock until the experiment is closed. Not
 * thread-safe.
 */
public final class ResumeBuilder {
    private final Path experimentDir;
    private ExperimentConfig config;
    private TrialFunction trialFunction;
    private TrainingPlatform platform;
    private Tuner tuner;
    private Integer trialConcurrency;
    private Integer maxTrialNumber;
    private Duration maxExecDuration;
    private Clock clock;
    private ScheduledExecutorService scheduler;
    private final List<ExperimentListener> listeners = new ArrayList<>();

    ResumeBuilder(Path experimentDir) {
        this.experimentDir = Objects.requireNonNull(experimentDir, "experimentDir");
    }

    /**
     * A changed NNI config to continue with, as {@code nnictl update}: its budgets, concurrency and platform are
     * used; its search space and tuner must equal the stored ones.
     */
    public ResumeBuilder config(ExperimentConfig changedConfig) {
        this.config = Objects.requireNonNull(changedConfig, "changedConfig");
        return this;
    }

    /** The in-process trial function, for an experiment that was built with one. */
    public ResumeBuilder trialFunction(TrialFunction function) {
        this.trialFunction = Objects.requireNonNull(function, "function");
        return this;
    }

    /** The platform, for an experiment built with a platform instance. */
    public ResumeBuilder platform(TrainingPlatform trainingPlatform) {
        this.platform = Objects.requireNonNull(trainingPlatform, "trainingPlatform");
        return this;
    }

    /** The tuner, for an experiment built with a tuner instance; it must be of the same class as before. */
    public ResumeBuilder tuner(Tuner theTuner) {
        this.tuner = Objects.requireNonNull(theTuner, "theTuner");
        return this;
    }

    /** A new trial concurrency. */
    public ResumeBuilder trialConcurrency(int concurrency) {
        this.trialConcurrency = concurrency;
        return this;
    }

    /** A new {@code maxTrialNum}, counting the stored trials. */
    public ResumeBuilder maxTrialNumber(int max) {
        this.maxTrialNumber = max;
        return this;
    }

    /** A new {@code maxExecDuration}, counting the running time already spent. */
    public ResumeBuilder maxExecDuration(Duration max) {
        this.maxExecDuration = Objects.requireNonNull(max, "max");
        return this;
    }

    /** Adds a listener, as {@link ExperimentBuilder#listener}. */
    public ResumeBuilder listener(ExperimentListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** The clock, as {@link ExperimentBuilder#clock}. */
    public ResumeBuilder clock(Clock theClock) {
        this.clock = Objects.requireNonNull(theClock, "theClock");
        return this;
    }

    /** The scheduler, as {@link ExperimentBuilder#scheduler}. */
    public ResumeBuilder scheduler(ScheduledExecutorService theScheduler) {
        this.scheduler = Objects.requireNonNull(theScheduler, "theScheduler");
        return this;
    }

    /**
     * Opens the stored experiment and builds the experiment that continues it (not started).
     *
     * @throws StoreException if there is no experiment database, it is corrupt, or another run holds it
     * @throws ConfigException if the stored settings cannot be rebuilt, a needed trial function, platform or tuner
     *     is missing, or the search space or tuner changed
     */
    public Experiment build() {
        checkIsAnExperimentDirectory();
        SqliteExperimentStore store = SqliteExperimentStore.existingForWriting(experimentDir);
        store.open();
        try {
            StoredExperiment row = store.experiment().orElseThrow(() -> new StoreException(
                    "no experiment is recorded in " + store.file()));
            Map<String, Object> saved = parse(row.configJson());
            ExperimentBuilder b = Experiment.builder();
            Object nni = saved.get("nniConfig");
            if (config != null) {
                b.config(config);
            } else if (nni != null && trialFunction == null && platform == null) {
                Path base = Path.of(String.valueOf(saved.get("configBaseDir")));
                Optional<Path> file = Optional.ofNullable(saved.get("configFile")).map(f -> Path.of(f.toString()));
                restoreSecrets(row.id(), nni, saved.get("secrets"));
                b.config(ConfigLoader.create().parse(Json.write(nni), base, file));
                // The limits a running experiment was steered to are kept beside the config it was started with.
                asInt(saved.get("trialConcurrency")).ifPresent(b::trialConcurrency);
                asInt(saved.get("maxTrialNumber")).ifPresent(b::maxTrialNumber);
                Optional.ofNullable(saved.get("maxExecDuration")).map(d -> Duration.parse(d.toString()))
                        .ifPresent(b::maxExecDuration);
            } else {
                b.searchSpace(SearchSpace.fromPlain(asMap(saved.get("searchSpace")), FieldPath.of("searchSpace")));
                asInt(saved.get("trialConcurrency")).ifPresent(b::trialConcurrency);
                asInt(saved.get("maxTrialNumber")).ifPresent(b::maxTrialNumber);
                Optional.ofNullable(saved.get("maxExecDuration")).map(d -> Duration.parse(d.toString()))
                        .ifPresent(b::maxExecDuration);
                Optional.ofNullable(saved.get("maxTrialDuration")).map(d -> Duration.parse(d.toString()))
                        .ifPresent(b::maxTrialDuration);
                Optional.ofNullable(saved.get("deadlineGrace")).map(d -> Duration.parse(d.toString()))
                        .ifPresent(b::deadlineGrace);
                Map<String, Object> assessor = asMap(saved.getOrDefault("assessor", Map.of()));
                if (assessor.get("name") != null) {
                    b.assessor(assessor.get("name").toString(), asMap(assessor.get("classArgs")));
                }
            }
            Map<String, Object> savedTuner = asMap(saved.get("tuner"));
            if (tuner != null) {
                Object cls = savedTuner.get("class");
                if (cls == null || !cls.equals(tuner.getClass().getName())) {
                    throw new ConfigException(FieldPath.of("tuner"), "cannot change when resuming experiment "
                            + row.id() + " (was " + Json.write(savedTuner) + ", now a " + tuner.getClass().getName()
                            + ")");
                }
                b.tuner(tuner);
            } else if (savedTuner.get("name") != null && config == null) {
                b.tuner(savedTuner.get("name").toString(), asMap(savedTuner.get("classArgs")));
            } else if (savedTuner.get("class") != null) {
                throw new ConfigException(FieldPath.of("tuner"), "experiment " + row.id() + " was built with a tuner "
                        + "instance (" + savedTuner.get("class") + "); pass a new one with tuner(...) to resume it");
            }
            if (config == null && nni == null && trialFunction == null && platform == null) {
                // Neither a function nor a platform object can be stored: the caller must pass it again.
                throw new ConfigException(FieldPath.of("trainingService"), Boolean.TRUE.equals(saved.get(
                        "trialFunction"))
                        ? "experiment " + row.id() + " ran an in-process trial function, which is not stored; pass "
                                + "it again: Experiment.resume(dir).trialFunction(f)"
                        : "experiment " + row.id() + " ran on a platform object (" + saved.get("platform")
                                + "), which is not stored; pass it again: Experiment.resume(dir).platform(p)");
            }
            if (trialFunction != null) {
                b.trialFunction(trialFunction);
            }
            if (platform != null) {
                b.platform(platform);
            }
            row.name().ifPresent(b::name);
            b.experimentId(row.id());
            b.workingDirectory(experimentDir.toAbsolutePath().getParent());
            b.optimizeMode(row.optimizeMode());
            long seed = saved.get("seed") instanceof Number n ? n.longValue() : 0L;
            b.seed(seed);
            if (trialConcurrency != null) {
                b.trialConcurrency(trialConcurrency);
            }
            if (maxTrialNumber != null) {
                b.maxTrialNumber(maxTrialNumber);
            }
            if (maxExecDuration != null) {
                b.maxExecDuration(maxExecDuration);
            }
            listeners.forEach(b::listener);
            if (clock != null) {
                b.clock(clock);
            }
            if (scheduler != null) {
                b.scheduler(scheduler);
            }
            b.resumeFrom(store, saved);
            return b.build();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Fails with a hint when {@code experimentDir} has no database but holds experiments: it is the working directory
     * given instead of {@code <workingDirectory>/<id>}.
     */
    private void checkIsAnExperimentDirectory() {
        if (Files.isRegularFile(SqliteExperimentStore.databaseFile(experimentDir))
                || !Files.isDirectory(experimentDir)) {
            return;
        }
        List<String> ids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(experimentDir)) {
            entries.filter(d -> Files.isRegularFile(SqliteExperimentStore.databaseFile(d)))
                    .forEach(d -> ids.add(d.getFileName().toString()));
        } catch (IOException e) {
            return;
        }
        if (!ids.isEmpty()) {
            Collections.sort(ids);
            throw new StoreException("no experiment database at " + SqliteExperimentStore.databaseFile(experimentDir)
                    + "; " + experimentDir + " is a working directory holding the experiments " + ids
                    + ": resume one with Experiment.resume(" + experimentDir.resolve(ids.get(0)) + "), that is "
                    + "<workingDirectory>/<id>");
        }
    }

    /**
     * Puts the secrets the database does not keep back into the stored config tree, reading each again from where it
     * came from (the config file).
     *
     * @throws ConfigException naming each secret that cannot be read again, where it was read from and why
     */
    private void restoreSecrets(String id, Object nni, Object secrets) {
        if (!(secrets instanceof List<?> list) || list.isEmpty()) {
            return;
        }
        dev.hybrid.config.Problems problems = new dev.hybrid.config.Problems();
        Map<String, Object> sources = new java.util.HashMap<>();
        for (Object o : list) {
            Map<String, Object> s = asMap(o);
            FieldPath at = FieldPath.of(String.valueOf(s.get("path")));
            String from = String.valueOf(s.get("from"));
            String again = "; pass the config again (hybrid resume " + id + " --config FILE, or"
                    + " Experiment.resume(dir).config(...) in code)";
            Object source = sources.computeIfAbsent(from, ResumeBuilder::readTree);
            if (source instanceof String why) {
                problems.add(at, "is a secret, which the experiment's database does not keep, and " + from
                        + " cannot be read again: " + why + again);
                continue;
            }
            Optional<Object> value = dev.hybrid.internal.ConfigTree.get(source, at);
            if (value.isEmpty() || !dev.hybrid.internal.ConfigTree.put(nni, at, value.get())) {
                problems.add(at, "is a secret, which the experiment's database does not keep, and " + from
                        + " no longer has it" + again);
            }
        }
        problems.throwIfAny();
    }

    /** A YAML file as plain maps and lists, or why it cannot be read (a string). */
    private static Object readTree(String file) {
        try {
            Object tree = Json.toPlain(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                    .readTree(java.nio.file.Files.readString(Path.of(file))));
            return tree == null ? "it is empty" : tree;
        } catch (java.nio.file.NoSuchFileException e) {
            return "it no longer exists";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Not the parser's message: it may quote the line that holds the secret.
            return "it is not valid YAML any more";
        } catch (java.io.IOException | RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    private static Map<String, Object> parse(String json) {
        try {
            return asMap(Json.toPlain(Json.readTree(json)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("the stored settings are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        return Map.of();
    }

    private static Optional<Integer> asInt(Object o) {
        return o instanceof Number n ? Optional.of(n.intValue()) : Optional.empty();
    }
}
