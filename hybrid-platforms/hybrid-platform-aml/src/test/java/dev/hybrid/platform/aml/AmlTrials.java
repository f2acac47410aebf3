package dev.hybrid.platform.aml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Trial code for the tests: a shell trial whose behaviour its {@code scenario} parameter chooses, and options. */
final class AmlTrials {
    private AmlTrials() {
    }

    static final String SCENARIOS = String.join("\n",
            "p=$(cat \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "metric() { frame \"{\\\"parameter_id\\\":1,\\\"trial_job_id\\\":\\\"$NNI_TRIAL_JOB_ID\\\","
                    + "\\\"type\\\":\\\"$1\\\",\\\"sequence\\\":$2,\\\"value\\\":\\\"$3\\\"}\"; }",
            "case \"$p\" in",
            "  *'\"scenario\":\"succeed\"'*)",
            "    echo \"hello from $NNI_TRIAL_JOB_ID on $NNI_PLATFORM\"",
            "    metric PERIODICAL 0 1; metric PERIODICAL 1 2; metric PERIODICAL 2 3; metric FINAL 0 4",
            "    exit 0 ;;",
            "  *'\"scenario\":\"fail\"'*)",
            "    echo 'something went wrong' >&2",
            "    exit 3 ;;",
            // Both channels and a dict: stdout lines as NNI's SDK prints them off the local platform, and frames.
            "  *'\"scenario\":\"mixed\"'*)",
            "    metric PERIODICAL 0 10",
            "    printf 'garbage ME12 that is not a frame\\n' >> \"$NNI_SYS_DIR/.nni/metrics\"",
            "    sleep 0.3",
            "    echo \"NNISDK_MEb'{\\\"type\\\": \\\"PERIODICAL\\\", \\\"sequence\\\": 1, \\\"value\\\": \\\"11\\\"}'\"",
            "    sleep 0.3",
            "    echo \"NNISDK_MEb'{\\\"type\\\": \\\"PERIODICAL\\\", \\\"sequence\\\": 2, \\\"value\\\": \\\"{\\\\\\\\\\\"loss\\\\\\\\\\\": 0.25, \\\\\\\\\\\"acc\\\\\\\\\\\": 0.5}\\\"}'\"",
            "    sleep 0.3",
            // A header promising more bytes than ever come: the frame after it must still be read.
            "    printf 'ME000999' >> \"$NNI_SYS_DIR/.nni/metrics\"",
            "    metric FINAL 0 0.75",
            "    exit 0 ;;",
            // Many metrics, reported over a few seconds: they must arrive while the job runs, all of them, in order.
            "  *'\"scenario\":\"many\"'*)",
            "    for i in $(seq 0 29); do metric PERIODICAL $i $i; sleep 0.1; done",
            "    metric FINAL 0 30",
            "    exit 0 ;;",
            "  *'\"scenario\":\"block\"'*)",
            "    metric PERIODICAL 0 1",
            "    sleep 600 &",
            "    wait ;;",
            "esac",
            "");

    /** NNI's SDK as a trial uses it (here the bundled module, the real {@code nni} being absent). */
    static final String PYTHON_TRIAL = String.join("\n",
            "import nni",
            "params = nni.get_next_parameter()",
            "x = params['x']",
            "for i in range(3):",
            "    nni.report_intermediate_result(x * i)",
            "nni.report_intermediate_result({'default': x, 'extra': [1, 2]})",
            "nni.report_final_result(x * 10)",
            "");

    /** Writes the trials into {@code code} and returns it. */
    static Path writeCode(Path code) throws IOException {
        Files.createDirectories(code);
        Files.writeString(code.resolve("trial.sh"), SCENARIOS);
        Files.writeString(code.resolve("trial.py"), PYTHON_TRIAL);
        return code;
    }

    /** Options for the fake's workspace with its service principal, polling every 100 ms. */
    static AmlPlatformOptions options(FakeAzure fake, String command, Path code, int slots) {
        return AmlPlatformOptions.of("exp1", command, code, new AmlWorkspace(FakeAzure.SUBSCRIPTION,
                        FakeAzure.GROUP, FakeAzure.WORKSPACE), FakeAzure.COMPUTE, "python:3.11-slim", slots,
                        AmlCredentials.servicePrincipal(FakeAzure.TENANT, FakeAzure.CLIENT,
                                dev.hybrid.config.Secret.of(FakeAzure.SECRET)))
                .withEndpoints(fake.endpoint(), fake.endpoint())
                .withPolling(Duration.ofMillis(100), Duration.ofMinutes(5))
                .withEnvironment(java.util.Map.of());
    }

    static AmlPlatform platform(FakeAzure fake, Path code, int slots) {
        return AmlPlatform.create(options(fake, "bash trial.sh", code, slots), Clock.systemUTC());
    }
}
