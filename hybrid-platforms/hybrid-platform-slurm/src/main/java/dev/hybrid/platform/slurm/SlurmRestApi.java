package dev.hybrid.platform.slurm;

import dev.hybrid.config.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the Slurm platform reaches slurmrestd, Slurm's REST API, instead of running the Slurm commands: its
 * base URL, the OpenAPI version to speak, and the user name and JWT sent with every request (slurm.conf needs
 * {@code AuthAltTypes=auth/jwt}; {@code scontrol token} mints one). The token is given as is or as a file that is read
 * again for every request, so that a token renewed in the file is used at once. Its {@code toString()} shows no
 * secret.
 *
 * @param url {@code restUrl}: {@code http://host:port} of slurmrestd
 * @param apiVersion {@code restApiVersion}: one of {@link #VERSIONS}; empty means the newest of them the server offers
 * @param user {@code restUser}: the {@code X-SLURM-USER-NAME} header, the user the token was minted for
 * @param token {@code restToken}: the JWT
 * @param tokenFile {@code restTokenFile}: a file holding the JWT (a {@code SLURM_JWT=} prefix is allowed)
 */
public record SlurmRestApi(URI url, Optional<String> apiVersion, String user, Optional<Secret> token,
        Optional<Path> tokenFile) {
    /** The OpenAPI versions of slurmrestd that Hybrid speaks, oldest first. */
    public static final List<String> VERSIONS = List.of("v0.0.37", "v0.0.38");

    public SlurmRestApi {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(tokenFile, "tokenFile");
        if (token.isPresent() == tokenFile.isPresent()) {
            throw new IllegalArgumentException("give exactly one of token and tokenFile");
        }
        if (apiVersion.isPresent() && !VERSIONS.contains(apiVersion.get())) {
            throw new IllegalArgumentException("apiVersion must be one of " + VERSIONS + ", was " + apiVersion.get());
        }
        if (user.isBlank()) {
            throw new IllegalArgumentException("user must not be blank");
        }
    }

    /** slurmrestd at {@code url}, its newest version that Hybrid speaks, with a token for {@code user}. */
    public static SlurmRestApi withToken(URI url, String user, Secret token) {
        return new SlurmRestApi(url, Optional.empty(), user, Optional.of(token), Optional.empty());
    }

    /** slurmrestd at {@code url}, its newest version that Hybrid speaks, with the token in {@code file}. */
    public static SlurmRestApi withTokenFile(URI url, String user, Path file) {
        return new SlurmRestApi(url, Optional.empty(), user, Optional.empty(), Optional.of(file));
    }

    /** These settings with a fixed OpenAPI version. */
    public SlurmRestApi withApiVersion(String version) {
        return new SlurmRestApi(url, Optional.of(version), user, token, tokenFile);
    }
}
