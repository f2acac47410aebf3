package dev.hybrid.platform.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.OutputStream;
import java.io.RandomAccessFile;
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

    @Test
    void aFileOver2GigabytesIsStreamedAndTarListsItWithItsFullSize() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/tar")) || Files.isExecutable(Path.of("/usr/bin/tar")));
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("main.py"), "print('hi')\n");
        long big = (1L << 31) + 4097;
        try (RandomAccessFile f = new RandomAccessFile(code.resolve("weights.bin").toFile(), "rw")) {
            f.setLength(big); // sparse: no disk used
        }

        CodeArchive a = CodeArchive.pack(code, Map.of());
        assertThat(a.size()).isEqualTo(big + 12);

        Process tar = new ProcessBuilder("tar", "-tvzf", "-").redirectErrorStream(true).start();
        Thread feeder = new Thread(() -> {
            try (OutputStream in = tar.getOutputStream()) {
                a.writeTo(in);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        feeder.start();
        String listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        feeder.join();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(listing).isZero();
        assertThat(listing).containsPattern(" " + big + " .*nni-code/weights\\.bin");
    }

    @Test
    void aFileThatCannotBeReadWhenStreamedIsNamedInTheError() throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("main.py"), "print('hi')\n");
        Files.createDirectories(code.resolve("data"));
        Files.writeString(code.resolve("data/train.csv"), "1,2,3\n".repeat(1000));
        CodeArchive a = CodeArchive.pack(code, Map.of());
        Files.delete(code.resolve("data/train.csv"));

        CodeArchive.UnreadableFile e = catchThrowableOfType(CodeArchive.UnreadableFile.class,
                () -> a.writeTo(OutputStream.nullOutputStream()));

        assertThat(e).hasMessageContaining("data/train.csv").hasMessageContaining("no longer exists");
    }

    @Test
    void filesThatCannotBeReadAreNamedWhenPacking() throws Exception {
        assumeTrue(!System.getProperty("user.name").equals("root"), "root reads every file");
        Path code = Files.createDirectories(dir.resolve("code"));
        Path secret = Files.writeString(code.resolve("private.key"), "x");
        secret.toFile().setReadable(false, false);

        CodeArchive.UnreadableFile e = catchThrowableOfType(CodeArchive.UnreadableFile.class,
                () -> CodeArchive.pack(code, Map.of()));

        assertThat(e).hasMessageContaining("private.key (permission denied)").hasMessageContaining(".nniignore");
    }
}
