package dev.hybrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hybrid.space.Parameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the shipped Python module in a real python3 (standard library only) and reads what it reports. */
class PythonSdkTest {
    @TempDir
    Path dir;

    private static boolean hasPython;

    @BeforeAll
    static void findPython() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "pass").redirectErrorStream(true).start();
            hasPython = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            hasPython = false;
        }
    }

    @Test
    void platformsInstallingIntoOneFolderAtOnceAllSucceed() throws Exception {
        // local and local#2 of one hybrid experiment start on threads of their own and share the experiment folder
        for (int round = 0; round < 20; round++) {
            Path folder = dir.resolve("shared-" + round);
            int writers = 6;
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(writers);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
            try {
                List<java.util.concurrent.Future<Path>> done = new java.util.ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    done.add(pool.submit(() -> {
                        barrier.await();
                        return PythonSdk.installTo(folder);
                    }));
                }
                for (java.util.concurrent.Future<Path> f : done) {
                    assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(folder);
                }
            } finally {
                pool.shutdownNow();
            }
            for (String name : PythonSdk.FILES) {
                assertThat(Files.readAllBytes(folder.resolve(name))).isEqualTo(PythonSdk.file(name));
            }
            try (var left = Files.list(folder.resolve("nni"))) {
                assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left")
                        .containsExactlyInAnyOrder("__init__.py", "utils.py");
            }
        }
    }

    private record Run(int exit, String stdout) {
    }

    private Run runTrial(String platform, String script) throws Exception {
        assumeTrue(hasPython, "python3 is needed for this test");
        Path lib = PythonSdk.installTo(dir.resolve("lib"));
        Path sys = dir.resolve("trial");
        ParameterFile.of(11, new Parameters(Map.of("lr", 0.5, "units", 32))).write(sys);
        Files.writeString(dir.resolve("trial.py"), script);
        ProcessBuilder pb = new ProcessBuilder("python3", dir.resolve("trial.py").toString());
        pb.environment().putAll(TrialEnvironment.of(platform, "exp", "Tr1", 2, sys, Optional.empty(),
                Optional.empty()).variables());
        pb.environment().put("PYTHONPATH", lib.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static final String SCRIPT = String.join("\n",
            "import nni",
            "p = nni.get_next_parameter()",
            "assert nni.get_next_parameter() is None",
            "assert nni.get_current_parameter('units') == 32",
            "assert nni.get_trial_id() == 'Tr1' and nni.get_experiment_id() == 'exp' and nni.get_sequence_id() == 2",
            "for i in range(3):",
            "    nni.report_intermediate_result(p['lr'] * i)",
            "nni.report_final_result({'default': 0.875, 'note': \"it's\"})",
            "");

    @Test
    void onLocalTheModuleAppendsFramesToTheMetricsFile() throws Exception {
        Run run = runTrial("local", SCRIPT);
        assertThat(run.exit()).as(run.stdout()).isZero();
        MetricFrames.Decoder d = new MetricFrames.Decoder();
        List<MetricRecord> records = d.feed(Files.readAllBytes(dir.resolve("trial/.nni/metrics"))).stream()
                .map(f -> MetricRecord.parse(((MetricFrames.Frame.Data) f).json())).toList();
        assertThat(d.finish()).isEmpty();
        assertThat(records).extracting(MetricRecord::type)
                .containsExactly("PERIODICAL", "PERIODICAL", "PERIODICAL", "FINAL");
        assertThat(records).extracting(MetricRecord::value).containsExactly("0.0", "0.5", "1.0",
                "{\"default\": 0.875, \"note\": \"it's\"}");
        assertThat(records.get(3).parameterId()).contains(11L);
    }

    @Test
    void elsewhereTheModulePrintsMetricLinesOnStdout() throws Exception {
        Run run = runTrial("remote", "print('hello')\n" + SCRIPT);
        assertThat(run.exit()).as(run.stdout()).isZero();
        List<MetricRecord> records = run.stdout().lines().map(StdoutMetrics::parse).flatMap(Optional::stream)
                .map(MetricRecord::parse).toList();
        assertThat(records).hasSize(4);
        assertThat(records.get(3).toMetric(java.time.Instant.EPOCH).scalar()).isEqualTo(0.875);
        assertThat(records.get(3).value()).contains("it's");
        assertThat(run.stdout()).contains("hello");
    }

    @Test
    void reportingBeforeAskingForParametersFailsAsInNni() throws Exception {
        Run run = runTrial("local", "import nni\nnni.report_final_result(1)\n");
        assertThat(run.exit()).isNotZero();
        assertThat(run.stdout()).contains("get_next_parameter");
    }

    private String importNni(String realInit) throws Exception {
        assumeTrue(hasPython, "python3 is needed for this test");
        Path lib = PythonSdk.installTo(dir.resolve("lib"));
        Files.createDirectories(dir.resolve("site/nni"));
        Files.writeString(dir.resolve("site/nni/__init__.py"), realInit);
        Files.writeString(dir.resolve("site/nni/trial.py"), "WHO = 'real'\n");
        ProcessBuilder pb = new ProcessBuilder("python3", "-c",
                "import nni, nni.utils; print(nni.__version__, nni.utils.__file__)");
        pb.environment().put("PYTHONPATH", lib + java.io.File.pathSeparator + dir.resolve("site"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theModuleHandsOverToARealNniFurtherAlongThePath() throws Exception {
        Files.createDirectories(dir.resolve("site/nni"));
        Files.writeString(dir.resolve("site/nni/utils.py"), "\n");
        String out = importNni("__version__ = 'real'\nfrom . import trial\n");
        assertThat(out).startsWith("real " + dir.resolve("site/nni/utils.py"));
    }

    @Test
    void aRealNniThatCannotBeImportedLeavesTheBundledModuleInCharge() throws Exception {
        String out = importNni("raise ImportError('no numpy')\n");
        assertThat(out).contains("cannot be imported").contains("no numpy")
                .contains("hybrid " + dir.resolve("lib/nni/utils.py"));
    }
}
