package dev.hybrid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.Trial;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid export ID --format csv|json [-o FILE]}: every trial in NNI's export shape ({@code parameter},
 * {@code value}, {@code trialJobId}), plus its {@code status} and {@code platform}. {@code value} is the final
 * metric as the trial reported it (a number or an object), empty ({@code null}) when the trial has no result: none
 * reported, or one that is not a finite number (such a trial failed). JSON has no NaN or Infinity: a non-finite
 * number inside an object value is written as {@code null}. In CSV, {@code value} is the scalar result and each
 * top-level parameter is a column (nested values as JSON). The file is written only once everything was read.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Exports an experiment's trials as NNI does (parameter, value, trialJobId, status, platform).")
public final class ExportCommand implements Callable<Integer> {
    /** The output formats. */
    enum Format { csv, json }

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Mixin
    WorkDir workDir;

    @Option(names = "--format", required = true, paramLabel = "csv|json", description = "csv or json.")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here instead of to stdout.")
    Path output;

    private final PrintStream out;

    public ExportCommand() {
        this(System.out);
    }

    ExportCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        List<StoredTrial> trials;
        try (SqliteExperimentStore store = workDir.read(id)) {
            trials = store.trials(Optional.empty(), false);
        }
        String text = format == Format.json ? json(trials) : csv(trials);
        if (output != null) {
            Files.writeString(output, text, StandardCharsets.UTF_8);
        } else {
            out.print(text);
            out.flush();
        }
        return HybridCommand.OK;
    }

    static String json(List<StoredTrial> trials) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (StoredTrial st : trials) {
            Trial t = st.trial();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("parameter", t.parameters().values());
            m.put("value", t.finalValue().isPresent() ? t.finalMetric().map(x -> finite(x.decoded())).orElse(null)
                    : null);
            m.put("trialJobId", t.id().value());
            m.put("status", t.status().name());
            m.put("platform", t.platform());
            m.put("machine", t.machine().orElse(null));
            rows.add(m);
        }
        return MAPPER.writeValueAsString(rows) + "\n";
    }

    static String csv(List<StoredTrial> trials) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (StoredTrial st : trials) {
            names.addAll(st.trial().parameters().values().keySet());
        }
        StringBuilder sb = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("trialJobId", "status", "platform", "machine", "value"));
        header.addAll(names);
        line(sb, header);
        for (StoredTrial st : trials) {
            Trial t = st.trial();
            List<String> cells = new ArrayList<>();
            cells.add(t.id().value());
            cells.add(t.status().name());
            cells.add(t.platform());
            cells.add(t.machine().orElse(""));
            cells.add(t.finalValue().map(v -> String.valueOf((double) v)).orElse(""));
            for (String n : names) {
                Object v = t.parameters().values().get(n);
                cells.add(v == null ? "" : v instanceof Map<?, ?> || v instanceof List<?>
                        ? MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(v)
                        : String.valueOf(v));
            }
            line(sb, cells);
        }
        return sb.toString();
    }

    /** The decoded value with every NaN or ±Infinity in it replaced by {@code null}, which JSON can hold. */
    private static Object finite(Object decoded) {
        if (decoded instanceof Double d) {
            return Double.isFinite(d) ? d : null;
        }
        if (decoded instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, finite(v)));
            return out;
        }
        if (decoded instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(finite(v)));
            return out;
        }
        return decoded;
    }

    private static void line(StringBuilder sb, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = cells.get(i);
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        sb.append('\n');
    }
}
