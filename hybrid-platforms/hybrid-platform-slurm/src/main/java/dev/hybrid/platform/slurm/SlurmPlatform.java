package dev.hybrid.platform.slurm;

import dev.hybrid.platform.ExperimentScope;
import dev.hybrid.platform.ExperimentScoped;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.platform.TrialEventSink;
import dev.hybrid.platform.TrialResumption;
import dev.hybrid.platform.slurm.internal.JobState;
import dev.hybrid.platform.slurm.internal.LocalSharedFolder;
import dev.hybrid.platform.slurm.internal.LocalSlurmCommands;
import dev.hybrid.platform.slurm.internal.PilotScript;
import dev.hybrid.platform.slurm.internal.RestSlurmCommands;
import dev.hybrid.platform.slurm.internal.SlurmCommands;
import dev.hybrid.platform.slurm.internal.SharedFolder;
import dev.hybrid.platform.slurm.internal.SlurmRestClient;
import dev.hybrid.platform.slurm.internal.SlurmTime;
import dev.hybrid.platform.slurm.internal.SshSharedFolder;
import dev.hybrid.platform.slurm.internal.SshSlurmCommands;
import dev.hybrid.platform.slurm.internal.TrialEnd;
import dev.hybrid.protocol.ExitMessage;
import dev.hybrid.protocol.MetricRecord;
import dev.hybrid.protocol.ParameterFile;
import dev.hybrid.protocol.StateFile;
import dev.hybrid.protocol.TrialEnvironment;
import dev.hybrid.protocol.TrialFolderReader;
import dev.hybrid.ssh.internal.KnownHosts;
import dev.hybrid.ssh.internal.SshConnection;
import dev.hybrid.ssh.internal.SshSession;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code slurm} platform: each trial is a Slurm batch job.
 *
 * <p>{@code start} copies the code directory to {@code <shared folder>/nni-code/} and cancels jobs that an earlier run
 * of the same experiment left queued or running (they carry the experiment's job name, {@code hybrid-<id>}). Each
 * trial gets {@code <shared folder>/trials/<trialId>/} with {@code parameter.cfg} and {@code run.sh}, the batch script
 * that sets NNI's environment, runs the trial command with {@code bash -c} in {@code nni-code/}, and writes
 * {@code .nni/state} (exit code and end time) when it exits; Slurm writes the job's output to {@code stdout} and
 * {@code stderr} there. One thread polls: one {@code squeue} for all of the experiment's jobs, then each running
 * trial's folder is read with {@link TrialFolderReader} (every metric once, in order), and read to its end when the
 * job has ended.
 *
 * <p>States: a pending job is {@code WAITING}, and its reason ({@code Priority}, {@code Resources}, ...) goes to the
 * experiment as {@link TrialEvent.Waiting} (the trial's message) when it changes, and is {@link #queueReason};
 * {@code RUNNING} gives {@code Started}; the end follows {@link TrialEnd}: {@code COMPLETED} gives {@code SUCCEEDED};
 * {@code FAILED}, {@code TIMEOUT}, {@code OUT_OF_MEMORY}, {@code NODE_FAIL}, {@code BOOT_FAIL} and {@code DEADLINE}
 * give {@code FAILED} with the state in the message; a job cancelled through {@link #cancel} gives
 * {@code USER_CANCELED}, one cancelled by anyone else or preempted {@code SYS_CANCELED} (so that hybrid mode runs it
 * again elsewhere). Jobs are submitted with {@code --no-requeue} ({@code requeue: false} through slurmrestd, which
 * 22.05 may ignore): a node failure ends them instead of running their script again. A job that has left {@code squeue} (after Slurm's {@code MinJobAge}) gets its end state from
 * {@code sacct} (or {@code sacct -c} where accounting is off), else from its own {@code .nni/state}.
 *
 * <p>Each submission carries a token as the job's comment and first looks for a job of the experiment with it, so
 * that running it again after its reply was lost (the login node's connection dropped) never makes a second job
 * ({@code SlurmCommands.submitOnce}: one shell script where the commands run, {@code GET jobs} then a submit through
 * slurmrestd). A
 * resumed experiment's start cancels the jobs its earlier run left; {@link #mayRunAgain} holds its trials until Slurm
 * shows those jobs ended.
 *
 * <p>The commands run on this machine, or on a login node ({@link #create(SlurmPlatformOptions, SlurmLoginNode,
 * Clock)}) through one SSH connection, which then also writes and reads the shared folder (output from byte offsets,
 * so a reconnect neither loses nor repeats a metric). A trial whose job (in reuse mode: its command or its pilot) ended
 * while its folder could not be read to the end waits for a poll that reads it so, for up to two minutes.
 *
 * <p>In reuse mode ({@link SlurmPlatformOptions#reuseMode}) trials run in up to {@code maxConcurrentTrials} pilot
 * jobs ({@link PilotScript}) that each run trial after trial, handed out through files in the shared folder, so that
 * the queue wait and Slurm's start latency are paid once per allocation; a pilot near its time limit takes no new
 * trial and is replaced ({@link SlurmPlatformOptions#pilotRetirementMargin}); a trial cut off by its pilot's time
 * limit, node failure or preemption comes back {@code SYS_CANCELED}.
 *
 * <p>Thread-safety: {@code submit}, {@code cancel}, {@code freeSlots} and {@code close} may be called from any
 * thread; events are delivered from the poll thread {@code hybrid-slurm-poll}.
 */
public final class SlurmPlatform implements ExperimentScoped, TrainingPlatform, TrialResumption {
    private static final Logger log = LoggerFactory.getLogger(SlurmPlatform.class);
    /** How long a Slurm command may take before it is given up. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** The bytes of each file of a trial read per poll (8 MiB). */
    private static final long POLL_BUDGET = 8L << 20;
    /** Polls a job may be missing from {@code squeue} before its end state is looked up elsewhere. */
    private static final int MISSING_POLLS = 2;
    /** How often a submission is run while its command cannot be run or its reply is lost. */
    private static final int SUBMIT_TRIES = 3;
    /**
     * How long a trial whose job has ended waits for its folder to be read to the end while it cannot be read (the
     * login node's connection is being opened again), before it ends without the rest of its output.
     */
    private static final Duration FINAL_READ_PATIENCE = Duration.ofMinutes(2);

    /** Replaced once, before start, by {@link #bindExperiment}; read-only from then on. */
    private volatile SlurmPlatformOptions options;
    private final Clock clock;
    private final SlurmCommands commands;
    private final SharedFolder folder;
    /** The login node's connection, closed with the platform; none when the commands run here. */
    private final Optional<AutoCloseable> transport;
    private final Map<TrialId, Job> jobs = new ConcurrentHashMap<>();
    /** Reuse mode: trials submitted and not yet handed to a pilot, in submission order. */
    private final java.util.Queue<Job> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Reuse mode: the pilot jobs queued or running. Touched on the poll thread only (and by close, after it). */
    private final List<Pilot> pilots = new ArrayList<>();
    private final AtomicInteger pilotCount = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger();
    /**
     * The submission token (the job's comment) of each trial whose {@code sbatch} may or may not have made a job (its
     * reply was lost): a retry of the same trial uses it again, so that it finds that job instead of making another.
     */
    private final Map<TrialId, String> submitTokens = new ConcurrentHashMap<>();
    /** The jobs an earlier run of this experiment left queued or running, until Slurm shows them ended. */
    private final java.util.Set<String> earlierJobs = ConcurrentHashMap.newKeySet();
    private volatile TrialEventSink sink;
    private volatile boolean closed;
    private ScheduledExecutorService poller;

    private SlurmPlatform(SlurmPlatformOptions options, Clock clock, SlurmCommands commands, SharedFolder folder,
            Optional<AutoCloseable> transport) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.folder = Objects.requireNonNull(folder, "folder");
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** A platform that runs the Slurm commands on this machine. */
    public static SlurmPlatform create(SlurmPlatformOptions options) {
        return create(options, Clock.systemUTC());
    }

    /** A platform that runs the Slurm commands on this machine, with the given clock (for event times). */
    public static SlurmPlatform create(SlurmPlatformOptions options, Clock clock) {
        return new SlurmPlatform(options, clock, new LocalSlurmCommands(options.commandEnvironment(),
                COMMAND_TIMEOUT), new LocalSharedFolder(), Optional.empty());
    }

    /**
     * A platform that runs the Slurm commands on a login node and reaches the shared directory there, through one SSH
     * connection (opened at start, opened again when it drops); {@code sharedDirectory} is a path on the login node.
     */
    public static SlurmPlatform create(SlurmPlatformOptions options, SlurmLoginNode loginNode, Clock clock) {
        SshSession ssh = new SshSession(new SshConnection.Target(loginNode.host(), loginNode.port(), loginNode.user(),
                loginNode.password(), loginNode.keyFile(), loginNode.passphrase()),
                new KnownHosts(loginNode.knownHostsFile(), loginNode.hostKeyPolicy()), Duration.ofSeconds(10),
                Duration.ofSeconds(5), new SshSession.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)), clock);
        return new SlurmPlatform(options, clock, new SshSlurmCommands(ssh, options.commandEnvironment(),
                COMMAND_TIMEOUT), new SshSharedFolder(ssh, COMMAND_TIMEOUT), Optional.of(ssh));
    }

    /**
     * A platform that reaches Slurm through slurmrestd, Slurm's REST API, instead of its commands; the shared directory
     * is read on this machine, as without a login node.
     */
    public static SlurmPlatform create(SlurmPlatformOptions options, SlurmRestApi rest, Clock clock) {
        SlurmRestClient client = new SlurmRestClient(rest, COMMAND_TIMEOUT);
        return new SlurmPlatform(options, clock, new RestSlurmCommands(client), new LocalSharedFolder(),
                Optional.of(client));
    }

    /** A platform that runs the Slurm commands through {@code commands} (a login node, a test's stand-in). */
    static SlurmPlatform create(SlurmPlatformOptions options, Clock clock, SlurmCommands commands) {
        return new SlurmPlatform(options, clock, commands, new LocalSharedFolder(), Optional.empty());
    }

    @Override
    public String name() {
        return "slurm";
    }

    /** The options this platform runs with (with the experiment's id and directory once it is bound to one). */
    public SlurmPlatformOptions options() {
        return options;
    }

    @Override
    public synchronized void bindExperiment(ExperimentScope scope) {
        Objects.requireNonNull(scope, "scope");
        if (sink != null || closed) {
            throw new IllegalStateException("slurm platform already started");
        }
        options = options.withExperiment(scope.experimentId(), scope.experimentDirectory());
    }

    /**
     * Checks that Slurm answers, ends jobs an earlier run of this experiment left, and lays out the shared folder.
     *
     * @throws PlatformException when Slurm's commands fail or the shared folder cannot be written
     */
    @Override
    public synchronized void start(TrialEventSink eventSink) {
        Objects.requireNonNull(eventSink, "sink");
        if (closed) {
            throw new IllegalStateException("slurm platform is closed");
        }
        if (sink != null) {
            throw new IllegalStateException("slurm platform already started");
        }
        if (!Files.isDirectory(options.codeDir())) {
            throw new PlatformException(name(), "trial code directory does not exist: " + options.codeDir(), false,
                    null);
        }
        List<JobState.QueueLine> earlier = queue().orElseThrow(() -> new PlatformException(name(),
                "cannot run squeue: " + lastQueueError, false, null));
        List<String> left = earlier.stream().filter(q -> !q.state().isFinal()).map(JobState.QueueLine::jobId).toList();
        if (!left.isEmpty()) {
            log.warn("Cancelling {} job(s) an earlier run of experiment {} left in Slurm: {}", left.size(),
                    options.experimentId(), left);
            earlierJobs.addAll(left);
            scancel(left);
        }
        Path shared = options.experimentFolder();
        try {
            folder.prepare(options.codeDir(), shared);
        } catch (IOException e) {
            throw new PlatformException(name(), "cannot prepare the shared folder " + shared + ": " + e.getMessage(),
                    false, e);
        }
        this.sink = eventSink;
        ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "hybrid-slurm-poll");
            t.setDaemon(true);
            return t;
        });
        p.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.poller = p;
        long every = options.pollInterval().toNanos();
        poller.scheduleWithFixedDelay(this::pollSafely, every, every, TimeUnit.NANOSECONDS);
        log.info("Slurm platform ready: jobs named {}, shared folder {}", options.jobName(), shared);
    }

    /**
     * Submits the trial as a batch job ({@code sbatch --parsable}); it waits in Slurm's queue until Slurm runs it.
     *
     * @throws PlatformException when no slot is free (retryable), or {@code sbatch} refuses the job (with its message)
     */
    @Override
    public void submit(TrialSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (closed) {
            throw new IllegalStateException("slurm platform is closed");
        }
        if (sink == null) {
            throw new IllegalStateException("slurm platform not started");
        }
        if (jobs.containsKey(spec.id())) {
            throw new IllegalArgumentException("trial " + spec.id() + " is already running");
        }
        if (busy.incrementAndGet() > options.maxConcurrentTrials()) {
            busy.decrementAndGet();
            throw new PlatformException(name(), spec.id(), "no free slot (" + options.maxConcurrentTrials()
                    + " jobs queued or running)", true, null);
        }
        Path sysDir = options.experimentFolder().resolve("trials").resolve(spec.id().value());
        String jobId;
        try {
            String token = submitTokens.get(spec.id());
            if (token == null || options.reuseMode()) {
                // A trial run again (a resumed experiment) reuses its folder: the earlier attempt's files go, so
                // that its metrics are not read a second time. A retry whose job may exist keeps them.
                Map<String, byte[]> files = new java.util.LinkedHashMap<>();
                files.put(ParameterFile.NAME, ParameterFile.of(spec.parameterId(), spec.parameters()).render()
                        .getBytes(StandardCharsets.UTF_8));
                files.put("run.sh", jobScript(spec, sysDir).getBytes(StandardCharsets.UTF_8));
                folder.write(sysDir, List.of(".nni/metrics", ".nni/state", ".nni/pilot", "stdout", "stderr"), files);
                token = submissionToken(spec.id().value());
            }
            Path script = sysDir.resolve("run.sh");
            if (options.reuseMode()) {
                Job job = new Job(spec.id(), null, sysDir);
                jobs.put(spec.id(), job);
                waiting.add(job);
                log.info("Trial {} waits for a pilot job", spec.id());
                // An idle pilot takes it at once, not at the next poll.
                poller.execute(this::handOut);
                return;
            }
            submitTokens.put(spec.id(), token);
            SlurmCommands.Result r = sbatch(sysDir, script, token);
            if (r.exitCode() == SlurmCommands.CANNOT_LIST) {
                busy.decrementAndGet();
                throw new PlatformException(name(), spec.id(), "cannot submit the job now: " + r.firstErrorLine(),
                        true, null);
            }
            if (!r.ok() || r.stdout().isBlank()) {
                busy.decrementAndGet();
                submitTokens.remove(spec.id());
                throw new PlatformException(name(), spec.id(), "sbatch refused the job: " + r.firstErrorLine(), false,
                        null);
            }
            jobId = parsableId(r);
        } catch (IOException e) {
            busy.decrementAndGet();
            throw new PlatformException(name(), spec.id(), "cannot submit the job: " + e.getMessage(), true, e);
        }
        submitTokens.remove(spec.id());
        jobs.put(spec.id(), new Job(spec.id(), jobId, sysDir));
        log.info("Trial {} submitted as Slurm job {}", spec.id(), jobId);
    }

    /**
     * Submits {@code script} as a batch job of this experiment whose output goes to {@code folder}, at most once per
     * {@code token}: the job carries it as its comment, and the submission first looks for a job of the experiment
     * that has it, so that a submission run again after its reply was lost (the login node's connection dropped while
     * {@code sbatch} ran) finds that job instead of making a second one. Runs it up to {@link #SUBMIT_TRIES} times
     * while it cannot be run or its reply is lost (the login node's connection is opened again each time).
     *
     * @throws IOException when every try failed so
     */
    private SlurmCommands.Result sbatch(Path folder, Path script, String token) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                // A job requeued after a node failure would run its script again over the metrics already read: it
                // ends NODE_FAIL instead (sbatchArgs may say --requeue).
                "--no-requeue", "--output=" + folder.resolve("stdout"), "--error=" + folder.resolve("stderr"),
                "--chdir=" + folder));
        args.addAll(options.resources().sbatchFlags());
        args.add(script.toString());
        for (int attempt = 1; ; attempt++) {
            try {
                return commands.submitOnce(token, options.jobName(), args);
            } catch (IOException e) {
                if (attempt >= SUBMIT_TRIES) {
                    throw e;
                }
                log.warn("Submission {} of job {} got no answer ({}); submitting it again, once at most", attempt,
                        token, e.getMessage());
            }
        }
    }

    /** A new submission token: {@code name} and a random suffix, so that no other submission has it. */
    private static String submissionToken(String name) {
        return name + "." + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    /** The job id {@code sbatch --parsable} printed: {@code <id>} or {@code <id>;<cluster>}. */
    private static String parsableId(SlurmCommands.Result r) {
        return r.stdout().strip().split(";", 2)[0];
    }

    /** Cancels the trial's job with {@code scancel}; its end arrives as {@code USER_CANCELED}. Idempotent. */
    @Override
    public void cancel(TrialId trial) {
        Job job = jobs.get(trial);
        if (job == null || job.cancelRequested) {
            return;
        }
        job.cancelRequested = true;
        log.info("Cancelling trial {} (Slurm job {})", trial, job.jobId == null ? "not yet given" : job.jobId);
        Runnable act = options.reuseMode() ? () -> cancelInPilot(job) : () -> scancel(List.of(job.jobId));
        try {
            poller.execute(act);
        } catch (RejectedExecutionException e) {
            // closing: close cancels every job anyway
        }
    }

    @Override
    public int freeSlots() {
        return closed ? 0 : Math.max(0, options.maxConcurrentTrials() - busy.get());
    }

    /**
     * Why the trial's job waits in Slurm's queue ({@code Priority}, {@code Resources}, ...), as {@code squeue} last
     * said; empty when it is not waiting or not this platform's.
     */
    public Optional<String> queueReason(TrialId trial) {
        Job job = jobs.get(trial);
        return job == null || job.started ? Optional.empty() : Optional.ofNullable(job.reason);
    }

    /**
     * True once every job that an earlier run of this experiment left queued or running (found by the jobs' name at
     * {@link #start}, and cancelled there) has ended as Slurm shows it, so that a trial run again never has two live
     * attempts writing to its folder; false while one still runs (it is being cancelled) or {@code squeue} cannot tell.
     * Runs one {@code squeue} while such jobs are left.
     */
    @Override
    public boolean mayRunAgain(TrialId trial, String platform) {
        if (earlierJobs.isEmpty()) {
            return true;
        }
        Optional<List<JobState.QueueLine>> q = queue();
        if (q.isEmpty()) {
            return false;
        }
        java.util.Set<String> live = new java.util.HashSet<>();
        q.get().stream().filter(l -> !l.state().isFinal()).forEach(l -> live.add(l.jobId()));
        earlierJobs.retainAll(live);
        return earlierJobs.isEmpty();
    }

    /** The Slurm job id of a trial that is queued or running here (in reuse mode: its pilot job's, once it has one). */
    public Optional<String> jobId(TrialId trial) {
        return Optional.ofNullable(jobs.get(trial)).flatMap(j -> Optional.ofNullable(j.jobId));
    }

    /** Cancels every job of this platform that is queued or running ({@code scancel}) and stops polling. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ScheduledExecutorService p = poller;
        if (p != null) {
            p.shutdown();
            try {
                if (!p.awaitTermination(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.shutdownNow();
                }
            } catch (InterruptedException e) {
                p.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        List<String> left = new ArrayList<>(jobs.values().stream().filter(j -> !options.reuseMode())
                .map(j -> j.jobId).toList());
        pilots.forEach(pilot -> left.add(pilot.jobId));
        if (!submitTokens.isEmpty()) {
            // A submission whose reply was lost and that was not tried again may have made a job: its comment says.
            lostSubmissions().ifPresent(left::addAll);
        }
        if (!left.isEmpty()) {
            log.info("Cancelling {} Slurm job(s) of experiment {}", left.size(), options.experimentId());
            scancel(left);
        }
        jobs.clear();
        transport.ifPresent(t -> {
            try {
                t.close();
            } catch (Exception e) {
                log.debug("closing the login node's connection: {}", e.toString());
            }
        });
    }

    /** The jobs of this experiment whose comment is the token of a submission that got no answer. */
    private Optional<List<String>> lostSubmissions() {
        try {
            SlurmCommands.Result r = commands.run(List.of("squeue", "-h", "--name=" + options.jobName(), "-o",
                    "%i|%k"));
            if (!r.ok()) {
                return Optional.empty();
            }
            java.util.Set<String> tokens = java.util.Set.copyOf(submitTokens.values());
            return Optional.of(r.stdout().lines().map(l -> l.split("\\|", 2)).filter(f -> f.length == 2
                    && tokens.contains(f[1].strip())).map(f -> f[0].strip()).toList());
        } catch (IOException e) {
            log.warn("Cannot look for jobs whose submission got no answer: {}", e.getMessage());
            return Optional.empty();
        }
    }

    // ---- polling ------------------------------------------------------------------------------------------------

    private volatile String lastQueueError = "";

    /** The experiment's jobs as {@code squeue} lists them, finished ones included; empty when squeue failed. */
    private Optional<List<JobState.QueueLine>> queue() {
        try {
            SlurmCommands.Result r = commands.run(List.of("squeue", "-h", "-t", "all", "--name=" + options.jobName(),
                    "-o", "%i|%T|%r"));
            if (!r.ok()) {
                lastQueueError = r.firstErrorLine();
                return Optional.empty();
            }
            List<JobState.QueueLine> lines = new ArrayList<>();
            r.stdout().lines().forEach(l -> JobState.QueueLine.parse(l).ifPresent(lines::add));
            return Optional.of(lines);
        } catch (IOException e) {
            lastQueueError = e.getMessage();
            return Optional.empty();
        }
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            log.warn("Slurm poll failed: {}", e.toString());
        }
    }

    private boolean queueFailing;

    private void poll() {
        if ((jobs.isEmpty() && pilots.isEmpty()) || closed) {
            return;
        }
        Optional<List<JobState.QueueLine>> queue = queue();
        if (queue.isEmpty()) {
            if (!queueFailing) {
                log.warn("squeue failed ({}); trying again every {}", lastQueueError, options.pollInterval());
                queueFailing = true;
            }
            return;
        }
        if (queueFailing) {
            log.info("squeue answers again");
            queueFailing = false;
        }
        Map<String, JobState.QueueLine> byId = new HashMap<>();
        for (JobState.QueueLine q : queue.get()) {
            byId.put(q.jobId(), q);
        }
        if (options.reuseMode()) {
            pollPilots(byId);
            return;
        }
        for (Job job : List.copyOf(jobs.values())) {
            if (closed) {
                return;
            }
            JobState.QueueLine q = byId.get(job.jobId);
            if (q == null) {
                if (++job.missingPolls >= MISSING_POLLS) {
                    finish(job, endStateOfMissing(job));
                }
                continue;
            }
            job.missingPolls = 0;
            switch (q.state()) {
                case PENDING, OTHER -> {
                    if (!q.reason().equals(job.reason)) {
                        job.reason = q.reason();
                        if (isReason(q.reason())) {
                            announceWaiting(job, "Slurm job " + job.jobId + " is " + q.rawState() + ": "
                                    + q.reason());
                        }
                    }
                }
                case RUNNING, COMPLETING -> {
                    startOnce(job);
                    read(job, false);
                }
                default -> finish(job, new EndState(q.state(), q.rawState()));
            }
        }
    }

    /** Whether squeue's {@code %r} says something: {@code None} is what it shows before the scheduler looked. */
    private static boolean isReason(String reason) {
        return !reason.isBlank() && !reason.equals("None") && !reason.equals("(null)");
    }

    /** Tells the experiment why a trial that has not started waits (its message shows it), once per reason. */
    private void announceWaiting(Job job, String why) {
        if (job.started || why.equals(job.waitingMessage)) {
            return;
        }
        job.waitingMessage = why;
        // The experiment logs it at INFO.
        log.debug("Trial {} waits: {}", job.trial, why);
        deliver(new TrialEvent.Waiting(job.trial, why, clock.instant()));
    }

    /** A job's end as Slurm recorded it. */
    private record EndState(JobState state, String raw) {
    }

    /**
     * The end of a job that is no longer in {@code squeue}: from its own {@code .nni/state}, else from {@code sacct}
     * (or the job-completion file through {@code sacct -c} where accounting is off).
     */
    private EndState endStateOfMissing(Job job) {
        Optional<EndState> fromSacct = sacct(job.jobId, false).or(() -> sacct(job.jobId, true));
        if (fromSacct.isPresent()) {
            return fromSacct.get();
        }
        Optional<StateFile> state = read(job, false).state();
        if (state.isPresent()) {
            return state.get().exitCode() == 0 ? new EndState(JobState.COMPLETED, "COMPLETED")
                    : new EndState(JobState.FAILED, "FAILED");
        }
        return new EndState(JobState.OTHER, "UNKNOWN");
    }

    private Optional<EndState> sacct(String jobId, boolean completionFile) {
        List<String> args = new ArrayList<>(List.of("sacct"));
        if (completionFile) {
            args.add("-c");
        }
        args.addAll(List.of("-n", "-P", "-j", jobId, "-o", "JobID,State"));
        try {
            SlurmCommands.Result r = commands.run(args);
            if (!r.ok()) {
                return Optional.empty();
            }
            for (String line : r.stdout().lines().toList()) {
                String[] f = line.split("\\|", -1);
                if (f.length >= 2 && f[0].strip().equals(jobId)) {
                    JobState s = JobState.parse(f[1]);
                    if (s.isFinal()) {
                        return Optional.of(new EndState(s, f[1].strip()));
                    }
                }
            }
        } catch (IOException e) {
            log.debug("sacct failed: {}", e.toString());
        }
        return Optional.empty();
    }

    private void startOnce(Job job) {
        if (!job.started) {
            job.started = true;
            log.info("Trial {} running (Slurm job {})", job.trial, job.jobId);
            deliver(new TrialEvent.Started(job.trial, clock.instant()));
        }
    }

    private void finish(Job job, EndState end) {
        finish(job, new Ending(Optional.empty(), end.raw(), exit -> TrialEnd.ofJob(job.jobId, end.state(), end.raw(),
                job.cancelRequested, exit, code -> ExitMessage.of(code, folder.stderrEnd(job.sysDir)))));
    }

    /**
     * How a trial whose job, command or pilot has ended ends once its folder has been read to the end: {@code exit} is
     * the exit code already known (a pilot's trial whose {@code .nni/state} was seen), {@code how} goes to the log,
     * and {@code end} decides from the exit code that the folder shows.
     */
    private record Ending(Optional<Integer> exit, String how, java.util.function.Function<Optional<Integer>,
            TrialEnd> end) {
    }

    /**
     * Ends a trial whose job (or, in reuse mode, its command or its pilot) has ended, once its folder has been read to
     * the end; while that read fails the trial keeps its {@code ending} and is finished again at a later poll (see
     * {@link #waitsForFinalRead}).
     */
    private void finish(Job job, Ending ending) {
        Optional<Integer> exit = read(job, true).state().map(StateFile::exitCode).or(ending::exit);
        if (!job.finalRead && waitsForFinalRead(job)) {
            job.ending = ending;
            return;
        }
        TrialEnd how = ending.end().apply(exit);
        end(job, how.status(), exit, how.message(), ending.how());
    }

    /**
     * Whether a trial whose job ended (one job per trial), or whose command or pilot ended (reuse mode), stays until
     * a later poll because its folder could not be read to the end, so that no metric it wrote is lost to a dropped
     * connection; at most {@link #FINAL_READ_PATIENCE}.
     */
    private boolean waitsForFinalRead(Job job) {
        Instant now = clock.instant();
        if (job.finalReadFailedSince == null) {
            job.finalReadFailedSince = now;
        }
        if (Duration.between(job.finalReadFailedSince, now).compareTo(FINAL_READ_PATIENCE) < 0) {
            return true;
        }
        log.warn("Trial {}: its folder could not be read to the end for {}; it ends without the rest", job.trial,
                FINAL_READ_PATIENCE);
        return false;
    }

    /** Ends a trial: reads its folder to the end, frees its slot and says how it ended. */
    private void end(Job job, TrialStatus status, Optional<Integer> exit, String message, String how) {
        if (!job.finalRead) {
            read(job, true);
        }
        if (!job.started && (job.jobId == null || status == TrialStatus.USER_CANCELED && exit.isEmpty())) {
            // Cancelled before it ran: no Started for a trial that never did.
            job.started = true;
        } else {
            startOnce(job);
        }
        if (jobs.remove(job.trial) == null) {
            return;
        }
        busy.decrementAndGet();
        log.info("Trial {} ended {} (Slurm job {} {})", job.trial, status, job.jobId, how);
        deliver(new TrialEvent.Ended(job.trial, status, exit, message, clock.instant()));
    }

    // ---- reuse mode: pilot jobs ------------------------------------------------------------------------------------

    /** Reuse mode: a trial waiting for a pilot is dropped; one in a pilot is ended there (its pilot goes on). */
    private void cancelInPilot(Job job) {
        if (waiting.remove(job)) {
            end(job, TrialStatus.USER_CANCELED, Optional.empty(), "", "cancelled while waiting for a pilot");
            return;
        }
        Pilot pilot = job.pilot;
        if (pilot != null) {
            try {
                writeFile(pilot.dir, "cancel", job.sysDir.toString());
            } catch (IOException e) {
                log.warn("Trial {}: cannot ask pilot job {} to end it: {}", job.trial, pilot.jobId, e.toString());
            }
        }
    }

    private void pollPilots(Map<String, JobState.QueueLine> byId) {
        Instant now = clock.instant();
        // Trials that ended while their folder could not be read to the end: their pilot may have a new trial, or be
        // gone.
        for (Job job : List.copyOf(jobs.values())) {
            if (job.ending != null && !closed) {
                finish(job, job.ending);
            }
        }
        for (Pilot pilot : List.copyOf(pilots)) {
            JobState.QueueLine q = byId.get(pilot.jobId);
            if (q == null) {
                if (++pilot.missingPolls >= MISSING_POLLS) {
                    pilotEnded(pilot, sacct(pilot.jobId, false).or(() -> sacct(pilot.jobId, true))
                            .orElse(new EndState(JobState.OTHER, "UNKNOWN")));
                }
                continue;
            }
            pilot.missingPolls = 0;
            if (q.state().isFinal()) {
                pilotEnded(pilot, new EndState(q.state(), q.rawState()));
            } else if (q.state() == JobState.RUNNING && pilot.startedAt == null) {
                pilot.startedAt = now;
                log.info("Pilot job {} running", pilot.jobId);
            } else if (q.state() == JobState.PENDING && !q.reason().equals(pilot.reason)) {
                pilot.reason = q.reason();
                log.info("Pilot job {} waits in Slurm's queue: {}", pilot.jobId, q.reason());
            }
        }
        for (Pilot pilot : pilots) {
            Job job = pilot.current;
            if (job == null) {
                continue;
            }
            boolean wasStarted = job.started;
            SharedFolder.Snapshot snap = read(job, false);
            if (!wasStarted && job.started) {
                pilot.trialStartedAt = now;
            }
            Optional<Integer> exit = snap.state().map(StateFile::exitCode);
            if (exit.isPresent()) {
                pilot.current = null;
                pilot.trials++;
                if (pilot.trialStartedAt != null) {
                    Duration took = Duration.between(pilot.trialStartedAt, now);
                    pilot.longestTrial = took.compareTo(pilot.longestTrial) > 0 ? took : pilot.longestTrial;
                }
                int code = exit.get();
                finish(job, new Ending(exit, "in pilot job " + pilot.jobId, e -> TrialEnd.ofExitCode(code,
                        job.cancelRequested, c -> ExitMessage.of(c, folder.stderrEnd(job.sysDir)))));
            }
        }
        retireAgingPilots(now);
        handOut();
        pilots.stream().filter(x -> x.startedAt == null && isReason(x.reason)).findFirst().ifPresent(queued -> {
            for (Job job : waiting) {
                announceWaiting(job, "waits for a pilot job: Slurm job " + queued.jobId + " is PENDING: "
                        + queued.reason);
            }
        });
        long serving = pilots.stream().filter(x -> !x.retiring).count();
        // Trials finishing in a retiring pilot need no new one.
        long finishing = pilots.stream().filter(x -> x.retiring && x.current != null).count();
        // Nor do trials whose command ended and whose folder waits to be read to the end.
        long reading = jobs.values().stream().filter(j -> j.ending != null).count();
        long wanted = Math.min(options.maxConcurrentTrials(), jobs.size() - finishing - reading);
        while (serving < wanted && !closed) {
            if (!submitPilot()) {
                break;
            }
            serving++;
        }
    }

    /** Gives waiting trials to idle running pilots, in submission order. On the poll thread. */
    private void handOut() {
        for (Pilot pilot : pilots) {
            if (closed) {
                return;
            }
            if (pilot.startedAt == null || pilot.retiring || pilot.current != null) {
                continue;
            }
            Job job = waiting.poll();
            if (job == null) {
                break;
            }
            try {
                writeFile(pilot.dir, "next", job.sysDir.toString());
            } catch (IOException e) {
                end(job, TrialStatus.FAILED, Optional.empty(), "cannot hand the trial to pilot job " + pilot.jobId
                        + ": " + e, "not run");
                continue;
            }
            pilot.current = job;
            job.pilot = pilot;
            job.jobId = pilot.jobId;
            log.info("Trial {} runs in pilot job {}", job.trial, pilot.jobId);
        }
    }

    /**
     * A pilot whose allocation's time limit is near takes no new trial and ends once idle: near means less time left
     * than {@link SlurmPlatformOptions#pilotRetirementMargin}, or than the longest trial it ran took (counted up to
     * half its limit), so that a trial is not started only to be cut off by the limit.
     */
    private void retireAgingPilots(Instant now) {
        Optional<Duration> limit = options.resources().timeLimit().flatMap(SlurmTime::parse);
        if (limit.isEmpty()) {
            return;
        }
        Duration configured = options.pilotRetirementMargin(limit.get());
        for (Pilot pilot : pilots) {
            if (pilot.retiring || pilot.startedAt == null) {
                continue;
            }
            Duration longest = pilot.longestTrial.compareTo(limit.get().dividedBy(2)) > 0 ? limit.get().dividedBy(2)
                    : pilot.longestTrial;
            Duration margin = longest.compareTo(configured) > 0 ? longest : configured;
            if (margin.isZero()) {
                continue;
            }
            if (Duration.between(pilot.startedAt, now).plus(margin).compareTo(limit.get()) >= 0) {
                pilot.retiring = true;
                log.info("Pilot job {} nears its time limit of {} after {} trial(s): it takes no more", pilot.jobId,
                        limit.get(), pilot.trials);
                try {
                    writeFile(pilot.dir, "stop", "");
                } catch (IOException e) {
                    log.warn("Cannot ask pilot job {} to stop: {}", pilot.jobId, e.toString());
                }
            }
        }
    }

    private boolean submitPilot() {
        Path dir = options.experimentFolder().resolve("pilots").resolve("pilot-" + pilotCount.incrementAndGet());
        try {
            folder.write(dir, List.of("next", "cancel", "stop"), Map.of("pilot.sh",
                    PilotScript.of(dir, options.experimentId()).getBytes(StandardCharsets.UTF_8)));
            Path script = dir.resolve("pilot.sh");
            SlurmCommands.Result r = sbatch(dir, script, submissionToken(dir.getFileName().toString()));
            if (!r.ok() || r.stdout().isBlank()) {
                failWaitingIfNoPilot("sbatch refused the pilot job: " + r.firstErrorLine());
                return false;
            }
            Pilot pilot = new Pilot(parsableId(r), dir);
            pilots.add(pilot);
            log.info("Pilot job {} submitted for experiment {}", pilot.jobId, options.experimentId());
            return true;
        } catch (IOException e) {
            failWaitingIfNoPilot("cannot submit a pilot job: " + e.getMessage());
            return false;
        }
    }

    /** Trials can wait for a pilot that will come; with none at all, they fail with why. */
    private void failWaitingIfNoPilot(String why) {
        log.warn("{}", why);
        if (pilots.isEmpty()) {
            for (Job job = waiting.poll(); job != null; job = waiting.poll()) {
                end(job, TrialStatus.FAILED, Optional.empty(), why, "not run");
            }
        }
    }

    private void pilotEnded(Pilot pilot, EndState end) {
        pilots.remove(pilot);
        Job job = pilot.current;
        if (job == null) {
            if (!pilot.retiring) {
                log.warn("Pilot job {} ended {} after {} trial(s)", pilot.jobId, end.raw(), pilot.trials);
            }
            return;
        }
        finish(job, new Ending(Optional.empty(), "in pilot job " + pilot.jobId + " " + end.raw(),
                exit -> TrialEnd.ofPilot(pilot.jobId, end.state(), end.raw(), job.cancelRequested, exit,
                        code -> ExitMessage.of(code, folder.stderrEnd(job.sysDir)))));
    }

    private void writeFile(Path dir, String name, String content) throws IOException {
        folder.write(dir, List.of(), Map.of(name, content.getBytes(StandardCharsets.UTF_8)));
    }

    /** A pilot job (reuse mode) and what it runs. Touched on the poll thread only. */
    private static final class Pilot {
        final String jobId;
        final Path dir;
        Instant startedAt;
        String reason = "";
        Job current;
        Instant trialStartedAt;
        Duration longestTrial = Duration.ZERO;
        int trials;
        int missingPolls;
        boolean retiring;

        Pilot(String jobId, Path dir) {
            this.jobId = jobId;
            this.dir = dir;
        }
    }

    /**
     * Reads what the trial appended to its folder, announces its start when it shows one (output, or a pilot that
     * took it), then delivers its metrics; {@code last} reads everything that is left.
     */
    private SharedFolder.Snapshot read(Job job, boolean last) {
        List<TrialEvent> found = new ArrayList<>();
        SharedFolder.Snapshot snap;
        try {
            snap = folder.read(job.sysDir, job.reader, POLL_BUDGET, last, new TrialFolderReader.Listener() {
                @Override
                public void onRecord(String json, String where) {
                    MetricRecord r;
                    try {
                        r = MetricRecord.parse(json);
                    } catch (IllegalArgumentException e) {
                        log.warn("Trial {}: skipped a malformed metric in {}: {}", job.trial, where, e.getMessage());
                        return;
                    }
                    if (r.isMetric()) {
                        found.add(new TrialEvent.MetricReported(job.trial, r.toMetric(clock.instant())));
                    }
                }

                @Override
                public void onMalformed(long offset, String reason) {
                    log.warn("Trial {}: skipped a malformed frame in .nni/metrics at byte {}: {}", job.trial, offset,
                            reason);
                }

                @Override
                public void onReadError(String where, IOException error) {
                    log.warn("Trial {}: cannot read its {}: {}", job.trial, where, error.toString());
                }
            });
            if (last) {
                job.finalRead = true;
            }
        } catch (IOException e) {
            log.warn("Trial {}: cannot read its folder {}: {}", job.trial, job.sysDir, e.getMessage());
            snap = new SharedFolder.Snapshot(Optional.empty(), false);
        }
        if (!found.isEmpty() || snap.pilotStarted()) {
            startOnce(job);
        }
        found.forEach(this::deliver);
        return snap;
    }

    private void scancel(List<String> jobIds) {
        List<String> args = new ArrayList<>(List.of("scancel"));
        args.addAll(jobIds);
        try {
            SlurmCommands.Result r = commands.run(args);
            if (!r.ok()) {
                log.warn("scancel {} failed: {}", jobIds, r.firstErrorLine());
            }
        } catch (IOException e) {
            log.warn("scancel {} failed: {}", jobIds, e.getMessage());
        }
    }

    private void deliver(TrialEvent e) {
        TrialEventSink s = sink;
        if (!closed && s != null) {
            s.accept(e);
        }
    }

    // ---- the batch script -----------------------------------------------------------------------------------------

    private String jobScript(TrialSpec spec, Path sysDir) {
        Path folder = options.experimentFolder();
        Path code = folder.resolve("nni-code");
        Optional<Integer> gpus = options.resources().gpus();
        // CUDA_VISIBLE_DEVICES is Slurm's to set for the GPUs it allocates; NNI's -1 only when none were asked for.
        Optional<List<Integer>> none = gpus.filter(n -> n == 0).map(n -> List.of());
        Map<String, String> env = TrialEnvironment.of("slurm", options.experimentId(), spec.id().value(),
                spec.sequence(), sysDir, Optional.of(code), none).variables();
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Trial ").append(spec.id().value()).append(" of experiment ").append(options.experimentId())
                .append(", written by Hybrid\n");
        env.forEach((k, v) -> s.append("export ").append(k).append('=').append(quote(v)).append('\n'));
        options.pythonPath().ifPresent(p -> s.append("export PATH=").append(quote(p)).append(":\"$PATH\"\n"));
        if (options.command().contains("python")) {
            // The trial's own Python decides, on the compute node: Hybrid's nni module only where NNI is missing.
            s.append("if ! python3 -c 'import nni.trial' >/dev/null 2>&1; then export PYTHONPATH=")
                    .append(quote(folder.resolve(".hybrid").resolve("python").toString()))
                    .append("${PYTHONPATH:+:$PYTHONPATH}; fi\n");
        }
        s.append("cd ").append(quote(code.toString())).append(" || exit 1\n");
        s.append("/bin/bash -c ").append(quote(options.command())).append('\n');
        s.append("code=$?\n");
        s.append("printf '%s %s\\n' \"$code\" \"$(date +%s%3N)\" > ").append(quote(sysDir.resolve(".nni")
                .resolve("state").toString())).append('\n');
        s.append("exit $code\n");
        return s.toString();
    }

    /** {@code text} as one single-quoted shell word. */
    static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /** One trial's job. Its mutable fields are touched on the poll thread, and {@code cancelRequested} by cancel. */
    private static final class Job {
        final TrialId trial;
        /** The trial's job; in reuse mode its pilot's, null until it has one. */
        volatile String jobId;
        volatile Pilot pilot;
        final Path sysDir;
        final TrialFolderReader reader;
        volatile boolean cancelRequested;
        volatile boolean started;
        /** Whether the folder has been read to its end (the trial has ended). */
        boolean finalRead;
        /** When a read to the end first failed; null while none has. */
        Instant finalReadFailedSince;
        /** How the trial ends once its folder is read to the end, while that read fails; null otherwise. */
        Ending ending;
        volatile String reason;
        /** The waiting reason last sent to the experiment. */
        String waitingMessage;
        int missingPolls;

        Job(TrialId trial, String jobId, Path sysDir) {
            this.trial = trial;
            this.jobId = jobId;
            this.sysDir = sysDir;
            this.reader = new TrialFolderReader(sysDir);
        }
    }
}
