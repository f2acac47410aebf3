package dev.hybrid.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.testkit.ExperimentStoreContract;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
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

    /** A database as schema version 1 wrote it: metrics keyed by (trial, attempt, type, sequence). */
    private Path versionOneDatabase() throws Exception {
        Path old = dir.resolve("old");
        Path file = SqliteExperimentStore.databaseFile(old);
        Files.createDirectories(file.getParent());
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.execute("CREATE TABLE experiment (id TEXT PRIMARY KEY, name TEXT, config TEXT NOT NULL,"
                    + " optimize_mode TEXT NOT NULL, status TEXT NOT NULL, started INTEGER, ended INTEGER,"
                    + " elapsed_ms INTEGER NOT NULL, revision INTEGER NOT NULL)");
            s.execute("CREATE TABLE trials (id TEXT PRIMARY KEY, sequence INTEGER NOT NULL, parameter_id INTEGER NOT"
                    + " NULL, parameters TEXT NOT NULL, platform TEXT NOT NULL, status TEXT NOT NULL, attempt INTEGER"
                    + " NOT NULL, submitted INTEGER NOT NULL, started INTEGER, ended INTEGER, exit_code INTEGER,"
                    + " message TEXT NOT NULL, final_value REAL)");
            s.execute("CREATE TABLE trial_events (trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, event TEXT NOT"
                    + " NULL, at INTEGER NOT NULL, detail TEXT NOT NULL)");
            s.execute("CREATE TABLE metrics (trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, type TEXT NOT NULL,"
                    + " sequence INTEGER NOT NULL, value TEXT NOT NULL, at INTEGER NOT NULL,"
                    + " PRIMARY KEY (trial_id, attempt, type, sequence)) WITHOUT ROWID");
            s.execute("CREATE TABLE imported (position INTEGER PRIMARY KEY, parameters TEXT NOT NULL,"
                    + " value TEXT NOT NULL)");
            s.execute("INSERT INTO experiment VALUES ('old', NULL, '{}', 'MAXIMIZE', 'STOPPED', 1, 2, 5, 1)");
            s.execute("INSERT INTO trials VALUES ('t1', 0, 0, '{\"x\":1}', 'local', 'RUNNING', 1, 1, 1, NULL, NULL,"
                    + " '', NULL)");
            s.execute("INSERT INTO metrics VALUES ('t1', 1, 'FINAL', 0, '0.9', 9), ('t1', 1, 'PERIODICAL', 2, '0.3', 3),"
                    + " ('t1', 1, 'PERIODICAL', 0, '0.1', 1), ('t1', 1, 'PERIODICAL', 1, '0.2', 2)");
            // Version 1 recorded a trial with an infinite final result as succeeded.
            s.execute("INSERT INTO trials VALUES ('t2', 1, 1, '{\"x\":2}', 'local', 'SUCCEEDED', 1, 1, 1, 2, 0,"
                    + " '', NULL)");
            s.execute("INSERT INTO metrics VALUES ('t2', 1, 'FINAL', 0, 'Infinity', 9)");
            s.execute("PRAGMA user_version = 1");
        }
        return old;
    }

    @Test
    void aVersionTwoDatabaseIsReadWithoutMachinesAndItsNextWriterRecordsThem() throws Exception {
        store.trialSubmitted(spec("t1", 0, 0.5), "remote", 1, T0);
        store.trialStarted(new TrialId("t1"), T0);
        store.commit();
        store.close();
        Path file = SqliteExperimentStore.databaseFile(dir.resolve("exp1"));
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.execute("ALTER TABLE trials DROP COLUMN machine");
            s.execute("DROP TABLE changes");
            s.execute("PRAGMA user_version = 2");
        }
        byte[] before = Files.readAllBytes(file);
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.trials()).singleElement().satisfies(t -> assertThat(t.trial().machine()).isEmpty());
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);

        try (SqliteExperimentStore writer = SqliteExperimentStore.existingForWriting(dir.resolve("exp1"))) {
            writer.open();
            writer.trialOnMachine(new TrialId("t1"), "10.0.0.1:22", T0);
            writer.commit();
            assertThat(writer.trials()).singleElement().satisfies(t -> assertThat(t.trial().machine())
                    .contains("10.0.0.1:22"));
        }
    }

    @Test
    void aVersionOneDatabaseIsReadAsItIsAndMigratedByItsNextWriter() throws Exception {
        Path old = versionOneDatabase();
        Path file = SqliteExperimentStore.databaseFile(old);
        byte[] before = Files.readAllBytes(file);
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(old)) {
            reader.open();
            assertThat(reader.trials().get(0).trial().intermediate()).extracting(Metric::value)
                    .containsExactly("0.1", "0.2", "0.3");
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);

        try (SqliteExperimentStore writer = SqliteExperimentStore.existingForWriting(old)) {
            writer.open();
            TrialId t1 = new TrialId("t1");
            writer.metricReported(t1, new Metric(MetricType.PERIODICAL, 0, "0.4", T0), Optional.empty());
            writer.metricReported(t1, new Metric(MetricType.PERIODICAL, 1, "0.5", T0), Optional.empty());
            writer.metricReported(t1, new Metric(MetricType.FINAL, 0, "0.1", T0), Optional.of(0.1));
            writer.commit();
            StoredTrial t = writer.trials().get(0);
            assertThat(t.trial().intermediate()).extracting(Metric::value)
                    .containsExactly("0.1", "0.2", "0.3", "0.4", "0.5");
            assertThat(t.trial().finalMetric()).map(Metric::value).contains("0.9");
            StoredTrial infinite = writer.trials().get(1);
            assertThat(infinite.trial().status()).isEqualTo(dev.hybrid.trial.TrialStatus.FAILED);
            assertThat(infinite.trial().message()).contains("finite number").contains("Infinity");
            assertThat(infinite.trial().finalMetric()).map(Metric::value).contains("Infinity");
            assertThat(infinite.trial().finalValue()).isEmpty();
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement();
             var rs = s.executeQuery("PRAGMA user_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(SqliteExperimentStore.SCHEMA_VERSION);
        }
    }

    @Test
    void metricsReportedAfterTheStoreIsReopenedFollowTheEarlierOnes() {
        store.trialSubmitted(spec("t1", 0, 0.5), "local", 1, T0);
        store.metricReported(new TrialId("t1"), new Metric(MetricType.PERIODICAL, 0, "0.1", T0), Optional.empty());
        store.close();
        store = SqliteExperimentStore.existingForWriting(dir.resolve("exp1"));
        store.open();
        store.metricReported(new TrialId("t1"), new Metric(MetricType.PERIODICAL, 0, "0.2", T0), Optional.empty());
        store.commit();
        assertThat(store.trials().get(0).trial().intermediate()).extracting(Metric::value)
                .containsExactly("0.1", "0.2");
    }

    @Test
    void theLockIsReleasedOnClose() {
        store.close();
        assertThat(SqliteExperimentStore.isInUse(dir.resolve("exp1"))).isFalse();
        SqliteExperimentStore again = SqliteExperimentStore.forWriting(dir.resolve("exp1"));
        again.open();
        again.close();
    }

    @Test
    void aReaderAsksTheRunningExperimentAndReadsTheOutcomeTheWriterRecorded() throws Exception {
        store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        store.commit();
        long id;
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.isRunning()).isTrue();
            id = reader.requestControl("exp1", new ControlRequest.SetTrialConcurrency(4), "dashboard");
        }
        assertThat(store.pendingControls()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo(id);
            assertThat(c.request()).isEqualTo(new ControlRequest.SetTrialConcurrency(4));
        });
        store.controlHandled(id, Optional.empty(), T0);
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.controlResult(id)).map(ControlResult::state).contains(ControlResult.State.APPLIED);
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("exp1/db/control.sqlite")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        store.close();
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.isRunning()).isFalse();
            assertThat(reader.runningOwner()).isEmpty();
            assertThatThrownBy(() -> reader.requestControl("exp1", new ControlRequest.Stop()))
                    .isInstanceOf(IllegalStateException.class).hasMessage("experiment exp1 is not running");
            assertThat(reader.controlResult(id)).map(ControlResult::state).contains(ControlResult.State.APPLIED);
        }
    }

    @Test
    void askingWhetherTheExperimentRunsFromTheWritersOwnJvmKeepsItsLockForOtherProcesses() throws Exception {
        Path lockFile = dir.resolve("exp1/db/experiment.lock");
        assertThat(SqliteExperimentStore.isInUse(dir.resolve("exp1"))).isTrue();
        assertThat(SqliteExperimentStore.runningOwner(dir.resolve("exp1"))).map(ExperimentOwner::pid)
                .contains(ProcessHandle.current().pid());
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            store.saveExperiment(experiment(ExperimentStatus.RUNNING));
            store.commit();
            reader.open();
        }
        // Closing any descriptor of the lock file would have dropped this process's POSIX lock on it: another
        // process must still find it taken. Python's lockf takes the same kind of lock.
        Process p = new ProcessBuilder("python3", "-c", "import fcntl, sys\n"
                + "try:\n    fcntl.lockf(open(sys.argv[1], 'r+'), fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                + "except OSError:\n    sys.exit(3)\n", lockFile.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("another process could take the lock").isEqualTo(3);
    }

    @Test
    void aVersionThreeDatabaseIsReadWithoutChangesAndMigratedByItsNextWriter() throws Exception {
        store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        store.commit();
        store.close();
        makeVersionThree(SqliteExperimentStore.databaseFile(dir.resolve("exp1")));
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.changes()).isEmpty();
            assertThat(reader.experiment()).isPresent();
        }
        try (SqliteExperimentStore writer = SqliteExperimentStore.existingForWriting(dir.resolve("exp1"))) {
            writer.open();
            writer.changeRecorded(new ExperimentChange(T0, "trialConcurrency", "1", "2", "cli"));
            writer.commit();
            assertThat(writer.changes()).extracting(ExperimentChange::newValue).containsExactly("2");
        }
    }

    @Test
    void aReaderKeptOpenSeesWhatTheWriterCommitsLater() {
        store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        store.commit();
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.experiment()).map(StoredExperiment::status).contains(ExperimentStatus.RUNNING);
            assertThat(reader.trials()).isEmpty();

            store.saveExperiment(store.experiment().orElseThrow().withProgress(ExperimentStatus.DONE,
                    Optional.of(T0), java.time.Duration.ofSeconds(1)));
            store.trialSubmitted(spec("t1", 0, 0.5), "local", 1, T0);
            store.commit();

            assertThat(reader.experiment()).map(StoredExperiment::status).contains(ExperimentStatus.DONE);
            assertThat(reader.trials()).hasSize(1);
        }
    }

    @Test
    void aReaderOpenedWhileNobodyHeldTheExperimentSeesWhatALaterWriterCommitsAndItsMigration() throws Exception {
        store.saveExperiment(experiment(ExperimentStatus.DONE));
        store.trialSubmitted(spec("t1", 0, 0.5), "local", 1, T0);
        store.commit();
        store.close();
        makeVersionThree(SqliteExperimentStore.databaseFile(dir.resolve("exp1")));
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            assertThat(reader.trials()).hasSize(1);
            assertThat(reader.changes()).isEmpty();
            long before = reader.changeCount();

            // A resume takes the experiment over: it migrates the database, records a change and adds a trial.
            try (SqliteExperimentStore writer = SqliteExperimentStore.existingForWriting(dir.resolve("exp1"))) {
                writer.open();
                writer.saveExperiment(writer.experiment().orElseThrow().withProgress(ExperimentStatus.RUNNING,
                        Optional.empty(), java.time.Duration.ofSeconds(1)));
                writer.changeRecorded(new ExperimentChange(T0, "maxTrialNumber", "1", "2", "cli"));
                writer.trialSubmitted(spec("t2", 1, 0.7), "local", 1, T0);
                writer.commit();

                assertThat(reader.changeCount()).isNotEqualTo(before);
                assertThat(reader.isRunning()).isTrue();
                assertThat(reader.experiment()).map(StoredExperiment::status).contains(ExperimentStatus.RUNNING);
                assertThat(reader.trials()).extracting(t -> t.trial().id().value()).containsExactly("t1", "t2");
                assertThat(reader.changes()).extracting(ExperimentChange::newValue).containsExactly("2");
                long during = reader.changeCount();
                writer.trialSubmitted(spec("t3", 2, 0.9), "local", 1, T0);
                writer.commit();
                assertThat(reader.changeCount()).isNotEqualTo(during);
                assertThat(reader.trials()).hasSize(3);
            }
            assertThat(reader.trials()).hasSize(3);
        }
    }

    @Test
    void aReaderThatKeepsEveryTrialReadsAgainOnlyTheTrialsThatMayHaveChanged() {
        store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        for (int i = 1; i <= 4; i++) {
            store.trialSubmitted(spec("t" + i, i, i / 10.0), "local", 1, T0);
        }
        TrialId t1 = new TrialId("t1");
        store.trialStarted(t1, T0);
        store.metricReported(t1, new Metric(MetricType.FINAL, 0, "0.1", T0), Optional.of(0.1));
        store.trialEnded(t1, TrialStatus.SUCCEEDED, Optional.of(0), "", T0);
        store.trialEnded(new TrialId("t2"), TrialStatus.FAILED, Optional.of(1), "boom", T0);
        TrialId t3 = new TrialId("t3");
        store.metricReported(t3, new Metric(MetricType.FINAL, 0, "0.3", T0), Optional.of(0.3));
        store.trialEnded(t3, TrialStatus.SUCCEEDED, Optional.of(0), "", T0);
        store.commit();
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("exp1"))) {
            reader.open();
            TrialsRead all = reader.trialsChanged(TrialsRead.START);
            assertThat(ids(all)).containsExactly("t1", "t2", "t3", "t4");
            // Nothing changed: the waiting trial and the failed one without a value are read again, no others.
            TrialsRead unchanged = reader.trialsChanged(all.next());
            assertThat(ids(unchanged)).containsExactly("t2", "t4");
            store.trialSubmitted(spec("t5", 5, 0.5), "local", 1, T0);
            store.trialOnMachine(t3, "node1:22", T0);
            store.commit();
            TrialsRead changed = reader.trialsChanged(unchanged.next());
            assertThat(ids(changed)).containsExactly("t2", "t3", "t4", "t5");
            assertThat(changed.trials().get(1).trial().machine()).contains("node1:22");
            store.trialSubmitted(spec("t1", 1, 0.1), "local", 2, T0.plusSeconds(1));
            store.commit();
            TrialsRead resubmitted = reader.trialsChanged(changed.next());
            assertThat(ids(resubmitted)).containsExactly("t1", "t2", "t4", "t5");
            assertThat(resubmitted.trials().get(0).attempt()).isEqualTo(2);
            assertThat(resubmitted.trials().get(0).trial().finalValue()).isEmpty();
        }
    }

    private static java.util.List<String> ids(TrialsRead read) {
        return read.trials().stream().map(t -> t.trial().id().value()).toList();
    }

    /** Turns a database back into schema version 3, the one before the history of changes. */
    private static void makeVersionThree(Path file) throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.execute("DROP TABLE changes");
            s.execute("PRAGMA user_version = 3");
        }
    }
}
