package dev.hybrid.ssh.internal;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import dev.hybrid.config.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Checks an SSH private key file before it is used, so that a missing or locked key is reported as such. */
public final class KeyFiles {
    private KeyFiles() {
    }

    /**
     * What is wrong with using {@code keyFile} with {@code passphrase}, in words that follow the file's path (never the
     * passphrase); empty when the key can be used.
     */
    public static Optional<String> problem(Path keyFile, Optional<Secret> passphrase) {
        if (!Files.exists(keyFile)) {
            return Optional.of("does not exist");
        }
        if (!Files.isRegularFile(keyFile) || !Files.isReadable(keyFile)) {
            return Optional.of("cannot be read");
        }
        KeyPair pair;
        try {
            pair = KeyPair.load(new JSch(), keyFile.toString());
        } catch (JSchException e) {
            return Optional.of("is not a private key that can be read (" + e.getMessage() + ")");
        }
        try {
            if (!pair.isEncrypted()) {
                return Optional.empty();
            }
            if (passphrase.isEmpty()) {
                return Optional.of("is encrypted and needs a passphrase (passphrase in a v1 machineList,"
                        + " sshPassphrase in v2)");
            }
            if (!pair.decrypt(passphrase.get().reveal().getBytes(StandardCharsets.UTF_8))) {
                return Optional.of("is encrypted and the passphrase given for it is wrong");
            }
            return Optional.empty();
        } finally {
            pair.dispose();
        }
    }
}
