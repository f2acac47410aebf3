package dev.hybrid.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reads a trial's folder incrementally, as the trial writes it: the {@code ME} frames appended to
 * {@code .nni/metrics} and the {@code NNISDK_MEb'...'} lines appended to {@code stdout}. Each call reads on from where
 * the last one stopped, in chunks of at most 1 MiB, so memory stays bounded whatever the trial writes; the last call,
 * after the trial ended, reads both files to their end and flushes a partial frame or line. Every platform that sees
 * a trial's folder through the file system (the local platform, Slurm's shared directory) reads it with this class.
 *
 * <p>Not thread-safe: one thread reads a trial's folder at a time.
 */
public final class TrialFolderReader {
    /** The bytes read from a file at a time. */
    private static final int CHUNK = 1 << 20;
    private static final byte[] EMPTY = new byte[0];

    /** What a read finds. Called on the reading thread, in the order the trial wrote the records of each file. */
    public interface Listener {
        /** A metric record's JSON, from {@code .nni/metrics} or {@code stdout} ({@code where}). */
        void onRecord(String json, String where);

        /** A stretch of {@code .nni/metrics} that is not a frame, skipped up to the next frame. */
        void onMalformed(long offset, String reason);

        /** A file could not be read; the next read tries again from the same place. */
        void onReadError(String where, IOException error);
    }

    private final FileTail metrics;
    private final FileTail stdout;
    private final MetricFrames.Decoder frames = new MetricFrames.Decoder();
    private final LineBuffer stdoutLines = new LineBuffer();

    /** A reader of the trial folder {@code sysDir}, from the start of its files. */
    public TrialFolderReader(Path sysDir) {
        Objects.requireNonNull(sysDir, "sysDir");
        this.metrics = new FileTail(sysDir.resolve(".nni").resolve("metrics"));
        this.stdout = new FileTail(sysDir.resolve("stdout"));
    }

    /**
     * Reads what was appended to both files since the last call, up to {@code budget} bytes of each (so that one
     * trial's flood of output does not hold up a platform's other trials), and hands the records to {@code to}.
     *
     * @param last whether the trial has ended: then each file is read to its end, whatever the budget, and a
     *     trailing partial frame or line is flushed
     */
    public void read(long budget, boolean last, Listener to) {
        long limit = last ? Long.MAX_VALUE : budget;
        try {
            metrics.read(limit, (bytes, n) -> onFrames(frames.feed(bytes, 0, n), to));
            if (last) {
                onFrames(frames.finish(), to);
            }
        } catch (IOException e) {
            to.onReadError(".nni/metrics", e);
        }
        try {
            stdout.read(limit, (bytes, n) -> onLines(stdoutLines.feed(bytes, 0, n, false), to));
            if (last) {
                onLines(stdoutLines.feed(EMPTY, true), to);
            }
        } catch (IOException e) {
            to.onReadError("stdout", e);
        }
    }

    private static void onFrames(List<MetricFrames.Frame> found, Listener to) {
        for (MetricFrames.Frame f : found) {
            if (f instanceof MetricFrames.Frame.Data d) {
                to.onRecord(d.json(), ".nni/metrics");
            } else if (f instanceof MetricFrames.Frame.Malformed m) {
                to.onMalformed(m.offset(), m.reason());
            }
        }
    }

    private static void onLines(List<String> lines, Listener to) {
        for (String line : lines) {
            StdoutMetrics.parse(line).ifPresent(json -> to.onRecord(json, "stdout"));
        }
    }

    /** Reads what was appended to a file since the last call, chunk by chunk. */
    private static final class FileTail {
        private final Path file;
        private long offset;

        FileTail(Path file) {
            this.file = file;
        }

        /** What gets each chunk read: the bytes are valid only during the call. */
        interface ChunkConsumer {
            void accept(byte[] bytes, int length);
        }

        /** Hands {@code to} what was appended, a chunk at a time, up to {@code budget} bytes or the file's end. */
        void read(long budget, ChunkConsumer to) throws IOException {
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                return;
            }
            if (size < offset) {
                offset = 0; // truncated (NNI 2.0's SDK reopens with "wb"): read it again from the start
            }
            if (size == offset) {
                return;
            }
            try (var ch = Files.newByteChannel(file)) {
                ch.position(offset);
                // Sized to what there is to read: most polls find a few bytes, a flood gets whole chunks.
                byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(8 * 1024, size - offset))];
                long left = budget;
                while (left > 0) {
                    ByteBuffer buf = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, left));
                    int n = ch.read(buf);
                    if (n <= 0) {
                        break; // the end of the file, as it is now
                    }
                    offset += n;
                    left -= n;
                    to.accept(chunk, n);
                }
            }
        }
    }
}
