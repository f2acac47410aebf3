package dev.hybrid.platform.slurm.internal;

import dev.hybrid.protocol.StateFile;
import dev.hybrid.protocol.TrialFolderReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The experiment's folder in the directory that the compute nodes share, as the platform reaches it: through this
 * machine's file system, or through the login node's SSH connection.
 */
public interface SharedFolder {

    /** What a look at a trial's folder found besides its output. */
    record Snapshot(Optional<StateFile> state, boolean pilotStarted) {
        public Snapshot {
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * Lays out {@code experimentFolder}: {@code trials/}, the code directory copied to {@code nni-code/} (a folder of
     * it that holds the experiment folder is left out) and Hybrid's {@code nni} module in {@code .hybrid/python/}.
     */
    void prepare(Path codeDir, Path experimentFolder) throws IOException;

    /** Creates {@code dir} and its {@code .nni/}, deletes the {@code delete} files there, then writes {@code files}. */
    void write(Path dir, List<String> delete, Map<String, byte[]> files) throws IOException;

    /**
     * Reads what the trial appended to {@code .nni/metrics} and {@code stdout} through {@code reader} (up to
     * {@code budget} bytes of each, or everything when {@code last}), and whether it has ended ({@code .nni/state}) or
     * a pilot has started it ({@code .nni/pilot}). The state is looked at before the files, so once it is present,
     * the bytes read are all the trial wrote.
     */
    Snapshot read(Path sysDir, TrialFolderReader reader, long budget, boolean last, TrialFolderReader.Listener to)
            throws IOException;

    /** The last 8 KiB of the trial's stderr (empty when there is none). */
    String stderrEnd(Path sysDir);
}
