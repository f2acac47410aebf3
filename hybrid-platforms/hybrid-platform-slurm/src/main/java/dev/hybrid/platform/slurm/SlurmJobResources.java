package dev.hybrid.platform.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What each trial's batch job asks Slurm for; each present value becomes one {@code sbatch} flag.
 *
 * @param partition {@code --partition}
 * @param account {@code --account}
 * @param qos {@code --qos}
 * @param timeLimit {@code --time}, in Slurm's format ({@code 30}, {@code 1:00:00}, {@code 2-00:00:00})
 * @param cpus {@code --cpus-per-task} ({@code trialCpuNumber})
 * @param memoryMb {@code --mem} in MB ({@code trialMemorySize})
 * @param gpus {@code --gres=gpu:N} ({@code trialGpuNumber}); 0 or empty asks for none
 * @param extraArgs further flags, passed as given ({@code sbatchArgs})
 */
public record SlurmJobResources(Optional<String> partition, Optional<String> account, Optional<String> qos,
        Optional<String> timeLimit, Optional<Integer> cpus, Optional<Long> memoryMb, Optional<Integer> gpus,
        List<String> extraArgs) {

    public SlurmJobResources {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(timeLimit, "timeLimit");
        Objects.requireNonNull(cpus, "cpus");
        Objects.requireNonNull(memoryMb, "memoryMb");
        Objects.requireNonNull(gpus, "gpus");
        extraArgs = List.copyOf(extraArgs);
        if (cpus.isPresent() && cpus.get() < 1) {
            throw new IllegalArgumentException("cpus must be >= 1, was " + cpus.get());
        }
        if (memoryMb.isPresent() && memoryMb.get() < 1) {
            throw new IllegalArgumentException("memoryMb must be >= 1, was " + memoryMb.get());
        }
        if (gpus.isPresent() && gpus.get() < 0) {
            throw new IllegalArgumentException("gpus must be >= 0, was " + gpus.get());
        }
    }

    /** Nothing asked for: the cluster's defaults. */
    public static SlurmJobResources defaults() {
        return new SlurmJobResources(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    /** These resources with {@code n} GPUs per trial. */
    public SlurmJobResources withGpus(int n) {
        return new SlurmJobResources(partition, account, qos, timeLimit, cpus, memoryMb, Optional.of(n), extraArgs);
    }

    /** These resources with a time limit per trial, in Slurm's format. */
    public SlurmJobResources withTimeLimit(String limit) {
        return new SlurmJobResources(partition, account, qos, Optional.of(limit), cpus, memoryMb, gpus, extraArgs);
    }

    /** The {@code sbatch} flags these resources give. */
    public List<String> sbatchFlags() {
        List<String> flags = new ArrayList<>();
        partition.ifPresent(p -> flags.add("--partition=" + p));
        account.ifPresent(a -> flags.add("--account=" + a));
        qos.ifPresent(q -> flags.add("--qos=" + q));
        timeLimit.ifPresent(t -> flags.add("--time=" + t));
        cpus.ifPresent(c -> flags.add("--cpus-per-task=" + c));
        memoryMb.ifPresent(m -> flags.add("--mem=" + m + "M"));
        gpus.filter(g -> g > 0).ifPresent(g -> flags.add("--gres=gpu:" + g));
        flags.addAll(extraArgs);
        return flags;
    }
}
