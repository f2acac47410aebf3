package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PbtTunerTest {
    private static final Path DIR = Path.of("/ck").toAbsolutePath();
    private static final SearchSpace SPACE = SearchSpace.parse("""
            {"lr": {"_type": "loguniform", "_value": [0.001, 1]},
             "batch": {"_type": "choice", "_value": [16, 32, 64, 128]},
             "layers": {"_type": "randint", "_value": [1, 9]}}""");

    private static PbtTuner tuner(double resample) {
        PbtTuner t = new PbtTuner(new PbtTuner.Settings(OptimizeMode.MAXIMIZE, DIR, 5, 0.2, resample, 0.4),
                new SplittableRandom(4));
        t.updateSearchSpace(SPACE);
        return t;
    }

    private static String dir(int slot, int generation) {
        return DIR.resolve(slot + "/" + generation).toString();
    }

    private static List<Parameters> generation(PbtTuner t, int g, double... values) {
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.add(((Suggestion.Next) t.suggest(TrialId.of("g" + g + "-" + i))).parameters());
        }
        assertThat(t.suggest(TrialId.of("g" + g + "-extra"))).as("the generation is out").isInstanceOf(
                Suggestion.Later.class);
        for (int i = 0; i < 5; i++) {
            TrialId id = TrialId.of("g" + g + "-" + i);
            if (Double.isNaN(values[i])) {
                t.onTrialEnd(id, TrialStatus.FAILED);
            } else {
                t.onResult(id, out.get(i), values[i]);
                t.onTrialEnd(id, TrialStatus.SUCCEEDED);
            }
        }
        return out;
    }

    @Test
    void theBottomMembersTakeTheTopsCheckpointAndPerturbedHyperparameters() {
        PbtTuner t = tuner(0.0);
        List<Parameters> g0 = generation(t, 0, 0.9, 0.1, Double.NaN, 0.8, 0.5);
        for (int i = 0; i < 5; i++) {
            assertThat(g0.get(i).values()).containsEntry("load_checkpoint_dir", dir(i, 0))
                    .containsEntry("save_checkpoint_dir", dir(i, 0));
        }
        List<Parameters> g1 = generation(t, 1, 1, 1, 1, 1, 1);
        // fraction 0.4 of 5: the two worst (slot 2 failed, slot 1 scored 0.1) copy one of the two best (0 or 3)
        for (int i : new int[] {0, 3, 4}) {
            assertThat(g1.get(i).values()).containsEntry("load_checkpoint_dir", dir(i, 0))
                    .containsEntry("save_checkpoint_dir", dir(i, 1));
            assertThat(hyper(g1.get(i))).isEqualTo(hyper(g0.get(i)));
        }
        for (int i : new int[] {1, 2}) {
            Object load = g1.get(i).values().get("load_checkpoint_dir");
            assertThat(load).isIn(dir(0, 0), dir(3, 0));
            assertThat(g1.get(i).values()).containsEntry("save_checkpoint_dir", dir(i, 1));
            Parameters top = g0.get(load.equals(dir(0, 0)) ? 0 : 3);
            double lr = (Double) top.values().get("lr");
            assertThat((Double) g1.get(i).values().get("lr")).isIn(
                    Math.min(1, lr * (1 + 0.2)), Math.max(0.001, lr * (1 - 0.2)));
            List<Object> batches = List.of(16, 32, 64, 128);
            int at = batches.indexOf(top.values().get("batch"));
            assertThat(batches.indexOf(g1.get(i).values().get("batch"))).isBetween(Math.max(0, at - 1),
                    Math.min(3, at + 1));
            int layers = (Integer) top.values().get("layers");
            assertThat((Integer) g1.get(i).values().get("layers")).isIn(
                    (int) Math.max(1, Math.min(8, Math.rint(layers * (1 + 0.2)))),
                    (int) Math.max(1, Math.min(8, Math.rint(layers * (1 - 0.2)))));
        }
        List<Parameters> g2 = generation(t, 2, 1, 1, 1, 1, 1);
        assertThat(g2.get(4).values()).containsEntry("save_checkpoint_dir", dir(4, 2));
    }

    @Test
    void withResampleProbabilityOneTheCopiesAreDrawnAfresh() {
        PbtTuner t = tuner(1.0);
        List<Parameters> g0 = generation(t, 0, 5, 4, 3, 2, 1);
        List<Parameters> g1 = generation(t, 1, 1, 1, 1, 1, 1);
        assertThat(g1.get(3).values().get("lr")).isNotIn(g0.stream().map(p -> p.values().get("lr")).toList());
        assertThat(g1.get(4).values().get("lr")).isNotIn(g0.stream().map(p -> p.values().get("lr")).toList());
    }

    @Test
    void aResumedExperimentsPopulationUsesFoldersOfItsOwn() {
        dev.hybrid.config.Problems problems = new dev.hybrid.config.Problems();
        java.util.Map<String, Object> args = java.util.Map.of("all_checkpoint_dir", DIR.toString());
        for (long run : new long[] {0, 2}) {
            dev.hybrid.tuner.Tuner t = new PbtTunerProvider().create(dev.hybrid.config.ConfigNode.of(args,
                    dev.hybrid.config.FieldPath.of("tuner.classArgs"), problems),
                    dev.hybrid.tuner.TunerContext.seeded(1).withStream(run));
            t.updateSearchSpace(SPACE);
            Parameters p = ((Suggestion.Next) t.suggest(TrialId.of("a"))).parameters();
            assertThat(p.values()).containsEntry("save_checkpoint_dir",
                    (run == 0 ? DIR : DIR.resolve("run-2")).resolve("0/0").toString());
        }
        assertThat(problems.list()).isEmpty();
    }

    private static java.util.Map<String, Object> hyper(Parameters p) {
        java.util.Map<String, Object> m = new java.util.HashMap<>(p.values());
        m.remove("load_checkpoint_dir");
        m.remove("save_checkpoint_dir");
        return m;
    }
}
