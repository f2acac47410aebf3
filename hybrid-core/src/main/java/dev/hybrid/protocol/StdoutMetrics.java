package dev.hybrid.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Metric lines on a trial's stdout, as NNI's SDK prints them on every platform but local:
 * {@code NNISDK_MEb'<json>'} — the text after {@code NNISDK_ME} is Python's {@code repr} of the UTF-8 bytes of the
 * record's JSON, so quotes, backslashes and non-ASCII bytes arrive escaped ({@code \'}, {@code \\}, {@code \xc3}).
 */
public final class StdoutMetrics {
    /** The prefix every metric line starts with (after optional leading whitespace). */
    public static final String PREFIX = "NNISDK_ME";

    private StdoutMetrics() {
    }

    /** The line a trial prints to report a record's JSON. */
    public static String line(String json) {
        StringBuilder sb = new StringBuilder(PREFIX).append("b'");
        for (byte b : json.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '\\' || c == '\'') {
                sb.append('\\').append((char) c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.append('\'').toString();
    }

    /**
     * The record JSON carried by a stdout line, if the line is a metric line. A line that starts like one but is
     * not well-formed gives {@code Optional.empty()} from here and should be treated as ordinary output.
     */
    public static Optional<String> parse(String line) {
        String s = line.strip();
        if (!s.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = s.substring(PREFIX.length());
        if (rest.length() < 3 || rest.charAt(0) != 'b') {
            return Optional.empty();
        }
        char quote = rest.charAt(1);
        if ((quote != '\'' && quote != '"') || rest.charAt(rest.length() - 1) != quote) {
            return Optional.empty();
        }
        return unescape(rest.substring(2, rest.length() - 1));
    }

    private static Optional<String> unescape(String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                if (c > 0x7f) {
                    byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                    out.write(b, 0, b.length);
                } else {
                    out.write(c);
                }
                continue;
            }
            if (++i >= body.length()) {
                return Optional.empty();
            }
            char e = body.charAt(i);
            switch (e) {
                case '\\', '\'', '"' -> out.write(e);
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'x' -> {
                    if (i + 2 >= body.length()) {
                        return Optional.empty();
                    }
                    try {
                        out.write(Integer.parseInt(body.substring(i + 1, i + 3), 16));
                    } catch (RuntimeException ex) {
                        return Optional.empty();
                    }
                    i += 2;
                }
                default -> {
                    out.write('\\');
                    out.write(e);
                }
            }
        }
        return Optional.of(out.toString(StandardCharsets.UTF_8));
    }
}
