package dev.hybrid.platform.remote.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Reads what the machine monitor ({@code monitor.sh}) writes: header lines {@code @@ <trial> <kind> <args...>}, each
 * chunk header ({@code m}, {@code o}, {@code e} with a byte count) followed by exactly that many bytes. A chunk is
 * returned only when all its bytes have arrived, so bytes lost with a dropped connection are never half-counted.
 * Not thread-safe: one reader thread per connection.
 */
public final class MonitorReader {
    /** One message of the monitor. */
    public record Message(String trial, String kind, List<String> args, byte[] data) {
        public Message {
            Objects.requireNonNull(trial, "trial");
            Objects.requireNonNull(kind, "kind");
            args = List.copyOf(args);
            Objects.requireNonNull(data, "data");
        }
    }

    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_CHUNK = 16 << 20;
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;

    public MonitorReader(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /**
     * The next message; blocks until it has arrived whole.
     *
     * @throws EOFException at the end of the stream
     * @throws IOException if the stream breaks or does not follow the protocol
     */
    public Message next() throws IOException {
        while (true) {
            String line = readLine();
            if (!line.startsWith("@@ ")) {
                continue; // not ours (a login banner, a stray echo): skip
            }
            String[] f = line.substring(3).split(" ");
            if (f.length < 2) {
                throw new IOException("malformed monitor line: " + line);
            }
            String kind = f[1];
            List<String> args = List.of(f).subList(2, f.length);
            byte[] data = new byte[0];
            if (kind.equals("m") || kind.equals("o") || kind.equals("e")) {
                if (args.size() != 1) {
                    throw new IOException("malformed monitor chunk header: " + line);
                }
                int n;
                try {
                    n = Integer.parseInt(args.get(0));
                } catch (NumberFormatException e) {
                    throw new IOException("malformed monitor chunk header: " + line, e);
                }
                if (n < 0 || n > MAX_CHUNK) {
                    throw new IOException("monitor chunk of " + n + " bytes is out of range");
                }
                data = readExactly(n);
            }
            return new Message(f[0], kind, args, data);
        }
    }

    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private String readLine() throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(64);
        while (true) {
            if (!fill()) {
                throw new EOFException("monitor stream ended");
            }
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            line.write(buf, start, pos - start);
            if (line.size() > MAX_LINE) {
                throw new IOException("monitor line longer than " + MAX_LINE + " bytes");
            }
            if (pos < limit) {
                pos++; // the newline
                return line.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] out = new byte[n];
        int got = 0;
        while (got < n) {
            if (!fill()) {
                throw new EOFException("monitor stream ended inside a chunk");
            }
            int k = Math.min(n - got, limit - pos);
            System.arraycopy(buf, pos, out, got, k);
            pos += k;
            got += k;
        }
        return out;
    }
}
