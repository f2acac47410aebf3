package dev.hybrid.platform;

import dev.hybrid.trial.TrialSpec;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses which child of a {@link HybridPlatform} runs a trial. Called by the hybrid platform under its lock, so an
 * implementation may keep state (a rotation) without synchronisation of its own; it must be quick and do no I/O.
 */
public interface DispatchPolicy {

    /** What the policy knows of one healthy child that has room for the trial. */
    record Candidate(int index, String name, int freeSlots, int running, double weight) {
        public Candidate {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Picks one of {@code candidates} (never empty; every one has a free slot) for {@code trial}.
     *
     * @return an element of {@code candidates}
     */
    Candidate choose(TrialSpec trial, List<Candidate> candidates);

    /**
     * The default: every child's free slots are filled before any child is favoured. The trial goes to the child with
     * the fewest slots in all (its running trials plus its free slots) among those with a free one, so that a child
     * with few slots (a group of machines) is kept full and the child with the most room (a local platform, whose
     * slots are {@code trialConcurrency}) takes what is left; among children with as many slots, to the one with the
     * most free, then to each in turn. Under {@link #mostFree()} the child with the most room would take most trials
     * and leave the others' slots idle.
     */
    static DispatchPolicy fill() {
        return new DispatchPolicy() {
            private int turn;

            @Override
            public Candidate choose(TrialSpec trial, List<Candidate> candidates) {
                int fewest = candidates.stream().mapToInt(c -> c.running() + c.freeSlots()).min().orElseThrow();
                List<Candidate> smallest = candidates.stream()
                        .filter(c -> c.running() + c.freeSlots() == fewest).toList();
                int most = smallest.stream().mapToInt(Candidate::freeSlots).max().orElseThrow();
                List<Candidate> tied = smallest.stream().filter(c -> c.freeSlots() == most).toList();
                return tied.get(Math.floorMod(turn++, tied.size()));
            }

            @Override
            public String toString() {
                return "fill";
            }
        };
    }

    /** The child with the most free slots; ties go to each tied child in turn. */
    static DispatchPolicy mostFree() {
        return new DispatchPolicy() {
            private int turn;

            @Override
            public Candidate choose(TrialSpec trial, List<Candidate> candidates) {
                int best = candidates.stream().mapToInt(Candidate::freeSlots).max().orElseThrow();
                List<Candidate> tied = candidates.stream().filter(c -> c.freeSlots() == best).toList();
                return tied.get(Math.floorMod(turn++, tied.size()));
            }

            @Override
            public String toString() {
                return "most-free";
            }
        };
    }

    /** Each child in turn, skipping those without a free slot. */
    static DispatchPolicy roundRobin() {
        return new DispatchPolicy() {
            private int next;

            @Override
            public Candidate choose(TrialSpec trial, List<Candidate> candidates) {
                Candidate pick = candidates.get(0);
                int bestDistance = Integer.MAX_VALUE;
                for (Candidate c : candidates) {
                    int distance = Math.floorMod(c.index() - next, 1 << 16);
                    if (distance < bestDistance) {
                        bestDistance = distance;
                        pick = c;
                    }
                }
                next = pick.index() + 1;
                return pick;
            }

            @Override
            public String toString() {
                return "round-robin";
            }
        };
    }

    /**
     * Trials in proportion to the children's weights (a child's {@code weight}, 1 by default): the child with the
     * fewest running trials per unit of weight goes first; ties in turn.
     */
    static DispatchPolicy weighted() {
        return new DispatchPolicy() {
            private int turn;

            @Override
            public Candidate choose(TrialSpec trial, List<Candidate> candidates) {
                double best = candidates.stream().mapToDouble(c -> c.running() / c.weight()).min().orElseThrow();
                List<Candidate> tied = candidates.stream().filter(c -> c.running() / c.weight() == best).toList();
                return tied.get(Math.floorMod(turn++, tied.size()));
            }

            @Override
            public String toString() {
                return "weighted";
            }
        };
    }

    /**
     * The policies by the names configs use: {@code fill} (the default), {@code most-free}, {@code round-robin},
     * {@code weighted}.
     */
    static Optional<DispatchPolicy> named(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "fill" -> Optional.of(fill());
            case "most-free", "mostfree", "capacity" -> Optional.of(mostFree());
            case "round-robin", "roundrobin" -> Optional.of(roundRobin());
            case "weighted" -> Optional.of(weighted());
            default -> Optional.empty();
        };
    }

    /** The names {@link #named} knows. */
    static List<String> names() {
        return List.of("fill", "most-free", "round-robin", "weighted");
    }
}
