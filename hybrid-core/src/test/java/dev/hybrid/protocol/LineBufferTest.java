package dev.hybrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineBufferTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesSplitAcrossChunksComeOutWholeAndTheLastOneAtTheEnd() {
        LineBuffer b = new LineBuffer();
        assertThat(b.feed(bytes("NNISDK_ME"), false)).isEmpty();
        assertThat(b.feed(bytes("b'{}'\nsecond "), false)).containsExactly("NNISDK_MEb'{}'");
        assertThat(b.feed(bytes("ü"), false)).isEmpty();
        assertThat(b.feed(new byte[0], true)).containsExactly("second ü");
        assertThat(b.feed(new byte[0], true)).isEmpty();
    }

    @Test
    void anEndlessLineKeepsOnlyItsFirstMebibyte() {
        LineBuffer b = new LineBuffer();
        byte[] chunk = new byte[1 << 19];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 4; i++) {
            assertThat(b.feed(chunk, false)).isEmpty();
        }
        assertThat(b.feed(bytes("\n"), false)).singleElement().satisfies(l -> assertThat(l).hasSize(1 << 20));
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
