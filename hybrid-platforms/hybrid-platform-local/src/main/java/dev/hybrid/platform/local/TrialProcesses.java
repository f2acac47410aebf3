package dev.hybrid.platform.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the trial processes that an earlier run of the same experiment left behind (its JVM was killed, or exited
 * without closing the platform) and ends them, so that a rerun trial never has two live processes.
 *
 * <p>A process id alone can be reused, so a process counts as an earlier run's trial process only when all of these
 * hold: its environment carries {@link #TRIAL_VARIABLE} naming a trial directory of this experiment and
 * {@link #OWNER_VARIABLE} naming a JVM that is no longer alive (a pid with its start time), and its process group is
 * the one recorded in that trial directory's {@code .hybrid/process} when the trial started. A process the trial
 * started in a session of its own ({@code setsid}) has another process group and is left alone. Linux only (it reads
 * {@code /proc}); elsewhere nothing is found.
 */
final class TrialProcesses {
    /** The trial's directory, absolute: marks every process a trial starts (children inherit it). */
    static final String TRIAL_VARIABLE = "HYBRID_TRIAL_DIR";
    /** The JVM that started the trial: {@code <pid>:<start time in epoch ms>}. */
    static final String OWNER_VARIABLE = "HYBRID_TRIAL_OWNER";
    /** The record, in the trial directory, of the process group the trial's command runs in. */
    static final String RECORD = ".hybrid/process";

    private static final Logger log = LoggerFactory.getLogger(TrialProcesses.class);
    private static final Path PROC = Path.of("/proc");

    private TrialProcesses() {
    }

    /** This JVM, as {@link #OWNER_VARIABLE} names it. */
    static String currentOwner() {
        ProcessHandle me = ProcessHandle.current();
        return me.pid() + ":" + me.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** Whether the JVM {@code owner} names is alive (the same process: its start time matches). */
    static boolean isAlive(String owner) {
        int colon = owner.indexOf(':');
        if (colon < 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(owner.substring(0, colon));
            long started = Long.parseLong(owner.substring(colon + 1));
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli)
                    .filter(ms -> ms == started).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Records the process group a trial's command runs in: its leader's pid, which is the group's id. (Reading the
     * leader's start time too would cost more than the trial itself for short trials; the environment marks already
     * tell a reused id apart.)
     */
    static void record(Path sysDir, Process process) throws IOException {
        Path file = sysDir.resolve(RECORD);
        Files.createDirectories(file.getParent());
        Files.writeString(file, process.pid() + "\n", StandardCharsets.UTF_8);
    }

    /**
     * Ends (SIGKILL) every process an earlier, dead owner left running for a trial under {@code trialsDir}, and waits
     * up to {@code wait} for them to be gone. Returns how many were ended.
     */
    static int endOrphans(Path trialsDir, Duration wait) {
        if (!Files.isDirectory(PROC) || !hasTrials(trialsDir)) {
            return 0; // a new experiment: nothing to look for
        }
        Path trials = trialsDir.toAbsolutePath().normalize();
        String me = currentOwner();
        List<ProcessHandle> ended = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                Optional<ProcessHandle> orphan = orphan(entry, trials, me);
                if (orphan.isPresent() && orphan.get().destroyForcibly()) {
                    ended.add(orphan.get());
                }
            }
        } catch (IOException e) {
            log.warn("Cannot look for trial processes of an earlier run in /proc: {}", e.toString());
            return 0;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (ProcessHandle h : ended) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                log.warn("Process {} of an earlier run did not end within {} of SIGKILL", h.pid(), wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return ended.size();
    }

    private static boolean hasTrials(Path trialsDir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(trialsDir)) {
            return entries.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /** The process of {@code /proc/<pid>} when it is a trial process left by a dead owner, in its trial's group. */
    private static Optional<ProcessHandle> orphan(Path entry, Path trials, String me) {
        long pid;
        try {
            pid = Long.parseLong(entry.getFileName().toString());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String trialDir = null;
        String owner = null;
        try {
            byte[] env = Files.readAllBytes(entry.resolve("environ"));
            int from = 0;
            for (int i = 0; i <= env.length; i++) {
                if (i == env.length || env[i] == 0) {
                    String kv = new String(env, from, i - from, StandardCharsets.UTF_8);
                    if (kv.startsWith(TRIAL_VARIABLE + "=")) {
                        trialDir = kv.substring(TRIAL_VARIABLE.length() + 1);
                    } else if (kv.startsWith(OWNER_VARIABLE + "=")) {
                        owner = kv.substring(OWNER_VARIABLE.length() + 1);
                    }
                    from = i + 1;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, or another user's process
        }
        if (trialDir == null || owner == null || owner.equals(me)) {
            return Optional.empty();
        }
        Path dir = Path.of(trialDir);
        if (!dir.startsWith(trials) || isAlive(owner)) {
            return Optional.empty();
        }
        Optional<Long> group = recordedGroup(dir);
        if (group.isEmpty() || processGroup(entry).filter(g -> g.equals(group.get())).isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid);
    }

    private static Optional<Long> recordedGroup(Path trialDir) {
        try {
            String[] words = Files.readString(trialDir.resolve(RECORD), StandardCharsets.UTF_8).strip().split("\\s+");
            return Optional.of(Long.parseLong(words[0]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The process group in {@code /proc/<pid>/stat} (the fifth field; the command name before it may hold spaces). */
    private static Optional<Long> processGroup(Path entry) {
        try {
            String stat = Files.readString(entry.resolve("stat"), StandardCharsets.UTF_8);
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(rest[2]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
