package dev.hybrid.platform.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Sends signals to trials' process groups. The JDK cannot signal a process group, and a {@code kill} process per
 * signal costs a fork and an exec for every trial that ends; so one {@code bash} helper, started once, signals groups
 * with its {@code kill} builtin and answers each request once it is done. When the helper cannot be used, a
 * {@code kill} process is run instead. Thread-safe.
 */
final class GroupSignaller implements AutoCloseable {
    private static final String LOOP =
            "while read -r sig group; do kill -\"$sig\" -- \"-$group\" 2>/dev/null; echo .; done";

    private final String shell;
    private Process helper;
    private Writer requests;
    private BufferedReader answers;
    private boolean closed;

    GroupSignaller(String shell) {
        this.shell = shell;
    }

    /** Sends {@code signal} (TERM, KILL) to process group {@code group}; returns once it was sent. */
    synchronized void signal(long group, String signal) throws IOException, InterruptedException {
        if (!closed) {
            try {
                if (helper == null || !helper.isAlive()) {
                    start();
                }
                requests.write(signal + " " + group + "\n");
                requests.flush();
                if (answers.readLine() != null) {
                    return;
                }
            } catch (IOException e) {
                // The helper is gone: fall back to a kill process below, and start a new helper next time.
            }
            stopHelper();
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + group).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        kill.waitFor(5, TimeUnit.SECONDS);
    }

    private void start() throws IOException {
        helper = new ProcessBuilder(shell, "-c", LOOP).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        requests = new OutputStreamWriter(helper.getOutputStream(), StandardCharsets.US_ASCII);
        answers = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.US_ASCII));
    }

    private void stopHelper() {
        if (helper != null) {
            helper.destroyForcibly();
            helper = null;
        }
    }

    /** Ends the helper (it also ends by itself when this JVM dies: its input closes). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        stopHelper();
    }
}
