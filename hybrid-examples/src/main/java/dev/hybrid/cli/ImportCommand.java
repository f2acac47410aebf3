package dev.hybrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.internal.json.Json;
import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.store.ImportedResult;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.MetricFormatException;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid import ID FILE}: adds results tried elsewhere to a stored experiment; its tuner learns from them
 * before it proposes new trials, the next time the experiment is resumed. FILE is NNI import data
 * ({@code [{"parameter": {...}, "value": ...}]}) or a Hybrid export of any experiment, JSON or CSV.
 *
 * <p>The rules: an entry without a value (a failed trial in an export) or with a value that is not a finite number
 * is skipped; an entry whose parameters and value the experiment already has (imported before, or one of its own
 * trials) is skipped, so importing a file twice adds nothing the second time; parameters outside the experiment's
 * search space are errors, each reported with the entry, the parameter, its value and why. The whole file is checked
 * first; nothing is written if any entry is bad or the experiment is running.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Imports NNI import data [{parameter, value}] or a Hybrid export (JSON or CSV) to warm-start "
                + "the tuner on the next resume.")
public final class ImportCommand implements Callable<Integer> {
    /** The parameter in which NNI's advisors give each trial its budget. */
    private static final String TRIAL_BUDGET = "TRIAL_BUDGET";

    /** The columns of a Hybrid CSV export that are not parameters. */
    private static final Set<String> CSV_FIELDS = Set.of("trialJobId", "status", "platform", "machine", "value");

    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Parameters(index = "1", paramLabel = "FILE", description = "The JSON or CSV file to import.")
    Path file;

    @Mixin
    WorkDir workDir;

    private final PrintStream out;

    public ImportCommand() {
        this(System.out);
    }

    ImportCommand(PrintStream out) {
        this.out = out;
    }

    /** One entry of the file: its parameters (as plain values) and its value, when it has one. */
    record Entry(FieldPath at, Map<String, Object> parameters, Optional<String> value) {
    }

