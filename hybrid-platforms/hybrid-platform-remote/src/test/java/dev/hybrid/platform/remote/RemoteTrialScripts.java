package dev.hybrid.platform.remote;

/**
 * A POSIX shell trial whose behaviour is chosen by its {@code scenario} parameter: the contract's scenarios, reporting
 * through {@code .nni/metrics} frames and {@code NNISDK_MEb} stdout lines both (order is kept within each of the two,
 * not across them).
 */
final class RemoteTrialScripts {
    private RemoteTrialScripts() {
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
            "    sleep 600 &",
            "    echo $! > \"$NNI_SYS_DIR/child.pid\"",
            "    metric PERIODICAL 0 1",
            "    wait ;;",
            "  *'\"scenario\":\"ticks\"'*)",
            "    i=0; while [ $i -lt 40 ]; do metric PERIODICAL $i $i; line PERIODICAL $((i+1000)) $((i+1000));"
                    + " i=$((i+1)); sleep 0.05; done",
            "    metric FINAL 0 99; exit 0 ;;",
            "  *'\"scenario\":\"short\"'*)",
            "    i=0; while [ $i -lt 10 ]; do metric PERIODICAL $i $i; line PERIODICAL $((i+1000)) $((i+1000));"
                    + " i=$((i+1)); sleep 0.05; done",
            "    metric FINAL 0 99; exit 0 ;;",
            "  *'\"scenario\":\"stubborn\"'*)",
            "    sh -c 'trap \"\" TERM; exec sleep 600' &",
            "    echo $! > \"$NNI_SYS_DIR/child.pid\"",
            "    metric PERIODICAL 0 1",
            "    wait ;;",
            // About 24 MB of ordinary output in one burst, then the final result line.
            "  *'\"scenario\":\"burst\"'*)",
            "    yes 'ordinary output of a busy trial, line after line' | head -c 24000000; echo",
            "    line FINAL 0 0.75; exit 0 ;;",
            // 200,000 intermediate frames as NNI's SDK writes them (about 22 MB), written at full speed, then the final.
            "  *'\"scenario\":\"frames\"'*)",
            "    awk -v id=\"$NNI_TRIAL_JOB_ID\" 'BEGIN { for (i = 0; i < 200000; i++) {"
                    + " j = \"{\\\"parameter_id\\\": 1, \\\"trial_job_id\\\": \\\"\" id \"\\\", \\\"type\\\": \\\"PERIODICAL\\\","
                    + " \\\"sequence\\\": \" i \", \\\"value\\\": \\\"\" i \"\\\"}\";"
                    + " printf \"ME%06d%s\\n\", length(j) + 1, j } }' >> \"$NNI_SYS_DIR/.nni/metrics\"",
            "    metric FINAL 0 0.25; exit 0 ;;",
            "  *'\"scenario\":\"null\"'*)",
            "    exit 0 ;;",
            "esac",
            "");
}
