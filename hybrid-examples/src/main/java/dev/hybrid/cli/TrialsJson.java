package dev.hybrid.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.Trial;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code trials.json}: every trial with its parameters, status, platform, timings, and intermediate and final
 * metrics (each value decoded from the JSON text the trial sent).
 */
final class TrialsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrialsJson() {
    }

    static String render(List<Trial> trials) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Trial t : trials) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", t.id().value());
            m.put("sequence", t.sequence());
            m.put("parameterId", t.parameterId());
            m.put("parameters", t.parameters().values());
            m.put("status", t.status().name());
            m.put("platform", t.platform());
            m.put("submitted", t.submitted().toString());
            m.put("started", t.started().map(Object::toString).orElse(null));
            m.put("ended", t.ended().map(Object::toString).orElse(null));
            m.put("exitCode", t.exitCode().orElse(null));
            m.put("message", t.message());
            List<Map<String, Object>> inter = new ArrayList<>();
            for (Metric x : t.intermediate()) {
                inter.add(metric(x));
            }
            m.put("intermediate", inter);
            m.put("final", t.finalMetric().map(TrialsJson::metric).orElse(null));
            m.put("finalValue", t.finalValue().filter(Double::isFinite).orElse(null));
            out.add(m);
        }
        try {
            return MAPPER.writeValueAsString(out) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write trials.json", e);
        }
    }

    private static Map<String, Object> metric(Metric x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", x.sequence());
        Object decoded = x.decoded();
        m.put("value", decoded instanceof Double d && !Double.isFinite(d) ? String.valueOf(d) : decoded);
        m.put("at", x.at().toString());
        return m;
    }
}
