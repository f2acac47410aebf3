package dev.hybrid.trial;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.internal.json.Json;

/** Encoding and decoding of metric values as NNI writes them. */
final class MetricValues {
    private MetricValues() {
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return Json.write(v);
    }

    static double scalar(String text) {
        JsonNode node;
        try {
            node = Json.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MetricFormatException("metric value is not JSON: " + abbreviate(text));
        }
        if (node != null && node.isNumber()) {
            return node.doubleValue();
        }
        if (node != null && node.isObject()) {
            JsonNode d = node.get("default");
            if (d != null && d.isNumber()) {
                return d.doubleValue();
            }
            throw new MetricFormatException("metric value is an object without a numeric 'default': "
                    + abbreviate(text));
        }
        throw new MetricFormatException("metric value must be a number or an object with a numeric 'default', was "
                + abbreviate(text));
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
