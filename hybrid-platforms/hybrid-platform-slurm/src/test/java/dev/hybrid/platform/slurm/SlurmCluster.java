package dev.hybrid.platform.slurm;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private single-node Slurm cluster (munged, slurmctld, slurmd) whose every file lives under one short temporary
 * folder, with free loopback ports and two fake GPUs ({@code gres.conf} over character devices with no driver behind
 * them). One cluster serves every test class of the run: the extension starts it once and JUnit closes it when the run
 * ends, whatever happened; a JVM shutdown hook stops it too if the run is interrupted. Stopping cancels every job,
 * then ends the daemons this class started (and slurmrestd, when a test asked for it), by their process handles, and
 * deletes the folder.
 *
 * <p>Needs root and Debian's {@code slurmctld slurmd slurm-client munge} (installed by {@code .ci/run}). Where they are
 * missing the tests are skipped, unless {@code HYBRID_SLURM_REQUIRED=1} (set by {@code .ci/run}) makes that a failure.
 */
final class SlurmCluster implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    static final int GPUS = 2;
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SlurmCluster.class);

    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();
    private final Thread hook = new Thread(this::stop, "slurm-cluster-stop");
    private boolean stopped;

    private SlurmCluster(Path dir) {
        this.dir = dir;
    }

    /** Registers the shared cluster with the test run; test classes use it through {@code @ExtendWith}. */
    static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            org.junit.jupiter.api.Assumptions.assumeTrue(installed() || required(),
                    "Slurm is not installed (apt-get install slurmctld slurmd slurm-client munge)");
            context.getRoot().getStore(NS).getOrComputeIfAbsent("cluster", k -> start(), SlurmCluster.class);
        }
    }

    private static volatile SlurmCluster current;

    /** The cluster of this run, once the extension has started it. */
    static SlurmCluster current() {
        SlurmCluster c = current;
        if (c == null) {
            throw new IllegalStateException("no Slurm cluster: add @ExtendWith(SlurmCluster.Extension.class)");
        }
        return c;
    }

    private static boolean required() {
        return "1".equals(System.getenv("HYBRID_SLURM_REQUIRED"));
    }

    private static boolean installed() {
        return Stream.of("/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch")
                .allMatch(p -> Files.isExecutable(Path.of(p)));
    }

    /** The environment Slurm's commands need to reach this cluster. */
    Map<String, String> environment() {
        return Map.of("SLURM_CONF", conf().toString());
    }

    Path conf() {
        return dir.resolve("etc/slurm.conf");
    }

    Path dir() {
        return dir;
    }

    /** Runs a Slurm command against this cluster and returns its stdout; fails on a non-zero exit. */
    String run(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        pb.environment().putAll(environment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /**
     * Brings the node back after a test set it down, and returns once it runs a job again (a down node with
     * {@code ReturnToService=2} may be back by itself, and then refuses the resume).
     */
    void resumeNode() throws IOException, InterruptedException {
        try {
            run("scontrol", "update", "nodename=localhost", "state=resume");
        } catch (IOException e) {
            // "Invalid node state specified": it is back already.
        }
        run("sbatch", "--wait", "--output=/dev/null", "--wrap", "true");
    }

    private static SlurmCluster start() {
        if (!installed()) {
            throw new IllegalStateException("HYBRID_SLURM_REQUIRED=1 but Slurm is not installed");
        }
        SlurmCluster c;
        try {
            // Unix socket paths are limited to 108 bytes: munged's socket and each job step's socket under spool/
            // must fit, so the folder stays short (and java.io.tmpdir may be long).
            c = new SlurmCluster(Files.createTempDirectory(Path.of("/tmp"), "hs-"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Runtime.getRuntime().addShutdownHook(c.hook);
        try {
            c.boot();
        } catch (Exception e) {
            String logs = c.logTails();
            c.stop();
            throw new IllegalStateException("cannot start Slurm: " + e.getMessage() + "\n" + logs, e);
        }
        current = c;
        return c;
    }

    private void boot() throws IOException, InterruptedException {
        for (String d : List.of("etc", "state", "spool", "log", "run", "dev", "munge/etc", "munge/run", "munge/log",
                "munge/lib")) {
            Files.createDirectories(dir.resolve(d));
        }
        // munged refuses a socket folder that others cannot enter, and key, log and seed folders others can write.
        for (String d : List.of("", "munge", "munge/run")) {
            Files.setPosixFilePermissions(dir.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (String d : List.of("munge/etc", "munge/log", "munge/lib")) {
            Files.setPosixFilePermissions(dir.resolve(d), PosixFilePermissions.fromString("rwx------"));
        }
        exec("mungekey", "-c", "-k", dir.resolve("munge/etc/munge.key").toString());
        Path socket = dir.resolve("munge/run/munge.socket");
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            dir.resolve("munge/run").register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            daemon("munged", "munged", "-F", "--force", "--key-file=" + dir.resolve("munge/etc/munge.key"),
                    "--socket=" + socket, "--pid-file=" + dir.resolve("munge/run/munged.pid"),
                    "--log-file=" + dir.resolve("munge/log/munged.log"),
                    "--seed-file=" + dir.resolve("munge/lib/munged.seed"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(socket)) {
                WatchKey key = watch.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (key == null) {
                    throw new IOException("munged made no socket within 20 s");
                }
                key.pollEvents();
                key.reset();
            }
        }
        int ctld = freePort();
        int slurmd = freePort();
        long memory = realMemory();
        int cpus = Runtime.getRuntime().availableProcessors();
        StringBuilder gres = new StringBuilder();
        for (int i = 0; i < GPUS; i++) {
            Path dev = dir.resolve("dev/gpu" + i);
            // slurmd wants a character device; NVIDIA's major number, with nothing behind it.
            exec("mknod", dev.toString(), "c", "195", Integer.toString(i));
            gres.append("NodeName=localhost Name=gpu File=").append(dev).append('\n');
        }
        Files.writeString(dir.resolve("etc/gres.conf"), gres.toString());
        Files.writeString(conf(), String.join("\n",
                "ClusterName=hybridtest",
                "SlurmctldHost=localhost",
                "SlurmctldPort=" + ctld,
                "SlurmdPort=" + slurmd,
                "SlurmUser=root",
                "SlurmdUser=root",
                "AuthType=auth/munge",
                "AuthInfo=socket=" + socket,
                "CredType=cred/munge",
                "StateSaveLocation=" + dir.resolve("state"),
                "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("run/slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("run/slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("log/slurmd.log"),
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "JobAcctGatherType=jobacct_gather/none",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core",
                "MpiDefault=none",
                "SwitchType=switch/none",
                "AccountingStorageType=accounting_storage/none",
                "JobCompType=jobcomp/filetxt",
                "JobCompLoc=" + dir.resolve("log/jobcomp.txt"),
                "SchedulerType=sched/backfill",
                // Batch jobs start on the next scheduling pass instead of in batches up to 3 s after submission.
                "SchedulerParameters=batch_sched_delay=0",
                "ReturnToService=2",
                "MinJobAge=300",
                "KillWait=2",
                "InactiveLimit=0",
                "MailProg=/bin/true",
                "GresTypes=gpu",
                "NodeName=localhost NodeAddr=127.0.0.1 CPUs=" + cpus + " RealMemory=" + memory + " Gres=gpu:" + GPUS
                        + " State=UNKNOWN",
                "PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP",
                ""));
        if (restInstalled()) {
            // slurmrestd's tokens: JWTs signed with this key, accepted beside munge.
            Path key = dir.resolve("etc/jwt_hs256.key");
            byte[] bytes = new byte[32];
            new java.security.SecureRandom().nextBytes(bytes);
            Files.write(key, bytes);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(conf(), "AuthAltTypes=auth/jwt\nAuthAltParameters=jwt_key=" + key + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
        }
        daemon("slurmctld", "slurmctld", "-D", "-c", "-i", "-f", conf().toString());
        daemon("slurmd", "slurmd", "-D", "-N", "localhost", "-f", conf().toString());
        // sbatch --wait returns once a job has run: the controller answers and the node takes jobs.
        ProcessBuilder pb = new ProcessBuilder("sbatch", "--wait", "--output=/dev/null", "--wrap", "true")
                .redirectErrorStream(true);
        pb.environment().putAll(environment());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("no job ran within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("the first job failed: " + new String(p.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8));
        }
    }

    private Process daemon(String name, String... args) throws IOException {
        return daemon(name, Map.of(), args);
    }

    private Process daemon(String name, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log/" + name + ".out").toFile());
        // Slurm reads SLURM_* variables of its own (SLURM_JWT switches the authentication): none leaks in.
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        daemons.add(p);
        return p;
    }

    /** Whether slurmrestd and Slurm's JWT plugin are installed (Debian's {@code slurmrestd slurm-wlm-jwt-plugin}). */
    static boolean restInstalled() {
        if (!Files.isExecutable(Path.of("/usr/sbin/slurmrestd"))) {
            return false;
        }
        try (Stream<Path> libs = Files.list(Path.of("/usr/lib"))) {
            return libs.anyMatch(d -> Files.exists(d.resolve("slurm-wlm/auth_jwt.so")));
        } catch (IOException e) {
            return false;
        }
    }

    /** slurmrestd next to the cluster: its URL and a token for root. */
    record Rest(java.net.URI url, String user, String token) {
        @Override
        public String toString() {
            return "Rest[" + url + "]";
        }
    }

    private Rest rest;

    /**
     * slurmrestd (JWT authentication, OpenAPI v0.0.36 and v0.0.38) on a free loopback port, started on first use and
     * stopped with the cluster; skips the test where it is not installed (fails with {@code HYBRID_SLURM_REQUIRED=1}).
     */
    synchronized Rest rest() throws IOException, InterruptedException {
        if (rest != null) {
            return rest;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(restInstalled() || required(),
                "slurmrestd is not installed (apt-get install slurmrestd slurm-wlm-jwt-plugin)");
        if (!restInstalled()) {
            throw new IllegalStateException("HYBRID_SLURM_REQUIRED=1 but slurmrestd or the JWT plugin is missing");
        }
        int port = freePort();
        // As root slurmrestd wants the user check off; SLURM_JWT=daemon makes it pass users' tokens to slurmctld.
        Process p = daemon("slurmrestd", Map.of("SLURM_JWT", "daemon", "SLURMRESTD_SECURITY", "disable_user_check"),
                "slurmrestd", "-f", conf().toString(), "-a", "rest_auth/jwt", "-s", "openapi/v0.0.36,openapi/v0.0.38",
                "127.0.0.1:" + port);
        String token = run("scontrol", "token", "lifespan=3600").strip().replaceFirst("^SLURM_JWT=", "");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
                break;
            } catch (IOException e) {
                // Not listening yet: wait for it a moment, or for its exit, which ends the wait at once.
                if (p.waitFor(100, TimeUnit.MILLISECONDS) || System.nanoTime() > deadline) {
                    throw new IOException("slurmrestd did not listen on port " + port + ":\n"
                            + Files.readString(dir.resolve("log/slurmrestd.out")));
                }
            }
        }
        rest = new Rest(java.net.URI.create("http://127.0.0.1:" + port), "root", token);
        return rest;
    }

    private void exec(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", args) + " failed: " + out);
        }
    }

    private static long realMemory() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("slurmd", "-C").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("RealMemory=(\\d+)").matcher(out);
        long total = m.find() ? Long.parseLong(m.group(1)) : 2048;
        return total > 2048 ? total - 1024 : total;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String logTails() {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("log/slurmctld.log", "log/slurmd.log", "log/munged.out", "log/slurmctld.out",
                "log/slurmd.out")) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(f));
                b.append("--- ").append(f).append('\n');
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException e) {
                // not written
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs stop itself
        }
    }

    /** Cancels every job, then ends the daemons this class started (all at once: each takes ~2 s to exit). */
    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        current = null;
        if (daemons.size() >= 3 && daemons.subList(0, 3).stream().allMatch(Process::isAlive)) {
            try {
                // slurmstepd outlives slurmd: cancelled here, the jobs' processes end with it.
                run("scancel", "--full", "--partition=debug");
            } catch (IOException | InterruptedException e) {
                System.err.println("scancel at cluster stop: " + e.getMessage());
            }
        }
        for (Process p : daemons) {
            p.destroy();
        }
        for (Process p : daemons) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
