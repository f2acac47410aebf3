package dev.hybrid.platform.openpai;

/**
 * A POSIX shell trial whose behaviour is chosen by its {@code scenario} parameter (the contract's scenarios and a few
 * more), reporting through {@code .nni/metrics} frames and {@code NNISDK_MEb} stdout lines.
 */
final class PaiTrialScripts {
    private PaiTrialScripts() {
    }

    static final String SCENARIOS = String.join("\n",
            "p=$(cat \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "metric() { frame \"{\\\"parameter_id\\\":1,\\\"trial_job_id\\\":\\\"$NNI_TRIAL_JOB_ID\\\",\\\"type\\\":\\\"$1\\\","
                    + "\\\"sequence\\\":$2,\\\"value\\\":\\\"$3\\\"}\"; }",
            "line() { echo \"NNISDK_MEb'{\\\"type\\\": \\\"$1\\\", \\\"sequence\\\": $2, \\\"value\\\": \\\"$3\\\"}'\"; }",
            "case \"$p\" in",
            "  *'\"scenario\":\"succeed\"'*)",
            "    echo \"hello from $NNI_TRIAL_JOB_ID on $NNI_PLATFORM\"",
            "    metric PERIODICAL 0 1; metric PERIODICAL 1 2; metric PERIODICAL 2 3; line FINAL 0 4",
            "    exit 0 ;;",
            "  *'\"scenario\":\"fail\"'*)",
            "    echo 'something went wrong' >&2",
            "    exit 3 ;;",
            "  *'\"scenario\":\"block\"'*)",
            "    metric PERIODICAL 0 1",
            "    sleep 600 ;;",
            "  *'\"scenario\":\"ticks\"'*)",
            "    i=0; while [ $i -lt 30 ]; do metric PERIODICAL $i $i; i=$((i+1)); sleep 0.1; done",
            "    metric FINAL 0 99; exit 0 ;;",
            "esac",
            "");
}
