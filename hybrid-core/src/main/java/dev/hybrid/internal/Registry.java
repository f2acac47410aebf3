package dev.hybrid.internal;

import dev.hybrid.tuner.TunerProvider;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The named components one experiment can use, loaded once through {@link ServiceLoader}. Each experiment builds its
 * own: there is no global registry.
 */
public final class Registry {
    private final Map<String, TunerProvider> tuners;

    private Registry(Map<String, TunerProvider> tuners) {
        this.tuners = Collections.unmodifiableMap(tuners);
    }

    /**
     * Loads every provider visible to {@code loader}.
     *
     * @throws IllegalStateException if two providers share a name; the message names both classes
     */
    public static Registry load(ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        Map<String, TunerProvider> tuners = new TreeMap<>();
        for (TunerProvider p : ServiceLoader.load(TunerProvider.class, loader)) {
            TunerProvider previous = tuners.putIfAbsent(p.name(), p);
            if (previous != null && previous.getClass() != p.getClass()) {
                throw new IllegalStateException("two tuner providers are named '" + p.name() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new Registry(tuners);
    }

    /** Loads the providers visible to the thread's context class loader, or else to this library's. */
    public static Registry load() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return load(cl != null ? cl : Registry.class.getClassLoader());
    }

    /** The tuner provider registered as {@code name} (case-sensitive). */
    public Optional<TunerProvider> tuner(String name) {
        return Optional.ofNullable(tuners.get(name));
    }

    /** The registered tuner names, sorted. */
    public Set<String> tunerNames() {
        return tuners.keySet();
    }
}
