package dev.hybrid.platform.local;

/** A POSIX shell trial whose behaviour is chosen by its {@code scenario} parameter. */
final class LocalTrialScripts {
    private LocalTrialScripts() {
    }

    static final String SCENARIOS = String.join("\n",
            "p=$(cat \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "metric() { frame \"{\\\"parameter_id\\\":1,\\\"trial_job_id\\\":\\\"$NNI_TRIAL_JOB_ID\\\",\\\"type\\\":\\\"$1\\\","
                    + "\\\"sequence\\\":$2,\\\"value\\\":\\\"$3\\\"}\"; }",
            "case \"$p\" in",
            "  *'\"scenario\":\"succeed\"'*)",
            "    echo \"hello from $NNI_TRIAL_JOB_ID\"",
            "    metric PERIODICAL 0 1; metric PERIODICAL 1 2; metric PERIODICAL 2 3; metric FINAL 0 4",
            "    exit 0 ;;",
            "  *'\"scenario\":\"fail\"'*)",
            "    echo 'something went wrong' >&2",
            "    exit 3 ;;",
            "  *'\"scenario\":\"mixed\"'*)",
            "    metric PERIODICAL 0 10",
            "    printf 'garbage that is not a frame\\n' >> \"$NNI_SYS_DIR/.nni/metrics\"",
            "    echo \"NNISDK_MEb'{\\\"type\\\": \\\"PERIODICAL\\\", \\\"sequence\\\": 1, \\\"value\\\": \\\"11\\\"}'\"",
            "    metric FINAL 0 0.5",
            "    exit 0 ;;",
            // About 48 MB of ordinary output in one burst (faster than any poll reads it), then the final result line.
            "  *'\"scenario\":\"burst\"'*)",
            "    yes 'ordinary output of a busy trial, line after line' | head -c 48000000",
            "    echo",
            "    echo \"NNISDK_MEb'{\\\"type\\\": \\\"FINAL\\\", \\\"sequence\\\": 0, \\\"value\\\": \\\"0.75\\\"}'\"",
            "    exit 0 ;;",
            // 17 MB without a line end, then a final result line: a line too long to keep must not hide the next.
            "  *'\"scenario\":\"longline\"'*)",
            "    head -c 17000000 /dev/zero | tr '\\0' x",
            "    echo",
            "    echo \"NNISDK_MEb'{\\\"type\\\": \\\"FINAL\\\", \\\"sequence\\\": 0, \\\"value\\\": \\\"0.5\\\"}'\"",
            "    exit 0 ;;",
            // 200,000 intermediate frames as NNI's SDK writes them (about 22 MB), as fast as the file takes them, then
            // the final one.
            "  *'\"scenario\":\"frames\"'*)",
            "    awk -v id=\"$NNI_TRIAL_JOB_ID\" 'BEGIN { for (i = 0; i < 200000; i++) {"
                    + " j = \"{\\\"parameter_id\\\": 1, \\\"trial_job_id\\\": \\\"\" id \"\\\", \\\"type\\\": \\\"PERIODICAL\\\","
                    + " \\\"sequence\\\": \" i \", \\\"value\\\": \\\"\" i \"\\\"}\";"
                    + " printf \"ME%06d%s\\n\", length(j) + 1, j } }' >> \"$NNI_SYS_DIR/.nni/metrics\"",
            "    metric FINAL 0 0.25",
            "    exit 0 ;;",
            "  *'\"scenario\":\"block\"'*)",
            "    sleep 600 &",
            "    echo $! > \"$NNI_SYS_DIR/child.pid\"",
            "    metric PERIODICAL 0 1",
            "    wait ;;",
            "esac",
            "");
}
