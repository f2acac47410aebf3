package dev.hybrid.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NNI's duration spellings: a number and a unit {@code s}, {@code m}, {@code h} or {@code d} ({@code 1h},
 * {@code 30m}, {@code 2d}, {@code 0.5h}; case-insensitive), or a plain number of seconds. Fractions round up to
 * whole seconds, as NNI's v2 config does.
 */
public final class Durations {
    private static final Pattern FORMAT = Pattern.compile("^\\s*([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*([smhd]?)\\s*$",
            Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /** Parses a duration; empty when the text is not one. A value of 0 is a valid parse (callers check > 0). */
    public static Optional<Duration> parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        double seconds = switch (unit) {
            case "", "s" -> amount;
            case "m" -> amount * 60;
            case "h" -> amount * 3600;
            case "d" -> amount * 86400;
            default -> throw new IllegalStateException(unit);
        };
        if (seconds > Long.MAX_VALUE / 2) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds((long) Math.ceil(seconds)));
    }

    /** Reads a duration value (a string like {@code 1h} or a number of seconds) from a node, reporting problems. */
    public static Optional<Duration> read(ConfigNode node, String key) {
        return read(node, key, false);
    }

    /** As {@link #read(ConfigNode, String)}, but 0 is a valid value. */
    public static Optional<Duration> readAllowingZero(ConfigNode node, String key) {
        return read(node, key, true);
    }

    private static Optional<Duration> read(ConfigNode node, String key, boolean zeroAllowed) {
        Object v = node.raw(key).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        Optional<Duration> d = Optional.empty();
        if (v instanceof Number n && n.doubleValue() >= 0 && Double.isFinite(n.doubleValue())) {
            d = Optional.of(Duration.ofSeconds((long) Math.ceil(n.doubleValue())));
        } else if (v instanceof String s) {
            d = parse(s);
        }
        if (d.isEmpty()) {
            node.problem(key, "must be a duration such as 30s, 10m, 1h, 0.5h, 2d or a number of seconds, was "
                    + ConfigNode.describe(v));
            return Optional.empty();
        }
        if (d.get().isZero() && !zeroAllowed) {
            node.problem(key, "must be greater than 0, was " + ConfigNode.describe(v));
            return Optional.empty();
        }
        return d;
    }

    /** Formats a duration the way NNI users write it: {@code 1h}, {@code 90m}, {@code 45s}. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s % 86400 == 0 && s > 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
