package dev.hybrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.protocol.MetricFrames.Frame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricFramesTest {

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static List<String> data(List<Frame> frames) {
        return frames.stream().filter(f -> f instanceof Frame.Data).map(f -> ((Frame.Data) f).json()).toList();
    }

    @Test
    void frameLengthCountsUtf8BytesOfJsonAndNewline() {
        String json = "{\"value\":\"\\\"é\\\"\"}";
        byte[] frame = MetricFrames.encode(json);
        int bodyBytes = (json + "\n").getBytes(StandardCharsets.UTF_8).length;
        assertThat(new String(frame, 0, 8, StandardCharsets.US_ASCII)).isEqualTo(String.format("ME%06d", bodyBytes));
        assertThat(frame).hasSize(8 + bodyBytes);
    }

    @Test
    void decodesFramesFedByteByByte() {
        byte[] stream = concat(MetricFrames.encode("{\"a\":1}"), MetricFrames.encode("{\"b\":\"ü\"}"));
        MetricFrames.Decoder d = new MetricFrames.Decoder();
        List<Frame> frames = new ArrayList<>();
        for (byte b : stream) {
            frames.addAll(d.feed(new byte[] {b}));
        }
        frames.addAll(d.finish());
        assertThat(frames).containsExactly(new Frame.Data("ME", "{\"a\":1}"), new Frame.Data("ME", "{\"b\":\"ü\"}"));
        assertThat(d.consumed()).isEqualTo(stream.length);
    }

    @Test
    void garbageBetweenFramesIsReportedAndTheRestIsStillRead() {
        byte[] stream = concat(MetricFrames.encode("{\"n\":1}"),
                "this is not a frame\n".getBytes(StandardCharsets.US_ASCII),
                MetricFrames.encode("{\"n\":2}"),
                "ME000999{\"short\":true}\n".getBytes(StandardCharsets.US_ASCII),
                MetricFrames.encode("{\"n\":3}"));
        MetricFrames.Decoder d = new MetricFrames.Decoder();
        List<Frame> frames = new ArrayList<>(d.feed(stream));
        frames.addAll(d.finish());
        assertThat(data(frames)).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        assertThat(frames).filteredOn(f -> f instanceof Frame.Malformed).hasSize(2);
    }

    @Test
    void megabytesOfGarbageWithoutALineEndAreDroppedAsTheyArriveAndTheFramesAfterThemRead() {
        MetricFrames.Decoder d = new MetricFrames.Decoder();
        List<Frame> frames = new ArrayList<>(d.feed(MetricFrames.encode("{\"n\":1}")));
        byte[] garbage = new byte[1 << 20];
        java.util.Arrays.fill(garbage, (byte) 'x');
        for (int i = 0; i < 20; i++) {
            frames.addAll(d.feed(garbage));
        }
        // Only the bytes that may still begin a frame are held: the garbage is consumed while it streams.
        assertThat(d.consumed()).isGreaterThan(18L << 20);
        frames.addAll(d.feed(concat("\n".getBytes(StandardCharsets.US_ASCII), MetricFrames.encode("{\"n\":2}"))));
        frames.addAll(d.finish());
        assertThat(data(frames)).containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(frames).filteredOn(f -> f instanceof Frame.Malformed).hasSize(1);
    }

    @Test
    void anIncompleteFrameWaitsForMoreBytesUntilTheEnd() {
        byte[] frame = MetricFrames.encode("{\"n\":1}");
        MetricFrames.Decoder d = new MetricFrames.Decoder();
        assertThat(d.feed(frame, 0, frame.length - 3)).isEmpty();
        assertThat(data(d.feed(frame, frame.length - 3, 3))).containsExactly("{\"n\":1}");

        MetricFrames.Decoder cut = new MetricFrames.Decoder();
        assertThat(cut.feed(frame, 0, 10)).isEmpty();
        assertThat(cut.finish()).singleElement().isInstanceOf(Frame.Malformed.class);
    }

    @Test
    void aFrameWithoutItsNewlineIsMalformed() {
        byte[] bad = "ME000008{\"n\":1}X".getBytes(StandardCharsets.US_ASCII);
        MetricFrames.Decoder d = new MetricFrames.Decoder();
        List<Frame> frames = new ArrayList<>(d.feed(concat(bad, "\n".getBytes(StandardCharsets.US_ASCII),
                MetricFrames.encode("{\"n\":2}"))));
        frames.addAll(d.finish());
        assertThat(data(frames)).containsExactly("{\"n\":2}");
    }
}
