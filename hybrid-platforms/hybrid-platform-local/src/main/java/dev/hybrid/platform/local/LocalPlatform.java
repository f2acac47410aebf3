package dev.hybrid.platform.local;

import dev.hybrid.platform.ExperimentScope;
import dev.hybrid.platform.ExperimentScoped;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.platform.TrialEventSink;
import dev.hybrid.protocol.ExitMessage;
import dev.hybrid.protocol.MetricRecord;
import dev.hybrid.protocol.ParameterFile;
import dev.hybrid.protocol.PythonSdk;
import dev.hybrid.protocol.StateFile;
import dev.hybrid.protocol.TrialEnvironment;
import dev.hybrid.protocol.TrialFolderReader;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local} platform: runs each trial's command as a process on this machine, as NNI's local mode does.
 *
 * <p>Each trial gets {@code <experimentDir>/trials/<trialId>/} with {@code parameter.cfg} (written before the
 * process starts), {@code stdout}, {@code stderr} and {@code .nni/} ({@code metrics}, {@code state}). The command
 * runs under {@code bash -c} (as NNI's {@code run.sh} does; a command of plain words is executed directly) in the code directory, in a process group of its own (through {@code setsid}), with
 * NNI's environment variables. Metrics are read as they are written, from {@code .nni/metrics} frames and from
 * {@code NNISDK_MEb'...'} stdout lines, by one watcher thread that reads the growing files every
 * {@code pollInterval} (10 ms by default) and to their end when the process exits, so nothing written before exit
 * is lost, however much it is; the files are streamed in chunks, so memory stays bounded.
 * Exit code 0 gives {@code SUCCEEDED}; anything else {@code FAILED} with the exit code and the last lines of
 * stderr. Cancelling sends SIGTERM to the trial's whole process group and SIGKILL after the grace period, so a trial
 * that forked children leaves nothing running. When a trial's command exits, whatever is left of its process group
 * (children it started in the background) is killed (SIGKILL); a process that must outlive its trial has to start a
 * session of its own ({@code setsid}).
 *
 * <p>Every process a trial starts carries the trial's directory and this JVM's identity in its environment, and the
 * trial's process group is recorded in {@code .hybrid/process}. When the platform starts, processes that an earlier
 * run of the same experiment left running (its JVM was killed) are found through these and killed before any trial
 * runs again, so a trial never has two live processes and no metric of an earlier attempt is read for a new one.
 *
 * <p>When the command runs Python, Hybrid's own {@code nni} module is put on {@code PYTHONPATH}, so NNI trial
 * scripts run unchanged; where the interpreter that runs the trial has the real {@code nni} package, the module
 * loads that one in its place.
 *
 * <p>Thread-safety: {@code submit}, {@code cancel}, {@code freeSlots} and {@code close} may be called from any
 * thread; events are delivered from the watcher thread {@code hybrid-local-watch}.
 */
public final class LocalPlatform implements ExperimentScoped, TrainingPlatform,
        dev.hybrid.platform.AdjustableConcurrency {
    private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

    /** Replaced once, before start, by {@link #bindExperiment}; read-only from then on. */
    private volatile LocalPlatformOptions options;
    private final Clock clock;
    private final Map<TrialId, RunningTrial> running = new ConcurrentHashMap<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final Optional<String> setsid;
    private final GroupSignaller groups = new GroupSignaller(SHELL);
    private volatile TrialEventSink sink;
    private volatile boolean closed;
    private ScheduledExecutorService watcher;
    private ScheduledFuture<?> pollTask;
    private Optional<Path> pythonPath = Optional.empty();
    /** Present when trials need GPUs: this machine's GPUs and who uses them. Guarded by itself. */
    private Optional<dev.hybrid.gpu.GpuScheduler> gpuScheduler = Optional.empty();

    private LocalPlatform(LocalPlatformOptions options, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.setsid = findOnPath("setsid");
    }

    /** A local platform with the given options. */
    public static LocalPlatform create(LocalPlatformOptions options) {
        return new LocalPlatform(options, Clock.systemUTC());
    }

    /** A local platform with the given options and clock (for event times). */
    public static LocalPlatform create(LocalPlatformOptions options, Clock clock) {
        return new LocalPlatform(options, clock);
    }

    @Override
    public String name() {
        return "local";
    }

    /** The options this platform runs with (with the experiment's id and directory once it is bound to one). */
    public LocalPlatformOptions options() {
        return options;
    }

    /**
     * Runs up to {@code trialConcurrency} trials at once from now on (its {@code maxConcurrentTrials}); running
     * trials are left alone when it is lowered.
     */
    @Override
    public synchronized void adjustConcurrency(int trialConcurrency) {
        if (trialConcurrency < 1) {
            throw new IllegalArgumentException("trialConcurrency must be >= 1, was " + trialConcurrency);
        }
        options = options.withMaxConcurrentTrials(trialConcurrency);
    }

    /** Takes the experiment's id and directory in place of those in its options. */
    @Override
    public synchronized void bindExperiment(ExperimentScope scope) {
        Objects.requireNonNull(scope, "scope");
        if (sink != null || closed) {
            throw new IllegalStateException("local platform already started");
        }
        options = options.withExperiment(scope.experimentId(), scope.experimentDirectory());
    }

    @Override
    public synchronized void start(TrialEventSink eventSink) {
        Objects.requireNonNull(eventSink, "sink");
        if (closed) {
            throw new IllegalStateException("local platform is closed");
        }
        if (sink != null) {
            throw new IllegalStateException("local platform already started");
        }
        if (!Files.isDirectory(options.codeDir())) {
            throw new PlatformException(name(), "trial code directory does not exist: " + options.codeDir(), false,
                    null);
        }
        try {
            Files.createDirectories(options.experimentDir().resolve("trials"));
        } catch (IOException e) {
            throw new PlatformException(name(), "cannot create " + options.experimentDir().resolve("trials") + ": "
                    + e.getMessage(), false, e);
        }
        int orphans = TrialProcesses.endOrphans(options.experimentDir().resolve("trials"), Duration.ofSeconds(10));
        if (orphans > 0) {
            log.warn("Killed {} trial process(es) that an earlier run of experiment {} left running",
                    orphans, options.experimentId());
        }
        int perTrial = options.gpuNumber().orElse(0);
        if (perTrial > 0) {
            gpuScheduler = Optional.of(startGpuScheduler(perTrial));
        }
        // Installed whichever Python the command runs: the module hands over to a real nni package wherever the
        // trial's interpreter has one, which no probe of some python3 here could tell.
        if (mentionsPython(options.command())) {
            try {
                pythonPath = Optional.of(PythonSdk.installTo(options.experimentDir().resolve(".hybrid/python")));
                log.debug("Python trials use Hybrid's nni module from {}", pythonPath.get());
            } catch (IOException e) {
                throw new PlatformException(name(), "cannot install the nni module: " + e.getMessage(), false, e);
            }
        }
        this.sink = eventSink;
        java.util.concurrent.ScheduledThreadPoolExecutor w = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> {
                    Thread t = new Thread(r, "hybrid-local-watch");
                    t.setDaemon(true);
                    return t;
                });
        // Close kills every trial at once: a pending SIGKILL of a cancel must not hold it up for the grace period.
        w.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        w.setRemoveOnCancelPolicy(true);
        this.watcher = w;
        long every = options.pollInterval().toNanos();
        this.pollTask = watcher.scheduleWithFixedDelay(this::pollAll, every, every, TimeUnit.NANOSECONDS);
        // GPU readings change as other processes come and go: read them again every few seconds, as NNI does.
        gpuScheduler.ifPresent(g -> watcher.scheduleWithFixedDelay(this::refreshGpus, 5, 5, TimeUnit.SECONDS));
    }

    private dev.hybrid.gpu.GpuScheduler startGpuScheduler(int perTrial) {
        LocalPlatformOptions.Gpus g = options.gpus();
        List<dev.hybrid.gpu.GpuInfo> found = dev.hybrid.gpu.NvidiaSmi.probe(g.nvidiaSmi()).orElseThrow(() ->
                new PlatformException(name(), "trials need " + perTrial + " GPU(s) (trialGpuNumber) but '"
                        + g.nvidiaSmi() + "' found no GPU on this machine", false, null));
        dev.hybrid.gpu.GpuScheduler scheduler = new dev.hybrid.gpu.GpuScheduler(found, g.indices(),
                g.maxTrialsPerGpu(), g.useActiveGpu());
        if (scheduler.usableCount() < perTrial) {
            throw new PlatformException(name(), "trials need " + perTrial + " GPU(s) (trialGpuNumber) but only "
                    + scheduler.usableCount() + " of this machine's " + found.size() + " may be used"
                    + g.indices().map(i -> " (gpuIndices " + i + ")").orElse(""), false, null);
        }
        log.info("Local trials use {} GPU(s) each, of {}", perTrial, found);
        return scheduler;
    }

    private void refreshGpus() {
        dev.hybrid.gpu.NvidiaSmi.probe(options.gpus().nvidiaSmi()).ifPresent(readings ->
                gpuScheduler.ifPresent(s -> {
                    synchronized (s) {
                        s.update(readings);
                    }
                }));
    }

    @Override
    public void submit(TrialSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (closed) {
            throw new IllegalStateException("local platform is closed");
        }
        if (sink == null) {
            throw new IllegalStateException("local platform not started");
        }
        if (running.containsKey(spec.id())) {
            throw new IllegalArgumentException("trial " + spec.id() + " is already running");
        }
        if (busy.incrementAndGet() > options.maxConcurrentTrials()) {
            busy.decrementAndGet();
            throw new PlatformException(name(), spec.id(), "no free slot (" + options.maxConcurrentTrials()
                    + " trials running)", true, null);
        }
        Optional<List<Integer>> gpus = allocateGpus(spec);
        Path sysDir = options.experimentDir().resolve("trials").resolve(spec.id().value());
        Process process;
        try {
            Files.createDirectories(sysDir.resolve(".nni"));
            // A trial run again after its experiment was resumed reuses its directory: the earlier attempt's
            // protocol files go, so that its metrics are not read a second time.
            Files.deleteIfExists(sysDir.resolve(".nni").resolve("metrics"));
            Files.deleteIfExists(sysDir.resolve(".nni").resolve("state"));
            ParameterFile.of(spec.parameterId(), spec.parameters()).write(sysDir);
            ProcessBuilder pb = new ProcessBuilder(commandLine());
            pb.directory(options.codeDir().toFile());
            Map<String, String> env = pb.environment();
            env.putAll(options.environment());
            env.putAll(TrialEnvironment.of("local", options.experimentId(), spec.id().value(), spec.sequence(), sysDir,
                    Optional.of(options.codeDir()), gpus).variables());
            pythonPath.ifPresent(p -> env.merge("PYTHONPATH", p.toString(),
                    (old, mine) -> old.isEmpty() ? mine : mine + java.io.File.pathSeparator + old));
            env.put(TrialProcesses.TRIAL_VARIABLE, sysDir.toAbsolutePath().normalize().toString());
            env.put(TrialProcesses.OWNER_VARIABLE, OWNER);
            pb.redirectOutput(sysDir.resolve("stdout").toFile());
            pb.redirectError(sysDir.resolve("stderr").toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            busy.decrementAndGet();
            releaseGpus(gpus);
            throw new PlatformException(name(), spec.id(), "cannot start trial: " + e.getMessage(), false, e);
        }
        try {
            TrialProcesses.record(sysDir, process);
        } catch (IOException e) {
            log.warn("Trial {}: cannot record its process group; a resume after a crash cannot end it: {}", spec.id(),
                    e.toString());
        }
        RunningTrial t = new RunningTrial(spec.id(), sysDir, process, gpus);
        running.put(spec.id(), t);
        log.debug("Trial {} started as process {} in {}", spec.id(), process.pid(), sysDir);
        deliver(new TrialEvent.Started(spec.id(), clock.instant()));
        process.onExit().thenRunAsync(() -> finish(t), watcherOrDirect());
    }

    @Override
    public void cancel(TrialId trial) {
        RunningTrial t = running.get(trial);
        if (t == null || t.cancelled) {
            return;
        }
        t.cancelled = true;
        log.info("Cancelling trial {} (process group {})", trial, t.process.pid());
        signalTree(t, "TERM");
        Runnable kill = () -> {
            if (t.process.isAlive() || anyAlive(t.descendants)) {
                log.warn("Trial {} did not end within {}; killing it", trial, options.cancelGracePeriod());
                signalTree(t, "KILL");
            }
        };
        ScheduledExecutorService w = watcher;
        if (w != null && !w.isShutdown()) {
            try {
                w.schedule(kill, options.cancelGracePeriod().toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                kill.run();
            }
        } else {
            kill.run();
        }
    }

    @Override
    public int freeSlots() {
        if (closed) {
            return 0;
        }
        int free = Math.max(0, options.maxConcurrentTrials() - busy.get());
        if (free > 0 && gpuScheduler.isPresent()) {
            dev.hybrid.gpu.GpuScheduler s = gpuScheduler.get();
            synchronized (s) {
                free = Math.min(free, s.freeSlots(options.gpuNumber().orElse(0)));
            }
        }
        return free;
    }

    /**
     * The trial's {@code CUDA_VISIBLE_DEVICES}: unset without a GPU setting, none ({@code -1}) for 0 GPUs, else GPUs
     * the scheduler assigns.
     *
     * @throws PlatformException (retryable) when not enough GPUs are free now
     */
    private Optional<List<Integer>> allocateGpus(TrialSpec spec) {
        if (options.gpuNumber().isEmpty()) {
            return Optional.empty();
        }
        int n = options.gpuNumber().get();
        if (n == 0 || gpuScheduler.isEmpty()) {
            return Optional.of(List.of());
        }
        dev.hybrid.gpu.GpuScheduler s = gpuScheduler.get();
        Optional<List<Integer>> got;
        synchronized (s) {
            got = s.allocate(n);
        }
        if (got.isEmpty()) {
            busy.decrementAndGet();
            throw new PlatformException(name(), spec.id(), "no free slot: " + n + " free GPU(s) needed", true, null);
        }
        return got;
    }

    private void releaseGpus(Optional<List<Integer>> gpus) {
        if (gpus.isPresent() && !gpus.get().isEmpty() && gpuScheduler.isPresent()) {
            dev.hybrid.gpu.GpuScheduler s = gpuScheduler.get();
            synchronized (s) {
                s.release(gpus.get());
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<RunningTrial> left = List.copyOf(running.values());
        for (RunningTrial t : left) {
            t.cancelled = true;
            signalTree(t, "KILL");
        }
        // Let each killed trial finish on the watcher (its files written, its GPUs released) before the watcher stops:
        // nothing of this platform may touch the trial directories after close returns.
        for (RunningTrial t : left) {
            try {
                if (!t.done.await(10, TimeUnit.SECONDS)) {
                    log.warn("Trial {} did not end within 10 s of SIGKILL", t.id);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ScheduledExecutorService w = watcher;
        if (w != null) {
            if (pollTask != null) {
                pollTask.cancel(false);
            }
            w.shutdown();
            try {
                if (!w.awaitTermination(10, TimeUnit.SECONDS)) {
                    w.shutdownNow();
                }
            } catch (InterruptedException e) {
                w.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        running.clear();
        groups.close();
    }

    // ---- watching -------------------------------------------------------------------------------------------

    private java.util.concurrent.Executor watcherOrDirect() {
        ScheduledExecutorService w = watcher;
        return command -> {
            try {
                w.execute(command);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Closed: nothing is delivered any more, but the slot is still given back.
                command.run();
            }
        };
    }

    private void pollAll() {
        for (RunningTrial t : running.values()) {
            if (!t.finished) {
                readNew(t, false);
            }
        }
    }

    private void finish(RunningTrial t) {
        try {
            finishOnce(t);
        } finally {
            t.done.countDown();
        }
    }

    private void finishOnce(RunningTrial t) {
        if (t.finished) {
            return;
        }
        int exit = t.process.exitValue();
        Instant end = clock.instant();
        // What the trial left running in its process group ends with it (before the last read, so that nothing
        // writes to its files after it).
        endGroup(t);
        readNew(t, true);
        t.finished = true;
        try {
            new StateFile(exit, end).write(t.sysDir);
        } catch (IOException e) {
            log.warn("Trial {}: cannot write .nni/state: {}", t.id, e.toString());
        }
        TrialStatus status;
        String message = "";
        if (t.cancelled) {
            status = TrialStatus.USER_CANCELED;
        } else if (exit == 0) {
            status = TrialStatus.SUCCEEDED;
        } else {
            status = TrialStatus.FAILED;
            message = ExitMessage.of(exit, stderrEnd(t.sysDir));
        }
        running.remove(t.id);
        releaseGpus(t.gpus);
        busy.decrementAndGet();
        log.info("Trial {} ended {} (exit code {})", t.id, status, exit);
        deliver(new TrialEvent.Ended(t.id, status, Optional.of(exit), message, end));
    }

    /**
     * Reads what the trial appended to its metrics file and stdout and delivers the metrics in them. A poll reads at
     * most {@link #POLL_BUDGET} bytes of each file, so that one trial's flood of output does not hold up the
     * others; the last read, after the process exited, reads to the end of each file, however much is left.
     */
    private void readNew(RunningTrial t, boolean last) {
        t.reader.read(POLL_BUDGET, last, new TrialFolderReader.Listener() {
            @Override
            public void onRecord(String json, String where) {
                LocalPlatform.this.onRecord(t, json, where);
            }

            @Override
            public void onMalformed(long offset, String reason) {
                log.warn("Trial {}: skipped a malformed frame in .nni/metrics at byte {}: {}", t.id, offset, reason);
            }

            @Override
            public void onReadError(String where, IOException error) {
                log.warn("Trial {}: cannot read its {}: {}", t.id, where, error.toString());
            }
        });
    }

    private void onRecord(RunningTrial t, String json, String where) {
        MetricRecord r;
        try {
            r = MetricRecord.parse(json);
        } catch (IllegalArgumentException e) {
            log.warn("Trial {}: skipped a malformed metric in {}: {}", t.id, where, e.getMessage());
            return;
        }
        if (!r.isMetric()) {
            return; // REQUEST_PARAMETER: parameter.cfg is always written before the trial starts.
        }
        deliver(new TrialEvent.MetricReported(t.id, r.toMetric(clock.instant())));
    }

    private void deliver(TrialEvent e) {
        TrialEventSink s = sink;
        if (!closed && s != null) {
            s.accept(e);
        }
    }

    /** The last 8 KiB of a trial's stderr file (empty when it has none). */
    private static String stderrEnd(Path sysDir) {
        try {
            Path f = sysDir.resolve("stderr");
            if (!Files.exists(f)) {
                return "";
            }
            long size = Files.size(f);
            try (var ch = Files.newByteChannel(f)) {
                long from = Math.max(0, size - 8192);
                ch.position(from);
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (size - from));
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // read until full
                }
                return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return "";
        }
    }

    // ---- processes ------------------------------------------------------------------------------------------

    private List<String> commandLine() {
        List<String> cmd = new ArrayList<>();
        setsid.ifPresent(cmd::add);
        String command = options.command().strip();
        if (PLAIN_WORDS.matcher(command).matches()) {
            // Nothing for a shell to interpret: running the words directly saves one exec per trial.
            cmd.addAll(List.of(command.split("\\s+")));
        } else {
            // NNI runs trial commands with bash (its run.sh uses eval), so bash syntax such as `source` works.
            cmd.add(SHELL);
            cmd.add("-c");
            cmd.add(command);
        }
        return cmd;
    }

    /** This JVM, as the trial processes it starts name their owner. */
    private static final String OWNER = TrialProcesses.currentOwner();

    private static final String SHELL = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";

    /** A command of plain words only: no quotes, variables, globs, redirections, pipes or separators. */
    private static final java.util.regex.Pattern PLAIN_WORDS =
            java.util.regex.Pattern.compile("[A-Za-z0-9_./:+,@%-]+(\\s+[A-Za-z0-9_./:=+,@%-]+)*");

    /**
     * Kills what is left of an ended trial's process group. Its leader has exited and been reaped, but a group that
     * still has members keeps its id, so the signal cannot reach anyone else's processes.
     */
    private void endGroup(RunningTrial t) {
        if (setsid.isEmpty()) {
            signalTree(t, "KILL"); // no group of its own: only the children remembered at a cancel can be reached
            return;
        }
        signalGroup(t, "KILL");
        for (ProcessHandle h : t.descendants) {
            h.destroyForcibly();
        }
    }

    private void signalGroup(RunningTrial t, String signal) {
        try {
            groups.signal(t.process.pid(), signal);
        } catch (IOException e) {
            log.warn("Trial {}: cannot run kill: {}", t.id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void signalTree(RunningTrial t, String signal) {
        // Remember the tree first: once the group leader dies, its children are re-parented and lost to descendants().
        t.process.descendants().forEach(t.descendants::add);
        if (setsid.isPresent()) {
            signalGroup(t, signal);
        }
        boolean force = signal.equals("KILL");
        for (ProcessHandle h : t.descendants) {
            if (force) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
        if (force) {
            t.process.destroyForcibly();
        } else {
            t.process.destroy();
        }
    }

    private static boolean anyAlive(Deque<ProcessHandle> handles) {
        return handles.stream().anyMatch(ProcessHandle::isAlive);
    }

    private static boolean mentionsPython(String command) {
        return command.contains("python");
    }

    private static Optional<String> findOnPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }

    /** One running trial's process and the state of its watched files. Touched only on the watcher thread. */
    private static final class RunningTrial {
        final TrialId id;
        final Path sysDir;
        final Process process;
        final TrialFolderReader reader;
        final Deque<ProcessHandle> descendants = new java.util.concurrent.ConcurrentLinkedDeque<>();
        final Optional<List<Integer>> gpus;
        /** Counted down once the trial's end has been handled. */
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        volatile boolean cancelled;
        volatile boolean finished;

        RunningTrial(TrialId id, Path sysDir, Process process, Optional<List<Integer>> gpus) {
            this.id = id;
            this.sysDir = sysDir;
            this.process = process;
            this.gpus = gpus;
            this.reader = new TrialFolderReader(sysDir);
        }
    }

    /** The bytes read from each file of a trial per poll (8 MiB). */
    private static final long POLL_BUDGET = 8L << 20;

}
