package dev.hybrid.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchRowTest {

    @Test
    void metricsFollowTheProtocolDefinitions() {
        Trace trace = new Trace(new double[] {5, 3, 4, 1}, new long[] {10, 20, 30, 2_000_000_000L});
        List<BenchRow> rows = BenchRow.of("p", "s", 7, 1, 0.5, trace);
        assertThat(rows).hasSize(1);
        BenchRow r = rows.get(0);
        assertThat(r.budget()).isEqualTo(4);
        assertThat(r.bestValue()).isEqualTo(1.0);
        assertThat(r.regret()).isEqualTo(0.5);
        assertThat(r.auc()).isCloseTo((4.5 + 2.5 + 2.5 + 0.5) / 4, within(1e-12));
        assertThat(r.aucLog10()).isCloseTo((Math.log10(4.5) + 2 * Math.log10(2.5) + Math.log10(0.5)) / 4,
                within(1e-12));
        assertThat(r.tunerSeconds()).isEqualTo(2.0);
        assertThat(r.csvLine()).isEqualTo("p,s,4,7,1.0,0.5,2.5,0.2870156338638594,2.0,1");
    }

    @Test
    void rowsAreWrittenAtEachCheckpointUpToTheBudget() {
        double[] values = new double[60];
        for (int i = 0; i < values.length; i++) {
            values[i] = 100 - i;
        }
        List<BenchRow> rows = BenchRow.of("p", "s", 0, 4, 0, new Trace(values, new long[60]));
        assertThat(rows).extracting(BenchRow::budget).containsExactly(25, 50, 60);
        assertThat(rows).extracting(BenchRow::regret).containsExactly(76.0, 51.0, 41.0);
        assertThat(rows).allMatch(row -> row.pending() == 4);
    }

    @Test
    void tinyRegretsAreFlooredInTheLogArea() {
        List<BenchRow> rows = BenchRow.of("p", "s", 0, 1, 0, new Trace(new double[] {0.0}, new long[1]));
        assertThat(rows.get(0).aucLog10()).isEqualTo(-8.0);
        assertThat(BenchRow.HEADER).isEqualTo("problem,sampler,budget,seed,best_value,regret,auc,auc_log10,tuner_s,pending");
    }
}
