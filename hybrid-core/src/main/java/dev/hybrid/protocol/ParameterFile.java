package dev.hybrid.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.internal.json.Json;
import dev.hybrid.space.Parameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code $NNI_SYS_DIR/parameter.cfg}: what NNI's SDK reads in {@code get_next_parameter()}, one line of JSON
 * {@code {"parameter_id": 7, "parameter_source": "algorithm", "parameters": {...}, "parameter_index": 0}}.
 *
 * @param parameterId the tuner's parameter id, empty for customised trials (JSON null)
 * @param source {@code algorithm}, {@code customized} or {@code resumed}
 * @param parameters the trial's parameters
 * @param index the parameter index (0 unless multi-phase)
 */
public record ParameterFile(Optional<Long> parameterId, String source, Parameters parameters, int index) {
    /** The file's name inside the trial's system directory. */
    public static final String NAME = "parameter.cfg";

    public ParameterFile {
        Objects.requireNonNull(parameterId, "parameterId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(parameters, "parameters");
    }

    /** The file an algorithm-proposed trial gets. */
    public static ParameterFile of(long parameterId, Parameters parameters) {
        return new ParameterFile(Optional.of(parameterId), "algorithm", parameters, 0);
    }

    /** The file's JSON text, keys in NNI's order. */
    public String render() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("parameter_id", parameterId.orElse(null));
        m.put("parameter_source", source);
        m.put("parameters", parameters.values());
        m.put("parameter_index", index);
        return Json.write(m);
    }

    /** Writes {@code parameter.cfg} into {@code sysDir} (creating it) and returns the file's path. */
    public Path write(Path sysDir) throws IOException {
        Files.createDirectories(sysDir);
        Path file = sysDir.resolve(NAME);
        Path tmp = sysDir.resolve(NAME + ".tmp");
        // Written whole and renamed: NNI's SDK polls for a non-empty file and must never see half of it.
        Files.writeString(tmp, render(), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /**
     * Parses the file's JSON text.
     *
     * @throws IllegalArgumentException if it is not a parameter file
     */
    public static ParameterFile parse(String text) {
        JsonNode n;
        try {
            n = Json.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("parameter.cfg is not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject() || !n.has("parameters") || !n.get("parameters").isObject()) {
            throw new IllegalArgumentException("parameter.cfg must be an object with a 'parameters' object");
        }
        JsonNode id = n.get("parameter_id");
        Optional<Long> pid = id == null || id.isNull() ? Optional.empty() : Optional.of(id.asLong());
        String source = n.hasNonNull("parameter_source") ? n.get("parameter_source").asText() : "algorithm";
        int index = n.hasNonNull("parameter_index") ? n.get("parameter_index").asInt() : 0;
        @SuppressWarnings("unchecked")
        Map<String, Object> params = (Map<String, Object>) Json.toPlain(n.get("parameters"));
        return new ParameterFile(pid, source, new Parameters(params), index);
    }

    /** Reads {@code parameter.cfg} from a trial's system directory. */
    public static ParameterFile read(Path sysDir) throws IOException {
        return parse(Files.readString(sysDir.resolve(NAME), StandardCharsets.UTF_8));
    }
}
