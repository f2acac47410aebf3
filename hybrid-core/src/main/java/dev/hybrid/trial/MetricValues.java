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
        // What Jackson writes for a double, without a serializer round per metric.
        return Double.toString(v);
    }

    static double scalar(String text) {
        if (isPlainJsonNumber(text)) {
            // The common case, a bare number, parsed without building a JSON tree.
            return Double.parseDouble(text);
        }
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

    /** Whether {@code s} is exactly one JSON number ({@code -?int frac? exp?}), the only text parsed directly. */
    static boolean isPlainJsonNumber(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        if (i >= n) {
            return false;
        }
        char c = s.charAt(i);
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
        } else {
            return false;
        }
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start) {
                return false;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
