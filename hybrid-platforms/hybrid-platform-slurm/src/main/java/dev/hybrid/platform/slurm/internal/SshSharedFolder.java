package dev.hybrid.platform.slurm.internal;

import dev.hybrid.protocol.PythonSdk;
import dev.hybrid.protocol.StateFile;
import dev.hybrid.protocol.TrialFolderReader;
import dev.hybrid.ssh.internal.SshConnection;
import dev.hybrid.ssh.internal.SshSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The shared folder as the login node sees it, through its SSH connection: files are written by commands fed on
 * stdin, the code goes over as a tar stream, and a trial's output is read from byte offsets, so that a reconnect
 * neither loses nor repeats a byte.
 */
public final class SshSharedFolder implements SharedFolder {
    /**
     * Prints {@code <restart1> <n1> <restart2> <n2> <pilot> <state>} on one line, then n1 bytes of .nni/metrics and
     * n2 of stdout from their offsets. The state is read first: once it is there, the sizes taken after it are final.
     */
    private static final String READ = String.join("\n",
            "d=$1; o1=$2; o2=$3; b=$4",
            "st=$(cat \"$d/.nni/state\" 2>/dev/null | tr -d '\\n')",
            "p=0; [ -e \"$d/.nni/pilot\" ] && p=1",
            "s1=$(stat -c %s \"$d/.nni/metrics\" 2>/dev/null || echo 0)",
            "s2=$(stat -c %s \"$d/stdout\" 2>/dev/null || echo 0)",
            "r1=0; if [ \"$s1\" -lt \"$o1\" ]; then r1=1; o1=0; fi",
            "r2=0; if [ \"$s2\" -lt \"$o2\" ]; then r2=1; o2=0; fi",
            "n1=$((s1 - o1)); if [ \"$n1\" -gt \"$b\" ]; then n1=$b; fi",
            "n2=$((s2 - o2)); if [ \"$n2\" -gt \"$b\" ]; then n2=$b; fi",
            "echo \"$r1 $n1 $r2 $n2 $p $st\"",
            "if [ \"$n1\" -gt 0 ]; then tail -c +$((o1 + 1)) \"$d/.nni/metrics\" | head -c \"$n1\"; fi",
            "if [ \"$n2\" -gt 0 ]; then tail -c +$((o2 + 1)) \"$d/stdout\" | head -c \"$n2\"; fi",
            "");
    /** The most bytes asked for when everything is wanted (1 TiB). */
    private static final long ALL = 1L << 40;

    private final SshSession ssh;
    private final Duration timeout;

    public SshSharedFolder(SshSession ssh, Duration timeout) {
        this.ssh = ssh;
        this.timeout = timeout;
    }

    @Override
    public void prepare(Path codeDir, Path experimentFolder) throws IOException {
        String folder = experimentFolder.toString();
        exec("mkdir -p " + q(folder + "/trials") + " " + q(folder + "/nni-code"), new byte[0]);
        // The code goes over as one tar stream; a folder of it that holds the experiment folder stays here.
        List<String> tar = new java.util.ArrayList<>(List.of("tar", "-c", "-C", codeDir.toString()));
        Path from = codeDir.toAbsolutePath().normalize();
        Path to = experimentFolder.toAbsolutePath().normalize();
        if (to.startsWith(from) && !to.equals(from)) {
            tar.add("--exclude=./" + from.relativize(to).getName(0));
        }
        tar.add(".");
        Process p = new ProcessBuilder(tar).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        SshConnection.Result r;
        try (InputStream archive = p.getInputStream()) {
            r = ssh.run(c -> c.exec("tar -x -C " + q(folder + "/nni-code"), out -> archive.transferTo(out), timeout));
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                throw new IOException("cannot archive the code directory " + codeDir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while archiving the code", e);
        }
        if (r.exitCode() != 0) {
            throw new IOException("cannot unpack the code in " + folder + ": " + r.stderr().strip());
        }
        Path python = experimentFolder.resolve(".hybrid").resolve("python");
        for (String f : PythonSdk.FILES) {
            Path target = python.resolve(f);
            write(target.getParent(), List.of(), Map.of(target.getFileName().toString(), PythonSdk.file(f)));
        }
    }

    @Override
    public void write(Path dir, List<String> delete, Map<String, byte[]> files) throws IOException {
        String d = dir.toString();
        StringBuilder cmd = new StringBuilder("mkdir -p " + q(d + "/.nni"));
        if (!delete.isEmpty()) {
            cmd.append(" && rm -f ").append(delete.stream().map(f -> q(d + "/" + f)).collect(Collectors.joining(" ")));
        }
        exec(cmd.toString(), new byte[0]);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String target = d + "/" + f.getKey();
            // Written aside and renamed: a pilot polling for its next trial never reads half a file. The temporary
            // name carries the shell's pid: two Slurm platforms of one experiment may write one file at once.
            String tmp = q(target + ".tmp") + ".$$";
            exec("cat > " + tmp + " && mv -f " + tmp + " " + q(target), f.getValue());
        }
    }

