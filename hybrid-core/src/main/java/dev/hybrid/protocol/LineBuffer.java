package dev.hybrid.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the {@code NNISDK_MEb'...'} metric lines in a trial's output as it arrives in chunks, however much output
 * there is and however long its lines are, with bounded memory: a line is kept only while it can still be a metric
 * line (it starts, after leading whitespace, with {@link StdoutMetrics#PREFIX}); any other line is skipped byte by
 * byte as it streams past, so no output, not even a line of many megabytes without a line end, can hide the
 * metric lines after it. A metric line is kept whole up to {@link #MAX_METRIC_LINE} bytes, more than the longest
 * line NNI's SDK can print. Not thread-safe.
 */
public final class LineBuffer {
    /**
     * The longest metric line kept: NNI's SDK refuses metrics of 1,000,000 characters or more, whose UTF-8 bytes
     * (at most 4 per character) are printed escaped as at most 4 characters each ({@code \xNN}), plus the prefix.
     */
    public static final int MAX_METRIC_LINE = 16_000_000 + 64;

    private static final byte[] PREFIX = StdoutMetrics.PREFIX.getBytes(StandardCharsets.US_ASCII);

    private enum State { LINE_START, PREFIX, KEEP, SKIP }

    private ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private State state = State.LINE_START;
    /** How many bytes of the prefix the current line has matched, in state PREFIX. */
    private int matched;

    /** Adds bytes; returns the metric lines they complete, and at {@code eof} an unfinished last one too. */
    public List<String> feed(byte[] bytes, boolean eof) {
        return feed(bytes, 0, bytes.length, eof);
    }

    /**
     * Adds {@code len} bytes of {@code bytes} from {@code off}; returns the metric lines (without their line end)
     * they complete, and at {@code eof} an unfinished last one too.
     */
    public List<String> feed(byte[] bytes, int off, int len, boolean eof) {
        List<String> lines = new ArrayList<>();
        int end = off + len;
        int i = off;
        while (i < end) {
            byte b = bytes[i];
            switch (state) {
                case LINE_START -> {
                    if (b == '\n' || isBlank(b)) {
                        i++;
                    } else {
                        state = State.PREFIX;
                        matched = 0;
                    }
                }
                case PREFIX -> {
                    if (b == PREFIX[matched]) {
                        i++;
                        if (++matched == PREFIX.length) {
                            kept.reset();
                            kept.write(PREFIX, 0, PREFIX.length);
                            state = State.KEEP;
                        }
                    } else {
                        state = State.SKIP;
                    }
                }
                case KEEP -> {
                    int nl = indexOf(bytes, (byte) '\n', i, end);
                    int stop = nl < 0 ? end : nl;
                    if (kept.size() + (stop - i) > MAX_METRIC_LINE) {
                        // Longer than any metric line: ordinary output after all.
                        release();
                        state = State.SKIP;
                        continue;
                    }
                    kept.write(bytes, i, stop - i);
                    if (nl < 0) {
                        i = end;
                    } else {
                        lines.add(kept.toString(StandardCharsets.UTF_8));
                        release();
                        state = State.LINE_START;
                        i = nl + 1;
                    }
                }
                case SKIP -> {
                    int nl = indexOf(bytes, (byte) '\n', i, end);
                    if (nl < 0) {
                        i = end;
                    } else {
                        state = State.LINE_START;
                        i = nl + 1;
                    }
                }
                default -> throw new IllegalStateException(String.valueOf(state));
            }
        }
        if (eof) {
            if (state == State.KEEP) {
                lines.add(kept.toString(StandardCharsets.UTF_8));
            }
            release();
            state = State.LINE_START;
        }
        return lines;
    }

    /** Empties the kept line; the room a long one took is given back. */
    private void release() {
        if (kept.size() > 64 * 1024) {
            kept = new ByteArrayOutputStream();
        } else {
            kept.reset();
        }
    }

    /** The whitespace {@link String#strip()} removes before a line's first character, as far as ASCII goes. */
    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == 0x0b || b == '\f' || (b >= 0x1c && b <= 0x1f);
    }

    private static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
