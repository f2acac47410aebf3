package dev.hybrid.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.jcraft.jsch.HostKeyRepository;
import dev.hybrid.ssh.HostKeyPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostsTest {
    @TempDir
    Path dir;

    private static byte[] key(String type, int seed) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[4 + t.length + 8];
        k[3] = (byte) t.length;
        System.arraycopy(t, 0, k, 4, t.length);
        k[k.length - 1] = (byte) seed;
        return k;
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    @Test
    void acceptNewRecordsANewHostAndRefusesAChangedKey() throws Exception {
        Path file = dir.resolve("sub/known_hosts");
        KnownHosts kh = new KnownHosts(file, HostKeyPolicy.ACCEPT_NEW);
        assertThat(kh.check("[10.0.0.1]:2222", key("ssh-ed25519", 1))).isEqualTo(HostKeyRepository.OK);
        assertThat(kh.lastVerdict()).isEqualTo(KnownHosts.Verdict.ADDED);
        assertThat(Files.readString(file)).isEqualTo("[10.0.0.1]:2222 ssh-ed25519 " + b64(key("ssh-ed25519", 1))
                + "\n");
        assertThat(kh.check("[10.0.0.1]:2222", key("ssh-ed25519", 1))).isEqualTo(HostKeyRepository.OK);
        assertThat(kh.lastVerdict()).isEqualTo(KnownHosts.Verdict.KNOWN);
        assertThat(kh.check("[10.0.0.1]:2222", key("ssh-ed25519", 2))).isEqualTo(HostKeyRepository.CHANGED);
        assertThat(kh.check("10.0.0.1", key("ssh-ed25519", 2))).isEqualTo(HostKeyRepository.OK);
    }

    @Test
    void strictRefusesUnknownHostsAndUnderstandsPatternsAndHashes() throws Exception {
        byte[] salt = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        String hashed = "|1|" + b64(salt) + "|" + b64(mac.doFinal("secret.example".getBytes(StandardCharsets.UTF_8)));
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, "# comment\n"
                + "*.lab,!bad.lab ssh-rsa " + b64(key("ssh-rsa", 5)) + "\n"
                + hashed + " ssh-ed25519 " + b64(key("ssh-ed25519", 6)) + "\n"
                + "@revoked gone.lab ssh-rsa " + b64(key("ssh-rsa", 7)) + "\n");
        KnownHosts kh = new KnownHosts(file, HostKeyPolicy.STRICT);
        assertThat(kh.check("a.lab", key("ssh-rsa", 5))).isEqualTo(HostKeyRepository.OK);
        assertThat(kh.check("bad.lab", key("ssh-rsa", 5))).isEqualTo(HostKeyRepository.NOT_INCLUDED);
        assertThat(kh.check("secret.example", key("ssh-ed25519", 6))).isEqualTo(HostKeyRepository.OK);
        assertThat(kh.check("gone.lab", key("ssh-rsa", 7))).isEqualTo(HostKeyRepository.CHANGED);
        assertThat(kh.check("new.example", key("ssh-rsa", 1))).isEqualTo(HostKeyRepository.NOT_INCLUDED);
        assertThat(kh.lastVerdict()).isEqualTo(KnownHosts.Verdict.UNKNOWN);
        assertThat(Files.readString(file)).doesNotContain("new.example");
        assertThat(new KnownHosts(file, HostKeyPolicy.OFF).check("x", key("ssh-rsa", 9)))
                .isEqualTo(HostKeyRepository.OK);
    }
}
