package dev.hybrid.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.testkit.ExperimentStoreContract;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SqliteExperimentStoreTest extends ExperimentStoreContract {
    @Override
    protected ExperimentStore newStore(Path directory) {
        return SqliteExperimentStore.forWriting(directory.resolve("exp1"));
    }

    @Test
    void committedWritesAreSeenByAReaderAndUncommittedOnesAreNot() {
        store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        store.trialSubmitted(spec("t1", 0, 0.5), "local", 1, T0);
        store.commit();
        store.metricReported(new TrialId("t1"), new Metric(MetricType.FINAL, 0, "0.5", T0), Optional.of(0.5));
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.trials()).hasSize(1);
            assertThat(reader.trials().get(0).trial().finalMetric()).isEmpty();
        }
        store.commit();
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.trials().get(0).trial().finalValue()).contains(0.5);
            assertThat(reader.experiment()).map(StoredExperiment::status).contains(ExperimentStatus.RUNNING);
        }
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheExperiment() {
        assertThat(SqliteExperimentStore.isInUse(dir.resolve("exp1"))).isTrue();
        SqliteExperimentStore second = SqliteExperimentStore.forWriting(dir.resolve("exp1"));
        assertThatThrownBy(second::open).isInstanceOf(StoreException.class).hasMessageContaining("in use");
    }

    @Test
    void aMissingDatabaseIsAnErrorAndIsNotCreated() {
        assertThatThrownBy(() -> SqliteExperimentStore.readOnly(dir.resolve("nope")).open())
                .isInstanceOf(StoreException.class).hasMessageContaining("no experiment database");
        assertThatThrownBy(() -> SqliteExperimentStore.existingForWriting(dir.resolve("nope")))
                .isInstanceOf(StoreException.class);
        assertThat(dir.resolve("nope")).doesNotExist();
    }

    @Test
    void aFileThatIsNotADatabaseIsReportedAsCorrupt() throws Exception {
        Path other = dir.resolve("bad");
        Files.createDirectories(other.resolve("db"));
        Files.writeString(SqliteExperimentStore.databaseFile(other), "this is not sqlite, just text".repeat(100));
        assertThatThrownBy(() -> SqliteExperimentStore.readOnly(other).open()).isInstanceOf(StoreException.class)
                .hasMessageContaining("not a valid experiment database");
    }

    @Test
    void aDatabaseFromANewerVersionIsRefused() throws Exception {
        store.close();
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:"
                + SqliteExperimentStore.databaseFile(dir.resolve("exp1")));
             var s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> SqliteExperimentStore.readOnly(dir.resolve("exp1")).open())
                .isInstanceOf(StoreException.class).hasMessageContaining("newer");
    }

    @Test
    void theLockIsReleasedOnClose() {
        store.close();
        assertThat(SqliteExperimentStore.isInUse(dir.resolve("exp1"))).isFalse();
        SqliteExperimentStore again = SqliteExperimentStore.forWriting(dir.resolve("exp1"));
        again.open();
        again.close();
    }
}
