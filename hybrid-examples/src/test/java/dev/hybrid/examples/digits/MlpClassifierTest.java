package dev.hybrid.examples.digits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MlpClassifierTest {

    @Test
    void digitsLoadWithAFixedSplit() {
        Digits a = Digits.load(0.2, 7);
        Digits b = Digits.load(0.2, 7);
        assertThat(a.trainX().length + a.validX().length).isEqualTo(1797);
        assertThat(a.validX().length).isEqualTo(359);
        assertThat(a.validY()).isEqualTo(b.validY());
        assertThat(a.trainX()[0]).hasSize(Digits.FEATURES);
        assertThat(java.util.Arrays.stream(a.trainX()[0]).allMatch(v -> v >= 0 && v <= 1)).isTrue();
    }

    @Test
    void aSmallNetworkLearnsDigitsInAFewEpochs() {
        Digits d = Digits.load(0.2, 7);
        MlpClassifier model = new MlpClassifier(32, 0.05, 0.9, 1e-4, 32, 1);
        double first = model.trainEpoch(d.trainX(), d.trainY());
        double last = first;
        for (int epoch = 1; epoch < 8; epoch++) {
            last = model.trainEpoch(d.trainX(), d.trainY());
        }
        assertThat(last).isLessThan(first);
        assertThat(model.accuracy(d.validX(), d.validY())).isGreaterThan(0.9);
    }

    @Test
    void softmaxRegressionIsTheZeroHiddenCase() {
        Digits d = Digits.load(0.2, 7);
        MlpClassifier model = new MlpClassifier(0, 0.1, 0.5, 0, 16, 1);
        for (int epoch = 0; epoch < 10; epoch++) {
            model.trainEpoch(d.trainX(), d.trainY());
        }
        assertThat(model.accuracy(d.validX(), d.validY())).isGreaterThan(0.85);
    }
}
