package dev.hybrid.bench;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Drives one tuner over one problem with the benchmark's pending-queue protocol: ask until {@code pending}
 * configurations wait (never more than {@code budget} in all), report the oldest, ask again, until {@code budget}
 * results are reported. With {@code pending = 1} this is plain sequential tuning. Only the time spent inside tuner
 * calls is counted.
 */
public final class BenchRunner {
    private BenchRunner() {
    }

    private record Asked(TrialId id, Parameters parameters) {
    }

    /**
     * Runs the protocol. The tuner must be fresh; the objective stays open.
     *
     * @throws BenchException if the tuner says {@code Later} with nothing pending, or the objective fails
     */
    public static Trace run(BenchProblem problem, Tuner tuner, Objective objective, int budget, int pending) {
        if (budget < 1 || pending < 1) {
            throw new IllegalArgumentException("budget and pending must be >= 1, were " + budget + ", " + pending);
        }
        tuner.updateSearchSpace(problem.space());
        Deque<Asked> queue = new ArrayDeque<>();
        double[] values = new double[budget];
        long[] nanos = new long[budget];
        long inTuner = 0;
        int asked = 0;
        int reported = 0;
        boolean done = false;
        while (reported < budget) {
            while (!done && queue.size() < pending && asked < budget) {
                TrialId id = TrialId.of("trial-" + asked);
                long t0 = System.nanoTime();
                Suggestion s = tuner.suggest(id);
                inTuner += System.nanoTime() - t0;
                if (s instanceof Suggestion.Next next) {
                    queue.add(new Asked(id, next.parameters()));
                    asked++;
                } else if (s instanceof Suggestion.Done) {
                    done = true;
                } else if (queue.isEmpty()) {
                    throw new BenchException("the tuner answered Later on " + problem.name()
                            + " with no trial pending");
                } else {
                    break;
                }
            }
            Asked next = queue.poll();
            if (next == null) {
                break;
            }
            double v = objective.evaluate(next.parameters());
            long t0 = System.nanoTime();
            tuner.onResult(next.id(), next.parameters(), v);
            tuner.onTrialEnd(next.id(), TrialStatus.SUCCEEDED);
            inTuner += System.nanoTime() - t0;
            values[reported] = v;
            nanos[reported] = inTuner;
            reported++;
        }
        return new Trace(Arrays.copyOf(values, reported), Arrays.copyOf(nanos, reported));
    }
}
