package dev.hybrid.platform.aml;

import dev.hybrid.platform.ExperimentScope;
import dev.hybrid.platform.ExperimentScoped;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.platform.TrialEventSink;
import dev.hybrid.platform.aml.internal.AmlApi;
import dev.hybrid.platform.aml.internal.AzureException;
import dev.hybrid.platform.aml.internal.CodeFiles;
import dev.hybrid.platform.aml.internal.Http;
import dev.hybrid.platform.aml.internal.MetricCursor;
import dev.hybrid.platform.aml.internal.Tokens;
import dev.hybrid.platform.aml.internal.Waiter;
import dev.hybrid.protocol.ParameterFile;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The {@code aml} platform: each trial is one Azure ML command job on the workspace's compute cluster, created over
 * the ARM REST API. {@link #start} logs in (failing fast on a wrong secret), reads the workspace, uploads the code
 * directory once as a code asset (skipped when a version with the same content hash exists, as on a resume) and
 * makes the image an environment version; jobs of the same experiment that an earlier run left queued or running
 * are cancelled. Inside the job, Hybrid's forwarder runs the trial with NNI's environment
 * ({@code NNI_PLATFORM=aml}) and sends its metrics to the job's MLflow run; the platform reads them back while the
 * job runs, each exactly once and in order, with one list call per poll for every job's status.
 *
 * <p>Status: {@code NotStarted}, {@code Starting}, {@code Provisioning}, {@code Preparing} and {@code Queued} wait;
 * {@code Running} and {@code Finalizing} run; {@code Completed} is {@code SUCCEEDED}, {@code Failed} {@code FAILED},
 * {@code Canceled} {@code USER_CANCELED} when {@link #cancel} asked for it, else {@code SYS_CANCELED};
 * {@code NotResponding}, {@code Unknown} and the rest keep being polled. A service that cannot be reached makes
 * {@link #freeSlots()} 0 and {@link #submit} refuse (retryably), and after {@code serviceLostAfter} the trials it ran
 * end {@code SYS_CANCELED}, so that a hybrid experiment runs them elsewhere.
 *
 * <p>All requests run on one daemon thread ({@code hybrid-aml-io-<n>}); {@code submit}, {@code cancel} and
 * {@code freeSlots} return at once. Events reach the sink from that thread.
 */
public final class AmlPlatform implements TrainingPlatform, ExperimentScoped {
    private static final Logger log = LoggerFactory.getLogger(AmlPlatform.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Pattern UNSAFE = Pattern.compile("[^a-zA-Z0-9_-]");
    private static final java.util.Set<String> TERMINAL = java.util.Set.of("Completed", "Failed", "Canceled");
    private static final Pattern ARM_OR_REGISTRY = Pattern.compile("^(/subscriptions/|azureml:).*");

    private final Clock clock;
    private AmlPlatformOptions options;
    private Optional<Path> experimentDir = Optional.empty();
    private final Object lock = new Object();
    private final Map<TrialId, Job> active = new LinkedHashMap<>();
    /** Jobs whose trials ended SYS_CANCELED while the service was unreachable: cancelled when it answers again. */
    private final List<Job> givenUp = new java.util.ArrayList<>();
    private final String nonce;
    private int attempts;
    private boolean started;
    private volatile boolean closed;
    private Instant unreachableSince;
    private TrialEventSink sink;
    private Waiter waiter;
    private Http http;
    private AmlApi api;
    private ScheduledExecutorService io;
    private ScheduledFuture<?> pollTask;
    private String codeId;
    private String environmentId;

    private static final class Job {
        final TrialSpec spec;
        final String name;
        final MetricCursor metrics;
        boolean created;
        boolean startedSent;
        boolean cancelRequested;
        boolean ended;

        Job(TrialSpec spec, String name) {
            this.spec = spec;
            this.name = name;
            this.metrics = new MetricCursor(name);
        }
    }

    private AmlPlatform(AmlPlatformOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        this.nonce = HexFormat.of().formatHex(b);
    }

    /** A platform running trials with {@code options}, timing token renewals with {@code clock}. */
    public static AmlPlatform create(AmlPlatformOptions options, Clock clock) {
        return new AmlPlatform(Objects.requireNonNull(options, "options"), Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public String name() {
        return "aml";
    }

    @Override
    public void bindExperiment(ExperimentScope scope) {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("the platform has started already");
            }
            options = options.withExperimentId(scope.experimentId());
            experimentDir = Optional.of(scope.experimentDirectory());
        }
    }

    /** The tag key every job of this experiment carries, by which one list call finds them all. */
    private String experimentTag() {
        return "hybrid.experiment." + options.experimentId();
    }

    @Override
    public void start(TrialEventSink sink) {
        Objects.requireNonNull(sink, "sink");
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "the platform is closed" : "the platform has started already");
            }
            started = true;
            this.sink = sink;
        }
        waiter = new Waiter();
        http = new Http(options.sslContext(), waiter);
        AmlCredentials c = options.credentials();
        Tokens tokens = new Tokens(Tokens.choose(c.tenantId(), c.clientId(), c.clientSecret(), c.azureCli(),
                options.authorityHost(), options.environment()), options.resourceManagerEndpoint(), http, clock);
        api = new AmlApi(http, tokens, options.resourceManagerEndpoint(), options.workspace());
        try {
            tokens.token();
            api.loadWorkspace();
            cancelEarlierRunsJobs();
            codeId = uploadCode();
            environmentId = environment();
        } catch (AzureException e) {
            http.close();
            throw new PlatformException(name(), e.getMessage(), e.isUnreachable(), e);
        }
        io = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(() -> {
                MDC.put("platform", "aml");
                MDC.put("experiment", options.experimentId());
                r.run();
            }, "hybrid-aml-io-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long every = options.pollInterval().toMillis();
        pollTask = io.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
        log.info("Azure ML workspace {} ready: compute {}, code {}, environment {}",
                options.workspace().workspaceName(), options.computeTarget(), codeId, environmentId);
    }

    /**
     * Cancels the jobs of this experiment that an earlier run left queued or running (its process died, or it was
     * killed): as with local and remote trial processes, none outlives what owns it, and a resume runs unfinished
     * trials again as new jobs.
     */
    private void cancelEarlierRunsJobs() {
        for (Map.Entry<String, String> job : api.jobStatuses(experimentTag()).entrySet()) {
            if (!TERMINAL.contains(job.getValue()) && !job.getValue().equals("CancelRequested")) {
                log.info("Cancelling job {} ({}), left by an earlier run of experiment {}", job.getKey(),
                        job.getValue(), options.experimentId());
                api.cancel(job.getKey());
            }
        }
    }

    private String uploadCode() {
        Path staging;
        CodeFiles files;
        try {
            staging = experimentDir.isPresent() ? Files.createDirectories(experimentDir.get().resolve("aml"))
                    : Files.createTempDirectory("hybrid-aml-");
            files = CodeFiles.collect(options.codeDirectory(), staging);
        } catch (IOException e) {
            throw new PlatformException(name(), "cannot read the code directory " + options.codeDirectory() + ": "
                    + e.getMessage(), false, e);
        }
        String codeName = "hybrid-" + sanitize(options.experimentId());
        String version = files.hash().substring(0, 16);
        if (api.codeVersion(codeName, version).isPresent()) {
            log.info("Code of experiment {} is unchanged (version {}): not uploaded again", options.experimentId(),
                    version);
            return api.workspaceId() + "/codes/" + codeName + "/versions/" + version;
        }
        log.info("Uploading the code directory {} ({} files) as code {} version {}", options.codeDirectory(),
                files.files().size(), codeName, version);
        return api.uploadCode(codeName, version, files.files(), files.hash());
    }

    private String environment() {
        String image = options.image();
        if (ARM_OR_REGISTRY.matcher(image).matches()) {
            return image;
        }
        String version = HexFormat.of().formatHex(sha256(image)).substring(0, 16);
        return api.environment("hybrid-" + sanitize(image.replaceAll("[:/@.]", "-")), version, image);
    }

    @Override
    public void submit(TrialSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Job job;
        synchronized (lock) {
            if (closed || io == null) {
                throw new IllegalStateException(closed ? "the platform is closed" : "the platform has not started");
            }
            if (unreachableSince != null) {
                throw new PlatformException(name(), spec.id(), "Azure ML cannot be reached since " + unreachableSince,
                        true, null);
            }
            if (active.size() >= options.maxConcurrentTrials()) {
                throw new PlatformException(name(), spec.id(), "no free slot (" + active.size() + " jobs)", true,
                        null);
            }
            if (active.containsKey(spec.id())) {
                throw new IllegalArgumentException("trial " + spec.id() + " is running already");
            }
            String base = sanitize(options.experimentId() + "-" + spec.id().value());
            if (base.length() > 200) {
                base = base.substring(0, 200);
            }
            job = new Job(spec, base + "-" + nonce + "-" + (attempts++));
            active.put(spec.id(), job);
        }
        io.execute(() -> createJob(job));
    }

    private void createJob(Job job) {
        TrialSpec spec = job.spec;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NNI_PLATFORM", "aml");
        env.put("NNI_EXP_ID", options.experimentId());
        env.put("NNI_TRIAL_JOB_ID", spec.id().value());
        env.put("NNI_TRIAL_SEQ_ID", Integer.toString(spec.sequence()));
        env.put("MULTI_PHASE", "false");
        options.gpuNumber().filter(g -> g == 0).ifPresent(g -> env.put("CUDA_VISIBLE_DEVICES", "-1"));
        env.put("HYBRID_TRIAL_COMMAND", options.trialCommand());
        env.put("HYBRID_PARAMETERS", ParameterFile.of(spec.parameterId(), spec.parameters()).render());
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("jobType", "Command");
        props.put("displayName", "nni-trial-" + spec.id().value());
        props.put("experimentName", "nni_exp_" + sanitize(options.experimentId()));
        props.put("command", "python3 " + CodeFiles.FORWARDER);
        props.put("codeId", codeId);
        props.put("environmentId", environmentId);
        props.put("computeId", api.workspaceId() + "/computes/" + options.computeTarget());
        props.put("resources", Map.of("instanceCount", 1));
        props.put("environmentVariables", env);
        props.put("tags", Map.of(experimentTag(), "", "hybrid.trial", spec.id().value()));
        try {
            api.createJob(job.name, props);
            synchronized (lock) {
                job.created = true;
            }
            reachable();
            log.info("Trial {} submitted to Azure ML as job {}", spec.id(), job.name);
        } catch (AzureException e) {
            if (e.isUnreachable()) {
                unreachable(e);
                end(job, TrialStatus.SYS_CANCELED, Optional.empty(), "Azure ML job could not be created: "
                        + e.getMessage());
            } else {
                end(job, TrialStatus.FAILED, Optional.empty(), "Azure ML refused the job: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            end(job, TrialStatus.FAILED, Optional.empty(), "Azure ML job could not be created: " + e);
        }
    }

    private void poll() {
        try {
            List<Job> jobs;
            synchronized (lock) {
                jobs = active.values().stream().filter(j -> j.created && !j.ended).toList();
            }
            if (jobs.isEmpty()) {
                if (unreachableSince != null) {
                    api.loadWorkspace();
                    reachable();
                }
                return;
            }
            Map<String, String> statuses = api.jobStatuses(experimentTag());
            reachable();
            for (Job job : jobs) {
                String status = statuses.get(job.name);
                if (status != null) {
                    onStatus(job, status);
                }
            }
        } catch (AzureException e) {
            if (e.isUnreachable()) {
                unreachable(e);
            } else {
                log.warn("Polling Azure ML failed: {}", e.getMessage());
            }
        } catch (RuntimeException e) {
            log.warn("Polling Azure ML failed", e);
        }
    }

    private void onStatus(Job job, String status) {
        switch (status) {
            case "Running", "Finalizing" -> {
                sendStarted(job);
                forwardMetrics(job, false);
            }
            case "Completed" -> {
                sendStarted(job);
                forwardMetrics(job, true);
                end(job, TrialStatus.SUCCEEDED, Optional.of(job.metrics.exitCode().orElse(0)), "");
            }
            case "Failed" -> {
                forwardMetrics(job, true);
                Optional<Integer> code = job.metrics.exitCode();
                end(job, TrialStatus.FAILED, code, "Azure ML job " + job.name + " failed"
                        + code.map(c -> " with exit code " + c).orElse(""));
            }
            case "Canceled" -> {
                forwardMetrics(job, true);
                boolean asked;
                synchronized (lock) {
                    asked = job.cancelRequested;
                }
                end(job, asked ? TrialStatus.USER_CANCELED : TrialStatus.SYS_CANCELED, Optional.empty(),
                        asked ? "" : "Azure ML job " + job.name + " was canceled outside the experiment");
            }
            default -> {
                // NotStarted, Starting, Provisioning, Preparing, Queued: waiting; CancelRequested: stopping;
                // NotResponding, Paused, Unknown: no news. Keep polling.
            }
        }
    }

    private void forwardMetrics(Job job, boolean finished) {
        for (MetricCursor.Item item : job.metrics.read(api, finished)) {
            MetricType type = MetricType.valueOf(item.type());
            emit(new TrialEvent.MetricReported(job.spec.id(), new Metric(type, item.sequence(), item.value(),
                    clock.instant())));
        }
    }

    private void sendStarted(Job job) {
        if (!job.startedSent) {
            job.startedSent = true;
            emit(new TrialEvent.Started(job.spec.id(), clock.instant()));
        }
    }

    private void end(Job job, TrialStatus status, Optional<Integer> exitCode, String message) {
        synchronized (lock) {
            if (job.ended) {
                return;
            }
            job.ended = true;
            active.remove(job.spec.id());
        }
        log.info("Trial {} (job {}) ended {}", job.spec.id(), job.name, status);
        emit(new TrialEvent.Ended(job.spec.id(), status, exitCode, message, clock.instant()));
    }

    private void emit(TrialEvent event) {
        if (!closed) {
            sink.accept(event);
        }
    }

    private void reachable() {
        List<Job> toCancel;
        synchronized (lock) {
            if (unreachableSince != null) {
                log.warn("Azure ML can be reached again");
            }
            unreachableSince = null;
            toCancel = List.copyOf(givenUp);
            givenUp.clear();
        }
        // Trials given up while the service was unreachable may still run there: stop paying for them.
        for (Job job : toCancel) {
            try {
                api.cancel(job.name);
                log.info("Job {} of trial {}, given up while Azure ML was unreachable, cancelled", job.name,
                        job.spec.id());
            } catch (AzureException e) {
                log.warn("Could not cancel job {}, given up while Azure ML was unreachable: {}", job.name,
                        e.getMessage());
            }
        }
    }

    private void unreachable(AzureException e) {
        List<Job> lost = List.of();
        synchronized (lock) {
            Instant now = clock.instant();
            if (unreachableSince == null) {
                unreachableSince = now;
                log.warn("Azure ML cannot be reached: {}", e.getMessage());
            } else if (!now.isBefore(unreachableSince.plus(options.serviceLostAfter()))) {
                lost = List.copyOf(active.values());
                lost.stream().filter(j -> j.created).forEach(givenUp::add);
            }
        }
        for (Job job : lost) {
            end(job, TrialStatus.SYS_CANCELED, Optional.empty(), "Azure ML could not be reached for "
                    + options.serviceLostAfter().toSeconds() + " s: " + e.getMessage());
        }
    }

    @Override
    public void cancel(TrialId trial) {
        Objects.requireNonNull(trial, "trial");
        Job job;
        synchronized (lock) {
            job = active.get(trial);
            if (job == null || job.cancelRequested || job.ended || closed) {
                return;
            }
            job.cancelRequested = true;
        }
        io.execute(() -> cancelJob(job, 0));
    }

    private void cancelJob(Job job, int tries) {
        synchronized (lock) {
            if (job.ended || closed) {
                return;
            }
            if (!job.created) {
                return;
            }
        }
        try {
            Optional<URI> operation = api.cancel(job.name);
            log.info("Cancel of trial {} (job {}) requested", job.spec.id(), job.name);
            operation.ifPresent(o -> followCancel(job, o, 0));
        } catch (AzureException e) {
            if (tries < 10 && !closed) {
                log.warn("Cancelling job {} failed ({}); trying again", job.name, e.getMessage());
                io.schedule(() -> cancelJob(job, tries + 1), options.pollInterval().toMillis(),
                        TimeUnit.MILLISECONDS);
            } else {
                log.error("Giving up cancelling job {}: {}", job.name, e.getMessage());
            }
        }
    }

    /** Follows the cancel operation's {@code Location} until it is done; the job's own status then ends the trial. */
    private void followCancel(Job job, URI operation, int polls) {
        if (closed) {
            return;
        }
        try {
            Optional<Duration> wait = api.pollOperation(operation);
            if (wait.isPresent() && polls < 1000) {
                io.schedule(() -> followCancel(job, operation, polls + 1), wait.get().toMillis(),
                        TimeUnit.MILLISECONDS);
            } else {
                log.debug("Cancel operation of job {} is over", job.name);
            }
        } catch (AzureException e) {
            log.warn("Following the cancel of job {} failed: {}", job.name, e.getMessage());
        }
    }

    @Override
    public int freeSlots() {
        synchronized (lock) {
            if (closed || !started || unreachableSince != null) {
                return 0;
            }
            return Math.max(0, options.maxConcurrentTrials() - active.size());
        }
    }

    /**
     * Stops polling and asks the service to cancel the jobs still queued or running (not waiting for them to end).
     * Idempotent; no event is delivered after it returns.
     */
    @Override
    public void close() {
        List<Job> left;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            left = active.values().stream().filter(j -> j.created && !j.ended).toList();
        }
        if (io == null) {
            return;
        }
        pollTask.cancel(false);
        io.execute(() -> {
            for (Job job : left) {
                try {
                    api.cancel(job.name);
                    log.info("Job {} of trial {} cancelled as the platform closes", job.name, job.spec.id());
                } catch (AzureException e) {
                    log.warn("Could not cancel job {} as the platform closes: {}", job.name, e.getMessage());
                }
            }
        });
        io.shutdown();
        try {
            if (!io.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Azure ML requests still running 30 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        io.shutdownNow();
        http.close();
    }

    private static String sanitize(String s) {
        String out = UNSAFE.matcher(s).replaceAll("_");
        return out.isEmpty() || !Character.isLetterOrDigit(out.charAt(0)) ? "x" + out : out;
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
