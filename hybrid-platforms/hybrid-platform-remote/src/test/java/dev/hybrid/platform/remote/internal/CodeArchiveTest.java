package dev.hybrid.platform.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeArchiveTest {
    @TempDir
    Path dir;

    @Test
    void tarUnpacksTheCodeMinusIgnoredFilesWithLongNamesAndExecutableBits() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/tar")) || Files.isExecutable(Path.of("/usr/bin/tar")));
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve(".nniignore"), "*.ckpt\n");
        Files.writeString(code.resolve("main.py"), "print('hi')\n");
        Files.writeString(code.resolve("model.ckpt"), "big");
        Path run = Files.writeString(code.resolve("run.sh"), "echo hi\n");
        run.toFile().setExecutable(true);
        String longDir = "a-rather-long-directory-name-that-goes-on/".repeat(4);
        Files.createDirectories(code.resolve(longDir));
        Files.writeString(code.resolve(longDir + "déjà-vu.txt"), "x");

        CodeArchive a = CodeArchive.pack(code, Map.of(".hybrid/monitor.sh", "echo m\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(a.fileCount()).isEqualTo(4);
        assertThat(CodeArchive.pack(code, Map.of(".hybrid/monitor.sh", "echo m\n".getBytes(StandardCharsets.UTF_8)))
                .digest()).isEqualTo(a.digest());

        Path out = Files.createDirectories(dir.resolve("out"));
        Process tar = new ProcessBuilder("tar", "-xzf", "-", "-C", out.toString()).redirectErrorStream(true).start();
        try (var in = tar.getOutputStream()) {
            a.writeTo(in);
        }
        String log = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(log).isZero();
        assertThat(out.resolve("nni-code/main.py")).hasContent("print('hi')");
        assertThat(out.resolve("nni-code/model.ckpt")).doesNotExist();
        assertThat(Files.isExecutable(out.resolve("nni-code/run.sh"))).isTrue();
        assertThat(out.resolve("nni-code/" + longDir + "déjà-vu.txt")).hasContent("x");
        assertThat(Files.isExecutable(out.resolve(".hybrid/monitor.sh"))).isTrue();
    }
}
