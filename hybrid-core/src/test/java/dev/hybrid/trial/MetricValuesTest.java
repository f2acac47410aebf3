package dev.hybrid.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.internal.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricValuesTest {

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, 1.0, 0.1, 4.0, 1e20, 1e-5, 123456.789, 1e7, Double.MAX_VALUE,
            Double.MIN_VALUE})
    void numbersAreWrittenAsJacksonWritesThem(double v) {
        assertThat(MetricValues.format(v)).isEqualTo(Json.write(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "0.0", "4", "-12.5", "1e3", "1E+3", "2.5e-3", "123456789012345678901234"})
    void plainNumbersParseAsJacksonReadsThem(String text) throws Exception {
        assertThat(MetricValues.isPlainJsonNumber(text)).isTrue();
        assertThat(MetricValues.scalar(text)).isEqualTo(Json.readTree(text).doubleValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "01", "1.", ".5", "1e", "1e+", "+1", " 1", "1 ", "0x10", "1d", "NaN",
            "{\"default\": 1}", "\"1\""})
    void anythingElseGoesThroughTheJsonParser(String text) {
        assertThat(MetricValues.isPlainJsonNumber(text)).isFalse();
    }

    @Test
    void nonNumericNumbersAndDictsStillWork() {
        assertThat(new Metric(MetricType.FINAL, 0, "NaN", Instant.EPOCH).scalar()).isNaN();
        assertThat(new Metric(MetricType.FINAL, 0, "-Infinity", Instant.EPOCH).scalar()).isEqualTo(
                Double.NEGATIVE_INFINITY);
        assertThat(new Metric(MetricType.FINAL, 0, "{\"default\": 0.5, \"loss\": 2}", Instant.EPOCH).scalar())
                .isEqualTo(0.5);
        assertThatThrownBy(() -> new Metric(MetricType.FINAL, 0, "\"0.5\"", Instant.EPOCH).scalar())
                .isInstanceOf(MetricFormatException.class);
        assertThatThrownBy(() -> new Metric(MetricType.FINAL, 0, "01", Instant.EPOCH).scalar())
                .isInstanceOf(MetricFormatException.class);
    }
}
