package dev.hybrid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpeedBenchmarkTest {

    @Test
    void figuresAreNamedByHistorySizeAndPrintedAsNameValueUnit() {
        TunerFactory tpe = new TunerFactory("TPE", Map.of());
        List<Figure> figures = new SpeedBenchmark("tpe", tpe::create, 110).run();
        assertThat(figures).extracting(Figure::name).containsExactly("tpe.suggest_ms@100");
        assertThat(figures.get(0).value()).isPositive();
        assertThat(figures.get(0).line()).matches("tpe\\.suggest_ms@100 \\d+\\.\\d{3} ms");
    }

    @Test
    void theGpsFiguresAreTakenAtTheSizesAskedFor() {
        TunerFactory gp = new TunerFactory("GPTuner", Map.of("selection_num_warm_up", 50));
        List<Figure> figures = new SpeedBenchmark("gp", gp::create, 30, List.of(10, 25, 50)).run();
        assertThat(figures).extracting(Figure::name).containsExactly("gp.suggest_ms@10", "gp.suggest_ms@25");
    }
}
