package dev.hybrid.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the shared benchmark suite ({@code ../shared/bench} beside the project) by walking up from the working folder. */
public final class SharedBench {
    private SharedBench() {
    }

    /** The suite folder, if a {@code shared/bench} folder sits in the working folder or one of its ancestors. */
    public static Optional<Path> locate() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("bench");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
