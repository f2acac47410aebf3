package dev.hybrid.ssh.internal;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import dev.hybrid.ssh.HostKeyPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An OpenSSH {@code known_hosts} file as JSch's host-key repository, applying a {@link HostKeyPolicy}: plain, wildcard,
 * negated and hashed ({@code |1|salt|hash}) host patterns and {@code [host]:port} entries are understood;
 * {@code @revoked} and {@code @cert-authority} lines are never trusted. Under {@code accept-new} a new host's key is
 * appended in OpenSSH's format. The last verdict is kept so that a failed connection can say why. Thread-safe.
 */
public final class KnownHosts implements HostKeyRepository {
    /** What the last check decided. */
    public enum Verdict { NONE, KNOWN, ADDED, UNCHECKED, UNKNOWN, CHANGED }

    private final Path file;
    private final HostKeyPolicy policy;
    private volatile Verdict last = Verdict.NONE;

    public KnownHosts(Path file, HostKeyPolicy policy) {
        this.file = Objects.requireNonNull(file, "file");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public Path file() {
        return file;
    }

    /** The verdict of the latest {@link #check}. */
    public Verdict lastVerdict() {
        return last;
    }

    private record Entry(String marker, String hosts, String type, byte[] key) {
    }

    @Override
    public synchronized int check(String host, byte[] key) {
        if (policy == HostKeyPolicy.OFF) {
            last = Verdict.UNCHECKED;
            return OK;
        }
        String type = keyType(key);
        boolean sameTypeDiffers = false;
        for (Entry e : read()) {
            if (!matches(e.hosts, host)) {
                continue;
            }
            if (e.marker != null) {
                if (e.marker.equals("@revoked") && Arrays.equals(e.key, key)) {
                    last = Verdict.CHANGED;
                    return CHANGED;
                }
                continue;
            }
            if (Arrays.equals(e.key, key)) {
                last = Verdict.KNOWN;
                return OK;
            }
            if (e.type.equals(type)) {
                sameTypeDiffers = true;
            }
        }
        if (sameTypeDiffers) {
            last = Verdict.CHANGED;
            return CHANGED;
        }
        if (policy == HostKeyPolicy.ACCEPT_NEW) {
            try {
                append(host, type, key);
            } catch (IOException e) {
                // The key is trusted for this connection anyway; it is only not remembered.
                org.slf4j.LoggerFactory.getLogger(KnownHosts.class).warn("Cannot record the host key of {} in {}: {}",
                        host, file, e.toString());
            }
            last = Verdict.ADDED;
            return OK;
        }
        last = Verdict.UNKNOWN;
        return NOT_INCLUDED;
    }

    private void append(String host, String type, byte[] key) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        String prefix = "";
        if (Files.exists(file) && Files.size(file) > 0) {
            byte[] all = Files.readAllBytes(file);
            if (all[all.length - 1] != '\n') {
                prefix = "\n";
            }
        }
        String line = prefix + host + " " + type + " " + Base64.getEncoder().encodeToString(key) + "\n";
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private List<Entry> read() {
        List<Entry> out = new ArrayList<>();
        List<String> lines;
        try {
            if (!Files.exists(file)) {
                return out;
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return out;
        }
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            int i = 0;
            String marker = null;
            if (f[0].startsWith("@")) {
                marker = f[0];
                i = 1;
            }
            if (f.length < i + 3) {
                continue;
            }
            try {
                out.add(new Entry(marker, f[i], f[i + 1], Base64.getDecoder().decode(f[i + 2])));
            } catch (IllegalArgumentException e) {
                // not a key line
            }
        }
        return out;
    }

    /** Whether a known_hosts host field ({@code a,b,!c}, {@code [h]:p}, {@code |1|salt|hash}) names {@code host}. */
    static boolean matches(String field, String host) {
        if (field.startsWith("|1|")) {
            return hashedMatches(field, host);
        }
        boolean any = false;
        for (String pattern : field.split(",")) {
            boolean negated = pattern.startsWith("!");
            String p = negated ? pattern.substring(1) : pattern;
            if (glob(p).matcher(host).matches()) {
                if (negated) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private static Pattern glob(String p) {
        StringBuilder re = new StringBuilder();
        for (char c : p.toCharArray()) {
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
    }

    private static boolean hashedMatches(String field, String host) {
        String[] parts = field.split("\\|");
        if (parts.length != 4) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            return MessageDigest.isEqual(mac.doFinal(host.getBytes(StandardCharsets.UTF_8)), hash);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    /** The key type named inside an SSH public key blob ({@code ssh-ed25519}, {@code ecdsa-sha2-nistp256}, ...). */
    static String keyType(byte[] blob) {
        if (blob.length < 4) {
            return "unknown";
        }
        int n = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        if (n <= 0 || n > blob.length - 4) {
            return "unknown";
        }
        return new String(blob, 4, n, StandardCharsets.US_ASCII);
    }

    /** The name JSch looks keys up by: {@code host} on port 22, else {@code [host]:port}. */
    public static String hostName(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        // Keys are recorded by check() under accept-new; JSch's own prompting path is not used.
    }

    @Override
    public void remove(String host, String type) {
    }

    @Override
    public void remove(String host, String type, byte[] key) {
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return file.toString();
    }

    @Override
    public synchronized HostKey[] getHostKey() {
        return toHostKeys(read(), Optional.empty(), Optional.empty());
    }

    @Override
    public synchronized HostKey[] getHostKey(String host, String type) {
        return toHostKeys(read(), Optional.ofNullable(host), Optional.ofNullable(type));
    }

    private static HostKey[] toHostKeys(List<Entry> entries, Optional<String> host, Optional<String> type) {
        List<HostKey> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.marker != null || host.isPresent() && !matches(e.hosts, host.get())
                    || type.isPresent() && !e.type.equals(type.get())) {
                continue;
            }
            try {
                out.add(new HostKey(host.orElse(e.hosts), e.key));
            } catch (JSchException ex) {
                // a key type JSch does not know: it cannot be negotiated anyway
            }
        }
        return out.toArray(new HostKey[0]);
    }
}
