package dev.hybrid.platform.remote.internal;

import dev.hybrid.gpu.GpuInfo;
import dev.hybrid.gpu.NvidiaSmi;
import dev.hybrid.ssh.internal.SshConnection;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads a machine's GPUs by running {@code nvidia-smi}'s CSV queries over the machine's link. */
public final class GpuProbe {
    /** The exit code of {@code sh} for a command it cannot find. */
    private static final int NOT_FOUND = 127;

    /** What reading a machine's GPUs gave. */
    public sealed interface Outcome {
        /** The machine's GPUs, at least one. */
        record Found(List<GpuInfo> gpus) implements Outcome {
            public Found {
                gpus = List.copyOf(gpus);
            }
        }

        /** Why the machine's GPUs could not be read, in plain words. */
        record Failed(String reason) implements Outcome {
            public Failed {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    private GpuProbe() {
    }

    /**
     * Runs {@code nvidiaSmi}'s two queries on the machine, each within {@code timeout}. Blocks; call it on an I/O
     * thread.
     */
    public static Outcome read(MachineLink link, String nvidiaSmi, Duration timeout) {
        Optional<SshConnection.Result> gpus = link.run(command(nvidiaSmi, NvidiaSmi.QUERY_GPU), timeout);
        if (gpus.isEmpty()) {
            return new Outcome.Failed("cannot run '" + nvidiaSmi + "' (the connection is down, or it did not finish"
                    + " within " + timeout.toMillis() + " ms)");
        }
        SshConnection.Result r = gpus.get();
        if (r.exitCode() == NOT_FOUND) {
            return new Outcome.Failed("'" + nvidiaSmi + "' was not found on the machine (exit code 127)");
        }
        if (r.exitCode() != 0) {
            String said = firstLine(r.stderr().isBlank() ? r.stdout() : r.stderr());
            return new Outcome.Failed("'" + nvidiaSmi + "' failed with exit code " + r.exitCode()
                    + (said.isEmpty() ? "" : ": " + said));
        }
        // A failed process query is not fatal: the GPUs are still there, they only all count as idle.
        String apps = link.run(command(nvidiaSmi, NvidiaSmi.QUERY_APPS), timeout)
                .filter(a -> a.exitCode() == 0).map(SshConnection.Result::stdout).orElse("");
        List<GpuInfo> found;
        try {
            found = NvidiaSmi.parse(r.stdout(), apps);
        } catch (IllegalArgumentException e) {
            return new Outcome.Failed("cannot read what '" + nvidiaSmi + "' printed: " + e.getMessage());
        }
        if (found.isEmpty()) {
            return new Outcome.Failed("'" + nvidiaSmi + "' found no GPU");
        }
        return new Outcome.Found(found);
    }

    /** The query through {@code sh}: the login shell may be csh or fish. */
    static String command(String nvidiaSmi, List<String> args) {
        String line = SshConnection.quote(nvidiaSmi) + " "
                + args.stream().map(SshConnection::quote).collect(Collectors.joining(" "));
        return "sh -c " + SshConnection.quote(line);
    }

    private static String firstLine(String text) {
        return text.strip().lines().findFirst().orElse("").strip();
    }
}
