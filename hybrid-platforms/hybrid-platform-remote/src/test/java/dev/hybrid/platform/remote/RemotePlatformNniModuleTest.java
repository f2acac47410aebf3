package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hybrid.config.Secret;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which {@code nni} a Python trial imports on a remote machine (an in-process SSH server on this one). As in the
 * local platform's test, a stand-in package plays the real NNI and an interpreter script a Python that has it.
 */
class RemotePlatformNniModuleTest {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    static Path shared;
    static MinaServer server;

    @TempDir
    Path dir;

    private static final String STAND_IN = String.join("\n",
            "import json, os, sys",
            "__version__ = 'real-nni-stand-in'",
            "def get_next_parameter():",
            "    with open(os.path.join(os.environ['NNI_SYS_DIR'], 'parameter.cfg')) as f:",
            "        return json.load(f)['parameters']",
            "def report_final_result(value):",
            "    text = json.dumps({'parameter_id': 0, 'trial_job_id': os.environ['NNI_TRIAL_JOB_ID'],",
            "                       'type': 'FINAL', 'sequence': 0, 'value': json.dumps(value)})",
            "    sys.stdout.write('NNISDK_ME%r\\n' % (text.encode('utf8'),))",
            "    sys.stdout.flush()",
            "");

    /** Reports x under the stand-in, 0 under Hybrid's bundled module. */
    private static final String TRIAL = String.join("\n",
            "import nni",
            "p = nni.get_next_parameter()",
            "nni.report_final_result(p['x'] if nni.__version__ == 'real-nni-stand-in' else 0.0)",
            "");

    @BeforeAll
    static void startServer() throws Exception {
        server = MinaServer.start(shared.resolve("host.key"), List.of());
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private static boolean hasPython() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "pass").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private double finalValueOf(String command) throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.py"), TRIAL);
        RemoteMachine m = RemoteMachine.withPassword("127.0.0.1", server.port(), MinaServer.USER,
                Secret.of(MinaServer.PASSWORD)).withRemoteDirectory(dir.resolve("m").toString());
        RemotePlatformOptions o = RemotePlatformOptions.of("nni1", command, code, List.of(m))
                .withHostKeys(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW);
        RecordingSink sink = new RecordingSink();
        try (RemotePlatform p = RemotePlatform.create(o)) {
            p.start(sink);
            p.submit(new TrialSpec(TrialId.of("t1"), 0, 0, new Parameters(Map.of("x", 1.0))));
            TrialEvent.Ended end = RemotePlatformTest.ended(sink, TrialId.of("t1"), T);
            assertThat(end.status()).as(end.message()).isEqualTo(TrialStatus.SUCCEEDED);
            return sink.eventsOf(TrialId.of("t1")).stream().filter(TrialEvent.MetricReported.class::isInstance)
                    .map(e -> ((TrialEvent.MetricReported) e).metric().scalar()).reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    private Path writeInterpreter() throws IOException {
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
        Path python = writeInterpreter();
        assertThat(finalValueOf(python + " trial.py")).isEqualTo(1.0);
    }

    @Test
    void aTrialWhoseInterpreterHasNoNniUsesTheBundledModule() throws Exception {
        assumeTrue(hasPython(), "python3 is needed for this test");
        writeInterpreter();
        assertThat(finalValueOf("python3 trial.py")).isEqualTo(0.0);
    }
}
