package dev.hybrid.platform.slurm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.trial.TrialStatus;
import java.util.Optional;
import java.util.function.IntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The end status and message of a trial from the scheduler's own output: lines as {@code squeue -h -t all -o
 * '%i|%T|%r'} and {@code sacct [-c] -n -P -o JobID,State} print them (NODE_FAIL, TIMEOUT, CANCELLED and FAILED as the
 * test cluster printed them; OUT_OF_MEMORY and PREEMPTED, which it cannot produce, as Slurm spells them).
 */
class TrialEndTest {
    private static final IntFunction<String> EXIT = code -> "exit code " + code;

    private static JobState stateOf(String line) {
        String[] f = line.split("\\|", -1);
        return f.length >= 3 ? JobState.QueueLine.parse(line).orElseThrow().state() : JobState.parse(f[1]);
    }

    private static String rawOf(String line) {
        return line.split("\\|", -1)[1].strip();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "7|COMPLETED|None;           SUCCEEDED;     ''",
        "8|FAILED|NonZeroExitCode;   FAILED;        Slurm job 8 FAILED: exit code 3",
        "9|TIMEOUT|TimeLimit;        FAILED;        Slurm job 9 ended TIMEOUT",
        "10|NODE_FAIL|NodeDown;      FAILED;        Slurm job 10 ended NODE_FAIL",
        "11|OUT_OF_MEMORY|OutOfMemory; FAILED;      Slurm job 11 ended OUT_OF_MEMORY",
        "12|PREEMPTED|None;          SYS_CANCELED;  Slurm job 12 was preempted (PREEMPTED)",
        "13|CANCELLED|None;          SYS_CANCELED;  Slurm job 13 was cancelled outside this experiment (CANCELLED)",
        "14|CANCELLED by 0;          SYS_CANCELED;  Slurm job 14 was cancelled outside this experiment (CANCELLED by 0)",
        "15|TIMEOUT;                 FAILED;        Slurm job 15 ended TIMEOUT",
        "16|OUT_OF_MEMORY;           FAILED;        Slurm job 16 ended OUT_OF_MEMORY",
        "17|PREEMPTED;               SYS_CANCELED;  Slurm job 17 was preempted",
        "18|BOOT_FAIL;               FAILED;        Slurm job 18 ended BOOT_FAIL",
        "19|DEADLINE;                FAILED;        Slurm job 19 ended DEADLINE",
    })
    void aTrialsOwnJobEndsAsItsSlurmStateSays(String line, TrialStatus status, String message) {
        String id = line.split("\\|")[0];
        Optional<Integer> exit = stateOf(line) == JobState.FAILED ? Optional.of(3) : Optional.empty();

        TrialEnd end = TrialEnd.ofJob(id, stateOf(line), rawOf(line), false, exit, EXIT);

        assertThat(end.status()).isEqualTo(status);
        assertThat(end.message()).startsWith(message);
    }

    @ParameterizedTest(name = "{0} -> USER_CANCELED")
    @CsvSource({"CANCELLED", "CANCELLED by 0", "FAILED", "TIMEOUT"})
    void aJobThatWeCancelledEndsUserCanceledWhateverSlurmCallsIt(String raw) {
        TrialEnd end = TrialEnd.ofJob("5", JobState.parse(raw), raw, true, Optional.of(143), EXIT);

        assertThat(end.status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(end.message()).isEmpty();
    }

    @ParameterizedTest(name = "pilot {0}, trial exit {1} -> {2}")
    @CsvSource(delimiter = ';', value = {
        "TIMEOUT;        -1;   SYS_CANCELED;  pilot Slurm job 4 reached its time limit (TIMEOUT)",
        "TIMEOUT;        143;  SYS_CANCELED;  pilot Slurm job 4 reached its time limit (TIMEOUT)",
        "NODE_FAIL;      -1;   SYS_CANCELED;  pilot Slurm job 4 lost its node (NODE_FAIL)",
        "PREEMPTED;      137;  SYS_CANCELED;  pilot Slurm job 4 was preempted (PREEMPTED)",
        "CANCELLED by 0; -1;   SYS_CANCELED;  pilot Slurm job 4 was cancelled outside this experiment",
        "TIMEOUT;        0;    SUCCEEDED;     ''",
        "TIMEOUT;        3;    FAILED;        exit code 3",
        "OUT_OF_MEMORY;  -1;   FAILED;        pilot Slurm job 4 ended OUT_OF_MEMORY while the trial ran",
        "FAILED;         137;  FAILED;        exit code 137",
    })
    void aTrialCutShortWithItsPilotsAllocationIsLostNotFailed(String raw, int exit, TrialStatus status,
            String message) {
        Optional<Integer> code = exit < 0 ? Optional.empty() : Optional.of(exit);

        TrialEnd end = TrialEnd.ofPilot("4", JobState.parse(raw), raw, false, code, EXIT);

        assertThat(end.status()).isEqualTo(status);
        assertThat(end.message()).startsWith(message);
    }

    @ParameterizedTest(name = "pilot {0} -> USER_CANCELED")
    @CsvSource({"CANCELLED", "TIMEOUT"})
    void aTrialWeCancelledInAPilotEndsUserCanceled(String raw) {
        TrialEnd end = TrialEnd.ofPilot("4", JobState.parse(raw), raw, true, Optional.empty(), EXIT);

        assertThat(end.status()).isEqualTo(TrialStatus.USER_CANCELED);
    }
}
