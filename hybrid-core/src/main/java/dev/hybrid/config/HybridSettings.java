package dev.hybrid.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a hybrid-mode experiment shares trials among its platforms: the dispatch policy's name and, for each training
 * service (in the config's order), an optional cap on its concurrent trials and its weight.
 *
 * <p>In YAML: v1 {@code hybridConfig: {dispatch: round-robin, maxTrialConcurrency: {local: 1}, weights: {remote: 2}}};
 * v2 {@code hybridConfig: {dispatch: weighted}} at the root and {@code maxTrialConcurrency} / {@code weight} in each
 * {@code trainingService} entry.
 *
 * @param dispatch {@code fill} (the default), {@code most-free}, {@code round-robin} or {@code weighted}
 * @param children one entry per training service, in order
 */
public record HybridSettings(String dispatch, List<Child> children) {
    /** The default policy's name. */
    public static final String DEFAULT_DISPATCH = "fill";

    public HybridSettings {
        Objects.requireNonNull(dispatch, "dispatch");
        children = List.copyOf(children);
    }

    /** One platform's share: its own cap on concurrent trials (none when empty) and its weight (1 by default). */
    public record Child(Optional<Integer> maxTrialConcurrency, double weight) {
        public Child {
            Objects.requireNonNull(maxTrialConcurrency, "maxTrialConcurrency");
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight must be > 0, was " + weight);
            }
        }

        /** No cap, weight 1. */
        public static Child defaults() {
            return new Child(Optional.empty(), 1.0);
        }
    }

    /** The default policy with no caps and equal weights for {@code n} platforms. */
    public static HybridSettings defaults(int n) {
        return new HybridSettings(DEFAULT_DISPATCH, java.util.Collections.nCopies(n, Child.defaults()));
    }
}
