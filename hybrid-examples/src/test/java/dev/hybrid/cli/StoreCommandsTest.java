package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.store.SqliteExperimentStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hybrid list}, {@code trials}, {@code export}, {@code import} and their errors, on one real experiment. */
class StoreCommandsTest {
    @TempDir
    static Path dir;
    static Path work;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static final String TRIAL = String.join("\n",
            "x=$(sed 's/.*\"x\": *\\([-0-9.eE]*\\).*/\\1/' \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "case \"$NNI_TRIAL_SEQ_ID\" in 1) exit 3 ;; esac",
            "frame \"{\\\"type\\\":\\\"FINAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "");

    @BeforeAll
    static void runOneExperiment() throws Exception {
        Files.writeString(dir.resolve("trial.sh"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n", "experimentName: store-test",
                "searchSpaceFile: search_space.json", "trialCommand: sh trial.sh", "trialConcurrency: 2",
                "maxTrialNumber: 5", "tuner:", "  name: Random", "  classArgs: {seed: 5}",
                "trainingService:", "  platform: local", ""));
        work = dir.resolve("work");
        int code = HybridCommand.commandLine().execute("run", config.toString(), "--id", "store1", "--work-dir",
                work.toString(), "--progress-interval", "0.5");
        assertThat(code).isZero();
    }

    /** Runs the command line with its output captured (commands take System.out when they are created). */
    private int hybrid(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        System.setOut(o);
        System.setErr(e);
        try {
            var cl = HybridCommand.commandLine();
            cl.setOut(new java.io.PrintWriter(o, true));
            cl.setErr(new java.io.PrintWriter(e, true));
            return cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsTheExperimentWithItsTrialsAndBest() {
        assertThat(hybrid("list", "--work-dir", work.toString())).isZero();
        assertThat(stdout()).contains("store1").contains("store-test").contains("DONE").containsPattern("\\b5\\b");
    }

    @Test
    void trialsShowsEveryTrialAndTopShowsTheBestFirst() {
        assertThat(hybrid("trials", "store1", "--work-dir", work.toString())).isZero();
        assertThat(stdout().lines().count()).isEqualTo(6);
        out.reset();
        assertThat(hybrid("trials", "store1", "--work-dir", work.toString(), "--top", "2")).isZero();
        var lines = stdout().lines().skip(1).toList();
        assertThat(lines).hasSize(2);
        double first = Double.parseDouble(lines.get(0).trim().split("\\s+")[3]);
        double second = Double.parseDouble(lines.get(1).trim().split("\\s+")[3]);
        assertThat(first).isGreaterThanOrEqualTo(second);
        out.reset();
        assertThat(hybrid("trials", "store1", "--work-dir", work.toString(), "--status", "FAILED")).isZero();
        assertThat(stdout().lines().skip(1).toList()).hasSize(1).allMatch(l -> l.contains("FAILED"));
    }

    @Test
    void trialsShowWhyAWaitingTrialWaits() throws Exception {
        Path queued = work.resolve("queued1");
        try (SqliteExperimentStore writer = SqliteExperimentStore.forWriting(queued)) {
            writer.open();
            writer.saveExperiment(new dev.hybrid.store.StoredExperiment("queued1", Optional.empty(), "{}",
                    dev.hybrid.tuner.OptimizeMode.MAXIMIZE, dev.hybrid.ExperimentStatus.RUNNING,
                    Optional.of(java.time.Instant.now()), Optional.empty(), java.time.Duration.ZERO, 0));
            for (String id : List.of("q1", "q2")) {
                writer.trialSubmitted(new dev.hybrid.trial.TrialSpec(dev.hybrid.trial.TrialId.of(id), 0, 0,
                        new dev.hybrid.space.Parameters(Map.of("x", 0.5))), "slurm", 1, java.time.Instant.now());
            }
            writer.trialWaiting(dev.hybrid.trial.TrialId.of("q1"), "Slurm job 12 is PENDING: Resources");
            writer.commit();
        }
        assertThat(hybrid("trials", "queued1", "--work-dir", work.toString())).isZero();
        assertThat(stdout().lines().toList()).hasSize(4).filteredOn(l -> l.contains("waits:")).singleElement()
                .satisfies(l -> assertThat(l.strip()).isEqualTo("waits: Slurm job 12 is PENDING: Resources"));
    }

    @Test
    void trialsAndExportShowTheMachineThatRanTheAttemptShown() throws Exception {
        dev.hybrid.trial.TrialId id;
        try (var writer = dev.hybrid.store.SqliteExperimentStore.existingForWriting(work.resolve("store1"))) {
            writer.open();
            id = writer.trials().get(0).trial().id();
            writer.trialOnMachine(id, "10.0.0.7:2222", java.time.Instant.now());
            writer.commit();
        }
        assertThat(hybrid("trials", "store1", "--work-dir", work.toString())).isZero();
        assertThat(stdout().lines().findFirst()).hasValueSatisfying(h -> assertThat(h).contains("machine"));
        assertThat(stdout().lines().filter(l -> l.contains(id.value())).toList()).singleElement()
                .satisfies(l -> assertThat(l).contains(" 10.0.0.7:2222 "));
        out.reset();
        assertThat(hybrid("export", "store1", "--work-dir", work.toString(), "--format", "csv")).isZero();
        assertThat(stdout().lines().filter(l -> l.startsWith(id.value() + ",")).toList()).singleElement()
                .satisfies(l -> assertThat(l).contains(",local,10.0.0.7:2222,"));
        out.reset();
        assertThat(hybrid("export", "store1", "--work-dir", work.toString(), "--format", "json")).isZero();
        assertThat(stdout()).contains("\"machine\" : \"10.0.0.7:2222\"").contains("\"machine\" : null");
    }

    @Test
    void exportWritesNnisShapeAsJsonAndCsv() throws Exception {
        Path json = dir.resolve("export.json");
        assertThat(hybrid("export", "store1", "--work-dir", work.toString(), "--format", "json", "-o",
                json.toString())).isZero();
        String text = Files.readString(json);
        assertThat(text.split("\"trialJobId\"", -1)).hasSize(6);
        assertThat(text).contains("\"parameter\"").contains("\"value\"").contains("\"status\" : \"FAILED\"")
                .contains("\"platform\" : \"local\"");
        assertThat(hybrid("export", "store1", "--work-dir", work.toString(), "--format", "csv")).isZero();
        var lines = stdout().lines().toList();
        assertThat(lines.get(0)).isEqualTo("trialJobId,status,platform,machine,value,x");
        assertThat(lines).hasSize(6);
    }

    @Test
    void importedDataIsKeptForTheTunerAndBadDataWritesNothing() throws Exception {
        Path data = dir.resolve("import.json");
        Files.writeString(data, "[{\"parameter\": {\"x\": 0.5}, \"value\": 0.5},"
                + " {\"parameter\": {\"x\": 0.1}, \"value\": \"{\\\"default\\\": 0.1}\"}]");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[{\"parameter\": {\"x\": 0.5}, \"value\": \"high\"}]");
        assertThat(hybrid("import", "store1", bad.toString(), "--work-dir", work.toString())).isEqualTo(1);
        assertThat(stderr()).contains("bad.json[0].value");
        assertThat(hybrid("import", "store1", data.toString(), "--work-dir", work.toString())).isZero();
        try (var store = SqliteExperimentStore.readOnly(work.resolve("store1"))) {
            store.open();
            assertThat(store.imported()).hasSize(2);
        }
    }

    @Test
    void anUnknownIdIsAOneLineErrorAndCreatesNothing() {
        assertThat(hybrid("trials", "nope", "--work-dir", work.toString())).isEqualTo(1);
        assertThat(hybrid("export", "nope", "--work-dir", work.toString(), "--format", "json")).isEqualTo(1);
        assertThat(hybrid("resume", "nope", "--work-dir", work.toString())).isEqualTo(1);
        assertThat(stderr().lines().toList()).hasSize(3).allMatch(l -> l.startsWith("hybrid: unknown experiment"));
        assertThat(work.resolve("nope")).doesNotExist();
    }

    @Test
    void aCorruptDatabaseIsAOneLineError() throws Exception {
        Path corrupt = work.resolve("bad1");
        Files.createDirectories(corrupt.resolve("db"));
        Files.writeString(SqliteExperimentStore.databaseFile(corrupt), "garbage ".repeat(200));
        try {
            assertThat(hybrid("trials", "bad1", "--work-dir", work.toString())).isEqualTo(1);
            assertThat(stderr().lines().toList()).hasSize(1);
            assertThat(stderr()).contains("not a valid experiment database");
            err.reset();
            assertThat(hybrid("resume", "bad1", "--work-dir", work.toString())).isEqualTo(1);
            assertThat(stderr().lines().toList()).hasSize(1);
            assertThat(stderr()).contains("not a valid experiment database");
            try (var left = Files.list(corrupt.resolve("db"))) {
                assertThat(left).extracting(p -> p.getFileName().toString()).containsExactly("experiment.sqlite");
            }
        } finally {
            Files.delete(SqliteExperimentStore.databaseFile(corrupt));
        }
    }

    /** Each file of the folder with its size and modification time. */
    private static java.util.Map<String, String> snapshot(Path folder) throws Exception {
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                m.put(f.getFileName().toString(), Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis());
            }
        }
        return m;
    }

    @Test
    void readOnlyCommandsLeaveTheDatabaseFolderAsTheyFoundIt() throws Exception {
        Path db = SqliteExperimentStore.databaseFile(work.resolve("store1")).getParent();
        var before = snapshot(db);
        assertThat(hybrid("list", "--work-dir", work.toString())).isZero();
        assertThat(hybrid("trials", "store1", "--work-dir", work.toString(), "--top", "2")).isZero();
        assertThat(hybrid("export", "store1", "--work-dir", work.toString(), "--format", "json")).isZero();
        assertThat(snapshot(db)).isEqualTo(before).doesNotContainKeys("experiment.sqlite-wal", "experiment.sqlite-shm");
    }

    @Test
    void readOnlyCommandsNeverWriteEvenToAnEmptyDatabaseFile() throws Exception {
        Path empty = work.resolve("empty1");
        Path db = SqliteExperimentStore.databaseFile(empty);
        Files.createDirectories(db.getParent());
        Files.createFile(db);
        try {
            assertThat(hybrid("trials", "empty1", "--work-dir", work.toString())).isEqualTo(1);
            assertThat(hybrid("export", "empty1", "--work-dir", work.toString(), "--format", "json")).isEqualTo(1);
            assertThat(hybrid("list", "--work-dir", work.toString())).isEqualTo(1);
            Path data = dir.resolve("import-empty.json");
            Files.writeString(data, "[{\"parameter\": {\"x\": 0.5}, \"value\": 0.5}]");
            assertThat(hybrid("import", "empty1", data.toString(), "--work-dir", work.toString())).isEqualTo(1);
            assertThat(hybrid("resume", "empty1", "--work-dir", work.toString())).isEqualTo(1);
            assertThat(stderr().lines().toList()).hasSize(5).allMatch(l -> l.startsWith("hybrid: "))
                    .allMatch(l -> l.contains("is empty: not an experiment database"));
            assertThat(Files.size(db)).isZero();
            try (var left = Files.list(db.getParent())) {
                assertThat(left).extracting(p -> p.getFileName().toString()).containsExactly("experiment.sqlite");
            }
        } finally {
            Files.delete(db);
        }
    }

    @Test
    void aRunningExperimentCannotBeResumedOrImportedIntoASecondTime() throws Exception {
        try (SqliteExperimentStore running = SqliteExperimentStore.existingForWriting(work.resolve("store1"))) {
            running.open();
            assertThat(hybrid("resume", "store1", "--work-dir", work.toString())).isEqualTo(1);
            Path data = dir.resolve("import2.json");
            Files.writeString(data, "[{\"parameter\": {\"x\": 0.5}, \"value\": 0.5}]");
            assertThat(hybrid("import", "store1", data.toString(), "--work-dir", work.toString())).isEqualTo(1);
            assertThat(stderr().lines().toList()).hasSize(2).allMatch(l -> l.contains("in use"));
        }
    }
}
