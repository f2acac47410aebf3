package dev.hybrid.platform.slurm.internal;

import dev.hybrid.ssh.internal.SshConnection;
import dev.hybrid.ssh.internal.SshSession;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Runs the Slurm commands on the login node, through its one SSH connection (reconnected when it drops). */
public final class SshSlurmCommands implements SlurmCommands {
    private final SshSession ssh;
    private final Map<String, String> environment;
    private final Duration timeout;

    public SshSlurmCommands(SshSession ssh, Map<String, String> environment, Duration timeout) {
        this.ssh = ssh;
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
    }

    @Override
    public Result run(List<String> args) throws IOException {
        StringBuilder cmd = new StringBuilder();
        if (!environment.isEmpty()) {
            cmd.append("env ").append(environment.entrySet().stream()
                    .map(e -> SshConnection.quote(e.getKey() + "=" + e.getValue())).collect(Collectors.joining(" ")))
                    .append(' ');
        }
        cmd.append(args.stream().map(SshConnection::quote).collect(Collectors.joining(" ")));
        SshConnection.Result r = ssh.run(c -> {
            SshConnection.Result got = c.exec(cmd.toString(), new byte[0], timeout);
            if (got.exitCode() < 0) {
                // No exit status came back: the connection dropped while the command ran (it may have done its work).
                throw new IOException(args.get(0) + " got no answer: the connection to the login node dropped");
            }
            return got;
        });
        return new Result(r.exitCode(), r.stdout(), r.stderr());
    }
}
