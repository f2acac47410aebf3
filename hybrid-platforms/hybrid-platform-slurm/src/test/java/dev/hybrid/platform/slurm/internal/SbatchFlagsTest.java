package dev.hybrid.platform.slurm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: an sbatch flag in, the REST job submission's field and value out. */
class SbatchFlagsTest {
    static Stream<Arguments> flags() {
        return Stream.of(
                Arguments.of("--partition=gpu", "partition", "gpu"),
                Arguments.of("-p gpu", "partition", "gpu"),
                Arguments.of("--time=90", "time_limit", 90L),
                Arguments.of("--time=1:30", "time_limit", 2L),
                Arguments.of("--time=1-00:00", "time_limit", 1440L),
                Arguments.of("--mem=4G", "memory_per_node", 4096L),
                Arguments.of("--mem=512", "memory_per_node", 512L),
                Arguments.of("--mem-per-cpu=1500K", "memory_per_cpu", 2L),
                Arguments.of("--cpus-per-task=4", "cpus_per_task", 4L),
                Arguments.of("--gres=gpu:2", "gres", "gpu:2"),
                Arguments.of("-Ca100", "constraints", "a100"),
                Arguments.of("--requeue", "requeue", true),
                Arguments.of("--no-requeue", "requeue", false),
                Arguments.of("--job-name=hybrid-x", "name", "hybrid-x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flags")
    void aFlagBecomesItsField(String flag, String field, Object value) {
        assertThat(SbatchFlags.map(flag)).contains(new SbatchFlags.Setting(field, value));
    }

    @Test
    void parsableNeedsNoField() {
        assertThat(SbatchFlags.map("--parsable")).isEqualTo(Optional.empty());
    }

    @Test
    void flagsWithoutAFieldOrWithABadValueAreRefusedByName() {
        assertThatThrownBy(() -> SbatchFlags.map("--exclusive")).hasMessageContaining("sbatch flag --exclusive has no"
                + " field");
        assertThatThrownBy(() -> SbatchFlags.map("-w node1")).hasMessageContaining("sbatch flag -w has no field");
        assertThatThrownBy(() -> SbatchFlags.map("--time=UNLIMITED")).hasMessageContaining("--time must be a time"
                + " limit");
        assertThatThrownBy(() -> SbatchFlags.map("--nice=high")).hasMessageContaining("--nice must be a whole number");
        assertThatThrownBy(() -> SbatchFlags.map("--hold=yes")).hasMessageContaining("--hold takes no value");
        assertThatThrownBy(() -> SbatchFlags.map("--mem=lots")).hasMessageContaining("--mem must be a size");
        assertThatThrownBy(() -> SbatchFlags.map("node1")).hasMessageContaining("is not an sbatch flag");
    }
}
