package dev.hybrid.examples.digits;

import dev.hybrid.protocol.TrialContext;
import dev.hybrid.space.Parameters;
import java.util.Locale;

/**
 * A trial written in Java: trains {@link MlpClassifier} on the digits data set with the parameters the tuner chose,
 * reporting the validation accuracy after every epoch and the best one at the end, through NNI's trial protocol
 * ({@link TrialContext}). Run by {@code examples/digits-java/config.yml}; it needs nothing but the hybrid jar.
 *
 * <p>Parameters: {@code learning_rate}, {@code hidden_units} (0 for softmax regression), {@code l2},
 * {@code momentum}, {@code batch_size}, {@code epochs}; each has a default, so it also runs standalone.
 */
public final class DigitsTrial {
    private DigitsTrial() {
    }

    public static void main(String[] args) {
        TrialContext nni = TrialContext.fromEnvironment();
        Parameters p = nni.parameters();
        double lr = p.get("learning_rate").map(v -> ((Number) v).doubleValue()).orElse(0.05);
        int hidden = p.get("hidden_units").map(v -> ((Number) v).intValue()).orElse(32);
        double l2 = p.get("l2").map(v -> ((Number) v).doubleValue()).orElse(1e-4);
        double momentum = p.get("momentum").map(v -> ((Number) v).doubleValue()).orElse(0.9);
        int batch = p.get("batch_size").map(v -> ((Number) v).intValue()).orElse(32);
        int epochs = p.get("epochs").map(v -> ((Number) v).intValue()).orElse(10);

        Digits data = Digits.load(0.2, 7);
        MlpClassifier model = new MlpClassifier(hidden, lr, momentum, l2, batch, nni.sequenceId());
        double best = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double loss = model.trainEpoch(data.trainX(), data.trainY());
            double accuracy = model.accuracy(data.validX(), data.validY());
            if (!Double.isFinite(loss)) {
                System.out.println("training diverged at epoch " + epoch);
                break;
            }
            best = Math.max(best, accuracy);
            System.out.printf(Locale.ROOT, "epoch %d: loss %.4f, validation accuracy %.4f%n", epoch, loss, accuracy);
            nni.reportIntermediate(accuracy);
        }
        nni.reportFinal(best);
    }
}
