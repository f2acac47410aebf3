package dev.hybrid.platform.remote;

import dev.hybrid.gpu.GpuScheduler;
import dev.hybrid.platform.ExperimentScope;
import dev.hybrid.platform.ExperimentScoped;
import dev.hybrid.platform.FastFailureQuarantine;
import dev.hybrid.platform.PlatformAvailability;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.platform.TrialEventSink;
import dev.hybrid.platform.TrialMachine;
import dev.hybrid.platform.TrialResumption;
import dev.hybrid.platform.remote.internal.CodeArchive;
import dev.hybrid.platform.remote.internal.GpuProbe;
import dev.hybrid.platform.remote.internal.MachineLink;
import dev.hybrid.platform.remote.internal.MonitorReader;
import dev.hybrid.platform.remote.internal.RemoteScripts;
import dev.hybrid.ssh.internal.SshConnection;
import dev.hybrid.protocol.ExitMessage;
import dev.hybrid.protocol.LineBuffer;
import dev.hybrid.protocol.MetricFrames;
import dev.hybrid.protocol.MetricRecord;
import dev.hybrid.protocol.ParameterFile;
import dev.hybrid.protocol.StdoutMetrics;
import dev.hybrid.ssh.internal.KnownHosts;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The {@code remote} platform: runs each trial's command on one of several machines over SSH, as NNI's remote mode
 * does, without its limits.
 *
 * <p>Each machine gets one SSH connection, shared by everything done there, kept alive and re-made with backoff when
 * it drops. On connecting, the code directory (minus what {@code .nniignore} excludes) is packed and uploaded once to
 * {@code <remoteDirectory>/<experimentId>/nni-code/}, with Hybrid's small shell monitor. The monitor, one per
 * connection, starts each trial detached from the connection in a session of its own, with {@code trials/<trialId>/}
 * holding its {@code parameter.cfg} and output, NNI's environment ({@code NNI_PLATFORM=remote}), and the shared
 * {@code nni-code/} as working directory (every trial of the experiment on that machine runs in the one uploaded copy,
 * as local trials run in the code directory); it watches the trials' {@code .nni/metrics} and stdout
 * ({@code NNISDK_MEb'...'} lines) every {@code pollInterval}, backing off to half a second once nothing has changed
 * for a second, and streams new bytes back over the same connection. This side counts the bytes it has received of
 * each file, so after a reconnect the new monitor re-attaches every running trial from exactly where it
 * stopped: no metric is lost or delivered twice. Metrics keep their order within each of the two sources (the frames
 * file and stdout), not across them. A trial ends when it writes {@code .nni/state}; cancelling signals its whole
 * session (SIGTERM, then SIGKILL after the grace period), and closing the platform kills every trial it still runs.
 * When a trial's command exits, whatever is left of its process group is killed before its end is written; a process
 * that must outlive its trial starts a session of its own ({@code setsid}).
 *
 * <p>Each launch is marked with a token naming this platform instance and its JVM, in the trial's launch mark and in
 * its processes' environment (with the trial's directory). A monitor started for another JVM's run (a resume after
 * the earlier run's JVM was killed) first kills that run's trial processes on the machine, and a trial launched by an
 * earlier run is never re-attached: its leftover processes are killed and its protocol files removed before it runs
 * again, so a trial never has two live processes and no metric of an earlier attempt is read for a new one.
 *
 * <p>Trials go to the reachable machine with the most free slots; {@link #freeSlots()} is the sum over reachable
 * machines. A machine that is reachable but broken — 3 trials in a row failing within 10 s of their submission while
 * another machine's do not — is quarantined by {@link FastFailureQuarantine}'s rule: no new trials for 30 s (doubling
 * up to 10 min), logged at WARN with the machine, the count and the last failure, then one probe trial. When trials need GPUs ({@code gpuNumber} above 0), each machine's GPUs are read with {@code nvidia-smi}
 * over its connection when it connects and every 5 seconds after, and a {@link GpuScheduler} per machine hands each
 * trial GPUs of its own ({@code CUDA_VISIBLE_DEVICES}) under the machine's {@code gpuIndices},
 * {@code maxTrialNumPerGpu} and {@code useActiveGpu}; a machine's free slots are then also bounded by the trials its
 * free GPUs take. A machine whose GPUs cannot be read, or has fewer usable GPUs than one trial needs, is reported
 * (host:port and the reason) and gets no GPU trials while the others go on.
 *
 * <p>A machine that cannot be reached is reported (host:port and the cause) and retried in the background while the
 * others go on; if it stays unreachable for {@code machineLostAfter}, its trials end {@code SYS_CANCELED} with that
 * message; once every machine is lost, {@link #unavailableReason()} says so. A trial cancelled while its machine
 * cannot be reached ends at once, and its processes are killed when the machine is reached again. {@link #start}
 * fails only when no machine can be reached, or, for GPU trials, when no machine can run one; closing the platform
 * while it connects ends that wait.
 *
 * <p>Thread-safety: every method may be called from any thread. Blocking I/O runs on the platform's own threads
 * ({@code hybrid-remote-io-N}, one per machine plus one); events are delivered from them.
 */
public final class RemotePlatform implements ExperimentScoped, TrainingPlatform, PlatformAvailability,
        TrialResumption, TrialMachine {
    private static final Logger log = LoggerFactory.getLogger(RemotePlatform.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_.-]+");
    /** How often the GPUs are read again while trials need them: other processes come and go, as in NNI. */
    private static final Duration GPU_REFRESH = Duration.ofSeconds(5);

    /** Replaced once, before start, by {@link #bindExperiment}; read-only from then on. */
    private volatile RemotePlatformOptions options;
    private final Clock clock;
    private final List<MachineLink> links = new ArrayList<>();
    private final Map<MachineLink, Slots> slots = new HashMap<>();
    private final Map<TrialId, RemoteTrial> trials = new ConcurrentHashMap<>();
    /** The host:port of the machine each submitted trial went to; kept after it ended, for the experiment's record. */
    private final Map<TrialId, String> machineOfTrial = new ConcurrentHashMap<>();
    private final Map<MachineLink, List<String>> abandoned = new ConcurrentHashMap<>();
    /** Cancelled trials whose SIGKILL is still to come: closing sends it at once. */
    private final Map<TrialId, RemoteTrial> pendingKills = new ConcurrentHashMap<>();
    private final Object deliverLock = new Object();
    /** Names this platform's trial launches: the monitor ends an earlier run's attempt before it runs a trial again. */
    private final String launchToken = dev.hybrid.platform.remote.internal.LaunchToken.forPlatform();
    private final AtomicInteger roundRobin = new AtomicInteger();
    /** Machines whose trials fail fast while the others' do not (machines are added in start). */
    private final FastFailureQuarantine<MachineLink> quarantine;
    private volatile TrialEventSink sink;
    private volatile boolean closed;
    /** Completes once every machine's first connection attempt has ended; set by {@link #start}. */
    private volatile CompletableFuture<Void> firstAttempts;
    /** The up machines where a resumed trial has no launch mark (asked once each). */
    private final Map<TrialId, Set<MachineLink>> launchedNowhere = new ConcurrentHashMap<>();
    /** Completed by {@link #close}. */
    private final CompletableFuture<Void> closing = new CompletableFuture<>();
    private ThreadPoolExecutor io;
    private ScheduledExecutorService timer;

    private RemotePlatform(RemotePlatformOptions options, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.quarantine = new FastFailureQuarantine<>(FastFailureQuarantine.Rule.defaults(), clock, "Machine",
                MachineLink::isUp);
    }

    /** A remote platform with the given options. */
    public static RemotePlatform create(RemotePlatformOptions options) {
        return new RemotePlatform(options, Clock.systemUTC());
    }

    /** A remote platform with the given options and clock (for event times). */
    public static RemotePlatform create(RemotePlatformOptions options, Clock clock) {
        return new RemotePlatform(options, clock);
    }

    @Override
    public String name() {
        return "remote";
    }

    /** Takes the experiment's id in place of the one in its options: trials go to {@code <remoteDirectory>/<id>/}. */
    @Override
    public synchronized void bindExperiment(ExperimentScope scope) {
        Objects.requireNonNull(scope, "scope");
        if (sink != null || closed) {
            throw new IllegalStateException("remote platform already started");
        }
        options = options.withExperimentId(scope.experimentId());
    }

    /** The options this platform runs with. */
    public RemotePlatformOptions options() {
        return options;
    }

    /**
     * Packs the code and connects to every machine at once, returning as soon as one machine is ready for trials
     * (the others go on connecting in the background), or once every first attempt failed. With {@code gpuNumber}
     * set it waits for every machine's first attempt, which reads its GPUs.
     *
     * @throws PlatformException if the code directory cannot be packed, or no machine can be reached, or trials need
     *     GPUs and no machine has enough usable ones (the message names each machine's host:port and the cause)
     */
    @Override
    public void start(TrialEventSink eventSink) {
        Objects.requireNonNull(eventSink, "sink");
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("remote platform is closed");
            }
            if (sink != null) {
                throw new IllegalStateException("remote platform already started");
            }
            sink = eventSink;
        }
        if (!Files.isDirectory(options.codeDir())) {
            throw new PlatformException(name(), "trial code directory does not exist: " + options.codeDir(), false,
                    null);
        }
        CodeArchive archive;
        try {
            archive = CodeArchive.pack(options.codeDir(), RemoteScripts.files());
        } catch (IOException e) {
            throw new PlatformException(name(), "cannot pack the code directory " + options.codeDir() + ": "
                    + e.getMessage(), false, e);
        }
        int n = options.machines().size();
        io = new ThreadPoolExecutor(n + 1, n + 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                named("hybrid-remote-io-", true));
        timer = Executors.newSingleThreadScheduledExecutor(named("hybrid-remote-timer-", false));
        KnownHosts knownHosts = new KnownHosts(options.knownHostsFile(),
                dev.hybrid.ssh.HostKeyPolicy.valueOf(options.hostKeyPolicy().name()));
        boolean python = options.command().contains("python");
        Listener listener = new Listener();
        for (RemoteMachine m : options.machines()) {
            MachineLink.Setup setup = new MachineLink.Setup(knownHosts, archive,
                    RemoteScripts.envScript(options.experimentId(), options.command(), m, options.environment()),
                    python, options.experimentId(), options.connectTimeout(), options.keepAliveInterval(),
                    options.reconnectBackoff(), options.maxReconnectBackoff(), options.machineLostAfter(),
                    options.pollInterval());
            MachineLink link = new MachineLink(m, setup, listener, io, timer, clock);
            links.add(link);
            slots.put(link, new Slots(m.slots(options.gpuNumber())));
        }
        links.forEach(l -> quarantine.add(l, l.describe()));
        List<CompletableFuture<Boolean>> first = links.stream().map(MachineLink::connect).toList();
        CompletableFuture<Void> allFirst = CompletableFuture.allOf(first.toArray(CompletableFuture[]::new));
        firstAttempts = allFirst;
        // Trials may start once one machine is ready; the others go on connecting in the background. GPU trials
        // wait for every machine's first attempt, which reads its GPUs, so that start can tell whether any fits.
        CompletableFuture<Void> ready = new CompletableFuture<>();
        allFirst.whenComplete((x, e) -> ready.complete(null));
        if (gpusPerTrial() == 0) {
            first.forEach(f -> f.thenAccept(up -> {
                if (up) {
                    ready.complete(null);
                }
            }));
        }
        // Closing the platform (a stop during start-up) ends the wait for machines that do not answer.
        CompletableFuture.anyOf(ready, closing).join();
        if (closed) {
            throw new PlatformException(name(), "closed while connecting to its machines", false, null);
        }
        boolean any = first.stream().anyMatch(f -> f.isDone() && f.join());
        if (!any) {
            String why = links.stream().map(l -> l.describe() + ": " + l.lastError())
                    .collect(Collectors.joining("; "));
            boolean someReached = links.stream().anyMatch(MachineLink::wasReached);
            close();
            throw new PlatformException(name(), (someReached ? "no machine could be set up for trials: "
                    : "no machine could be reached: ") + why, true, null);
        }
        for (int i = 0; i < links.size(); i++) {
            MachineLink l = links.get(i);
            first.get(i).thenAccept(up -> {
                if (!up && !closed) {
                    log.warn("Machine {} {} ({}); the other machines go on", l.describe(),
                            l.wasReached() ? "cannot be set up for trials" : "is not reachable", l.lastError());
                }
            });
        }
        if (gpusPerTrial() > 0) {
            requireAGpuMachine();
            scheduleGpuRefresh();
        }
    }

    /**
     * Waits until every machine's first connection attempt has ended, succeeded or not ({@link #start} returns once
     * one machine is ready).
     *
     * @return whether they all ended within {@code timeout}
     */
    boolean awaitFirstAttempts(Duration timeout) throws InterruptedException {
        try {
            firstAttempts.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /** The host:port of the machine a trial was submitted to (no user name). */
    @Override
    public Optional<String> machineOf(TrialId trial) {
        return Optional.ofNullable(machineOfTrial.get(trial));
    }

    /** {@code gpuNumber}, 0 when unset. */
    private int gpusPerTrial() {
        return options.gpuNumber().orElse(0);
    }

    private void requireAGpuMachine() {
        String why;
        synchronized (slots) {
            if (links.stream().anyMatch(l -> slots.get(l).gpus instanceof GpuState.Usable)) {
                return;
            }
            why = links.stream().map(l -> l.describe() + ": " + (l.isUp() || slots.get(l).everRead
                    ? ((GpuState.Unusable) slots.get(l).gpus).reason() : "not reachable (" + l.lastError() + ")"))
                    .collect(Collectors.joining("; "));
        }
        close();
        throw new PlatformException(name(), "trials need " + gpusPerTrial() + " GPU(s) each (trialGpuNumber) but no"
                + " machine can run one: " + why, false, null);
    }

    // ---- GPUs -------------------------------------------------------------------------------------------------

    /**
     * Reads a machine's GPUs and gives them to its scheduler; the first readings that show enough usable GPUs make
     * the scheduler. Runs on an I/O thread; the scheduler keeps its assignments across readings and reconnects.
     */
    private void readGpus(MachineLink link) {
        GpuProbe.Outcome outcome = GpuProbe.read(link, options.nvidiaSmi(), options.connectTimeout());
        RemoteMachine m = link.machine();
        int n = gpusPerTrial();
        String warning = null;
        String usable = null;
        synchronized (slots) {
            Slots s = slots.get(link);
            if (s == null || closed) {
                return;
            }
            boolean first = !s.everRead;
            s.everRead = true;
            if (s.gpus instanceof GpuState.Usable u) {
                if (outcome instanceof GpuProbe.Outcome.Found found) {
                    u.scheduler().update(found.gpus());
                } else if (outcome instanceof GpuProbe.Outcome.Failed failed) {
                    log.debug("Machine {}: GPUs not read again, the last readings stay: {}", link.describe(),
                            failed.reason());
                }
                return;
            }
            GpuState next;
            if (outcome instanceof GpuProbe.Outcome.Found found) {
                GpuScheduler scheduler = new GpuScheduler(found.gpus(), m.gpuIndices(), m.maxTrialsPerGpu(),
                        m.useActiveGpu());
                if (scheduler.usableCount() < n) {
                    next = new GpuState.Unusable("trials need " + n + " GPU(s) each but only "
                            + scheduler.usableCount() + " of its " + found.gpus().size() + " may be used"
                            + m.gpuIndices().map(i -> " (gpuIndices " + i + ")").orElse(""));
                } else {
                    next = new GpuState.Usable(scheduler);
                    usable = found.gpus().size() + " GPU(s) " + found.gpus().stream()
                            .map(g -> g.index() + ": " + g.name() + ", " + g.activeProcesses() + " process(es)")
                            .collect(Collectors.joining("; ", "[", "]"));
                }
            } else {
                next = new GpuState.Unusable(((GpuProbe.Outcome.Failed) outcome).reason());
            }
            if (next instanceof GpuState.Unusable bad && (first || !s.gpus.equals(bad))) {
                warning = bad.reason();
            }
            s.gpus = next;
        }
        if (warning != null) {
            log.warn("Machine {} gets no GPU trials: {}", link.describe(), warning);
        } else if (usable != null) {
            log.info("Machine {} runs GPU trials on {}", link.describe(), usable);
        }
    }

    private void scheduleGpuRefresh() {
        try {
            timer.schedule(() -> {
                try {
                    io.execute(this::refreshGpus);
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }, GPU_REFRESH.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Reads every reachable machine's GPUs once more, then schedules the next round. */
    private void refreshGpus() {
        try {
            readGpusNow();
        } finally {
            if (!closed) {
                scheduleGpuRefresh();
            }
        }
    }

    /** Reads every reachable machine's GPUs now, on the calling thread (the refresh, and tests). */
    void readGpusNow() {
        for (MachineLink l : links) {
            if (closed) {
                return;
            }
            if (l.isUp()) {
                readGpus(l);
            }
        }
    }

    private ThreadFactory named(String prefix, boolean mdc) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Runnable body = () -> {
                MDC.put("platform", name());
                MDC.put("experiment", options.experimentId());
                r.run();
            };
            Thread t = new Thread(body, prefix + count.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void submit(TrialSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (closed) {
            throw new IllegalStateException("remote platform is closed");
        }
        if (sink == null) {
            throw new IllegalStateException("remote platform not started");
        }
        TrialId id = spec.id();
        if (!SAFE_ID.matcher(id.value()).matches()) {
            throw new PlatformException(name(), id, "a remote trial id may hold only letters, digits and ._-", false,
                    null);
        }
        if (trials.containsKey(id)) {
            throw new IllegalArgumentException("trial " + id + " is already running");
        }
        String json = ParameterFile.of(spec.parameterId(), spec.parameters()).render();
        if (json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
            throw new PlatformException(name(), id, "parameters must render as one line of JSON", false, null);
        }
        RemoteTrial t;
        synchronized (slots) {
            MachineLink chosen = null;
            int best = 0;
            int start = roundRobin.getAndIncrement();
            for (int k = 0; k < links.size(); k++) {
                MachineLink l = links.get(Math.floorMod(start + k, links.size()));
                int free = l.isUp() ? quarantine.allowed(l, slots.get(l).free(gpusPerTrial())) : 0;
                if (free > 0 && quarantine.isProbeDue(l)) {
                    // A quarantined machine whose backoff is over gets the next trial as its probe.
                    chosen = l;
                    break;
                }
                if (free > best) {
                    best = free;
                    chosen = l;
                }
            }
            if (chosen == null) {
                boolean anyUp = links.stream().anyMatch(MachineLink::isUp);
                String msg = anyUp ? "no free slot on any reachable machine"
                        + (gpusPerTrial() > 0 ? " (" + gpusPerTrial() + " free GPU(s) needed)" : "")
                        : "no machine is up: " + links.stream().map(l -> l.describe() + ": " + l.lastError())
                                .collect(Collectors.joining("; "));
                throw new PlatformException(name(), id, msg, true, null);
            }
            List<Integer> gpus = slots.get(chosen).take(gpusPerTrial());
            t = new RemoteTrial(spec, chosen, gpuArgument(gpus), gpus, json);
            String host = chosen.machine().host();
            machineOfTrial.put(spec.id(), (host.contains(":") ? "[" + host + "]" : host) + ":"
                    + chosen.machine().port());
            trials.put(id, t);
            quarantine.submitted(chosen, id);
        }
        log.info("Trial {} submitted to {}", id, t.link.describe());
        t.link.send(t.runLine());
    }

    @Override
    public void cancel(TrialId trial) {
        RemoteTrial t = trials.get(trial);
        if (t == null) {
            return;
        }
        synchronized (t) {
            if (t.cancelled || t.ended) {
                return;
            }
            t.cancelled = true;
        }
        if (!t.link.isUp()) {
            // Its machine cannot be reached now: the trial ends here at once, so that a stop does not wait for the
            // machine, and its processes are killed when the machine is reached again (a reconnect, or the next
            // run's monitor, which ends an earlier run's trial processes).
            log.info("Cancelling trial {}: {} is not reachable now; its processes are killed when it is", trial,
                    t.link.describe());
            abandonAndEnd(t);
            return;
        }
        log.info("Cancelling trial {} on {}", trial, t.link.describe());
        pendingKills.put(trial, t);
        t.link.send("signal " + trial.value() + " TERM");
        try {
            // Sent even when the trial has ended by then: a child that ignored SIGTERM may still be in its group.
            t.killTimer = timer.schedule(() -> {
                if (!t.ended) {
                    log.warn("Trial {} did not end within {}; killing it", trial, options.cancelGracePeriod());
                }
                t.link.send("signal " + trial.value() + " KILL");
                pendingKills.remove(trial);
            }, options.cancelGracePeriod().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            t.link.send("signal " + trial.value() + " KILL");
        }
    }

    /** Ends a cancelled trial whose machine cannot be reached; its processes are killed when the machine is. */
    private void abandonAndEnd(RemoteTrial t) {
        ScheduledFuture<?> kill = t.killTimer;
        if (kill != null) {
            kill.cancel(false);
        }
        pendingKills.remove(t.spec.id());
        abandoned.computeIfAbsent(t.link, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add("signal " + t.spec.id().value() + " KILL");
        finish(t, Optional.empty(), clock.instant(), "");
    }

    @Override
    public int freeSlots() {
        if (closed || sink == null) {
            return 0;
        }
        synchronized (slots) {
            int sum = 0;
            for (MachineLink l : links) {
                if (l.isUp()) {
                    sum += quarantine.allowed(l, slots.get(l).free(gpusPerTrial()));
                }
            }
            return sum;
        }
    }

    /**
     * True once the trial's earlier attempt is known to be gone: a machine that is up has its launch mark (that
     * machine's monitor ended the earlier run's processes when it started), or every machine that is not up is lost
     * (its processes are ended when it is next reached). False while a machine that may hold it has not been reached.
     */
    @Override
    public boolean mayRunAgain(TrialId trial, String platform) {
        if (!SAFE_ID.matcher(trial.value()).matches()) {
            return true;
        }
        boolean unknown = false;
        for (MachineLink l : links) {
            if (l.isUp()) {
                Set<MachineLink> absent = launchedNowhere.computeIfAbsent(trial, k -> ConcurrentHashMap.newKeySet());
                if (absent.contains(l)) {
                    continue;
                }
                Optional<SshConnection.Result> r = l.run("test -e " + SshConnection.quote(l.root() + "/trials/."
                        + trial.value() + ".launch"), options.connectTimeout());
                if (r.isPresent() && r.get().exitCode() == 0) {
                    launchedNowhere.remove(trial);
                    return true;
                } else if (r.isPresent()) {
                    absent.add(l);
                } else {
                    unknown = true;
                }
            } else if (!l.isLost()) {
                unknown = true;
            }
        }
        if (!unknown) {
            launchedNowhere.remove(trial);
        }
        return !unknown;
    }

    /** Unavailable once every machine is lost (unreachable for {@code machineLostAfter}) or refused for good. */
    @Override
    public Optional<String> unavailableReason() {
        if (sink == null || links.isEmpty() || !links.stream().allMatch(MachineLink::isLost)) {
            return Optional.empty();
        }
        return Optional.of("every machine is lost: " + links.stream().map(l -> l.describe() + ": " + l.lastError())
                .collect(Collectors.joining("; ")));
    }

    /**
     * The state of each machine, as {@code user@host:port} → up, or the reason it is not (for status displays). When
     * trials need GPUs, a machine that is up but cannot run them says {@code up; no GPU trials: <reason>}.
     */
    public Map<String, String> machineStates() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (MachineLink l : links) {
            String state = l.isUp() ? "up" : l.state().name().toLowerCase(java.util.Locale.ROOT) + ": "
                    + l.lastError();
            if (l.isUp() && gpusPerTrial() > 0) {
                synchronized (slots) {
                    if (slots.get(l).gpus instanceof GpuState.Unusable u) {
                        state += "; no GPU trials: " + u.reason();
                    }
                }
            }
            m.put(l.describe(), state);
        }
        return m;
    }

    /** Drops the connection to machine {@code index} as a network failure would (for tests of reconnection). */
    void breakConnection(int index) {
        links.get(index).breakConnection();
    }

    /** The link to machine {@code index} (for tests). */
    MachineLink link(int index) {
        return links.get(index);
    }

    @Override
    public void close() {
        synchronized (deliverLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closing.complete(null);
        // One machine after another: each waits only for its monitor to confirm (milliseconds when it is up).
        for (MachineLink l : links) {
            List<String> kills = new ArrayList<>();
            for (RemoteTrial t : trials.values()) {
                if (t.link == l && !t.ended) {
                    kills.add("signal " + t.spec.id().value() + " KILL");
                }
            }
            for (RemoteTrial t : pendingKills.values()) {
                if (t.link == l && t.ended) {
                    kills.add("signal " + t.spec.id().value() + " KILL");
                }
            }
            kills.addAll(abandoned.getOrDefault(l, List.of()));
            l.close(kills, Duration.ofSeconds(3));
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (io != null) {
            io.shutdownNow();
        }
        trials.clear();
    }

    // ---- events from machines ---------------------------------------------------------------------------------

    private final class Listener implements MachineLink.Listener {
        @Override
        public void onMessage(MachineLink link, MonitorReader.Message m) {
            RemoteTrial t = trials.get(TrialId.of(m.trial()));
            if (t == null || t.link != link) {
                return;
            }
            MDC.put("trial", m.trial());
            try {
                switch (m.kind()) {
                    case "started" -> onStarted(t);
                    case "m" -> onMetricBytes(t, m.data());
                    case "o" -> onStdoutBytes(t, m.data(), false);
                    case "e" -> t.stderrTail.write(m.data(), 0, m.data().length);
                    case "mreset" -> {
                        t.metricsOffset = 0;
                        t.frames = new MetricFrames.Decoder();
                    }
                    case "oreset" -> {
                        t.stdoutOffset = 0;
                        t.stdoutLines = new LineBuffer();
                    }
                    case "end" -> onEnd(t, m.args());
                    case "gone" -> finish(t, Optional.empty(), clock.instant(), t.cancelled ? ""
                            : "the trial's processes on " + link.describe()
                                    + " ended without an exit code (killed, or the machine restarted)");
                    default -> log.debug("Unknown monitor message {}", m.kind());
                }
            } finally {
                MDC.remove("trial");
            }
        }

        @Override
        public List<String> reattach(MachineLink link) {
            List<String> lines = new ArrayList<>(abandoned.getOrDefault(link, List.of()));
            abandoned.remove(link);
            for (RemoteTrial t : trials.values()) {
                if (t.link != link || t.ended) {
                    continue;
                }
                t.stderrTail.reset(); // the new monitor sends the end of stderr again if the trial failed
                lines.add(t.runLine());
                if (t.cancelled) {
                    lines.add("signal " + t.spec.id().value() + " KILL");
                }
            }
            return lines;
        }

        @Override
        public void onUp(MachineLink link) {
            // Before the link reports its first attempt done, so that start() knows which machines have GPUs.
            if (gpusPerTrial() > 0) {
                readGpus(link);
            }
        }

        @Override
        public void onDown(MachineLink link, String cause, boolean lost) {
            if (!lost) {
                // A trial cancelled just before the connection dropped ends now, as one cancelled while its machine
                // is unreachable does; its processes are killed when the machine is reached again.
                for (RemoteTrial t : List.copyOf(trials.values())) {
                    if (t.link == link && t.cancelled && !t.ended) {
                        abandonAndEnd(t);
                    }
                }
                return;
            }
            log.error("Machine {} is lost ({}); its trials end SYS_CANCELED", link.describe(), cause);
            for (RemoteTrial t : List.copyOf(trials.values())) {
                if (t.link == link && !t.ended) {
                    t.lost = true;
                    abandoned.computeIfAbsent(link, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add("signal " + t.spec.id().value() + " KILL");
                    finish(t, Optional.empty(), clock.instant(), "machine " + link.machine().address() + " is "
                            + cause);
                }
            }
        }
    }

    private void onStarted(RemoteTrial t) {
        if (t.started) {
            return;
        }
        t.started = true;
        log.info("Trial {} started on {}", t.spec.id(), t.link.describe());
        deliver(new TrialEvent.Started(t.spec.id(), clock.instant()));
    }

    private void onMetricBytes(RemoteTrial t, byte[] data) {
        t.metricsOffset += data.length;
        for (MetricFrames.Frame f : t.frames.feed(data)) {
            onFrame(t, f);
        }
    }

    private void onFrame(RemoteTrial t, MetricFrames.Frame f) {
        if (f instanceof MetricFrames.Frame.Data d) {
            onRecord(t, d.json(), ".nni/metrics");
        } else if (f instanceof MetricFrames.Frame.Malformed bad) {
            log.warn("Trial {}: skipped a malformed frame in .nni/metrics at byte {}: {}", t.spec.id(), bad.offset(),
                    bad.reason());
        }
    }

    private void onStdoutBytes(RemoteTrial t, byte[] data, boolean eof) {
        t.stdoutOffset += data.length;
        for (String line : t.stdoutLines.feed(data, eof)) {
            StdoutMetrics.parse(line).ifPresent(json -> onRecord(t, json, "stdout"));
        }
    }

    private void onRecord(RemoteTrial t, String json, String where) {
        MetricRecord r;
        try {
            r = MetricRecord.parse(json);
        } catch (IllegalArgumentException e) {
            log.warn("Trial {}: skipped a malformed metric in {}: {}", t.spec.id(), where, e.getMessage());
            return;
        }
        if (r.isMetric()) {
            log.debug("Trial {}: {} metric {}", t.spec.id(), r.type(), r.value());
            deliver(new TrialEvent.MetricReported(t.spec.id(), r.toMetric(clock.instant())));
        }
    }

    private void onEnd(RemoteTrial t, List<String> args) {
        Optional<Integer> code = Optional.empty();
        Instant at = clock.instant();
        try {
            code = Optional.of(Integer.parseInt(args.get(0)));
            if (args.size() > 1) {
                at = Instant.ofEpochMilli(Long.parseLong(args.get(1)));
            }
        } catch (RuntimeException e) {
            log.warn("Trial {}: unreadable .nni/state {}", t.spec.id(), args);
        }
        String message = "";
        if (code.isPresent() && code.get() != 0) {
            message = ExitMessage.of(code.get(), t.stderrTail.toString(StandardCharsets.UTF_8));
        } else if (code.isEmpty()) {
            message = "the trial's .nni/state is unreadable: " + String.join(" ", args);
        }
        finish(t, code, at, message);
    }

    private void finish(RemoteTrial t, Optional<Integer> exitCode, Instant at, String message) {
        synchronized (t) {
            if (t.ended) {
                return;
            }
            t.ended = true;
        }
        for (MetricFrames.Frame f : t.frames.finish()) {
            onFrame(t, f);
        }
        for (String line : t.stdoutLines.feed(new byte[0], true)) {
            StdoutMetrics.parse(line).ifPresent(json -> onRecord(t, json, "stdout"));
        }
        TrialStatus status;
        if (t.cancelled) {
            status = TrialStatus.USER_CANCELED;
            message = "";
        } else if (exitCode.isPresent() && exitCode.get() == 0) {
            status = TrialStatus.SUCCEEDED;
        } else if (t.lost) {
            // Lost with its machine, not failed by its own doing: NNI's system-cancelled status, which a hybrid
            // platform answers by running the trial again elsewhere.
            status = TrialStatus.SYS_CANCELED;
        } else {
            status = TrialStatus.FAILED;
        }
        synchronized (slots) {
            trials.remove(t.spec.id());
            slots.get(t.link).release(t.gpuIndices);
        }
        if (!t.started) {
            onStarted(t);
        }
        log.info("Trial {} ended {} on {}{}", t.spec.id(), status, t.link.describe(),
                exitCode.map(c -> " (exit code " + c + ")").orElse(""));
        // Before the experiment hears of the end, so that it sees the machine's slots as they now are.
        quarantine.ended(t.link, t.spec.id(), status, message);
        deliver(new TrialEvent.Ended(t.spec.id(), status, exitCode, message, at));
    }

    private void deliver(TrialEvent e) {
        synchronized (deliverLock) {
            TrialEventSink s = sink;
            if (!closed && s != null) {
                s.accept(e);
            }
        }
    }

    // ---- bookkeeping ------------------------------------------------------------------------------------------

    /** One trial this platform runs. Its stream state is touched only on its machine's reader thread. */
    private final class RemoteTrial {
        final TrialSpec spec;
        final MachineLink link;
        final String gpus;
        final List<Integer> gpuIndices;
        final String json;
        MetricFrames.Decoder frames = new MetricFrames.Decoder();
        LineBuffer stdoutLines = new LineBuffer();
        final ByteArrayOutputStream stderrTail = new ByteArrayOutputStream();
        volatile long metricsOffset;
        volatile long stdoutOffset;
        volatile boolean started;
        volatile boolean cancelled;
        volatile boolean ended;
        /** Its machine was unreachable for too long: it ends SYS_CANCELED. */
        volatile boolean lost;
        volatile ScheduledFuture<?> killTimer;

        RemoteTrial(TrialSpec spec, MachineLink link, String gpus, List<Integer> gpuIndices, String json) {
            this.spec = spec;
            this.link = link;
            this.gpus = gpus;
            this.gpuIndices = gpuIndices;
            this.json = json;
        }

        /** The monitor command that starts this trial, or re-attaches it from the bytes already received. */
        String runLine() {
            return "run " + spec.id().value() + " " + spec.sequence() + " " + gpus + " " + metricsOffset + " "
                    + stdoutOffset + " " + launchToken + " " + json;
        }
    }

    /**
     * The monitor's GPU argument: {@code -} (no GPU setting: {@code CUDA_VISIBLE_DEVICES} untouched), {@code none}
     * (0 GPUs: {@code -1}) or the trial's GPU indices.
     */
    private String gpuArgument(List<Integer> gpus) {
        if (options.gpuNumber().isEmpty()) {
            return "-";
        }
        if (gpus.isEmpty()) {
            return "none";
        }
        return gpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** What a machine's GPUs allow: GPU trials, with its scheduler, or none, and why. */
    private sealed interface GpuState {
        /** Enough usable GPUs for one trial; the scheduler is guarded by the platform's {@code slots} map. */
        record Usable(GpuScheduler scheduler) implements GpuState {
        }

        /** No GPU trials here. */
        record Unusable(String reason) implements GpuState {
        }
    }

    /** A machine's slots and GPUs. Guarded by the platform's {@code slots} map. */
    private static final class Slots {
        final int total;
        int busy;
        /** Unusable until the machine's GPUs have been read; once usable, it stays so (readings only update it). */
        GpuState gpus = new GpuState.Unusable("its GPUs have not been read yet");
        /** Whether the machine's GPUs have been read (or tried) at least once. */
        boolean everRead;

        Slots(int total) {
            this.total = total;
        }

        /** How many more trials needing {@code perTrial} GPUs (0: none) could start here now. */
        int free(int perTrial) {
            int free = Math.max(0, total - busy);
            if (free == 0 || perTrial <= 0) {
                return free;
            }
            return gpus instanceof GpuState.Usable u ? Math.min(free, u.scheduler().freeSlots(perTrial)) : 0;
        }

        /** Takes a slot and {@code perTrial} GPUs; call only after {@link #free} said there is room. */
        List<Integer> take(int perTrial) {
            List<Integer> chosen = List.of();
            if (perTrial > 0) {
                if (!(gpus instanceof GpuState.Usable u)) {
                    throw new IllegalStateException("no GPUs to take");
                }
                chosen = u.scheduler().allocate(perTrial)
                        .orElseThrow(() -> new IllegalStateException(perTrial + " GPU(s) are not free"));
            }
            busy++;
            return chosen;
        }

        void release(List<Integer> gpuIndices) {
            busy = Math.max(0, busy - 1);
            if (!gpuIndices.isEmpty() && gpus instanceof GpuState.Usable u) {
                u.scheduler().release(gpuIndices);
            }
        }
    }
}
