package dev.hybrid.platform.slurm;

import dev.hybrid.config.Secret;
import dev.hybrid.ssh.HostKeyPolicy;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The login node the Slurm commands run on, reached over SSH with the same connection code as the remote platform's
 * machines: a password, or a key file with an optional passphrase; host keys checked against {@code knownHostsFile}
 * under {@code hostKeyPolicy}. Its {@code toString()} shows no secret.
 *
 * @param host the login node's host name or address
 * @param port its SSH port
 * @param user the login name
 * @param password the password, when logging in with one
 * @param keyFile the private key file, when logging in with a key
 * @param passphrase the key's passphrase, when it has one
 * @param hostKeyPolicy how the host key is checked
 * @param knownHostsFile the {@code known_hosts} file
 */
public record SlurmLoginNode(String host, int port, String user, Optional<Secret> password, Optional<Path> keyFile,
        Optional<Secret> passphrase, HostKeyPolicy hostKeyPolicy, Path knownHostsFile) {
    public SlurmLoginNode {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(passphrase, "passphrase");
        Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
        Objects.requireNonNull(knownHostsFile, "knownHostsFile");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
        if (password.isEmpty() && keyFile.isEmpty()) {
            throw new IllegalArgumentException("a login node needs a password or a key file");
        }
    }

    /** A login node reached with a key file (no passphrase), new host keys recorded in {@code knownHostsFile}. */
    public static SlurmLoginNode withKey(String host, int port, String user, Path keyFile, Path knownHostsFile) {
        return new SlurmLoginNode(host, port, user, Optional.empty(), Optional.of(keyFile), Optional.empty(),
                HostKeyPolicy.ACCEPT_NEW, knownHostsFile);
    }

    /** {@code user@host:port}, for messages. */
    public String describe() {
        return user + "@" + host + ":" + port;
    }
}
