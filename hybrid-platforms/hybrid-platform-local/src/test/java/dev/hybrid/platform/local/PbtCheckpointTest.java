package dev.hybrid.platform.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.platform.HybridPlatform;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PBTTuner with real Python trials that train a toy model, load it from {@code load_checkpoint_dir} and save it to
 * {@code save_checkpoint_dir}: on one local platform, and in hybrid mode on two ({@code local}, {@code local#2}).
 * Every trial of a later generation must have loaded exactly the checkpoint its parent saved.
 */
class PbtCheckpointTest {
    /**
     * One "epoch" of training: the model's score grows by lr; its lineage lists every trial that trained it. It records
     * what it loaded (the file's text, or null) next to what it saves.
     */
    private static final String TRIAL = String.join("\n",
            "import json, os, nni",
            "p = nni.get_next_parameter()",
            "load, save = p['load_checkpoint_dir'], p['save_checkpoint_dir']",
            "model, loaded = {'score': 0.0, 'lineage': []}, None",
            "if os.path.exists(os.path.join(load, 'model.json')):",
            "    with open(os.path.join(load, 'model.json')) as f:",
            "        loaded = f.read()",
            "    model = json.loads(loaded)",
            "model['score'] += p['lr']",
            "model['lineage'].append(os.environ['NNI_TRIAL_JOB_ID'])",
            "os.makedirs(save, exist_ok=True)",
            "with open(os.path.join(save, 'loaded.json'), 'w') as f:",
            "    json.dump({'from': load, 'text': loaded}, f)",
            "with open(os.path.join(save, 'model.json.tmp'), 'w') as f:",
            "    json.dump(model, f)",
            "os.replace(os.path.join(save, 'model.json.tmp'), os.path.join(save, 'model.json'))",
            "nni.report_final_result(model['score'])",
            "");
    private static final Pattern FOLDER = Pattern.compile(".*[/\\\\](\\d+)[/\\\\](\\d+)$");
    private static final int POPULATION = 4;
    private static final int GENERATIONS = 3;

    @TempDir
    Path dir;

    @Test
    void onTheLocalPlatformEachChildLoadsItsParentsCheckpoint() throws Exception {
        assumeTrue(LocalPlatformNniModuleTest.hasPython(), "python3 is needed for this test");
        Path code = code();
        List<Trial> trials = run("pbt-local", LocalPlatform.create(LocalPlatformOptions.of("python3 trial.py", code,
                2)));
        checkLineage(trials);
    }

    @Test
    void inHybridModeEachChildLoadsItsParentsCheckpointWhicheverPlatformRanIt() throws Exception {
        assumeTrue(LocalPlatformNniModuleTest.hasPython(), "python3 is needed for this test");
        Path code = code();
        // Which child starts first depends on the machine's load; so that both run trials, the first child's trials
        // wait (up to a minute) until the second child has run one.
        Path mark = dir.resolve("second-child-ran");
        String waitForSecond = "n=0; while [ ! -e '" + mark + "' ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done;"
                + " python3 trial.py";
        HybridPlatform hybrid = HybridPlatform.builder()
                .add(LocalPlatform.create(LocalPlatformOptions.of(waitForSecond, code, 1)))
                .add(LocalPlatform.create(LocalPlatformOptions.of("touch '" + mark + "' && python3 trial.py", code, 1)))
                .build();
        List<Trial> trials = run("pbt-hybrid", hybrid);
        checkLineage(trials);
        assertThat(trials).extracting(Trial::platform).contains("local", "local#2");
    }

    @Test
    void aResumedExperimentGoesOnWithItsPopulationInItsFolders() throws Exception {
        assumeTrue(LocalPlatformNniModuleTest.hasPython(), "python3 is needed for this test");
        Path code = code();
        // the first run stops after generation 0 and two members of generation 1
        List<Trial> first = run("pbt-resume", LocalPlatform.create(LocalPlatformOptions.of("python3 trial.py", code,
                2)), POPULATION + 2);
        assertThat(first).extracting(t -> folder(save(t)).group(2)).containsOnly("0", "1");
        try (Experiment resumed = Experiment.resume(dir.resolve("work").resolve("pbt-resume"))
                .platform(LocalPlatform.create(LocalPlatformOptions.of("python3 trial.py", code, 2)))
                .maxTrialNumber(POPULATION * GENERATIONS).build()) {
            ExperimentHandle h = resumed.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(180))).as("finished: " + h.summary()).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            List<Trial> trials = h.trials();
            assertThat(trials).hasSize(POPULATION * GENERATIONS)
                    .allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));
            // every member of every generation ran once, in the first run's folders (not under run-1): the resumed run
            // proposed only the two members of generation 1 that had not run, then generation 2
            assertThat(trials).extracting(PbtCheckpointTest::save).doesNotHaveDuplicates()
                    .allSatisfy(s -> assertThat(Path.of(s).getParent().getParent())
                            .isEqualTo(dir.resolve("checkpoints")));
            checkLineage(trials);
        }
    }

    private List<Trial> run(String id, TrainingPlatform platform) throws Exception {
        return run(id, platform, POPULATION * GENERATIONS);
    }

    private List<Trial> run(String id, TrainingPlatform platform, int maxTrials) throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        Map<String, Object> classArgs = Map.of("optimize_mode", "maximize", "population_size", POPULATION,
                "fraction", 0.25, "all_checkpoint_dir", checkpoints.toString());
        try (Experiment experiment = Experiment.builder()
                .searchSpace(SearchSpace.parse("{\"lr\": {\"_type\": \"uniform\", \"_value\": [0.1, 1.0]}}"))
                .tuner("PBTTuner", classArgs).seed(3).trialConcurrency(2)
                .maxTrialNumber(maxTrials).workingDirectory(dir.resolve("work")).experimentId(id)
                .platform(platform).build()) {
            ExperimentHandle h = experiment.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(180))).as("finished: " + h.summary()).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            List<Trial> trials = h.trials();
            assertThat(trials).hasSize(maxTrials)
                    .allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));
            return trials;
        }
    }

    /**
     * Generation 0 loads nothing; in every later generation each trial loads the model file its parent saved, byte
     * for byte, and trains it on (the lineage grows by the trial); the bottom member of each generation takes
     * another member's checkpoint (exploit), the others their own.
     */
    private void checkLineage(List<Trial> trials) throws IOException {
        Map<String, Trial> bySave = new HashMap<>();
        for (Trial t : trials) {
            bySave.put(save(t), t);
        }
        int exploits = 0;
        for (Trial t : trials) {
            Matcher to = folder(save(t));
            String loadedJson = Files.readString(Path.of(save(t), "loaded.json"));
            String model = Files.readString(Path.of(save(t), "model.json"));
            assertThat(model).contains("\"" + t.id().value() + "\"");
            if (to.group(2).equals("0")) {
                assertThat(load(t)).isEqualTo(save(t));
                assertThat(loadedJson).contains("\"text\": null");
                continue;
            }
            Trial parent = bySave.get(load(t));
            assertThat(parent).as("the trial that saved %s", load(t)).isNotNull();
            Matcher from = folder(load(t));
            assertThat(Integer.parseInt(from.group(2))).isEqualTo(Integer.parseInt(to.group(2)) - 1);
            String parentModel = Files.readString(Path.of(load(t), "model.json"));
            assertThat(loadedJson).contains(json(parentModel));
            // the child's lineage is the parent's plus the child
            String parentLineage = parentModel.substring(parentModel.indexOf('[') + 1, parentModel.indexOf(']'));
            assertThat(model).contains("[" + parentLineage + ", \"" + t.id().value() + "\"]");
            if (!from.group(1).equals(to.group(1))) {
                exploits++;
                assertThat(((Number) t.parameters().values().get("lr")).doubleValue()).as("an explored lr")
                        .isBetween(0.1, 1.0);
            } else {
                assertThat(t.parameters().values().get("lr")).isEqualTo(parent.parameters().values().get("lr"));
            }
        }
        assertThat(exploits).as("one exploit per generation after the first").isEqualTo(GENERATIONS - 1);
    }

    private static String json(String text) {
        return "\"text\": \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static Matcher folder(String path) {
        Matcher m = FOLDER.matcher(path);
        assertThat(m.matches()).as("a checkpoint folder <slot>/<generation>: %s", path).isTrue();
        return m;
    }

    private static String load(Trial t) {
        return (String) t.parameters().values().get("load_checkpoint_dir");
    }

    private static String save(Trial t) {
        return (String) t.parameters().values().get("save_checkpoint_dir");
    }

    private Path code() throws IOException {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.py"), TRIAL);
        return code;
    }
}
