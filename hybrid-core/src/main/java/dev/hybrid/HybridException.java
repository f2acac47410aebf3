package dev.hybrid;

/**
 * The root of every exception Hybrid throws on purpose. All of them are unchecked; subclasses say which part
 * failed ({@code ConfigException}, {@code PlatformException}, {@code TunerException}, ...).
 */
public class HybridException extends RuntimeException {
    public HybridException(String message) {
        super(message);
    }

    public HybridException(String message, Throwable cause) {
        super(message, cause);
    }
}
