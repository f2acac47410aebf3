package dev.hybrid.config;

import java.util.Objects;

/**
 * A password, passphrase or token. Its {@link #toString()} is {@code ****}, so that generated {@code toString()}s of
 * records holding it, log lines and error messages never show it; only {@link #reveal()} gives the value.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The secret itself: pass it straight to the library that needs it, never to a log or message. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "****";
    }
}
