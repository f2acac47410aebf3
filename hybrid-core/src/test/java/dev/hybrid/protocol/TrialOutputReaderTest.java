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

class TrialOutputReaderTest {
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
        TrialOutputReader reader = new TrialOutputReader(sysDir, "t1");
        List<MetricRecord> got = new ArrayList<>();

        reader.read(false, got::add);
        assertThat(got).isEmpty();

        append(".nni/metrics", MetricFrames.encode(metric("PERIODICAL", 0, "1")));
        append("stdout", ("plain output\nNNISDK_MEb'" + metric("PERIODICAL", 1, "2") + "'\n")
                .getBytes(StandardCharsets.UTF_8));
        reader.read(false, got::add);
        append(".nni/metrics", MetricFrames.encode(metric("FINAL", 0, "3")));
        reader.read(false, got::add);

        assertThat(got).extracting(MetricRecord::value).containsExactly("1", "2", "3");
    }

    @Test
    void anUnterminatedLastLineCountsOnlyOnceTheTrialHasEnded() throws Exception {
        TrialOutputReader reader = new TrialOutputReader(sysDir, "t1");
        List<MetricRecord> got = new ArrayList<>();
        append("stdout", ("NNISDK_MEb'" + metric("FINAL", 0, "0.5") + "'").getBytes(StandardCharsets.UTF_8));

        reader.read(false, got::add);
        assertThat(got).isEmpty();
        reader.read(true, got::add);

        assertThat(got).singleElement().extracting(MetricRecord::type).isEqualTo("FINAL");
    }

    @Test
    void aTruncatedMetricsFileIsReadAgainFromItsStart() throws Exception {
        TrialOutputReader reader = new TrialOutputReader(sysDir, "t1");
        List<MetricRecord> got = new ArrayList<>();
        append(".nni/metrics", MetricFrames.encode(metric("PERIODICAL", 0, "1")));
        append(".nni/metrics", MetricFrames.encode(metric("PERIODICAL", 1, "2")));
        reader.read(false, got::add);

        Files.write(sysDir.resolve(".nni/metrics"), MetricFrames.encode(metric("FINAL", 0, "9")));
        reader.read(false, got::add);

        assertThat(got).extracting(MetricRecord::value).containsExactly("1", "2", "9");
    }
}
