package dev.hybrid.platform.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which {@code nni} a Python trial imports. A real NNI cannot be installed here, so a stand-in package plays it, and
 * an interpreter script plays a Python that has it (as {@code /usr/bin/python3} with NNI, when the {@code python3}
 * on the PATH has none): the script runs python3 with the stand-in after everything on {@code PYTHONPATH}, where a
 * Python's own site-packages are.
 */
class LocalPlatformNniModuleTest {
    @TempDir
    Path dir;

    private static final String STAND_IN = String.join("\n",
            "import json, os",
            "__version__ = 'real-nni-stand-in'",
            "def get_next_parameter():",
            "    with open(os.path.join(os.environ['NNI_SYS_DIR'], 'parameter.cfg')) as f:",
            "        return json.load(f)['parameters']",
            "def report_final_result(value):",
            "    text = json.dumps({'parameter_id': 0, 'trial_job_id': os.environ['NNI_TRIAL_JOB_ID'],",
            "                       'type': 'FINAL', 'sequence': 0, 'value': json.dumps(value)})",
            "    data = (text + '\\n').encode()",
            "    with open(os.path.join(os.environ['NNI_SYS_DIR'], '.nni', 'metrics'), 'ab') as f:",
            "        f.write(b'ME' + b'%06d' % len(data) + data)",
            "");

    /** Reports 1 under the stand-in, 0 under Hybrid's bundled module. */
    private static final String TRIAL = String.join("\n",
            "import nni",
            "p = nni.get_next_parameter()",
            "nni.report_final_result(p['x'] if nni.__version__ == 'real-nni-stand-in' else 0.0)",
            "");

    static boolean hasPython() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "pass").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private double finalValueOf(String command) throws Exception {
        RecordingSink sink = new RecordingSink();
        try (LocalPlatform platform = LocalPlatform.create(LocalPlatformOptions.of("nni1", dir.resolve("exp"),
                command, dir.resolve("code"), 1))) {
            platform.start(sink);
            platform.submit(new TrialSpec(TrialId.of("t1"), 0, 0, new Parameters(Map.of("x", 1.0))));
            double value = Double.NaN;
            while (true) {
                TrialEvent e = sink.next(Duration.ofSeconds(60));
                if (e instanceof TrialEvent.MetricReported m) {
                    value = m.metric().scalar();
                } else if (e instanceof TrialEvent.Ended end) {
                    assertThat(end.status()).as(end.message()).isEqualTo(TrialStatus.SUCCEEDED);
                    return value;
                }
            }
        }
    }

    private Path writeFiles() throws IOException {
        Files.createDirectories(dir.resolve("code"));
        Files.writeString(dir.resolve("code/trial.py"), TRIAL);
        Files.createDirectories(dir.resolve("site/nni"));
        Files.writeString(dir.resolve("site/nni/__init__.py"), STAND_IN);
        Path python = dir.resolve("bin/python-with-nni");
        Files.createDirectories(python.getParent());
        Files.writeString(python, "#!/bin/sh\nPYTHONPATH=\"${PYTHONPATH:+$PYTHONPATH:}" + dir.resolve("site")
                + "\" exec python3 \"$@\"\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        return python;
    }

    @Test
    void aTrialWhoseInterpreterHasTheRealNniUsesItNotTheBundledModule() throws Exception {
        assumeTrue(hasPython(), "python3 is needed for this test");
        Path python = writeFiles();
        assertThat(finalValueOf(python + " trial.py")).isEqualTo(1.0);
    }

    @Test
    void aTrialWhoseInterpreterHasNoNniUsesTheBundledModule() throws Exception {
        assumeTrue(hasPython(), "python3 is needed for this test");
        writeFiles();
        assertThat(finalValueOf("python3 trial.py")).isEqualTo(0.0);
    }
}
