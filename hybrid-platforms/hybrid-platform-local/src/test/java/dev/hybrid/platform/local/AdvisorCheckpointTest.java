package dev.hybrid.platform.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hyperband and BOHB with {@code all_checkpoint_dir}, running real Python trials on the local platform that train a
 * toy model epoch by epoch up to their {@code TRIAL_BUDGET}, resume from {@code load_checkpoint_dir} when it holds a
 * model and save to {@code save_checkpoint_dir}. One bracket with {@code R = 9, eta = 3} runs 9 configurations for 1
 * epoch, the best 3 to 3 epochs and the best of those to 9: every promoted trial must resume from the model that its
 * configuration's run on the rung below saved, and train only the epochs it lacks. One trial at a time, so that no
 * slot opens a second bracket.
 */
class AdvisorCheckpointTest {
    /**
     * The model counts the epochs trained into it and lists the trials that trained it. Each trial writes what it
     * loaded (the file's text, or null) and how many epochs it trained next to the model it saves.
     */
    private static final String TRIAL = String.join("\n",
            "import json, os, nni",
            "p = nni.get_next_parameter()",
            "load, save, budget = p['load_checkpoint_dir'], p['save_checkpoint_dir'], int(p['TRIAL_BUDGET'])",
            "model, loaded = {'epochs': 0, 'trials': []}, None",
            "if os.path.exists(os.path.join(load, 'model.json')):",
            "    with open(os.path.join(load, 'model.json')) as f:",
            "        loaded = f.read()",
            "    model = json.loads(loaded)",
            "trained = 0",
            "while model['epochs'] < budget:",
            "    model['epochs'] += 1",
            "    trained += 1",
            "model['trials'].append(os.environ['NNI_TRIAL_JOB_ID'])",
            "os.makedirs(save, exist_ok=True)",
            "with open(os.path.join(save, 'loaded.json'), 'w') as f:",
            "    json.dump({'from': load, 'text': loaded, 'trained': trained}, f)",
            "with open(os.path.join(save, 'model.json.tmp'), 'w') as f:",
            "    json.dump(model, f)",
            "os.replace(os.path.join(save, 'model.json.tmp'), os.path.join(save, 'model.json'))",
            "nni.report_final_result(p['x'] * model['epochs'])",
            "");
    /** {@code <all_checkpoint_dir>/<bracket>-<index>-<hash>/<rung>}. */
    private static final Pattern FOLDER = Pattern.compile(".*[/\\\\](\\d+)-(\\d+)-([0-9a-f]+)[/\\\\](\\d+)$");
    private static final Pattern TRAINED = Pattern.compile("\"trained\": (\\d+)");
    private static final int ONE_BRACKET = 9 + 3 + 1;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"Hyperband", "BOHB"})
    void eachPromotedTrialResumesFromItsConfigurationsCheckpointAndTrainsOnlyTheEpochsItLacks(String advisor)
            throws Exception {
        assumeTrue(LocalPlatformNniModuleTest.hasPython(), "python3 is needed for this test");
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.py"), TRIAL);
        Path checkpoints = dir.resolve("checkpoints");
        Map<String, Object> classArgs = advisor.equals("Hyperband")
                ? Map.of("optimize_mode", "maximize", "R", 9, "eta", 3, "all_checkpoint_dir", checkpoints.toString())
                : Map.of("optimize_mode", "maximize", "min_budget", 1, "max_budget", 9, "eta", 3,
                        "all_checkpoint_dir", checkpoints.toString());
        List<Trial> trials;
        try (Experiment experiment = Experiment.builder()
                .searchSpace(SearchSpace.parse("{\"x\": {\"_type\": \"uniform\", \"_value\": [0.1, 1.0]}}"))
                .advisor(advisor, classArgs).seed(11).trialConcurrency(1).maxTrialNumber(ONE_BRACKET)
                .workingDirectory(dir.resolve("work")).experimentId("ck-" + advisor.toLowerCase())
                .platform(LocalPlatform.create(LocalPlatformOptions.of("python3 trial.py", code, 2))).build()) {
            ExperimentHandle h = experiment.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(180))).as("finished: " + h.summary()).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            trials = h.trials();
        }
        assertThat(trials).hasSize(ONE_BRACKET)
                .allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));

        Map<String, Trial> bySave = new HashMap<>();
        for (Trial t : trials) {
            assertThat(bySave.put(save(t), t)).as("one trial per save folder").isNull();
            assertThat(Path.of(save(t))).startsWith(checkpoints);
        }
        int promoted = 0;
        for (Trial t : trials) {
            Matcher to = folder(save(t));
            String loaded = Files.readString(Path.of(save(t), "loaded.json"));
            String model = Files.readString(Path.of(save(t), "model.json"));
            int budget = budget(t);
            assertThat(model).contains("\"epochs\": " + budget);
            if (to.group(4).equals("0")) {
                assertThat(budget).isEqualTo(1);
                assertThat(load(t)).isEqualTo(save(t));
                assertThat(loaded).contains("\"text\": null");
                assertThat(trained(loaded)).isEqualTo(1);
                continue;
            }
            promoted++;
            Trial parent = bySave.get(load(t));
            assertThat(parent).as("the trial that saved %s", load(t)).isNotNull();
            Matcher from = folder(load(t));
            assertThat(from.group(1) + "-" + from.group(2) + "-" + from.group(3)).as("the same configuration's folder")
                    .isEqualTo(to.group(1) + "-" + to.group(2) + "-" + to.group(3));
            assertThat(Integer.parseInt(from.group(4))).isEqualTo(Integer.parseInt(to.group(4)) - 1);
            assertThat(t.parameters().values().get("x")).isEqualTo(parent.parameters().values().get("x"));
            assertThat(budget).isEqualTo(budget(parent) * 3);
            // it resumed from the parent's model, byte for byte, and trained only the epochs it lacked
            String parentModel = Files.readString(Path.of(load(t), "model.json"));
            assertThat(loaded).contains("\"text\": \"" + parentModel.replace("\"", "\\\"") + "\"");
            assertThat(trained(loaded)).isEqualTo(budget - budget(parent));
            String parentTrials = parentModel.substring(parentModel.indexOf('[') + 1, parentModel.indexOf(']'));
            assertThat(model).contains("[" + parentTrials + ", \"" + t.id().value() + "\"]");
        }
        assertThat(promoted).as("3 promotions to 3 epochs and 1 to 9").isEqualTo(4);
    }

    private static int trained(String loadedJson) {
        Matcher m = TRAINED.matcher(loadedJson);
        assertThat(m.find()).as("trained epochs in %s", loadedJson).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static Matcher folder(String path) {
        Matcher m = FOLDER.matcher(path);
        assertThat(m.matches()).as("a checkpoint folder <bracket>-<index>-<hash>/<rung>: %s", path).isTrue();
        return m;
    }

    private static int budget(Trial t) {
        return (int) Math.round(((Number) t.parameters().values().get("TRIAL_BUDGET")).doubleValue());
    }

    private static String load(Trial t) {
        return (String) t.parameters().values().get("load_checkpoint_dir");
    }

    private static String save(Trial t) {
        return (String) t.parameters().values().get("save_checkpoint_dir");
    }
}
