package dev.hybrid.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.internal.json.Json;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One metric message of NNI's protocol, as its SDK builds it:
 * {@code {"parameter_id": 7, "trial_job_id": "aB3xY", "type": "FINAL", "sequence": 0, "value": "0.93"}}. The
 * {@code value} is itself JSON text. Type {@code REQUEST_PARAMETER} is the SDK asking for parameters, not a metric.
 *
 * @param parameterId the parameter id the SDK read from {@code parameter.cfg}, if any
 * @param trialJobId the trial id the SDK read from {@code NNI_TRIAL_JOB_ID}
 * @param type {@code PERIODICAL}, {@code FINAL} or {@code REQUEST_PARAMETER}
 * @param sequence the intermediate result's sequence number (0 for the final one)
 * @param value the value's JSON text, exactly as sent
 */
public record MetricRecord(Optional<Long> parameterId, String trialJobId, String type, int sequence, String value) {
    public MetricRecord {
        Objects.requireNonNull(parameterId, "parameterId");
        Objects.requireNonNull(trialJobId, "trialJobId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** Whether this is an intermediate or final metric (rather than a parameter request). */
    public boolean isMetric() {
        return type.equals("PERIODICAL") || type.equals("FINAL");
    }

    /** Whether the SDK asked for (more) parameters. */
    public boolean isParameterRequest() {
        return type.equals("REQUEST_PARAMETER");
    }

    /**
     * This record as a {@link Metric} stamped {@code at}.
     *
     * @throws IllegalStateException if it is not a metric
     */
    public Metric toMetric(Instant at) {
        if (!isMetric()) {
            throw new IllegalStateException("not a metric: type " + type);
        }
        return new Metric(MetricType.valueOf(type), Math.max(0, sequence), value, at);
    }

    /** The record's JSON text, as NNI's SDK writes it. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("parameter_id", parameterId.orElse(null));
        m.put("trial_job_id", trialJobId);
        m.put("type", type);
        m.put("sequence", sequence);
        m.put("value", value);
        return Json.write(m);
    }

    /**
     * Parses a record's JSON text.
     *
     * @throws IllegalArgumentException with the reason if it is not a metric record
     */
    public static MetricRecord parse(String json) {
        JsonNode n;
        try {
            n = Json.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a metric record must be a JSON object");
        }
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual()) {
            throw new IllegalArgumentException("a metric record needs a string 'type'");
        }
        String t = type.asText();
        if (!t.equals("PERIODICAL") && !t.equals("FINAL") && !t.equals("REQUEST_PARAMETER")) {
            throw new IllegalArgumentException("unknown metric type '" + t + "'");
        }
        JsonNode value = n.get("value");
        String valueText;
        if (value == null || value.isNull()) {
            if (!t.equals("REQUEST_PARAMETER")) {
                throw new IllegalArgumentException("a " + t + " metric needs a 'value'");
            }
            valueText = "null";
        } else if (value.isTextual()) {
            valueText = value.asText();
        } else {
            // Some SDKs send the value unencoded; keep its JSON text.
            valueText = Json.text(value);
        }
        JsonNode seq = n.get("sequence");
        int sequence = seq != null && seq.canConvertToInt() ? seq.asInt() : 0;
        JsonNode pid = n.get("parameter_id");
        Optional<Long> parameterId = pid == null || pid.isNull() || !pid.canConvertToLong()
                ? Optional.empty() : Optional.of(pid.asLong());
        JsonNode tid = n.get("trial_job_id");
        return new MetricRecord(parameterId, tid == null || tid.isNull() ? "" : tid.asText(), t, sequence, valueText);
    }
}
