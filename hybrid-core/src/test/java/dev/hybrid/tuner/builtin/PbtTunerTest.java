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

    @Test
    void aResumeMidGenerationBreedsTheMissingMembersFromTheLastCompleteGenerationWithTheRightParents() {
        PbtTuner first = tuner(0.0);
        List<Parameters> g0 = generation(first, 0, 0.9, 0.1, Double.NaN, 0.8, 0.5);
        List<Parameters> g1 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            g1.add(((Suggestion.Next) first.suggest(TrialId.of("g1-" + i))).parameters());
        }
        // the first run stopped with slots 0 and 2 of generation 1 finished, slot 3 running (it will run again), and
        // slots 1 and 4 never started; the resumed run's tuner is told so, and draws from another stream
        PbtTuner resumed = new PbtTuner(new PbtTuner.Settings(OptimizeMode.MAXIMIZE, DIR.resolve("run-1"), 5, 0.2,
                0.0, 0.4), new SplittableRandom(99));
        resumed.updateSearchSpace(SPACE);
        double[] g0Values = {0.9, 0.1, Double.NaN, 0.8, 0.5};
        for (int i = 0; i < 5; i++) {
            if (Double.isNaN(g0Values[i])) {
                resumed.addPriorTrial(TrialId.of("g0-" + i), g0.get(i), TrialStatus.FAILED);
            } else {
                resumed.addPriorResult(TrialId.of("g0-" + i), g0.get(i), g0Values[i]);
            }
        }
        resumed.addPriorResult(TrialId.of("g1-0"), g1.get(0), 2.0);
        resumed.addPriorResult(TrialId.of("g1-2"), g1.get(2), 3.0);
        resumed.addPriorTrial(TrialId.of("g1-3"), g1.get(3), TrialStatus.WAITING);

        Parameters slot1 = ((Suggestion.Next) resumed.suggest(TrialId.of("r-0"))).parameters();
        Parameters slot4 = ((Suggestion.Next) resumed.suggest(TrialId.of("r-1"))).parameters();
        assertThat(resumed.suggest(TrialId.of("r-2"))).as("slot 3 runs again; the rest is recorded")
                .isInstanceOf(Suggestion.Later.class);
        // slot 1 (0.1) is in the bottom of generation 0: it copies a top member (0 or 3) and perturbs its values
        assertThat(slot1.values()).containsEntry("save_checkpoint_dir", dir(1, 1));
        Object load = slot1.values().get("load_checkpoint_dir");
        assertThat(load).isIn(dir(0, 0), dir(3, 0));
        double topLr = (Double) g0.get(load.equals(dir(0, 0)) ? 0 : 3).values().get("lr");
        assertThat((Double) slot1.values().get("lr")).isIn(Math.min(1, topLr * 1.2), Math.max(0.001, topLr * 0.8));
        // slot 4 (0.5) is not: it goes on from its own checkpoint with its own hyperparameters, in the recorded folders
        assertThat(slot4.values()).containsEntry("load_checkpoint_dir", dir(4, 0))
                .containsEntry("save_checkpoint_dir", dir(4, 1));
        assertThat(hyper(slot4)).isEqualTo(hyper(g0.get(4)));

        // the rerun trial's result counts: once it and the two new ones are in, generation 2 is bred from all five
        resumed.onResult(TrialId.of("g1-3"), g1.get(3), 0.0);
        resumed.onTrialEnd(TrialId.of("g1-3"), TrialStatus.SUCCEEDED);
        resumed.onResult(TrialId.of("r-0"), slot1, 5.0);
        resumed.onTrialEnd(TrialId.of("r-0"), TrialStatus.SUCCEEDED);
        assertThat(resumed.suggest(TrialId.of("r-3"))).isInstanceOf(Suggestion.Later.class);
        resumed.onResult(TrialId.of("r-1"), slot4, 4.0);
        resumed.onTrialEnd(TrialId.of("r-1"), TrialStatus.SUCCEEDED);
        List<Parameters> g2 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            g2.add(((Suggestion.Next) resumed.suggest(TrialId.of("g2-" + i))).parameters());
        }
        // generation 1 ranks slot 1 (5.0) and 4 (4.0) top, 3 (0.0) and 0 (2.0) bottom
        for (int i : new int[] {1, 2, 4}) {
            assertThat(g2.get(i).values()).containsEntry("load_checkpoint_dir", dir(i, 1))
                    .containsEntry("save_checkpoint_dir", dir(i, 2));
        }
        assertThat(hyper(g2.get(2))).isEqualTo(hyper(g1.get(2)));
        for (int i : new int[] {0, 3}) {
            assertThat(g2.get(i).values().get("load_checkpoint_dir")).isIn(dir(1, 1), dir(4, 1));
        }
    }

    @Test
    void withoutACompleteGenerationTheRecordedMembersOfGenerationZeroAreKept() {
        PbtTuner first = tuner(0.0);
        Parameters p0 = ((Suggestion.Next) first.suggest(TrialId.of("a"))).parameters();
        Parameters p1 = ((Suggestion.Next) first.suggest(TrialId.of("b"))).parameters();
        PbtTuner resumed = tuner(0.0);
        resumed.addPriorResult(TrialId.of("a"), p0, 0.5);
        resumed.addPriorResult(TrialId.of("b"), p1, 0.7);
        // a record of another population, and one without checkpoint folders, are left out
        resumed.addPriorResult(TrialId.of("other"), withFolders(p0, "/elsewhere/1/0"), 0.1);
        resumed.addPriorResult(TrialId.of("plain"), new Parameters(hyper(p0)), 0.2);
        List<Parameters> rest = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rest.add(((Suggestion.Next) resumed.suggest(TrialId.of("n" + i))).parameters());
        }
        assertThat(resumed.suggest(TrialId.of("n3"))).isInstanceOf(Suggestion.Later.class);
        assertThat(rest).extracting(p -> p.values().get("save_checkpoint_dir"))
                .containsExactly(dir(2, 0), dir(3, 0), dir(4, 0));
    }

    @Test
    void priorTrialsAfterTheFirstSuggestionAreIgnored() {
        PbtTuner t = tuner(0.0);
        Parameters p0 = ((Suggestion.Next) t.suggest(TrialId.of("a"))).parameters();
        t.addPriorResult(TrialId.of("late"), withFolders(p0, dir(1, 3)), 1.0);
        assertThat(((Suggestion.Next) t.suggest(TrialId.of("b"))).parameters().values())
                .containsEntry("save_checkpoint_dir", dir(1, 0));
    }

    @Test
    void theDefaultCheckpointFolderIsKeyedByTheExperimentNotBySeed() {
        dev.hybrid.config.Problems problems = new dev.hybrid.config.Problems();
        List<Object> folders = new ArrayList<>();
        for (String id : new String[] {"exp-a", "exp-b"}) {
            dev.hybrid.tuner.Tuner t = new PbtTunerProvider().create(dev.hybrid.config.ConfigNode.of(
                    java.util.Map.of(), dev.hybrid.config.FieldPath.of("tuner.classArgs"), problems),
                    dev.hybrid.tuner.TunerContext.seeded(7).withExperimentId(id));
            t.updateSearchSpace(SPACE);
            Parameters p = ((Suggestion.Next) t.suggest(TrialId.of("a"))).parameters();
            folders.add(p.values().get("save_checkpoint_dir"));
            assertThat(Path.of((String) p.values().get("save_checkpoint_dir")))
                    .isEqualTo(dev.hybrid.ExperimentBuilder.defaultWorkingDirectory()
                            .resolve("pbt-checkpoints").resolve(id).resolve("0/0"));
        }
        assertThat(folders).doesNotHaveDuplicates();
        assertThat(problems.list()).isEmpty();
    }

    private static Parameters withFolders(Parameters p, String save) {
        java.util.Map<String, Object> m = hyper(p);
        m.put("load_checkpoint_dir", save);
        m.put("save_checkpoint_dir", save);
        return new Parameters(m);
    }

    private static java.util.Map<String, Object> hyper(Parameters p) {
        java.util.Map<String, Object> m = new java.util.HashMap<>(p.values());
        m.remove("load_checkpoint_dir");
        m.remove("save_checkpoint_dir");
        return m;
    }
}