    @Override
    public Integer call() {
        Path dir = workDir.experiment(id);
        List<Entry> entries = read(file);
        try (SqliteExperimentStore store = SqliteExperimentStore.existingForWriting(dir)) {
            store.open();
            SearchSpace space = searchSpace(store);
            Set<String> known = new HashSet<>();
            store.imported().forEach(r -> key(r.parameters().values(), r.value()).ifPresent(known::add));
            for (StoredTrial t : store.trials()) {
                t.trial().finalMetric().flatMap(m -> key(t.trial().parameters().values(), m.value()))
                        .ifPresent(known::add);
            }
            List<ImportedResult> results = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            int noValue = 0;
            List<String> noValueAt = new ArrayList<>();
            int already = 0;
            for (Entry e : entries) {
                Map<String, Object> params = new java.util.LinkedHashMap<>(coerceChoices(space, e.parameters()));
                // An advisor's trials carry their budget beside the space's parameters; it is kept, so that BOHB
                // learns each imported result at its budget.
                Object budget = params.remove(TRIAL_BUDGET);
                for (String v : space.violations(new dev.hybrid.space.Parameters(params))) {
                    int colon = v.indexOf(": ");
                    problems.add(e.at().child("parameter").child(v.substring(0, colon)) + ": "
                            + v.substring(colon + 2));
                }
                if (budget instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue())) {
                    params.put(TRIAL_BUDGET, budget);
                } else if (budget != null) {
                    problems.add(e.at().child("parameter").child(TRIAL_BUDGET) + ": an advisor's budget must be a "
                            + "positive number, was " + budget);
                }
                Optional<String> k = e.value().flatMap(v -> key(params, v));
                if (k.isEmpty()) {
                    noValue++;
                    // A failed trial in an export has no value at all: only a value that is no result is named.
                    e.value().ifPresent(v -> noValueAt.add(e.at() + ": its value " + v
                            + " is not a finite number (no result)"));
                } else if (!known.add(k.get())) {
                    already++;
                } else {
                    results.add(new ImportedResult(new dev.hybrid.space.Parameters(params), e.value().get()));
                }
            }
            if (!problems.isEmpty()) {
                throw new StoreException(file + ": " + problems.size() + (problems.size() == 1 ? " parameter lies"
                        : " parameters lie") + " outside the search space of experiment " + id
                        + "; nothing was imported:\n  " + String.join("\n  ", problems));
            }
            noValueAt.forEach(why -> out.println("Skipped " + why));
            store.addImported(results);
            store.commit();
            out.println("Imported " + results.size() + " results into experiment " + id
                    + skipped(already, "already in the experiment") + skipped(noValue, "without a finite value")
                    + "; its tuner learns from them when it is resumed");
        }
        return HybridCommand.OK;
    }

    private static String skipped(int n, String why) {
        return n == 0 ? "" : "; skipped " + n + " " + why;
    }

    private static SearchSpace searchSpace(SqliteExperimentStore store) {
        String json = store.experiment().orElseThrow(() -> new StoreException("no experiment is recorded in "
                + store.file())).configJson();
        try {
            Object plain = Json.toPlain(Json.readTree(json).get("searchSpace"));
            @SuppressWarnings("unchecked")
            Map<String, Object> map = plain instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            return SearchSpace.fromPlain(map, FieldPath.of("searchSpace"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("the stored settings are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The entry's identity: its parameters (keys sorted, numbers compared by value) and its scalar value; empty when
     * the value is not a finite number, as the tuner would not learn from it.
     */
    private static Optional<String> key(Map<String, ?> parameters, String value) {
        double scalar;
        try {
            scalar = scalar(value);
        } catch (MetricFormatException e) {
            return Optional.empty();
        }
        if (!Double.isFinite(scalar)) {
            return Optional.empty();
        }
        return Optional.of(Json.write(canonical(parameters)) + "=" + scalar);
    }

    private static Object canonical(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> sorted = new TreeMap<>();
            m.forEach((k, x) -> sorted.put(String.valueOf(k), canonical(x)));
            return sorted;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(ImportCommand::canonical).toList();
        }
        return v instanceof Number n ? n.doubleValue() : v;
    }

    /**
     * A CSV cell cannot say whether {@code 16} was the number or the string: a top-level choice's value takes the
     * option it spells.
     */
    private static Map<String, Object> coerceChoices(SearchSpace space, Map<String, Object> parameters) {
        Map<String, Object> out = new LinkedHashMap<>(parameters);
        for (ParameterSpec spec : space.parameters()) {
            Object v = out.get(spec.name());
            if (spec instanceof Choice c && v != null) {
                boolean exact = c.options().stream().anyMatch(o -> o instanceof ChoiceOption.Value val
                        && val.value().equals(v));
                if (!exact) {
                    for (ChoiceOption o : c.options()) {
                        if (o instanceof ChoiceOption.Value val && String.valueOf(val.value()).equals(
                                String.valueOf(v))) {
                            out.put(spec.name(), val.value());
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Reads the file's entries, JSON or CSV.
     *
     * @throws StoreException naming the file and, for a bad entry, its place in it
     */
    static List<Entry> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new StoreException("cannot import " + file + ": no such file");
        } catch (MalformedInputException e) {
            throw new StoreException("cannot import " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new StoreException("cannot import " + file + ": " + e);
        }
        String start = text.stripLeading();
        boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")
                || !(start.startsWith("[") || start.startsWith("{"));
        return csv ? readCsv(file, text) : readJson(file, text);
    }

    private static List<Entry> readJson(Path file, String text) {
        JsonNode root;
        try {
            root = Json.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new StoreException(file + " must hold a JSON list of {\"parameter\": {...}, \"value\": ...}");
        }
        FieldPath at = FieldPath.of(file.toString());
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode entry = root.get(i);
            JsonNode p = entry.get("parameter");
            if (p == null || !p.isObject()) {
                throw new StoreException(at.index(i) + ": needs an object 'parameter' and a 'value'");
            }
            JsonNode v = entry.get("value");
            Optional<String> value = Optional.empty();
            if (v != null && !v.isNull()) {
                // NNI writes the value either as JSON or as a string holding JSON.
                value = Optional.of(checkedValue(at.index(i), v.isTextual() ? v.textValue() : Json.text(v)));
            }
            out.add(new Entry(at.index(i), dev.hybrid.space.Parameters.fromJson(p.toString()).values(), value));
        }
        return out;
    }

    /** A value that is a number or an object with a numeric {@code default}; {@code NaN} and infinities pass. */
    private static String checkedValue(FieldPath at, String value) {
        try {
            scalar(value);
            return value;
        } catch (MetricFormatException e) {
            throw new StoreException(at.child("value") + ": " + e.getMessage());
        }
    }

    /** A Hybrid CSV export: a header naming {@code value} and the parameters, then one trial per row. */
    private static List<Entry> readCsv(Path file, String text) {
        List<List<String>> rows = csvRows(text, file);
        if (rows.isEmpty() || !rows.get(0).contains("value")) {
            throw new StoreException(file + " must be JSON import data or a CSV export with a 'value' column");
        }
        List<String> header = rows.get(0);
        List<Entry> out = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            FieldPath at = FieldPath.of(file + " line " + (r + 1));
            if (row.size() != header.size()) {
                throw new StoreException(at + ": has " + row.size() + " cells, the header " + header.size());
            }
            Map<String, Object> params = new LinkedHashMap<>();
            Optional<String> value = Optional.empty();
            for (int c = 0; c < header.size(); c++) {
                String name = header.get(c);
                String cell = row.get(c);
                if (name.equals("value")) {
                    value = cell.isEmpty() ? Optional.empty() : Optional.of(checkedValue(at, cell));
                } else if (!CSV_FIELDS.contains(name) && !cell.isEmpty()) {
                    params.put(name, cellValue(cell));
                }
            }
            out.add(new Entry(at, params, value));
        }
        return out;
    }

    /** A parameter cell: a JSON number, boolean, object or list when it parses as one, else the text itself. */
    private static Object cellValue(String cell) {
        try {
            JsonNode node = Json.readTree(cell);
            if (node != null && (node.isNumber() || node.isBoolean() || node.isContainerNode())) {
                return Json.toPlain(node);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // plain text
        }
        return cell;
    }

    private static double scalar(String value) {
        return new Metric(MetricType.FINAL, 0, value, Instant.EPOCH).scalar();
    }

    /** RFC 4180 rows: cells split at commas, a quoted cell may hold commas, quotes (doubled) and line breaks. */
    private static List<List<String>> csvRows(String text, Path file) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                any = true;
            } else if (ch == ',') {
                row.add(cell.toString());
                cell.setLength(0);
                any = true;
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || cell.length() > 0) {
                    row.add(cell.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                cell.setLength(0);
                any = false;
            } else {
                cell.append(ch);
                any = true;
            }
        }
        if (quoted) {
            throw new StoreException(file + ": a quoted CSV cell is not closed");
        }
        if (any || cell.length() > 0) {
            row.add(cell.toString());
            rows.add(row);
        }
        return rows;
    }
}
