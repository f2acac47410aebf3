package dev.hybrid.platform.slurm.internal;

import java.nio.file.Path;

/**
 * The batch script of a pilot job (reuse mode): it runs trial after trial in one allocation, as the platform hands
 * them out through files in the pilot's folder, which this machine and the compute node share.
 *
 * <ul>
 *   <li>{@code next} (written by the platform, atomically): the folder of the trial to run; the pilot removes it,
 *       writes the trial's {@code .nni/pilot} (its job id: the trial has started), runs the trial's {@code run.sh}
 *       in a session of its own with {@code stdout} and {@code stderr} in the trial's folder, and writes the trial's
 *       {@code .nni/state} if {@code run.sh} did not (it was killed);</li>
 *   <li>{@code cancel}: the folder of a trial to end; the pilot sends SIGTERM to that trial's process group if it is
 *       the one running, and SIGKILL after {@code KILL_AFTER} checks;</li>
 *   <li>{@code stop}: the pilot exits once it is idle.</li>
 * </ul>
 * The pilot checks its folder every 50 ms: it runs inside the allocation, where nothing can push to it.
 */
public final class PilotScript {
    private PilotScript() {
    }

    /** The script of a pilot whose folder is {@code dir}. */
    public static String of(Path dir, String experimentId) {
        String d = quote(dir.toString());
        return String.join("\n",
                "#!/bin/bash",
                "# Pilot job of experiment " + experimentId + ", written by Hybrid",
                "dir=" + d,
                "pid=",
                // scancel of the pilot: its trial goes with it.
                "trap '[ -n \"$pid\" ] && kill -TERM -- -\"$pid\" 2>/dev/null; exit 143' TERM",
                "while :; do",
                "  if [ -e \"$dir/next\" ]; then",
                "    sys=$(cat \"$dir/next\"); rm -f \"$dir/next\"",
                "    echo \"$SLURM_JOB_ID\" > \"$sys/.nni/pilot\"",
                "    setsid bash \"$sys/run.sh\" > \"$sys/stdout\" 2> \"$sys/stderr\" < /dev/null &",
                "    pid=$!; term=0",
                "    while kill -0 \"$pid\" 2>/dev/null; do",
                "      if [ \"$term\" -gt 0 ]; then term=$((term + 1)); fi",
                "      if [ \"$term\" -gt 100 ]; then kill -KILL -- -\"$pid\" 2>/dev/null; fi",
                "      if [ \"$term\" = 0 ] && [ -e \"$dir/cancel\" ] && [ \"$(cat \"$dir/cancel\")\" = \"$sys\" ]; then",
                "        kill -TERM -- -\"$pid\" 2>/dev/null; term=1",
                "      fi",
                "      sleep 0.05",
                "    done",
                "    wait \"$pid\"; code=$?; pid=",
                "    [ -e \"$sys/.nni/state\" ] || printf '%s %s\\n' \"$code\" \"$(date +%s%3N)\" > \"$sys/.nni/state\"",
                "    continue",
                "  fi",
                "  [ -e \"$dir/stop\" ] && exit 0",
                "  sleep 0.05",
                "done",
                "");
    }

    /** {@code text} as one single-quoted shell word. */
    public static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
