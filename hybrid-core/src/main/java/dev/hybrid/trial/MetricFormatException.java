package dev.hybrid.trial;

import dev.hybrid.HybridException;

/** A metric's value is not a number or an object with a numeric {@code default}. It fails one trial, not the experiment. */
public class MetricFormatException extends HybridException {
    public MetricFormatException(String message) {
        super(message);
    }
}
