package dev.hybrid.platform.slurm.internal;

import dev.hybrid.protocol.PythonSdk;
import dev.hybrid.protocol.StateFile;
import dev.hybrid.protocol.TrialFolderReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The shared folder as this machine's file system sees it (the directory is mounted here too). */
public final class LocalSharedFolder implements SharedFolder {

    @Override
    public void prepare(Path codeDir, Path experimentFolder) throws IOException {
        Files.createDirectories(experimentFolder.resolve("trials"));
        copyCode(codeDir, experimentFolder.resolve("nni-code"));
        PythonSdk.installTo(experimentFolder.resolve(".hybrid").resolve("python"));
    }

    @Override
    public void write(Path dir, List<String> delete, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(dir.resolve(".nni"));
        for (String f : delete) {
            Files.deleteIfExists(dir.resolve(f));
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            // Atomically: a pilot polling for its next trial never reads half a file.
            Path target = dir.resolve(f.getKey());
            // A temporary name of its own: two Slurm platforms of one experiment may write one file at once.
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
            try {
                Files.write(tmp, f.getValue());
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    @Override
    public Snapshot read(Path sysDir, TrialFolderReader reader, long budget, boolean last,
            TrialFolderReader.Listener to) throws IOException {
        Optional<StateFile> state = StateFile.read(sysDir);
        boolean pilot = Files.exists(sysDir.resolve(".nni").resolve("pilot"));
        reader.read(budget, last, to);
        return new Snapshot(state, pilot);
    }

    @Override
    public String stderrEnd(Path sysDir) {
        Path f = sysDir.resolve("stderr");
        try (var ch = Files.newByteChannel(f)) {
            long size = ch.size();
            long from = Math.max(0, size - 8192);
            ch.position(from);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (size - from));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read until full
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void copyCode(Path codeDir, Path target) throws IOException {
        Path from = codeDir.toAbsolutePath().normalize();
        Path to = target.toAbsolutePath().normalize();
        if (from.equals(to)) {
            return;
        }
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(from) && to.startsWith(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
