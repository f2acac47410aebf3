package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hybrid list} keeps its columns in line whatever the lengths of ids and names. */
class ListCommandTest {
    @Test
    void columnsStayInLineWithIdsLongerThanTenCharacters(@TempDir Path work) throws Exception {
        for (String id : List.of("short", "a-much-longer-experiment-id")) {
            try (Experiment e = Experiment.builder().experimentId(id).name("name of " + id).workingDirectory(work)
                    .searchSpace(SearchSpace.of(new Uniform("x", 0, 1))).tuner("Random", Map.of()).maxTrialNumber(1)
                    .trialFunction((p, r) -> r.reportFinal(p.getDouble("x"))).build()) {
                assertThat(e.start().awaitCompletion(Duration.ofSeconds(30))).isTrue();
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ListCommand list = new ListCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err);
        list.workDir = new WorkDir();
        list.workDir.dir = work;

        assertThat(list.call()).isZero();

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        for (String column : List.of("name", "status", "trials", "best", "start")) {
            int at = lines.get(0).indexOf(column);
            // Each row's cell in this column starts (or, for the right-aligned trials, ends) where the header does.
            for (String row : lines.subList(1, 3)) {
                if (column.equals("trials")) {
                    int end = at + column.length();
                    assertThat(row.charAt(end - 1)).as(row).isEqualTo('1');
                    assertThat(row.charAt(end)).as(row).isEqualTo(' ');
                } else {
                    assertThat(row.charAt(at - 1)).as(row).isEqualTo(' ');
                    assertThat(row.charAt(at)).as(row).isNotEqualTo(' ');
                }
            }
        }
    }
}
