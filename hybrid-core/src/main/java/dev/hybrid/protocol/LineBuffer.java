package dev.hybrid.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a trial's output, arriving in chunks, into lines (where {@code NNISDK_MEb'...'} metric lines are found),
 * keeping an unfinished last line until more bytes or the end arrive. A line longer than 1 MiB keeps only its first
 * MiB, so that output without newlines cannot exhaust memory. Not thread-safe.
 */
public final class LineBuffer {
    private static final int MAX_LINE = 1 << 20;

    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    /** Adds bytes; returns the lines they complete, and at {@code eof} the unfinished last line too. */
    public List<String> feed(byte[] bytes, boolean eof) {
        List<String> lines = new ArrayList<>();
        for (byte b : bytes) {
            if (b == '\n') {
                lines.add(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            } else if (partial.size() < MAX_LINE) {
                partial.write(b);
            }
        }
        if (eof && partial.size() > 0) {
            lines.add(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
        }
        return lines;
    }
}
