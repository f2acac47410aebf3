package dev.hybrid.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Hybrid's pure-Python {@code nni} module (a resource of this package): {@code get_next_parameter},
 * {@code report_intermediate_result}, {@code report_final_result}, ... written from NNI's protocol. Platforms install
 * it beside a trial and put its folder on {@code PYTHONPATH}, so NNI trial scripts run unedited. When imported, it
 * looks for another {@code nni} on the running interpreter's path and loads that one in its place: a trial whose
 * interpreter has the real NNI SDK uses it, whichever interpreter the trial command names.
 */
public final class PythonSdk {
    /** The module's files, relative to the folder that goes on {@code PYTHONPATH}. */
    public static final List<String> FILES = List.of("nni/__init__.py", "nni/utils.py");

    private PythonSdk() {
    }

    /** The text of one of {@link #FILES}. */
    public static byte[] file(String name) {
        if (!FILES.contains(name)) {
            throw new IllegalArgumentException("not a file of the module: " + name);
        }
        try (InputStream in = PythonSdk.class.getResourceAsStream("python/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource python/" + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the module under {@code folder} (creating {@code folder/nni/}) and returns {@code folder}, the entry to
     * put on {@code PYTHONPATH}. Rewrites the files only when their content differs;
     * safe to call from several threads or processes at once.
     */
    public static Path installTo(Path folder) throws IOException {
        for (String name : FILES) {
            Path target = folder.resolve(name);
            byte[] content = file(name);
            if (Files.exists(target) && java.util.Arrays.equals(Files.readAllBytes(target), content)) {
                continue;
            }
            Files.createDirectories(target.getParent());
            // A temporary file of its own: two platforms of one experiment (local and local#2) install at once.
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
            try {
                if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    // createTempFile makes it owner-only; the module is read by whoever runs the trial
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString(
                            "rw-r--r--"));
                }
                Files.write(tmp, content);
                Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return folder;
    }
}
