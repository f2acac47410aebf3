package dev.hybrid.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration problems so that validation reports all of them at once. Not thread-safe: one validation
 * pass owns one instance.
 */
public final class Problems {
    private final List<ConfigProblem> list = new ArrayList<>();

    /** Records a problem. */
    public void add(FieldPath path, String message) {
        list.add(new ConfigProblem(path, message));
    }

    /** Records a problem made with {@link String#format} unless {@code ok} holds. Returns {@code ok}. */
    public boolean check(boolean ok, FieldPath path, String format, Object... args) {
        if (!ok) {
            add(path, args.length == 0 ? format : String.format(java.util.Locale.ROOT, format, args));
        }
        return ok;
    }

    /** Adds every problem of another exception. */
    public void addAll(ConfigException e) {
        list.addAll(e.problems());
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<ConfigProblem> list() {
        return List.copyOf(list);
    }

    /** @throws ConfigException holding every problem recorded, if there is any */
    public void throwIfAny() {
        if (!list.isEmpty()) {
            throw new ConfigException(list);
        }
    }
}
