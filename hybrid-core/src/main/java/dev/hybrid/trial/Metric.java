package dev.hybrid.trial;

import dev.hybrid.internal.json.Json;
import java.time.Instant;
import java.util.Objects;

/**
 * One metric a trial reported. {@code value} is the JSON text the trial sent, kept exactly as received (NNI's
 * {@code value} field: {@code "0.95"} or {@code "{\"default\": 0.9, \"loss\": 0.1}"}); {@link #scalar()} extracts
 * the number tuners see. {@code sequence} is the number the trial sent with it: NNI's SDK counts intermediate
 * results from 0 and sends 0 with the final one, but other writers may send none (0 here) or repeat one, so it is a
 * label only; lists of metrics keep the order in which they were reported.
 */
public record Metric(MetricType type, int sequence, String value, Instant at) {
    public Metric {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(at, "at");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
    }

    /** A metric holding a plain number. */
    public static Metric of(MetricType type, int sequence, double value, Instant at) {
        return new Metric(type, sequence, MetricValues.format(value), at);
    }

    /**
     * The scalar value, as NNI's {@code extract_scalar_reward}: a number, or an object's numeric {@code default}.
     * NaN and ±Infinity are numbers here.
     *
     * @throws MetricFormatException if the value is anything else
     */
    public double scalar() {
        return MetricValues.scalar(value);
    }

    /**
     * The value as a result that trials are ranked by and tuners learn from: the {@link #scalar()}, which must be a
     * finite number. Hybrid's rule for NaN and ±Infinity (stricter than Optuna, which fails a trial whose value is
     * NaN): a final result that is not finite is no result, so the trial that reported it fails, no tuner sees it,
     * it is never the best, tables show no value, exports write none and imports skip it.
     *
     * @throws MetricFormatException if the value is not a number, or is NaN or ±Infinity
     */
    public double finiteScalar() {
        double v = scalar();
        if (!Double.isFinite(v)) {
            throw new MetricFormatException("a result must be a finite number, was " + v);
        }
        return v;
    }

    /** The value as plain JDK objects (a {@code Double}, a {@code Map}, ...), for display and export. */
    public Object decoded() {
        try {
            return Json.toPlain(Json.readTree(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return value;
        }
    }
}
