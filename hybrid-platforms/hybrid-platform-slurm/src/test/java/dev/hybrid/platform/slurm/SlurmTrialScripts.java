package dev.hybrid.platform.slurm;

/** A POSIX shell trial whose behaviour is chosen by its {@code scenario} parameter. */
final class SlurmTrialScripts {
    private SlurmTrialScripts() {
    }

    static final String SCENARIOS = String.join("\n",
            "p=$(cat \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "metric() { frame \"{\\\"parameter_id\\\":1,\\\"trial_job_id\\\":\\\"$NNI_TRIAL_JOB_ID\\\",\\\"type\\\":\\\"$1\\\","
                    + "\\\"sequence\\\":$2,\\\"value\\\":\\\"$3\\\"}\"; }",
            "echo \"gpus=${CUDA_VISIBLE_DEVICES:-none} job=$SLURM_JOB_ID\" > \"$NNI_OUTPUT_DIR/seen\"",
            "case \"$p\" in",
            "  *'\"scenario\":\"succeed\"'*)",
            "    echo \"hello from $NNI_TRIAL_JOB_ID\"",
            "    metric PERIODICAL 0 1; metric PERIODICAL 1 2",
            "    echo \"NNISDK_MEb'{\\\"type\\\": \\\"PERIODICAL\\\", \\\"sequence\\\": 2, \\\"value\\\": \\\"3\\\"}'\"",
            "    metric FINAL 0 4",
            "    exit 0 ;;",
            "  *'\"scenario\":\"fail\"'*)",
            "    echo 'something went wrong' >&2",
            "    exit 3 ;;",
            "  *'\"scenario\":\"block\"'*)",
            "    metric PERIODICAL 0 1",
            "    sleep 600 ;;",
            // Ten intermediate results 0.2 s apart, then the final one.
            "  *'\"scenario\":\"slow\"'*)",
            "    for i in 0 1 2 3 4 5 6 7 8 9; do metric PERIODICAL $i $i; sleep 0.2; done",
            "    metric FINAL 0 10",
            "    exit 0 ;;",
            // One intermediate result, then the final one once the file go appears in the trial's folder.
            "  *'\"scenario\":\"gated\"'*)",
            "    metric PERIODICAL 0 1",
            "    while [ ! -e \"$NNI_SYS_DIR/go\" ]; do sleep 0.05; done",
            "    metric FINAL 0 2",
            "    exit 0 ;;",
            // Blocks on Slurm (until someone cancels the job), succeeds anywhere else.
            "  *'\"scenario\":\"lost\"'*)",
            // exec: when the job is cancelled, no line of the script can run after the sleep.
            "    if [ \"$NNI_PLATFORM\" = slurm ]; then metric PERIODICAL 0 1; exec sleep 600; fi",
            "    metric FINAL 0 7",
            "    exit 0 ;;",
            "  *)",
            "    metric FINAL 0 1",
            "    exit 0 ;;",
            "esac",
            "");
}
