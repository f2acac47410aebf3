package dev.hybrid.bench.objectives;

import dev.hybrid.bench.Objective;
import dev.hybrid.space.Parameters;
import java.util.Map;

/** Model selection over a nested choice (svm / rf / knn); f* = 0.02 in the narrow svm/rbf basin. */
public final class Conditional implements Objective {

    @Override
    public double evaluate(Parameters p) {
        Object raw = p.get("model").orElseThrow(() -> new IllegalArgumentException("no parameter 'model'"));
        if (!(raw instanceof Map<?, ?> model)) {
            throw new IllegalArgumentException("parameter 'model' is not a nested choice: " + raw);
        }
        String name = String.valueOf(model.get("_name"));
        switch (name) {
            case "svm": {
                double c = Math.log10(number(model, "C"));
                double g = Math.log10(number(model, "gamma"));
                if ("rbf".equals(model.get("kernel"))) {
                    double a = g + 2.5 + 0.3 * (c - 1.5);
                    double q = (c - 1.5) * (c - 1.5) + 4 * a * a;
                    return 0.02 + 0.9 * (1 - Math.exp(-0.15 * q));
                }
                double q = (c - 0.5) * (c - 0.5) + 2 * (g + 1.5) * (g + 1.5);
                return 0.03 + 0.9 * (1 - Math.exp(-0.10 * q));
            }
            case "rf": {
                double trees = (500 - number(model, "n_estimators")) / 490;
                double depth = number(model, "max_depth") - 18;
                double features = number(model, "max_features") - 0.33;
                return 0.035 + 0.03 * trees * trees + 0.0004 * depth * depth + 0.1 * features * features;
            }
            case "knn": {
                double k = number(model, "n_neighbors") - 7;
                return 0.05 + 0.0006 * k * k;
            }
            default:
                throw new IllegalArgumentException("unknown model '" + name + "'");
        }
    }

    private static double number(Map<?, ?> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("parameter '" + key + "' is not a number: " + m.get(key));
    }
}