    @Override
    public Snapshot read(Path sysDir, TrialFolderReader reader, long budget, boolean last,
            TrialFolderReader.Listener to) throws IOException {
        long b = last ? ALL : Math.min(budget, ALL);
        return ssh.run(c -> {
            // The offsets are taken per attempt: a retry after a reconnect asks for what the reader has not had yet.
            String cmd = "sh -c " + q(READ) + " read " + q(sysDir.toString()) + " "
                    + reader.offset(TrialFolderReader.File.METRICS) + " "
                    + reader.offset(TrialFolderReader.File.STDOUT) + " " + b;
            try (SshConnection.Stream s = c.stream(cmd, timeout)) {
                InputStream in = s.stdout();
                String[] head = readLine(in).split(" ", 6);
                if (head.length < 5) {
                    throw new IOException("unexpected answer reading " + sysDir + ": " + String.join(" ", head)
                            + " " + s.stderr());
                }
                pass(in, Long.parseLong(head[1]), head[0].equals("1"), TrialFolderReader.File.METRICS, reader, to);
                pass(in, Long.parseLong(head[3]), head[2].equals("1"), TrialFolderReader.File.STDOUT, reader, to);
                if (last) {
                    reader.finish(to);
                }
                Optional<StateFile> state = head.length > 5 ? StateFile.parse(head[5]) : Optional.empty();
                return new Snapshot(state, head[4].equals("1"));
            }
        });
    }

    /** Hands {@code n} bytes of {@code in} to the reader, a chunk at a time. */
    private static void pass(InputStream in, long n, boolean restart, TrialFolderReader.File file,
            TrialFolderReader reader, TrialFolderReader.Listener to) throws IOException {
        byte[] chunk = new byte[(int) Math.min(1 << 20, Math.max(1, n))];
        long left = n;
        boolean first = true;
        while (left > 0) {
            int got = in.readNBytes(chunk, 0, (int) Math.min(chunk.length, left));
            if (got <= 0) {
                throw new IOException("the login node's answer ended early");
            }
            reader.append(file, restart && first, chunk, got, to);
            first = false;
            left -= got;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                break;
            }
            line.write(c);
        }
        return line.toString(StandardCharsets.UTF_8).strip();
    }

    @Override
    public String stderrEnd(Path sysDir) {
        try {
            return exec("tail -c 8192 " + q(sysDir + "/stderr") + " 2>/dev/null || true", new byte[0]).stdout();
        } catch (IOException e) {
            return "";
        }
    }

    private SshConnection.Result exec(String command, byte[] stdin) throws IOException {
        SshConnection.Result r = ssh.run(c -> c.exec(command, stdin, timeout));
        if (r.exitCode() != 0) {
            throw new IOException("'" + command.split(" ", 2)[0] + "' failed on the login node: "
                    + r.stderr().strip());
        }
        return r;
    }

    private static String q(String s) {
        return SshConnection.quote(s);
    }
}
