package dev.hybrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrialFolderReaderTest {
    /** Collects what a read finds. */
    private static final class Found implements TrialFolderReader.Listener {
        final List<MetricRecord> records = new ArrayList<>();

        @Override
        public void onRecord(String json, String where) {
            records.add(MetricRecord.parse(json));
        }

        @Override
        public void onMalformed(long offset, String reason) {
        }

        @Override
        public void onReadError(String where, java.io.IOException error) {
            throw new AssertionError(where, error);
        }
    }

    @TempDir
    Path sysDir;

    private static String metric(String type, int sequence, String value) {
        return "{\"type\": \"" + type + "\", \"sequence\": " + sequence + ", \"value\": \"" + value + "\"}";
    }

    private void append(String file, byte[] bytes) throws Exception {
        Path f = sysDir.resolve(file);
        Files.createDirectories(f.getParent());
        Files.write(f, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void readsWhatWasAppendedSinceTheLastCallFromBothFiles() throws Exception {
        TrialFolderReader reader = new TrialFolderReader(sysDir);
        Found got = new Found();

        reader.read(1 << 20, false, got);
        assertThat(got.records).isEmpty();

        append(".nni/metrics", MetricFrames.encode(metric("PERIODICAL", 0, "1")));
        append("stdout", ("plain output\nNNISDK_MEb'" + metric("PERIODICAL", 1, "2") + "'\n")
                .getBytes(StandardCharsets.UTF_8));
        reader.read(1 << 20, false, got);
        append(".nni/metrics", MetricFrames.encode(metric("FINAL", 0, "3")));
        reader.read(1 << 20, false, got);

        assertThat(got.records).extracting(MetricRecord::value).containsExactly("1", "2", "3");
    }

    @Test
    void anUnterminatedLastLineCountsOnlyOnceTheTrialHasEnded() throws Exception {
        TrialFolderReader reader = new TrialFolderReader(sysDir);
        Found got = new Found();
        append("stdout", ("NNISDK_MEb'" + metric("FINAL", 0, "0.5") + "'").getBytes(StandardCharsets.UTF_8));

        reader.read(1 << 20, false, got);
        assertThat(got.records).isEmpty();
        reader.read(1 << 20, true, got);

        assertThat(got.records).singleElement().extracting(MetricRecord::type).isEqualTo("FINAL");
    }

    @Test
    void aTruncatedMetricsFileIsReadAgainFromItsStart() throws Exception {
        TrialFolderReader reader = new TrialFolderReader(sysDir);
        Found got = new Found();
        append(".nni/metrics", MetricFrames.encode(metric("PERIODICAL", 0, "1")));
        append(".nni/metrics", MetricFrames.encode(metric("PERIODICAL", 1, "2")));
        reader.read(1 << 20, false, got);

        Files.write(sysDir.resolve(".nni/metrics"), MetricFrames.encode(metric("FINAL", 0, "9")));
        reader.read(1 << 20, false, got);

        assertThat(got.records).extracting(MetricRecord::value).containsExactly("1", "2", "9");
    }
}
