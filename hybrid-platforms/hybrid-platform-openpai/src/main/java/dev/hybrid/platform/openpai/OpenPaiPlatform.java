package dev.hybrid.platform.openpai;

import dev.hybrid.platform.ExperimentScope;
import dev.hybrid.platform.ExperimentScoped;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.platform.TrialEventSink;
import dev.hybrid.platform.openpai.internal.JobList;
import dev.hybrid.platform.openpai.internal.JobProtocols;
import dev.hybrid.platform.openpai.internal.PaiClient;
import dev.hybrid.protocol.ExitMessage;
import dev.hybrid.protocol.MetricRecord;
import dev.hybrid.protocol.ParameterFile;
import dev.hybrid.protocol.PythonSdk;
import dev.hybrid.protocol.TrialEnvironment;
import dev.hybrid.protocol.TrialFolderReader;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pai} platform: each trial runs as one OpenPAI job.
 *
 * <p><b>Storage.</b> The experiment's files live on the storage OpenPAI mounts into its containers
 * ({@link OpenPaiConfig#containerMount()}) and the user mounts on this machine ({@link OpenPaiConfig#localMount()}):
 * {@code <mount>/<experimentId>/nni-code/} (the code, copied once when the platform starts), {@code .hybrid/python/}
 * (Hybrid's {@code nni} module, which hands over to a real NNI where the image's Python has one) and
 * {@code trials/<trialId>/} for each trial ({@code parameter.cfg}, {@code stdout}, {@code stderr},
 * {@code .nni/metrics}). Metrics are read from the trial's
 * folder through the local mount with the protocol's {@link TrialFolderReader}, as for local trials.
 *
 * <p><b>Jobs.</b> A submitted trial waits in this platform's queue until its job is accepted ({@code POST /jobs},
 * protocol v2 as {@code text/yaml}); it is {@code Started} when its job is first seen {@code RUNNING}, so a job
 * waiting in the cluster's queue is a waiting trial. Job names carry a token drawn when the platform starts, so a
 * resumed experiment never reuses the name of one of its earlier jobs; a name taken anyway (409) is replaced. The
 * states of all of the experiment's jobs come from one list call per {@code pollInterval}. A job that ends
 * {@code STOPPED} without having been cancelled here, or that disappears from the cluster, ends its trial
 * {@code SYS_CANCELED} (hybrid mode runs it again elsewhere); a cancelled trial's job is stopped
 * ({@code PUT executionType STOP}) and the trial ends {@code USER_CANCELED}.
 *
 * <p><b>Faults.</b> Throttling (429) and server errors (5xx) are retried after the server's {@code Retry-After} or a
 * doubling backoff; a cluster that cannot be reached (refused, timed out, silent) fails no trial: the platform has no
 * free slot while it lasts (so hybrid mode sends trials elsewhere), and its jobs are picked up again when the API
 * answers. A rejected token (401) fails {@code start} with a message naming the host and the user; later, it ends the
 * platform's unfinished trials {@code SYS_CANCELED}. Free slots also count the submissions of the last hour against
 * {@link OpenPaiConfig#maxSubmissionsPerHour()}, OpenPAI's per-user limit, so trials are not refused for it.
 *
 * <p>Thread-safety: every method may be called from any thread. HTTP calls run on the thread {@code hybrid-openpai-io};
 * trial folders are read on {@code hybrid-openpai-watch}; events come from either.
 */
public final class OpenPaiPlatform implements ExperimentScoped, TrainingPlatform {
    private static final Logger log = LoggerFactory.getLogger(OpenPaiPlatform.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The most jobs one list call asks for (the rest-server refuses more than 50000). */
    private static final int LIST_LIMIT = 5000;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(2);
    /** The bytes read from each file of a running trial per read of its folder (8 MiB). */
    private static final long POLL_BUDGET = 8L << 20;

    private final OpenPaiConfig config;
    private final String command;
    private final Path codeDir;
    private final Clock clock;
    private volatile String experimentId;

    private final Object lock = new Object();
    private final Map<TrialId, Job> jobs = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    /** When each submission of the last hour was made; guarded by itself. */
    private final Deque<Instant> submissions = new ArrayDeque<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final Object deliverLock = new Object();

    private volatile TrialEventSink sink;
    private volatile boolean closed;
    private volatile boolean unreachable;
    private volatile boolean tokenRejected;
    private volatile Instant submitPausedUntil = Instant.MIN;
    private volatile Duration backoff = Duration.ZERO;
    /** Whether the jobs an earlier run left were looked for (at start, or once an unreachable cluster answers). */
    private volatile boolean leftoversChecked;
    /** Whether submissions wait because the cluster could not be reached (not because it throttles them). */
    private volatile boolean pausedForOutage;
    private String runToken;
    private PaiClient client;
    private ScheduledExecutorService io;
    private ScheduledExecutorService watch;

    private OpenPaiPlatform(OpenPaiConfig config, String experimentId, String command, Path codeDir, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.experimentId = Objects.requireNonNull(experimentId, "experimentId");
        this.command = Objects.requireNonNull(command, "command");
        this.codeDir = Objects.requireNonNull(codeDir, "codeDir");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * An OpenPAI platform running {@code command} from {@code codeDir} in each trial's job.
     *
     * @param experimentDir the experiment's directory on this machine (unused: the trials' folders are on the
     *     storage); kept so that all platforms are created alike
     */
    public static OpenPaiPlatform create(OpenPaiConfig config, String experimentId, Path experimentDir, String command,
            Path codeDir, Clock clock) {
        Objects.requireNonNull(experimentDir, "experimentDir");
        return new OpenPaiPlatform(config, experimentId, command, codeDir, clock);
    }

    @Override
    public String name() {
        return "pai";
    }

    @Override
    public void bindExperiment(ExperimentScope scope) {
        Objects.requireNonNull(scope, "scope");
        synchronized (lock) {
            if (sink != null || closed) {
                throw new IllegalStateException("OpenPAI platform already started");
            }
            experimentId = scope.experimentId();
        }
    }

    /** This experiment's folder on the storage, as this machine sees it. */
    Path localExperimentDir() {
        return config.localMount().resolve(experimentId);
    }

    private String containerExperimentDir() {
        return config.containerMount().replaceAll("/+$", "") + "/" + experimentId;
    }

    @Override
    public void start(TrialEventSink eventSink) {
        Objects.requireNonNull(eventSink, "sink");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("OpenPAI platform is closed");
            }
            if (sink != null) {
                throw new IllegalStateException("OpenPAI platform already started");
            }
            if (!Files.isDirectory(config.localMount())) {
                throw new PlatformException(name(), "the storage's local mount point " + config.localMount()
                        + " is not a directory (mount the storage '" + config.storageConfigName() + "' there)", false,
                        null);
            }
            if (config.reuse()) {
                log.info("OpenPAI reuse mode: each trial runs as a job of its own (no long-lived jobs are kept)");
            }
            runToken = Long.toString(clock.millis(), 36) + Integer.toString(RANDOM.nextInt(36 * 36), 36);
            watch = daemonScheduler("hybrid-openpai-watch");
            io = daemonScheduler("hybrid-openpai-io");
            client = new PaiClient(config.host(), config.user(), config.token(), config.requestTimeout(), watch);
            try {
                checkAccess();
                prepareStorage();
            } catch (RuntimeException e) {
                client.close();
                io.shutdownNow();
                watch.shutdownNow();
                throw e;
            }
            sink = eventSink;
            long poll = config.pollInterval().toNanos();
            io.scheduleWithFixedDelay(this::pollSafely, poll, poll, TimeUnit.NANOSECONDS);
            long every = config.outputPollInterval().toNanos();
            watch.scheduleWithFixedDelay(this::readOutputs, every, every, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * One list call: a rejected token fails the start; an unreachable cluster only makes the platform wait. Jobs of
     * this experiment still waiting or running are left from an earlier run whose process died (a resume runs their
     * trials again): they are stopped, so that no trial runs twice.
     */
    private void checkAccess() {
        PaiClient.Response r;
        try {
            r = client.list(jobPrefix(), LIST_LIMIT);
        } catch (IOException e) {
            unreachable = true;
            log.warn("OpenPAI at {} cannot be reached ({}); trials go there once it answers", config.host(),
                    e.getMessage());
            return;
        }
        if (r.status() == 401) {
            throw new PlatformException(name(), tokenRejectedMessage(r), false, null);
        }
        if (r.isTransient()) {
            unreachable = true;
            log.warn("OpenPAI at {} is not answering normally ({}); trials go there once it does", config.host(),
                    r.describe());
        } else if (!r.isSuccess()) {
            throw new PlatformException(name(), "OpenPAI at " + config.host() + " refused to list the jobs of user "
                    + config.user() + ": " + r.describe(), false, null);
        } else {
            stopLeftovers(r.body());
        }
    }

    private void stopLeftovers(String listBody) {
        leftoversChecked = true;
        Map<String, JobList.Job> found;
        try {
            found = JobList.parse(listBody);
        } catch (IOException e) {
            log.warn("OpenPAI at {} sent a job list that cannot be read: {}", config.host(), e.getMessage());
            return;
        }
        for (JobList.Job job : found.values()) {
            if (!job.name().startsWith(jobPrefix()) || job.name().contains("_" + runToken)
                    || !(job.state() == JobList.State.WAITING
                    || job.state() == JobList.State.RUNNING)) {
                continue;
            }
            try {
                PaiClient.Response stop = client.stop(job.name());
                if (stop.isSuccess()) {
                    log.info("Stopped OpenPAI job {}, left {} by an earlier run of experiment {}", job.name(),
                            job.state(), experimentId);
                } else {
                    log.warn("OpenPAI job {} was left {} by an earlier run of experiment {} and cannot be stopped: {}",
                            job.name(), job.state(), experimentId, stop.describe());
                }
            } catch (IOException e) {
                log.warn("OpenPAI job {} was left {} by an earlier run of experiment {} and cannot be stopped: {}",
                        job.name(), job.state(), experimentId, e.getMessage());
            }
        }
    }

    private String tokenRejectedMessage(PaiClient.Response r) {
        return "OpenPAI at " + config.host() + " rejected the token of user " + config.user() + " (token rejected: "
                + r.describe() + "); get a new token from the web portal (My profile)";
    }

    private void prepareStorage() {
        Path dir = localExperimentDir();
        try {
            Files.createDirectories(dir.resolve("trials"));
            copyTree(codeDir, dir.resolve("nni-code"), config.localMount());
            PythonSdk.installTo(dir.resolve(".hybrid").resolve("python"));
        } catch (IOException e) {
            throw new PlatformException(name(), "cannot prepare " + dir + " on the storage: " + e, false, e);
        }
    }

    /**
     * Copies the code once per experiment, as NNI did. Version-control folders stay behind, and so does the storage's
     * mount point when it lies inside the code folder (else the copy would copy itself).
     */
    private static void copyTree(Path from, Path to, Path mount) throws IOException {
        Path skip = mount.toAbsolutePath().normalize();
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                String n = d.getFileName() == null ? "" : d.getFileName().toString();
                if (!d.equals(from) && (n.equals(".git") || n.equals(".hg") || n.equals(".svn")
                        || d.toAbsolutePath().normalize().equals(skip))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void submit(TrialSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Job job;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("OpenPAI platform is closed");
            }
            if (sink == null) {
                throw new IllegalStateException("OpenPAI platform not started");
            }
            Job old = jobs.get(spec.id());
            if (old != null && old.phase != Phase.ENDED) {
                throw new IllegalArgumentException("trial " + spec.id() + " is already running");
            }
            if (freeSlots() <= 0) {
                throw new PlatformException(name(), spec.id(), unavailableReason(), true, null);
            }
            Path sysDir = localExperimentDir().resolve("trials").resolve(spec.id().value());
            try {
                Files.createDirectories(sysDir.resolve(".nni"));
                // A trial run again (resume, or another attempt) reuses its folder: the earlier run's files go, so
                // that its metrics are not read a second time.
                for (String f : List.of(".nni/metrics", ".nni/state", "stdout", "stderr")) {
                    Files.deleteIfExists(sysDir.resolve(f));
                }
                ParameterFile.of(spec.parameterId(), spec.parameters()).write(sysDir);
            } catch (IOException e) {
                throw new PlatformException(name(), spec.id(), "cannot write the trial's folder " + sysDir
                        + " on the storage: " + e, false, e);
            }
            job = new Job(spec, jobName(spec.id()), sysDir);
            job.listener = listenerFor(job);
            jobs.put(spec.id(), job);
            queue.add(job);
            synchronized (submissions) {
                submissions.addLast(clock.instant());
            }
        }
        log.info("Trial {} queued for OpenPAI as job {}", spec.id(), job.name);
        runOnIo(this::pumpSubmissions);
    }

    private String unavailableReason() {
        if (tokenRejected) {
            return "OpenPAI at " + config.host() + " rejected the token of user " + config.user();
        }
        if (unreachable) {
            return "OpenPAI at " + config.host() + " cannot be reached now";
        }
        return "no free slot (" + active() + " jobs of at most " + maxConcurrent() + ", " + recentSubmissions()
                + " submissions in the last hour of at most " + config.maxSubmissionsPerHour() + ")";
    }

    /**
     * {@code hybrid_<length of the experiment id>_<experiment id>_}: the length keeps apart experiments whose ids
     * share a start ({@code exp1} and {@code exp1_b}), since ids may contain the separator.
     */
    private String jobPrefix() {
        return "hybrid_" + experimentId.length() + "_" + sanitize(experimentId) + "_";
    }

    /** {@code <prefix><trial>_<run token><n>}: unique to this run of the experiment. */
    private String jobName(TrialId id) {
        String name = jobPrefix() + sanitize(id.value()) + "_" + runToken + counter.incrementAndGet();
        return name.length() <= 255 ? name : name.substring(name.length() - 255);
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_-]", "-");
    }

    @Override
    public void cancel(TrialId trial) {
        Job j = jobs.get(trial);
        if (j == null || j.phase == Phase.ENDED || j.cancelRequested) {
            return;
        }
        j.cancelRequested = true;
        log.info("Cancelling trial {} (OpenPAI job {})", trial, j.name);
        runOnIo(() -> cancelNow(j));
    }

    private void cancelNow(Job j) {
        if (j.phase == Phase.QUEUED) {
            queue.remove(j);
            end(j, TrialStatus.USER_CANCELED, Optional.empty(), "cancelled before its job was submitted");
        } else if (j.phase == Phase.SUBMITTED) {
            sendStop(j);
        }
    }

    /** Asks OpenPAI to stop a job; a stop that cannot be sent now is sent again at the next poll. */
    private void sendStop(Job j) {
        PaiClient.Response r;
        try {
            r = client.stop(j.name);
        } catch (IOException e) {
            markUnreachable(e.getMessage());
            return;
        }
        if (r.isSuccess() || r.status() == 404) {
            markReachable();
            end(j, TrialStatus.USER_CANCELED, Optional.empty(), "");
        } else if (r.status() == 401) {
            onTokenRejected(r);
        } else if (r.isTransient()) {
            markUnreachable(r.describe());
        } else {
            log.warn("Trial {}: OpenPAI refused to stop job {}: {}", j.spec.id(), j.name, r.describe());
            end(j, TrialStatus.USER_CANCELED, Optional.empty(), "the cluster refused to stop job " + j.name + ": "
                    + r.describe());
        }
    }

    @Override
    public int freeSlots() {
        if (closed || sink == null || unreachable || tokenRejected) {
            return 0;
        }
        if (clock.instant().isBefore(submitPausedUntil)) {
            return 0;
        }
        int byJobs = maxConcurrent() - active();
        int byRate = config.maxSubmissionsPerHour() - recentSubmissions();
        return Math.max(0, Math.min(byJobs, byRate));
    }

    private int maxConcurrent() {
        return config.maxConcurrentTrials().orElse(1);
    }

    private int active() {
        int n = 0;
        for (Job j : jobs.values()) {
            if (j.phase != Phase.ENDED) {
                n++;
            }
        }
        return n;
    }

    private int recentSubmissions() {
        Instant hourAgo = clock.instant().minus(Duration.ofHours(1));
        synchronized (submissions) {
            while (!submissions.isEmpty() && submissions.peekFirst().isBefore(hourAgo)) {
                submissions.removeFirst();
            }
            return submissions.size();
        }
    }

    // ---- the io thread --------------------------------------------------------------------------------------

    private void runOnIo(Runnable task) {
        ScheduledExecutorService s = io;
        if (s == null) {
            return;
        }
        try {
            s.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("OpenPAI platform: {}", e.toString(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Submits the queued jobs in order, until the queue is empty or the cluster asks to wait. */
    private void pumpSubmissions() {
        Job j;
        while (!closed && (j = queue.peek()) != null) {
            if (j.phase != Phase.QUEUED) {
                queue.remove(j);
                continue;
            }
            Instant now = clock.instant();
            if (now.isBefore(submitPausedUntil)) {
                scheduleOnIo(this::pumpSubmissions, Duration.between(now, submitPausedUntil));
                return;
            }
            PaiClient.Response r;
            try {
                r = client.submit(JobProtocols.yaml(protocol(j)));
            } catch (IOException e) {
                // The cluster may have taken the job before the answer was lost: the next try tells (409).
                j.unanswered = true;
                markUnreachable(e.getMessage());
                pauseSubmissions(Optional.empty(), true);
                return;
            }
            if (r.isSuccess() || (r.status() == 409 && j.unanswered)) {
                // 409 for a name of this run that was sent before without an answer: that job is this one.
                queue.remove(j);
                j.phase = Phase.SUBMITTED;
                backoff = Duration.ZERO;
                markReachable();
                log.info("Trial {} submitted to OpenPAI at {} as job {}~{}", j.spec.id(), config.host(),
                        config.user(), j.name);
            } else if (r.status() == 409) {
                // A job of this name exists (a leftover of a run we cannot tell apart): take another name.
                String taken = j.name;
                j.name = jobName(j.spec.id());
                j.unanswered = false;
                j.conflicts++;
                log.warn("Trial {}: OpenPAI already has a job named {}; submitting it as {}", j.spec.id(), taken,
                        j.name);
                if (j.conflicts > 3) {
                    queue.remove(j);
                    end(j, TrialStatus.FAILED, Optional.empty(), "OpenPAI refused job names four times: "
                            + r.describe());
                }
            } else if (r.status() == 401) {
                onTokenRejected(r);
                return;
            } else if (r.isTransient()) {
                if (r.status() != 429) {
                    markUnreachable(r.describe());
                } else {
                    log.warn("OpenPAI at {} throttles submissions ({}); trial {} waits", config.host(),
                            r.describe(), j.spec.id());
                }
                pauseSubmissions(r.retryAfter(), r.status() != 429);
                return;
            } else {
                queue.remove(j);
                end(j, TrialStatus.FAILED, Optional.empty(), "OpenPAI refused job " + j.name + ": " + r.describe());
            }
        }
    }

    private void pauseSubmissions(Optional<Duration> retryAfter, boolean outage) {
        pausedForOutage = outage;
        Duration wait = retryAfter.orElseGet(() -> {
            Duration next = backoff.isZero() ? Duration.ofMillis(Math.min(1000, config.pollInterval().toMillis()))
                    : backoff.multipliedBy(2);
            backoff = next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
            return backoff;
        });
        submitPausedUntil = clock.instant().plus(wait);
        scheduleOnIo(this::pumpSubmissions, wait);
    }

    private void scheduleOnIo(Runnable task, Duration delay) {
        try {
            io.schedule(task, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private Map<String, Object> protocol(Job j) {
        String wrapped = wrap(j.spec, command);
        if (config.userProtocol().isPresent()) {
            return JobProtocols.fromUser(config.userProtocol().get(), j.name, command, cmd -> wrap(j.spec, cmd));
        }
        return JobProtocols.standard(j.name, new JobProtocols.Resources(config.dockerImage(), config.cpu(),
                config.memoryMb(), config.gpu(), config.virtualCluster(), config.storageConfigName(),
                config.containerMount()), wrapped);
    }

    /**
     * The one shell command a job runs: NNI's environment, the trial's folder on the storage, Hybrid's {@code nni}
     * module on {@code PYTHONPATH} (it hands over to a real NNI where the image's Python has one), then the trial
     * command in the shared code folder with its output in the trial's folder, where this machine reads it.
     */
    private String wrap(TrialSpec spec, String trialCommand) {
        String exp = containerExperimentDir();
        String sysDir = exp + "/trials/" + spec.id().value();
        Map<String, String> env = TrialEnvironment.of("pai", experimentId, spec.id().value(), spec.sequence(),
                Path.of(sysDir), Optional.of(Path.of(exp + "/nni-code")), Optional.empty()).variables();
        String exports = env.entrySet().stream().map(e -> e.getKey() + "=" + quote(e.getValue()))
                .collect(Collectors.joining(" "));
        return "export " + exports + " && mkdir -p \"$NNI_SYS_DIR/.nni\" && cd \"$NNI_CODE_DIR\" && "
                + "export PYTHONPATH=" + quote(exp + "/.hybrid/python") + "${PYTHONPATH:+:$PYTHONPATH} && { "
                + trialCommand
                + "\n} >\"$NNI_SYS_DIR/stdout\" 2>\"$NNI_SYS_DIR/stderr\"";
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            log.warn("OpenPAI poll failed: {}", e.toString(), e);
        }
    }

    /** One list call for every job of the experiment; each trial follows its job's state. */
    void poll() {
        List<Job> watched = jobs.values().stream().filter(j -> j.phase == Phase.SUBMITTED).toList();
        if (watched.isEmpty() && !unreachable) {
            return;
        }
        PaiClient.Response r;
        try {
            r = client.list(jobPrefix(), LIST_LIMIT);
        } catch (IOException e) {
            markUnreachable(e.getMessage());
            return;
        }
        if (r.status() == 401) {
            onTokenRejected(r);
            return;
        }
        if (!r.isSuccess()) {
            if (r.isTransient()) {
                markUnreachable(r.describe());
            } else {
                log.warn("OpenPAI at {} refused to list jobs: {}", config.host(), r.describe());
            }
            return;
        }
        Map<String, JobList.Job> found;
        try {
            found = JobList.parse(r.body());
        } catch (IOException e) {
            log.warn("OpenPAI at {} sent a job list that cannot be read: {}", config.host(), e.getMessage());
            return;
        }
        markReachable();
        if (!leftoversChecked) {
            stopLeftovers(r.body());
        }
        if (!queue.isEmpty()) {
            if (pausedForOutage) {
                // The cluster answers again: the queued jobs need not wait out the outage's backoff.
                pausedForOutage = false;
                submitPausedUntil = Instant.MIN;
                backoff = Duration.ZERO;
            }
            runOnIo(this::pumpSubmissions);
        }
        for (Job j : watched) {
            if (j.phase != Phase.SUBMITTED) {
                continue;
            }
            if (j.cancelRequested) {
                sendStop(j);
                continue;
            }
            JobList.Job job = found.get(j.name);
            if (job == null) {
                j.missing++;
                // Just after a submission the list may not show the job yet (NNI saw the same).
                if ((j.seen && j.missing >= 2) || j.missing >= 20) {
                    end(j, TrialStatus.SYS_CANCELED, Optional.empty(), "job " + j.name
                            + " is no longer in the cluster");
                }
                continue;
            }
            j.seen = true;
            j.missing = 0;
            switch (job.state()) {
                case RUNNING -> markStarted(j);
                case SUCCEEDED -> end(j, TrialStatus.SUCCEEDED, Optional.of(job.exitCode().orElse(0)), "");
                case FAILED -> {
                    Optional<Integer> exit = job.exitCode();
                    end(j, TrialStatus.FAILED, exit, ExitMessage.of(exit.orElse(-1), stderrEnd(j.sysDir)));
                }
                case STOPPED -> end(j, TrialStatus.SYS_CANCELED, job.exitCode(), "job " + j.name
                        + " was stopped in the cluster, not by this experiment");
                default -> {
                    // WAITING (queued in the cluster), STOPPING, UNKNOWN: wait for the next poll.
                }
            }
        }
    }

    private void markUnreachable(String why) {
        if (!unreachable) {
            log.warn("OpenPAI at {} cannot be reached ({}); no new trials go there until it answers, and its jobs"
                    + " are followed again then", config.host(), why);
        }
        unreachable = true;
    }

    private void markReachable() {
        if (unreachable) {
            log.info("OpenPAI at {} answers again", config.host());
        }
        unreachable = false;
    }

    private void onTokenRejected(PaiClient.Response r) {
        if (!tokenRejected) {
            tokenRejected = true;
            log.error("{}; its unfinished trials end SYS_CANCELED", tokenRejectedMessage(r));
        }
        queue.clear();
        for (Job j : jobs.values()) {
            end(j, TrialStatus.SYS_CANCELED, Optional.empty(), "OpenPAI rejected the token of user " + config.user());
        }
    }

    // ---- trial folders and events ---------------------------------------------------------------------------

    private void readOutputs() {
        for (Job j : jobs.values()) {
            if (j.started && j.phase == Phase.SUBMITTED) {
                synchronized (j) {
                    if (j.phase == Phase.SUBMITTED) {
                        j.output.read(POLL_BUDGET, false, j.listener);
                    }
                }
            }
        }
    }

    private void markStarted(Job j) {
        synchronized (j) {
            if (!j.started && j.phase != Phase.ENDED) {
                j.started = true;
                log.info("Trial {} running in OpenPAI job {}", j.spec.id(), j.name);
                deliver(new TrialEvent.Started(j.spec.id(), clock.instant()));
            }
        }
    }

    /** Ends a trial once: what its folder still holds is read first, so that no metric comes after its end. */
    private void end(Job j, TrialStatus status, Optional<Integer> exit, String message) {
        synchronized (j) {
            if (j.phase == Phase.ENDED) {
                return;
            }
            boolean ran = status == TrialStatus.SUCCEEDED || status == TrialStatus.FAILED;
            if (!j.started && ran) {
                j.started = true;
                deliver(new TrialEvent.Started(j.spec.id(), clock.instant()));
            }
            if (j.started) {
                j.output.read(POLL_BUDGET, true, j.listener);
            }
            j.phase = Phase.ENDED;
            jobs.remove(j.spec.id(), j);
        }
        log.info("Trial {} ended {} (OpenPAI job {}{})", j.spec.id(), status, j.name,
                exit.map(c -> ", exit code " + c).orElse(""));
        deliver(new TrialEvent.Ended(j.spec.id(), status, exit, message, clock.instant()));
    }

    private void onRecord(Job j, String json, String where) {
        MetricRecord r;
        try {
            r = MetricRecord.parse(json);
        } catch (IllegalArgumentException e) {
            log.warn("Trial {}: skipped a malformed metric in {}: {}", j.spec.id(), where, e.getMessage());
            return;
        }
        if (r.isMetric()) {
            deliver(new TrialEvent.MetricReported(j.spec.id(), r.toMetric(clock.instant())));
        }
    }

    /** Where a trial's folder reader sends what it finds. */
    private TrialFolderReader.Listener listenerFor(Job j) {
        return new TrialFolderReader.Listener() {
            @Override
            public void onRecord(String json, String where) {
                OpenPaiPlatform.this.onRecord(j, json, where);
            }

            @Override
            public void onMalformed(long offset, String reason) {
                log.warn("Trial {}: skipped a malformed frame in .nni/metrics at byte {}: {}", j.spec.id(), offset,
                        reason);
            }

            @Override
            public void onReadError(String where, IOException error) {
                log.warn("Trial {}: cannot read its {} on the storage: {}", j.spec.id(), where, error.toString());
            }
        };
    }

    private void deliver(TrialEvent e) {
        synchronized (deliverLock) {
            TrialEventSink s = sink;
            if (!closed && s != null) {
                s.accept(e);
            }
        }
    }

    /** The last 8 KiB of a trial's stderr on the storage (empty when there is none). */
    private static String stderrEnd(Path sysDir) {
        Path f = sysDir.resolve("stderr");
        try {
            if (!Files.exists(f)) {
                return "";
            }
            byte[] all = Files.readAllBytes(f);
            int from = Math.max(0, all.length - 8192);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    // ---- closing --------------------------------------------------------------------------------------------

    /**
     * Stops the experiment's jobs still waiting or running in the cluster (each call bounded by the request
     * timeout; when the cluster cannot be reached the rest are left, and named at WARN), then releases the threads
     * and the HTTP client. No event is delivered after it returns.
     */
    @Override
    public void close() {
        synchronized (deliverLock) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
            }
        }
        ScheduledExecutorService i = io;
        ScheduledExecutorService w = watch;
        if (i == null) {
            return;
        }
        // No event can be delivered any more (closed is set under the delivery lock): the io thread is not waited
        // for beyond a moment, since a call to a silent cluster may hold it up to the request timeout.
        i.shutdownNow();
        try {
            i.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> left = new ArrayList<>();
        boolean reachable = !unreachable;
        for (Job j : jobs.values()) {
            if (j.phase != Phase.SUBMITTED) {
                continue;
            }
            if (!reachable) {
                left.add(j.name);
                continue;
            }
            try {
                PaiClient.Response r = client.stop(j.name);
                if (!r.isSuccess() && r.status() != 404) {
                    left.add(j.name + " (" + r.describe() + ")");
                    reachable = !r.isTransient() && r.status() != 401;
                } else {
                    log.info("Stopped OpenPAI job {} of trial {}", j.name, j.spec.id());
                }
            } catch (IOException e) {
                reachable = false;
                left.add(j.name);
            }
            j.phase = Phase.ENDED;
        }
        if (!left.isEmpty()) {
            log.warn("OpenPAI at {}: could not stop these jobs of user {}; stop them in the web portal: {}",
                    config.host(), config.user(), left);
        }
        w.shutdownNow();
        client.close();
    }

    private static ScheduledExecutorService daemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private enum Phase { QUEUED, SUBMITTED, ENDED }

    /** One trial's job. Its phase changes on the io thread (or under its own lock with the events it sends). */
    private static final class Job {
        final TrialSpec spec;
        final Path sysDir;
        final TrialFolderReader output;
        TrialFolderReader.Listener listener;
        volatile String name;
        volatile Phase phase = Phase.QUEUED;
        volatile boolean started;
        volatile boolean cancelRequested;
        boolean seen;
        int missing;
        int conflicts;
        /** Whether the job was sent under its current name without an answer (it may exist in the cluster). */
        boolean unanswered;

        Job(TrialSpec spec, String name, Path sysDir) {
            this.spec = spec;
            this.name = name;
            this.sysDir = sysDir;
            this.output = new TrialFolderReader(sysDir);
        }
    }
}
