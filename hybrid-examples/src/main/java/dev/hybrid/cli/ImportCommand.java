package dev.hybrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.internal.json.Json;
import dev.hybrid.store.ImportedResult;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricFormatException;
import dev.hybrid.trial.MetricType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid import ID FILE}: adds NNI import data ({@code [{"parameter": {...}, "value": ...}]}) to a stored
 * experiment. Its tuner learns from it before it proposes new trials, the next time the experiment is resumed. The
 * whole file is checked first; nothing is written if any entry is bad or the experiment is running. An entry whose
 * value is NaN or ±Infinity is no result (Hybrid fails a trial that reports one): it is skipped and said so.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Imports NNI import data [{parameter, value}] to warm-start the tuner on the next resume.")
public final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Parameters(index = "1", paramLabel = "FILE", description = "The JSON file to import.")
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

    @Override
    public Integer call() throws IOException {
        Path dir = workDir.experiment(id);
        List<String> skipped = new ArrayList<>();
        List<ImportedResult> results = read(file, skipped);
        try (SqliteExperimentStore store = SqliteExperimentStore.existingForWriting(dir)) {
            store.open();
            store.addImported(results);
            store.commit();
        }
        skipped.forEach(why -> out.println("Skipped " + why));
        out.println("Imported " + results.size() + " results into experiment " + id
                + "; its tuner learns from them when it is resumed");
        return HybridCommand.OK;
    }

    /** The file's results; an entry that is no result (NaN or ±Infinity) is left out, with why, in {@code skipped}. */
    static List<ImportedResult> read(Path file, List<String> skipped) throws IOException {
        JsonNode root;
        try {
            root = Json.readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new StoreException(file + " must hold a JSON list of {\"parameter\": {...}, \"value\": ...}");
        }
        List<ImportedResult> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode entry = root.get(i);
            JsonNode p = entry.get("parameter");
            JsonNode v = entry.get("value");
            if (p == null || !p.isObject() || v == null) {
                throw new StoreException(file + "[" + i + "]: needs an object 'parameter' and a 'value'");
            }
            // NNI writes the value either as JSON or as a string holding JSON.
            String value = v.isTextual() ? v.textValue() : Json.text(v);
            double scalar;
            try {
                scalar = new Metric(MetricType.FINAL, 0, value, Instant.EPOCH).scalar();
            } catch (MetricFormatException e) {
                throw new StoreException(file + "[" + i + "].value: " + e.getMessage());
            }
            if (!Double.isFinite(scalar)) {
                skipped.add(file + "[" + i + "]: its value " + scalar + " is not a finite number (no result)");
                continue;
            }
            out.add(new ImportedResult(dev.hybrid.space.Parameters.fromJson(p.toString()), value));
        }
        return out;
    }
}
