package dev.hybrid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.internal.json.Json;
import dev.hybrid.space.Parameters;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An objective computed by a problem's {@code evaluate.py}, started once and spoken to line by line: one JSON
 * parameter object per line in, {@code {"value": v}} (or {@code {"error": "..."}}) per line out. Its standard error
 * goes to ours.
 */
public final class ProcessObjective implements Objective {
    private final Path script;
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;

    private ProcessObjective(Path script, Process process) {
        this.script = script;
        this.process = process;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code python3 script} in the script's folder.
     *
     * @throws BenchException if the process cannot be started
     */
    public static ProcessObjective start(Path script) {
        return start(List.of("python3", script.toAbsolutePath().toString()), script);
    }

    /** Starts an evaluator with an explicit command line (the last element is usually the script). */
    public static ProcessObjective start(List<String> command, Path script) {
        try {
            Process p = new ProcessBuilder(command)
                    .directory(script.toAbsolutePath().getParent().toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new ProcessObjective(script, p);
        } catch (IOException e) {
            throw new BenchException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public double evaluate(Parameters parameters) {
        String line;
        try {
            in.write(parameters.toJson());
            in.write('\n');
            in.flush();
            line = out.readLine();
        } catch (IOException e) {
            throw new BenchException(script + " failed while evaluating " + parameters + ": " + e.getMessage(), e);
        }
        if (line == null) {
            throw new BenchException(script + " exited without answering " + parameters + exitNote());
        }
        JsonNode reply;
        try {
            reply = Json.readTree(line);
        } catch (IOException e) {
            throw new BenchException(script + " answered with a line that is not JSON: " + line, e);
        }
        if (reply.has("error")) {
            throw new BenchException(script + " could not evaluate " + parameters + ": " + reply.get("error").asText());
        }
        JsonNode value = reply.get("value");
        if (value == null || !value.isNumber()) {
            throw new BenchException(script + " answered without a numeric \"value\": " + line);
        }
        return value.doubleValue();
    }

    private String exitNote() {
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                return " (exit code " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    /** Closes the evaluator's input, waits briefly for it to exit, and kills it otherwise. */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // the process is going away anyway
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
