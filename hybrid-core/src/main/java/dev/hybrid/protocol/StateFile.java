package dev.hybrid.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code $NNI_SYS_DIR/.nni/state}: {@code <exit code> <epoch ms>}, written when the trial's command exits.
 *
 * @param exitCode the command's exit code
 * @param endedAt when it exited
 */
public record StateFile(int exitCode, Instant endedAt) {
    private static final Pattern FORMAT = Pattern.compile("^\\s*(-?\\d+)\\s+(\\d+)\\s*$");

    /** The file's text. */
    public String render() {
        return exitCode + " " + endedAt.toEpochMilli() + "\n";
    }

    /** Writes {@code .nni/state} under a trial's system directory. */
    public Path write(Path sysDir) throws IOException {
        Path dir = sysDir.resolve(".nni");
        Files.createDirectories(dir);
        Path file = dir.resolve("state");
        Files.writeString(file, render(), StandardCharsets.US_ASCII);
        return file;
    }

    /** Parses the file's text; empty when it is not in the format. */
    public static Optional<StateFile> parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new StateFile(Integer.parseInt(m.group(1)),
                    Instant.ofEpochMilli(Long.parseLong(m.group(2)))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Reads {@code .nni/state} under a trial's system directory; empty when absent or not in the format. */
    public static Optional<StateFile> read(Path sysDir) throws IOException {
        Path file = sysDir.resolve(".nni").resolve("state");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return parse(Files.readString(file, StandardCharsets.US_ASCII));
    }
}
