package dev.hybrid.bench.objectives;

import dev.hybrid.bench.Objective;
import dev.hybrid.space.Parameters;

/** A synthetic training run over six mixed-type parameters whose lr optimum moves with batch size and optimizer. */
public final class Mixed implements Objective {

    @Override
    public double evaluate(Parameters p) {
        String optimizer = p.getString("optimizer");
        double base;
        double shift;
        switch (optimizer) {
            case "sgd": base = 0.06; shift = -1.5; break;
            case "adam": base = 0.0; shift = -3.2; break;
            case "rmsprop": base = 0.03; shift = -3.6; break;
            default: throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'");
        }
        double batch = p.getDouble("batch_size");
        double lr = p.getDouble("lr");
        double layers = p.getDouble("num_layers");
        double dropout = p.getDouble("dropout");
        double width = p.getDouble("width");
        double best = shift + 0.5 * Math.log10(batch / 64);
        double lrTerm = Math.log10(lr) - best;
        double batchTerm = log2(batch / 64);
        double widthTerm = log2(width / 128);
        return base + 0.25 * lrTerm * lrTerm + 0.05 * batchTerm * batchTerm
                + 0.02 * (layers - 4) * (layers - 4) + 0.8 * (dropout - 0.2) * (dropout - 0.2)
                + 0.01 * widthTerm * widthTerm;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
