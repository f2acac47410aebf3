package dev.hybrid.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the metrics a trial reports from its folder on this machine, incrementally: the {@code ME} frames its SDK
 * appends to {@code .nni/metrics} and the {@code NNISDK_MEb'...'} lines it prints to {@code stdout}. Every platform
 * that sees a trial's folder as files uses it, whether the folder is local or on a storage both sides mount.
 *
 * <p>Each call reads what was appended since the previous one, in chunks of at most 1 MiB, so memory stays bounded
 * however much a trial writes; a file truncated and written again (NNI 2.0's SDK reopens it with {@code "wb"}) is
 * read from its start. A malformed frame or metric is logged at WARN with the trial's label and skipped.
 *
 * <p>Not thread-safe: one thread reads a trial's folder at a time.
 */
public final class TrialOutputReader {
    private static final Logger log = LoggerFactory.getLogger(TrialOutputReader.class);
    /** The bytes read from a file at a time. */
    private static final int CHUNK = 1 << 20;
    /** The bytes read from each file per {@link #read(boolean, Consumer)} before the end. */
    static final long POLL_BUDGET = 8L * CHUNK;
    private static final byte[] EMPTY = new byte[0];

    private final String label;
    private final FileTail metricsTail;
    private final FileTail stdoutTail;
    private final MetricFrames.Decoder frames = new MetricFrames.Decoder();
    private final LineBuffer stdoutLines = new LineBuffer();

    /**
     * A reader of the trial folder {@code sysDir} (its {@code NNI_SYS_DIR} as this machine sees it).
     *
     * @param label how log lines name the trial (its id)
     */
    public TrialOutputReader(Path sysDir, String label) {
        Objects.requireNonNull(sysDir, "sysDir");
        this.label = Objects.requireNonNull(label, "label");
        this.metricsTail = new FileTail(sysDir.resolve(".nni").resolve("metrics"));
        this.stdoutTail = new FileTail(sysDir.resolve("stdout"));
    }

    /**
     * Hands {@code onRecord} every record appended since the last call, in the order each file holds them
     * ({@code .nni/metrics} first, then stdout). Parameter requests are passed on too ({@link MetricRecord#isMetric}
     * tells them apart).
     *
     * @param toEnd whether the trial has ended: then both files are read to their end, however much is left, and an
     *     unterminated last line or frame counts; otherwise at most 8 MiB of each file is read, so that one trial's
     *     flood of output does not hold up the others
     */
    public void read(boolean toEnd, Consumer<MetricRecord> onRecord) {
        long budget = toEnd ? Long.MAX_VALUE : POLL_BUDGET;
        try {
            metricsTail.read(budget, (bytes, n) -> onFrames(frames.feed(bytes, 0, n), onRecord));
            if (toEnd) {
                onFrames(frames.finish(), onRecord);
            }
        } catch (IOException e) {
            log.warn("Trial {}: cannot read its .nni/metrics: {}", label, e.toString());
        }
        try {
            stdoutTail.read(budget, (bytes, n) -> onLines(stdoutLines.feed(bytes, 0, n, false), onRecord));
            if (toEnd) {
                onLines(stdoutLines.feed(EMPTY, true), onRecord);
            }
        } catch (IOException e) {
            log.warn("Trial {}: cannot read its stdout: {}", label, e.toString());
        }
    }

    private void onFrames(List<MetricFrames.Frame> found, Consumer<MetricRecord> onRecord) {
        for (MetricFrames.Frame f : found) {
            if (f instanceof MetricFrames.Frame.Data d) {
                onJson(d.json(), ".nni/metrics", onRecord);
            } else if (f instanceof MetricFrames.Frame.Malformed m) {
                log.warn("Trial {}: skipped a malformed frame in .nni/metrics at byte {}: {}", label, m.offset(),
                        m.reason());
            }
        }
    }

    private void onLines(List<String> lines, Consumer<MetricRecord> onRecord) {
        for (String line : lines) {
            StdoutMetrics.parse(line).ifPresent(json -> onJson(json, "stdout", onRecord));
        }
    }

    private void onJson(String json, String where, Consumer<MetricRecord> onRecord) {
        MetricRecord r;
        try {
            r = MetricRecord.parse(json);
        } catch (IllegalArgumentException e) {
            log.warn("Trial {}: skipped a malformed metric in {}: {}", label, where, e.getMessage());
            return;
        }
        onRecord.accept(r);
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
