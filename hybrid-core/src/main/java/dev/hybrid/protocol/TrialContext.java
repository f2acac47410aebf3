package dev.hybrid.protocol;

import dev.hybrid.internal.json.Json;
import dev.hybrid.space.Parameters;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The trial side of NNI's protocol, for trials written in Java: reads the parameters from {@code parameter.cfg} and
 * reports intermediate and final results exactly as NNI's Python SDK does (frames in {@code .nni/metrics} on the
 * local platform, {@code NNISDK_MEb'...'} stdout lines elsewhere), so any Hybrid or NNI platform can run it.
 *
 * <pre>{@code
 * TrialContext nni = TrialContext.fromEnvironment();
 * double lr = nni.parameters().getDouble("lr");
 * for (int epoch = 0; epoch < 10; epoch++) nni.reportIntermediate(train(lr));
 * nni.reportFinal(accuracy);
 * }</pre>
 *
 * <p>Without {@code NNI_PLATFORM} (run by hand) it is standalone: empty parameters, results printed. Not thread-safe.
 */
public final class TrialContext {
    private final Map<String, String> env;
    private final PrintStream stdout;
    private Optional<ParameterFile> parameterFile = Optional.empty();
    private int sequence;

    private TrialContext(Map<String, String> env, PrintStream stdout) {
        this.env = Map.copyOf(env);
        this.stdout = Objects.requireNonNull(stdout, "stdout");
    }

    /** The context of the trial this JVM runs, from its environment variables. */
    public static TrialContext fromEnvironment() {
        return new TrialContext(System.getenv(), System.out);
    }

    /** A context over the given variables, printing stdout metrics to {@code stdout}. */
    public static TrialContext of(Map<String, String> env, PrintStream stdout) {
        return new TrialContext(env, stdout);
    }

    /** Whether no platform started this process ({@code NNI_PLATFORM} unset). */
    public boolean isStandalone() {
        return !env.containsKey("NNI_PLATFORM");
    }

    /**
     * This trial's parameters, read from {@code $NNI_SYS_DIR/parameter.cfg} on first use.
     *
     * @throws UncheckedIOException if the file cannot be read
     */
    public Parameters parameters() {
        if (isStandalone()) {
            return Parameters.empty();
        }
        if (parameterFile.isEmpty()) {
            try {
                parameterFile = Optional.of(ParameterFile.read(sysDir()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + sysDir().resolve(ParameterFile.NAME), e);
            }
        }
        return parameterFile.get().parameters();
    }

    /** Reports an intermediate result. */
    public void reportIntermediate(double value) {
        send("PERIODICAL", sequence++, formatNumber(value));
    }

    /** Reports an intermediate result as a dict; it needs a numeric {@code default} for tuners and assessors. */
    public void reportIntermediate(Map<String, ?> value) {
        send("PERIODICAL", sequence++, Json.write(value));
    }

    /** Reports the final result. */
    public void reportFinal(double value) {
        send("FINAL", 0, formatNumber(value));
    }

    /** Reports the final result as a dict; it needs a numeric {@code default} for tuners. */
    public void reportFinal(Map<String, ?> value) {
        send("FINAL", 0, Json.write(value));
    }

    public String trialId() {
        return env.getOrDefault("NNI_TRIAL_JOB_ID", "STANDALONE");
    }

    public String experimentId() {
        return env.getOrDefault("NNI_EXP_ID", "STANDALONE");
    }

    public int sequenceId() {
        return Integer.parseInt(env.getOrDefault("NNI_TRIAL_SEQ_ID", "0"));
    }

    private Path sysDir() {
        return Path.of(env.getOrDefault("NNI_SYS_DIR", "."));
    }

    private void send(String type, int seq, String valueJson) {
        if (isStandalone()) {
            stdout.println("[standalone] " + type.toLowerCase(java.util.Locale.ROOT) + " result: " + valueJson);
            return;
        }
        Optional<Long> pid = parameterFile.flatMap(ParameterFile::parameterId);
        if (parameterFile.isEmpty()) {
            parameters();
            pid = parameterFile.flatMap(ParameterFile::parameterId);
        }
        String json = new MetricRecord(pid, trialId(), type, seq, valueJson).toJson();
        boolean file = "local".equals(env.get("NNI_PLATFORM")) && !"true".equals(env.get("REUSE_MODE"));
        if (file) {
            Path dir = sysDir().resolve(".nni");
            try {
                Files.createDirectories(dir);
                try (OutputStream out = Files.newOutputStream(dir.resolve("metrics"), StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
                    out.write(MetricFrames.encode(json));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + dir.resolve("metrics"), e);
            }
        } else {
            stdout.println(StdoutMetrics.line(json));
            stdout.flush();
        }
    }

    private static String formatNumber(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return Json.write(v);
    }
}
