package dev.hybrid.bench;

import dev.hybrid.HybridException;

/** A benchmark could not run: a problem folder is incomplete, an evaluator failed, a tuner gave up. */
public class BenchException extends HybridException {
    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
