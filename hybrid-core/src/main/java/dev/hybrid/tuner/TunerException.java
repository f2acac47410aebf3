package dev.hybrid.tuner;

import dev.hybrid.HybridException;

/** A tuner failed; the experiment ends FAILED with this as its cause. */
public class TunerException extends HybridException {
    public TunerException(String message) {
        super(message);
    }

    public TunerException(String message, Throwable cause) {
        super(message, cause);
    }
}
