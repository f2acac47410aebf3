package dev.hybrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineBufferTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void metricLinesSplitAcrossChunksComeOutWholeAndTheLastOneAtTheEnd() {
        LineBuffer b = new LineBuffer();
        assertThat(b.feed(bytes("NNISDK_ME"), false)).isEmpty();
        assertThat(b.feed(bytes("b'{}'\nordinary output\n  NNISDK"), false)).containsExactly("NNISDK_MEb'{}'");
        assertThat(b.feed(bytes("_MEb'\\xc3\\xbc'"), false)).isEmpty();
        assertThat(b.feed(new byte[0], true)).containsExactly("NNISDK_MEb'\\xc3\\xbc'");
        assertThat(b.feed(new byte[0], true)).isEmpty();
    }

    @Test
    void ordinaryLinesAreSkippedAsTheyStream() {
        LineBuffer b = new LineBuffer();
        assertThat(b.feed(bytes("NNISDK_M"), false)).isEmpty();
        assertThat(b.feed(bytes("X is not a metric line\nNNISDK_MEb'1'"), false)).isEmpty();
        assertThat(b.feed(bytes("\r\n"), false)).containsExactly("NNISDK_MEb'1'\r");
        assertThat(b.feed(bytes("last words"), true)).isEmpty();
    }

    @Test
    void aMetricLineAfterLinesOfManyMegabytesArrives() {
        LineBuffer b = new LineBuffer();
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 40; i++) {
            assertThat(b.feed(chunk, false)).isEmpty();
        }
        assertThat(b.feed(bytes("\nNNISDK_ME"), false)).isEmpty();
        java.util.Arrays.fill(chunk, (byte) 'y');
        for (int i = 0; i < 17; i++) {
            // Longer than any metric line can be: ordinary output after all.
            assertThat(b.feed(chunk, false)).isEmpty();
        }
        assertThat(b.feed(bytes("\nNNISDK_MEb'{\"type\": \"FINAL\"}'\n"), false))
                .containsExactly("NNISDK_MEb'{\"type\": \"FINAL\"}'");
    }

    @Test
    void aMetricLineOfMegabytesArrivesWhole() {
        // NNI's SDK allows metrics of up to a million characters, printed escaped: several MB on one line.
        String pad = "\\xc3\\xbc".repeat(400_000);
        String line = "NNISDK_MEb'{\"type\": \"FINAL\", \"value\": \"{\\\\\"default\\\\\": 1, \\\\\"pad\\\\\": \\\\\""
                + pad + "\\\\\"}\"}'";
        byte[] all = bytes(line + "\n");
        LineBuffer b = new LineBuffer();
        List<String> out = new ArrayList<>();
        for (int off = 0; off < all.length; off += 65536) {
            out.addAll(b.feed(all, off, Math.min(65536, all.length - off), false));
        }
        assertThat(out).containsExactly(line);
        assertThat(StdoutMetrics.parse(out.get(0)))
                .hasValueSatisfying(json -> assertThat(json).hasSizeGreaterThan(400_000));
    }

    @Test
    void exitMessagesKeepTheLastTenNonBlankLinesOfStderr() {
        StringBuilder err = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            err.append("line ").append(i).append("\n\n");
        }
        String m = ExitMessage.of(3, err.toString());
        assertThat(m).startsWith("exit code 3; last lines of stderr:\nline 3\n").endsWith("line 12")
                .doesNotContain("line 2\n");
        assertThat(ExitMessage.of(1, " \n")).isEqualTo("exit code 1");
    }
}
