package dev.hybrid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.store.SqliteExperimentStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreSpeedTest {
    @TempDir
    Path dir;

    @Test
    void aShortRunStoresEveryMetricAndReportsARate() throws Exception {
        StoreSpeed.MetricRun run = StoreSpeed.metrics(dir, "speed1", 20, 50);

        assertThat(run.metrics()).isEqualTo(20 * 51);
        assertThat(run.metricsPerSecond()).isPositive();
        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(dir.resolve("speed1"))) {
            store.open();
            assertThat(store.trials()).hasSize(20).allMatch(t -> t.trial().intermediate().size() == 50);
        }
    }

    @Test
    void theTopTenCommandRunsOnAWrittenExperiment() {
        StoreSpeed.writeBigExperiment(dir.resolve("big1"), 500, 3);
        assertThat(StoreSpeed.topTenCommand(dir, "big1")).isPositive();
        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(dir.resolve("big1"))) {
            store.open();
            assertThat(store.topTrials(10, dev.hybrid.tuner.OptimizeMode.MAXIMIZE)).hasSize(10);
        }
    }
}
