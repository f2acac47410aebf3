package dev.hybrid.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The frames of {@code $NNI_SYS_DIR/.nni/metrics}: {@code ME} + 6-digit zero-padded byte length of (JSON + newline) +
 * JSON + newline, as NNI's SDK appends them on the local platform. A {@link Decoder} reads a growing file
 * incrementally, resynchronising after a malformed frame so that one bad frame never hides the ones after it. It
 * holds at most one frame's worth of unread bytes (about 1 MB) besides the chunk being fed, whatever the file holds.
 */
public final class MetricFrames {
    /** The largest frame NNI's SDK writes (its payload limit is 1,000,000 characters). */
    static final int MAX_LENGTH = 999_999;

    private MetricFrames() {
    }

    /** Encodes one metric record's JSON as a frame. */
    public static byte[] encode(String json) {
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        if (body.length > MAX_LENGTH) {
            throw new IllegalArgumentException("metric too long: " + body.length + " bytes");
        }
        byte[] head = String.format(java.util.Locale.ROOT, "ME%06d", body.length).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /** What the decoder found: a frame's JSON text, or a stretch of bytes that was not a frame. */
    public sealed interface Frame {
        /** A well-formed frame. @param type the two-letter type ({@code ME}) */
        record Data(String type, String json) implements Frame {
            public Data {
                Objects.requireNonNull(type, "type");
                Objects.requireNonNull(json, "json");
            }
        }

        /** Bytes skipped because they were not a frame, at {@code offset} in the stream, and why. */
        record Malformed(long offset, String reason) implements Frame {
            public Malformed {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    /** An incremental decoder; feed it the bytes as they are appended. Not thread-safe. */
    public static final class Decoder {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private byte[] buf = new byte[0];
        private long consumed;
        /** Inside a stretch of garbage longer than any frame, reported already: skip to its line end. */
        private boolean skipping;

        /** Feeds appended bytes and returns the frames they complete. */
        public List<Frame> feed(byte[] bytes, int off, int len) {
            pending.write(bytes, off, len);
            return drain(false);
        }

        /** Feeds appended bytes and returns the frames they complete. */
        public List<Frame> feed(byte[] bytes) {
            return feed(bytes, 0, bytes.length);
        }

        /**
         * Declares the end of the stream (the trial has exited): a trailing incomplete frame is reported as
         * malformed.
         */
        public List<Frame> finish() {
            List<Frame> out = drain(true);
            skipping = false;
            return out;
        }

        /** How many bytes of the stream have been consumed as frames or skipped. */
        public long consumed() {
            return consumed;
        }

        private List<Frame> drain(boolean eof) {
            if (pending.size() > 0) {
                byte[] add = pending.toByteArray();
                pending.reset();
                byte[] merged = new byte[buf.length + add.length];
                System.arraycopy(buf, 0, merged, 0, buf.length);
                System.arraycopy(add, 0, merged, buf.length, add.length);
                buf = merged;
            }
            List<Frame> out = new ArrayList<>();
            int pos = 0;
            while (pos < buf.length) {
                if (skipping) {
                    // The rest of a long stretch of garbage already reported: drop it up to its line end.
                    int nl = indexOf(buf, (byte) '\n', pos);
                    pos = nl < 0 ? buf.length : nl + 1;
                    skipping = nl < 0;
                    continue;
                }
                int avail = buf.length - pos;
                if (avail < 8) {
                    if (!eof && isHeaderPrefix(buf, pos, avail)) {
                        break; // the start of a header: wait for the rest
                    }
                    int next;
                    if (eof) {
                        next = buf.length;
                    } else {
                        int nl = indexOf(buf, (byte) '\n', pos);
                        if (nl < 0) {
                            break;
                        }
                        next = nl + 1;
                    }
                    out.add(new Frame.Malformed(consumed + pos, "not a metric frame: " + preview(pos, next)));
                    pos = next;
                    continue;
                }
                if (!isHeader(buf, pos)) {
                    int next = resync(pos + 1);
                    if (next < 0) {
                        if (!eof) {
                            // Wait for a line end before declaring the rest garbage; it may still be completed.
                            int nl = indexOf(buf, (byte) '\n', pos);
                            if (nl < 0 && avail <= MAX_LENGTH + 8) {
                                break;
                            }
                            if (nl < 0) {
                                // Longer than any frame and no line end yet: no frame can start before one, so
                                // it is garbage up to there, dropped as it arrives rather than kept.
                                out.add(new Frame.Malformed(consumed + pos, "not a metric frame: "
                                        + preview(pos, buf.length)));
                                pos = buf.length;
                                skipping = true;
                                continue;
                            }
                            next = nl + 1;
                        } else {
                            next = buf.length;
                        }
                    }
                    out.add(new Frame.Malformed(consumed + pos, "not a metric frame: " + preview(pos, next)));
                    pos = next;
                    continue;
                }
                int len = Integer.parseInt(new String(buf, pos + 2, 6, StandardCharsets.US_ASCII));
                int end = pos + 8 + len;
                if (len < 1) {
                    out.add(new Frame.Malformed(consumed + pos, "frame length is 0"));
                    pos += 8;
                    continue;
                }
                if (end > buf.length) {
                    int nl = indexOf(buf, (byte) '\n', pos + 8);
                    if (eof || (nl >= 0 && nl < end - 1 && resync(nl + 1) >= 0)) {
                        // A newline inside the declared length followed by another frame: the length is wrong.
                        int next = eof ? buf.length : nl + 1;
                        out.add(new Frame.Malformed(consumed + pos, "frame declares " + len
                                + " bytes but " + (eof ? "the file ends first" : "a new frame starts earlier")));
                        pos = next;
                        continue;
                    }
                    break;
                }
                if (buf[end - 1] != '\n') {
                    int nl = indexOf(buf, (byte) '\n', pos + 8);
                    int next = nl < 0 ? end : nl + 1;
                    out.add(new Frame.Malformed(consumed + pos, "frame of " + len
                            + " bytes does not end with a newline"));
                    pos = next;
                    continue;
                }
                String type = new String(buf, pos, 2, StandardCharsets.US_ASCII);
                String json = new String(buf, pos + 8, len - 1, StandardCharsets.UTF_8);
                out.add(new Frame.Data(type, json));
                pos = end;
            }
            if (pos > 0) {
                byte[] rest = new byte[buf.length - pos];
                System.arraycopy(buf, pos, rest, 0, rest.length);
                buf = rest;
                consumed += pos;
            }
            return out;
        }

        /** The next position at or after {@code from} that starts a line and a frame header, or -1. */
        private int resync(int from) {
            for (int i = Math.max(from, 1); i + 8 <= buf.length; i++) {
                if (buf[i - 1] == '\n' && isHeader(buf, i)) {
                    return i;
                }
            }
            return -1;
        }

        private String preview(int from, int to) {
            int n = Math.min(to - from, 40);
            String s = new String(buf, from, Math.max(0, n), StandardCharsets.UTF_8).replace("\n", "\\n");
            return "'" + s + (to - from > 40 ? "...'" : "'");
        }
    }

    private static boolean isHeader(byte[] b, int p) {
        if (p + 8 > b.length) {
            return false;
        }
        if (!isUpper(b[p]) || !isUpper(b[p + 1])) {
            return false;
        }
        for (int i = 2; i < 8; i++) {
            if (b[p + i] < '0' || b[p + i] > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHeaderPrefix(byte[] b, int p, int n) {
        for (int i = 0; i < n; i++) {
            byte c = b[p + i];
            if (i < 2 ? !isUpper(c) : c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isUpper(byte c) {
        return c >= 'A' && c <= 'Z';
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
