package dev.hybrid.internal;

import dev.hybrid.assessor.AssessorProvider;
import dev.hybrid.platform.PlatformProvider;
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
    private final Map<String, AssessorProvider> assessors;
    private final Map<String, PlatformProvider> platforms;

    private Registry(Map<String, TunerProvider> tuners, Map<String, AssessorProvider> assessors,
            Map<String, PlatformProvider> platforms) {
        this.tuners = Collections.unmodifiableMap(tuners);
        this.assessors = Collections.unmodifiableMap(assessors);
        this.platforms = Collections.unmodifiableMap(platforms);
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
        Map<String, AssessorProvider> assessors = new TreeMap<>();
        for (AssessorProvider p : ServiceLoader.load(AssessorProvider.class, loader)) {
            AssessorProvider previous = assessors.putIfAbsent(p.name(), p);
            if (previous != null && previous.getClass() != p.getClass()) {
                throw new IllegalStateException("two assessor providers are named '" + p.name() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        Map<String, PlatformProvider> platforms = new TreeMap<>();
        for (PlatformProvider p : ServiceLoader.load(PlatformProvider.class, loader)) {
            for (String n : concat(p.name(), p.aliases())) {
                PlatformProvider previous = platforms.putIfAbsent(n, p);
                if (previous != null && previous.getClass() != p.getClass()) {
                    throw new IllegalStateException("two platform providers are named '" + n + "': "
                            + previous.getClass().getName() + " and " + p.getClass().getName());
                }
            }
        }
        return new Registry(tuners, assessors, platforms);
    }

    private static java.util.List<String> concat(String first, java.util.List<String> rest) {
        java.util.List<String> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
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

    /**
     * The problem to report for a tuner name no provider has: for an NNI name Hybrid does not offer, why and which
     * tuner is the closest; otherwise the known names.
     *
     * @param kind {@code tuner} or {@code advisor}, as the config spells the section
     */
    public String unknownTuner(String kind, String name) {
        String refused = REFUSED_TUNERS.get(name);
        if (refused != null) {
            return refused;
        }
        return "unknown " + kind + " '" + name + "'; known: " + tunerNames();
    }

    /** NNI tuner names that Hybrid does not offer, with the reason and the closest alternative. */
    private static final Map<String, String> REFUSED_TUNERS = Map.of(
            "SMAC", "SMAC is not available in Hybrid: its random-forest surrogate is not built, as it could not yet"
                    + " be matched and benchmarked against SMAC's published behaviour; TPE is the closest (a"
                    + " model-based tuner for the same mixed and conditional spaces; Anneal is a lighter one)");

    /** The registered tuner names, sorted. */
    public Set<String> tunerNames() {
        return tuners.keySet();
    }

    /** The assessor provider registered as {@code name} (case-sensitive). */
    public Optional<AssessorProvider> assessor(String name) {
        return Optional.ofNullable(assessors.get(name));
    }

    /** The registered assessor names, sorted. */
    public Set<String> assessorNames() {
        return assessors.keySet();
    }

    /** The platform provider registered as {@code name} or one of its aliases. */
    public Optional<PlatformProvider> platform(String name) {
        return Optional.ofNullable(platforms.get(name));
    }
}
