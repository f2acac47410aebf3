package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/** The classArg {@code all_checkpoint_dir} of PBTTuner, Hyperband and BOHB: an absolute folder every trial reaches. */
final class CheckpointDirArg {
    static final String KEY = "all_checkpoint_dir";

    private CheckpointDirArg() {
    }

    /**
     * The folder as written; empty when the key is absent or blank. A relative or invalid path is reported at its key
     * (trials run in their own working folders, so a relative one would name a different folder for each) and gives
     * empty.
     */
    static Optional<Path> read(ConfigNode args) {
        String written = args.string(KEY, "");
        if (written.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path dir = Path.of(written);
            if (dir.isAbsolute()) {
                return Optional.of(dir);
            }
            args.problem(KEY, "must be an absolute path (trials run in their own folders), was '" + written + "'");
        } catch (InvalidPathException e) {
            args.problem(KEY, "is not a valid path: " + e.getMessage());
        }
        return Optional.empty();
    }
}
