package dev.hybrid.bench;

import java.util.Arrays;

/**
 * What one benchmark run recorded, in report order: each reported value and the cumulative nanoseconds spent inside
 * the tuner up to that report. Immutable.
 */
public final class Trace {
    private final double[] values;
    private final long[] tunerNanos;

    Trace(double[] values, long[] tunerNanos) {
        if (values.length != tunerNanos.length) {
            throw new IllegalArgumentException("values and tunerNanos must have the same length");
        }
        this.values = values.clone();
        this.tunerNanos = tunerNanos.clone();
    }

    /** How many results were reported. */
    public int size() {
        return values.length;
    }

    /** The value of the {@code t}-th report (0-based). */
    public double value(int t) {
        return values[t];
    }

    /** The nanoseconds spent in the tuner up to and including the {@code t}-th report (0-based). */
    public long tunerNanos(int t) {
        return tunerNanos[t];
    }

    @Override
    public String toString() {
        return "Trace" + Arrays.toString(values);
    }
}
