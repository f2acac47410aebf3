package dev.hybrid.gpu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Hands GPUs to trials on one machine. A GPU can take a trial when it is in {@code gpuIndices} (all GPUs when unset),
 * fewer than {@code maxTrialNumPerGpu} of our trials use it, and — if none of ours does yet — either
 * {@code useActiveGpu} is set or no other process computes on it. This is NNI's rule, with its intent kept where
 * NNI's code lets a busy GPU through. A trial needing N GPUs gets the N least-used available ones, by index.
 *
 * <p>Not thread-safe: a platform calls it under its own lock.
 */
public final class GpuScheduler {
    private final Map<Integer, GpuInfo> gpus = new HashMap<>();
    private final Optional<List<Integer>> allowed;
    private final int maxTrialsPerGpu;
    private final boolean useActiveGpu;
    private final Map<Integer, Integer> ours = new HashMap<>();

    /**
     * @param gpus the machine's GPUs, from {@link NvidiaSmi}
     * @param allowed {@code gpuIndices}: the GPUs trials may use; empty means all
     * @param maxTrialsPerGpu {@code maxTrialNumPerGpu}, at least 1
     * @param useActiveGpu {@code useActiveGpu}
     */
    public GpuScheduler(List<GpuInfo> gpus, Optional<List<Integer>> allowed, int maxTrialsPerGpu,
            boolean useActiveGpu) {
        Objects.requireNonNull(gpus, "gpus");
        this.allowed = Objects.requireNonNull(allowed, "allowed").map(List::copyOf);
        if (maxTrialsPerGpu < 1) {
            throw new IllegalArgumentException("maxTrialsPerGpu must be >= 1, was " + maxTrialsPerGpu);
        }
        this.maxTrialsPerGpu = maxTrialsPerGpu;
        this.useActiveGpu = useActiveGpu;
        update(gpus);
    }

    /** Takes fresh {@code nvidia-smi} readings; our own assignments are kept. */
    public void update(List<GpuInfo> readings) {
        gpus.clear();
        for (GpuInfo g : readings) {
            gpus.put(g.index(), g);
        }
    }

    /** How many GPUs trials may use at all (after {@code gpuIndices}). */
    public int usableCount() {
        return (int) gpus.keySet().stream().filter(this::isAllowed).count();
    }

    /** How many more trials needing {@code perTrial} GPUs could start now. */
    public int freeSlots(int perTrial) {
        return perTrial <= 0 ? Integer.MAX_VALUE : countAssignable(perTrial);
    }

    /** Assigns {@code n} GPUs to a trial; empty when not enough are available now. */
    public Optional<List<Integer>> allocate(int n) {
        if (n <= 0) {
            return Optional.of(List.of());
        }
        List<Integer> free = available();
        if (free.size() < n) {
            return Optional.empty();
        }
        free.sort((a, b) -> {
            int c = Integer.compare(ours.getOrDefault(a, 0), ours.getOrDefault(b, 0));
            return c != 0 ? c : Integer.compare(a, b);
        });
        List<Integer> chosen = new ArrayList<>(free.subList(0, n));
        Collections.sort(chosen);
        chosen.forEach(i -> ours.merge(i, 1, Integer::sum));
        return Optional.of(List.copyOf(chosen));
    }

    /** Gives back the GPUs of a trial that ended. */
    public void release(List<Integer> assigned) {
        for (int i : assigned) {
            ours.computeIfPresent(i, (k, v) -> v <= 1 ? null : v - 1);
        }
    }

    private boolean isAllowed(int index) {
        return allowed.isEmpty() || allowed.get().contains(index);
    }

    /** The GPUs that could take one more trial now, by index. */
    private List<Integer> available() {
        List<Integer> out = new ArrayList<>();
        for (GpuInfo g : gpus.values()) {
            int used = ours.getOrDefault(g.index(), 0);
            boolean otherWork = g.activeProcesses() > used;
            if (isAllowed(g.index()) && used < maxTrialsPerGpu && (used > 0 || useActiveGpu || !otherWork)) {
                out.add(g.index());
            }
        }
        Collections.sort(out);
        return out;
    }

    /**
     * How many more trials of {@code n} distinct GPUs each fit now: the largest k with
     * {@code sum over GPUs of min(room, k) >= n * k}, where a GPU's room is how many more of our trials it may take.
     */
    private int countAssignable(int n) {
        List<Integer> free = available();
        long total = 0;
        int[] room = new int[free.size()];
        for (int i = 0; i < room.length; i++) {
            room[i] = maxTrialsPerGpu - ours.getOrDefault(free.get(i), 0);
            total += room[i];
        }
        long lo = 0;
        long hi = total / n;
        while (lo < hi) {
            long k = (lo + hi + 1) >>> 1;
            long fits = 0;
            for (int r : room) {
                fits += Math.min(r, k);
            }
            if (fits >= n * k) {
                lo = k;
            } else {
                hi = k - 1;
            }
        }
        return (int) Math.min(lo, Integer.MAX_VALUE);
    }
}
