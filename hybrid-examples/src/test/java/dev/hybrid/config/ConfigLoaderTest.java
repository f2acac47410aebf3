package dev.hybrid.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.space.Uniform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: one config in, the exact field paths of its problems out. */
class ConfigLoaderTest {
    @TempDir
    static Path dir;

    static final String V1 = String.join("\n",
            "authorName: me",
            "experimentName: demo",
            "trialConcurrency: 2",
            "maxExecDuration: 1h",
            "maxTrialNum: 10",
            "trainingServicePlatform: local",
            "searchSpacePath: search_space.json",
            "useAnnotation: false",
            "tuner:",
            "  builtinTunerName: TPE",
            "  classArgs:",
            "    optimize_mode: maximize",
            "trial:",
            "  command: python3 trial.py",
            "  codeDir: .",
            "  gpuNum: 0",
            "");

    static final String V2 = String.join("\n",
            "experimentName: demo",
            "searchSpaceFile: search_space.json",
            "trialCommand: python3 trial.py",
            "trialCodeDirectory: .",
            "trialConcurrency: 2",
            "maxTrialNumber: 10",
            "maxExperimentDuration: 0.5h",
            "tuner:",
            "  name: TPE",
            "  classArgs:",
            "    optimize_mode: maximize",
            "trainingService:",
            "  platform: local",
            "");

    @BeforeEach
    void writeSearchSpace() throws IOException {
        Files.writeString(dir.resolve("search_space.json"),
                "{\"lr\": {\"_type\": \"uniform\", \"_value\": [0.001, 0.1]}}");
        Files.writeString(dir.resolve("bad_space.json"),
                "{\"lr\": {\"_type\": \"loguniform\", \"_value\": [0, 1]}, \"n\": {\"_type\": \"randint\","
                        + " \"_value\": [1.5, 3]}}");
    }

    private static ExperimentConfig parse(String yaml) {
        return ConfigLoader.create().parse(yaml, dir, Optional.empty());
    }

    /** Replaces the line starting with {@code key:} (first match), or appends when {@code key} is new. */
    private static String set(String base, String line) {
        String key = line.substring(0, line.indexOf(':') + 1);
        List<String> out = new ArrayList<>();
        boolean done = false;
        for (String l : base.split("\n")) {
            if (!done && l.startsWith(key)) {
                out.add(line);
                done = true;
            } else {
                out.add(l);
            }
        }
        if (!done) {
            out.add(line);
        }
        return String.join("\n", out) + "\n";
    }

    private static String drop(String base, String key) {
        List<String> out = new ArrayList<>();
        for (String l : base.split("\n")) {
            if (!l.startsWith(key + ":")) {
                out.add(l);
            }
        }
        return String.join("\n", out) + "\n";
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                // v1: experiment level
                Arguments.of("v1 concurrency 0", set(V1, "trialConcurrency: 0"), List.of("trialConcurrency")),
                Arguments.of("v1 concurrency text", set(V1, "trialConcurrency: two"), List.of("trialConcurrency")),
                Arguments.of("v1 concurrency missing", drop(V1, "trialConcurrency"), List.of("trialConcurrency")),
                Arguments.of("v1 bad duration", set(V1, "maxExecDuration: 1 hour"), List.of("maxExecDuration")),
                Arguments.of("v1 zero duration", set(V1, "maxExecDuration: 0s"), List.of("maxExecDuration")),
                Arguments.of("v1 maxTrialNum 0", set(V1, "maxTrialNum: 0"), List.of("maxTrialNum")),
                Arguments.of("v1 has no maxTrialDuration (NNI v2 only)", set(V1, "maxTrialDuration: 1h"),
                        List.of("maxTrialDuration")),
                Arguments.of("v1 negative grace", set(V1, "deadlineGrace: -1"), List.of("deadlineGrace")),
                Arguments.of("v2 zero maxTrialDuration", set(V2, "maxTrialDuration: 0s"), List.of("maxTrialDuration")),
                Arguments.of("v2 bad grace", set(V2, "deadlineGrace: soon"), List.of("deadlineGrace")),
                Arguments.of("v1 maxTrialNum too big", set(V1, "maxTrialNum: 100000"), List.of("maxTrialNum")),
                Arguments.of("v1 unknown key", set(V1, "maxTrialNumber: 5"), List.of("maxTrialNumber")),
                Arguments.of("v1 no platform", drop(V1, "trainingServicePlatform"),
                        List.of("trainingServicePlatform")),
                Arguments.of("v1 unknown platform", set(V1, "trainingServicePlatform: locale"),
                        List.of("trainingServicePlatform")),
                Arguments.of("v1 NNI-only platform", set(V1, "trainingServicePlatform: kubeflow"),
                        List.of("trainingServicePlatform")),
                Arguments.of("v1 aml without its settings", set(V1, "trainingServicePlatform: aml"),
                        List.of("amlConfig", "amlConfig.subscriptionId", "amlConfig.resourceGroup",
                                "amlConfig.workspaceName", "amlConfig.computeTarget", "trial.image")),
                Arguments.of("v1 remote without machineList", set(V1, "trainingServicePlatform: remote"),
                        List.of("machineList")),
                Arguments.of("v1 annotation", set(V1, "useAnnotation: true"), List.of("useAnnotation")),
                Arguments.of("v1 annotation not bool", set(V1, "useAnnotation: maybe"), List.of("useAnnotation")),
                Arguments.of("v1 log level", set(V1, "logLevel: loud"), List.of("logLevel")),
                Arguments.of("v1 log collection", set(V1, "logCollection: ftp"), List.of("logCollection")),
                Arguments.of("v1 no search space", drop(V1, "searchSpacePath"), List.of("searchSpacePath")),
                Arguments.of("v1 missing search space file", set(V1, "searchSpacePath: nope.json"),
                        List.of("searchSpacePath")),
                Arguments.of("v1 bad search space file", set(V1, "searchSpacePath: bad_space.json"),
                        List.of("searchSpacePath", "searchSpacePath")),
                Arguments.of("v1 unknown tuner", V1.replace("builtinTunerName: TPE", "builtinTunerName: Tpe"),
                        List.of("tuner.builtinTunerName")),
                Arguments.of("v1 tuner without name", V1.replace("  builtinTunerName: TPE\n", ""),
                        List.of("tuner.builtinTunerName")),
                Arguments.of("v1 bad optimize mode", V1.replace("optimize_mode: maximize", "optimize_mode: max"),
                        List.of("tuner.classArgs.optimize_mode")),
                Arguments.of("v1 unknown class arg", V1.replace("optimize_mode: maximize",
                        "optimize_mode: maximize\n    optimise_mode: minimize"),
                        List.of("tuner.classArgs.optimise_mode")),
                Arguments.of("v1 custom python tuner", V1.replace("  builtinTunerName: TPE\n",
                        "  builtinTunerName: TPE\n  className: MyTuner\n"), List.of("tuner.className")),
                Arguments.of("v1 assessor cannot include intermediate results", V1
                        + "assessor:\n  builtinAssessorName: Medianstop\n  includeIntermediateResults: true\n",
                        List.of("assessor.includeIntermediateResults")),
                Arguments.of("v1 unknown assessor", V1 + "assessor:\n  builtinAssessorName: Nope\n",
                        List.of("assessor.builtinAssessorName")),
                Arguments.of("v1 no tuner", V1.substring(0, V1.indexOf("tuner:")) + V1.substring(V1.indexOf("trial:")),
                        List.of("tuner")),
                Arguments.of("v1 no trial", V1.substring(0, V1.indexOf("trial:")), List.of("trial")),
                Arguments.of("v1 trial without command", V1.replace("  command: python3 trial.py\n", ""),
                        List.of("trial.command")),
                Arguments.of("v1 trial code dir missing", V1.replace("codeDir: .", "codeDir: ./nowhere"),
                        List.of("trial.codeDir")),
                Arguments.of("v1 negative gpuNum", V1.replace("gpuNum: 0", "gpuNum: -1"), List.of("trial.gpuNum")),
                Arguments.of("v1 trial unknown key", V1.replace("gpuNum: 0", "gpuNum: 0\n  gpus: 2"),
                        List.of("trial.gpus")),
                Arguments.of("v1 local gpuIndices", V1 + "localConfig:\n  gpuIndices: \"0,x\"\n",
                        List.of("localConfig.gpuIndices")),
                Arguments.of("v1 local unknown key", V1 + "localConfig:\n  useActiveGPU: true\n",
                        List.of("localConfig.useActiveGPU")),
                Arguments.of("v1 hybrid without hybridConfig", set(V1, "trainingServicePlatform: hybrid"),
                        List.of("hybridConfig")),
                Arguments.of("v1 hybrid typo and missing machineList", set(V1, "trainingServicePlatform: hybrid")
                        + "hybridConfig:\n  trainingServicePlatforms: [local, remot, remote]\n",
                        List.of("hybridConfig.trainingServicePlatforms[1]",
                                "hybridConfig.trainingServicePlatforms[2]")),
                Arguments.of("v1 hybrid empty list", set(V1, "trainingServicePlatform: hybrid")
                        + "hybridConfig:\n  trainingServicePlatforms: []\n",
                        List.of("hybridConfig.trainingServicePlatforms")),
                Arguments.of("three mistakes at once", set(set(set(V1, "trialConcurrency: 0"),
                        "maxExecDuration: soon"), "maxTrialNum: -3"),
                        List.of("trialConcurrency", "maxExecDuration", "maxTrialNum")),
                Arguments.of("v1 hybrid unknown dispatch", set(V1, "trainingServicePlatform: hybrid")
                        + "hybridConfig:\n  trainingServicePlatforms: [local]\n  dispatch: fastest\n",
                        List.of("hybridConfig.dispatch")),
                Arguments.of("v1 hybrid caps and weights", set(V1, "trainingServicePlatform: hybrid")
                        + "hybridConfig:\n  trainingServicePlatforms: [local]\n  maxTrialConcurrency: {local: 0, pai: 2}\n"
                        + "  weights: {local: 0}\n",
                        List.of("hybridConfig.maxTrialConcurrency.local", "hybridConfig.weights.local",
                                "hybridConfig.maxTrialConcurrency.pai")),
                // v2
                Arguments.of("v2 hybrid dispatch and shares", V2.substring(0, V2.indexOf("trainingService:"))
                        + "hybridConfig: {dispatch: nearest, extra: 1}\ntrainingService:\n  - platform: local\n"
                        + "    maxTrialConcurrency: 0\n  - platform: local\n    weight: -1\n",
                        List.of("hybridConfig.dispatch", "hybridConfig.extra", "trainingService[0].maxTrialConcurrency",
                                "trainingService[1].weight")),
                Arguments.of("v2 concurrency 0", set(V2, "trialConcurrency: 0"), List.of("trialConcurrency")),
                Arguments.of("v2 bad duration", set(V2, "maxExperimentDuration: 2 weeks"),
                        List.of("maxExperimentDuration")),
                Arguments.of("v2 maxTrialNumber 0", set(V2, "maxTrialNumber: 0"), List.of("maxTrialNumber")),
                Arguments.of("v2 no command", drop(V2, "trialCommand"), List.of("trialCommand")),
                Arguments.of("v2 NaN trial number", set(V2, "maxTrialNumber: .nan"), List.of("maxTrialNumber")),
                Arguments.of("v2 infinite concurrency", set(V2, "trialConcurrency: .inf"),
                        List.of("trialConcurrency")),
                Arguments.of("v2 huge trial number", set(V2, "maxTrialNumber: 99999999999999999999999"),
                        List.of("maxTrialNumber")),
                Arguments.of("v2 huge seed", V2.replace("optimize_mode: maximize",
                        "optimize_mode: maximize\n    seed: -99999999999999999999999"), List.of("tuner.classArgs.seed")),
                Arguments.of("v2 empty command", set(V2, "trialCommand: \"\""), List.of("trialCommand")),
                Arguments.of("v2 blank command", set(V2, "trialCommand: \"   \""), List.of("trialCommand")),
                Arguments.of("v2 command without value", set(V2, "trialCommand:"), List.of("trialCommand")),
                Arguments.of("v1 empty command", V1.replace("command: python3 trial.py", "command: ''"),
                        List.of("trial.command")),
                Arguments.of("v1 command without value", V1.replace("command: python3 trial.py", "command:"),
                        List.of("trial.command")),
                Arguments.of("v2 no search space", drop(V2, "searchSpaceFile"), List.of("searchSpaceFile")),
                Arguments.of("v2 both search spaces", V2 + "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n",
                        List.of("searchSpace")),
                Arguments.of("v2 bad inline space", drop(V2, "searchSpaceFile")
                        + "searchSpace:\n  x: {_type: uniform, _value: [1, 0]}\n  y: {_type: unifrom, _value: [0, 1]}\n",
                        List.of("searchSpace.x._value", "searchSpace.y._type")),
                Arguments.of("v2 unknown key keeps user spelling", V2 + "max_trial_numbr: 3\n",
                        List.of("max_trial_numbr")),
                Arguments.of("v2 no training service", V2.substring(0, V2.indexOf("trainingService:")),
                        List.of("trainingService")),
                Arguments.of("v2 service without platform", V2.replace("platform: local", "useActiveGpu: false"),
                        List.of("trainingService.platform")),
                Arguments.of("v2 unknown platform in list", V2.substring(0, V2.indexOf("trainingService:"))
                        + "trainingService:\n  - platform: local\n  - platform: remot\n",
                        List.of("trainingService[1].platform")),
                Arguments.of("v2 aml in a list without its settings", V2.substring(0, V2.indexOf("trainingService:"))
                        + "trainingService:\n  - platform: local\n  - platform: aml\n    subscriptionId: x\n",
                        List.of("trainingService[1].resourceGroup", "trainingService[1].workspaceName",
                                "trainingService[1].computeTarget", "trainingService[1].dockerImage")),
                Arguments.of("v2 local unknown key", V2.replace("platform: local", "platform: local\n  gpuIdx: 1"),
                        List.of("trainingService.gpuIdx")),
                Arguments.of("v2 unknown tuner", V2.replace("name: TPE", "name: SMAC"), List.of("tuner.name")),
                Arguments.of("v2 tuner bad class arg type", V2.replace("optimize_mode: maximize",
                        "optimize_mode: 1"), List.of("tuner.classArgs.optimize_mode")),
                Arguments.of("v2 advisor with tuner", V2 + "advisor:\n  name: Hyperband\n", List.of("advisor")),
                Arguments.of("v1 advisor named as a tuner", V1.replace("builtinTunerName: TPE",
                        "builtinTunerName: Hyperband"), List.of("tuner.builtinTunerName")),
                Arguments.of("v2 tuner named as an advisor", V2.replace("tuner:", "advisor:"),
                        List.of("advisor.name")),
                Arguments.of("v1 hyperband bad class args", V1.replace("tuner:\n  builtinTunerName: TPE\n"
                        + "  classArgs:\n    optimize_mode: maximize", "advisor:\n  builtinAdvisorName: Hyperband\n"
                        + "  classArgs: {R: 0, eta: 3.5, exec_mode: fast, seed: 1}"),
                        List.of("advisor.classArgs.R", "advisor.classArgs.eta", "advisor.classArgs.exec_mode",
                                "advisor.classArgs.seed")),
                Arguments.of("v2 bohb bad class args", V2.replace("tuner:\n  name: TPE\n  classArgs:\n"
                        + "    optimize_mode: maximize", "advisor:\n  name: BOHB\n  classArgs: {min_budget: 9,"
                        + " max_budget: 3, top_n_percent: 100, randomFraction: 0.5}"),
                        List.of("advisor.classArgs.max_budget", "advisor.classArgs.top_n_percent",
                                "advisor.classArgs.randomFraction")),
                Arguments.of("v2 shared storage", V2 + "sharedStorage:\n  storageType: NFS\n",
                        List.of("sharedStorage")),
                Arguments.of("v2 negative gpu number", set(V2, "trialGpuNumber: -2"), List.of("trialGpuNumber")),
                Arguments.of("v2 experiment type", set(V2, "experimentType: nas"), List.of("experimentType")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigsReportEveryProblemAtItsPath(String name, String yaml, List<String> paths) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(e).as("config should be refused:\n%s", yaml).isNotNull();
        assertThat(e.problems()).extracting(p -> p.path().value()).as(e.getMessage()).containsExactlyElementsOf(paths);
    }

    @Test
    void yamlSpecialFloatsAreNumbersAndLargeNumbersAreEchoedAsWritten() {
        assertThatThrownBy(() -> parse(set(V2, "maxTrialNumber: .nan")))
                .hasMessageContaining("maxTrialNumber: must be an integer, was NaN").hasMessageNotContaining("YAML");
        assertThatThrownBy(() -> parse(set(V2, "trialConcurrency: -.Inf")))
                .hasMessageContaining("trialConcurrency: must be an integer, was -Infinity");
        assertThatThrownBy(() -> parse(set(V2, "maxTrialNumber: 99999999999999999999999")))
                .hasMessageContaining("maxTrialNumber: must be in 1..2147483647, was 99999999999999999999999");
    }

    @Test
    void aTabNamesTheLineAndColumnWhereItIs() {
        String yaml = V2.replace("  name: TPE", "\tname: TPE");
        int line = List.of(yaml.split("\n")).indexOf("\tname: TPE") + 1;
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML at line " + line + ", column 1: ")
                .hasMessageContaining("TAB").hasMessageNotContaining("\n");
    }

    @Test
    void anOversizedConfigIsRefusedBeforeItIsParsed() throws Exception {
        String huge = V2 + "experimentName: " + "x".repeat(10 * 1024 * 1024) + "\n";
        assertThatThrownBy(() -> parse(huge)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the config is too large (").hasMessageContaining("at most 1 MiB");
        Path file = dir.resolve("huge.yml");
        Files.writeString(file, huge);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the config is too large (" + Files.size(file) + " bytes)");
    }

    @Test
    void messagesSayWhatWasExpectedAndFound() {
        String hybrid = set(V1, "trainingServicePlatform: hybrid")
                + "hybridConfig:\n  trainingServicePlatforms: [local, remot, remote]\n";
        assertThatThrownBy(() -> parse(hybrid)).hasMessageContaining(
                "hybridConfig.trainingServicePlatforms[1]: unknown platform 'remot'; known: local, remote, pai, aml, slurm")
                .hasMessageContaining("hybridConfig.trainingServicePlatforms[2]: Need to set machineList for remote"
                        + " in hybrid mode");
        assertThatThrownBy(() -> parse(set(V1, "trainingServicePlatform: aml")))
                .hasMessageContaining("amlConfig: is required for platform aml")
                .hasMessageContaining("trial.image: is required for platform aml");
        assertThatThrownBy(() -> parse(V1.replace("builtinTunerName: TPE", "builtinTunerName: Tpe")))
                .hasMessageContaining("tuner.builtinTunerName: unknown tuner 'Tpe'; known: [")
                .hasMessageContaining("TPE");
        assertThatThrownBy(() -> parse(set(V1, "searchSpacePath: bad_space.json")))
                .hasMessageContaining("lr._value: loguniform needs low > 0, was 0");
    }

    @Test
    void secretsInConfigsNeverAppearInErrors() {
        String v1 = set(V1, "trainingServicePlatform: remote")
                + "machineList:\n  - ip: 10.1.1.1\n    username: bob\n    passwd: s3cr3t-Pa55\n    port: 0\n"
                + "paiConfig:\n  userName: u\n  token: t0k3n-XYZ\n  host: h\n";
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(v1));
        assertThat(e.getMessage()).doesNotContain("s3cr3t-Pa55").doesNotContain("t0k3n-XYZ");
        String v2 = V2.substring(0, V2.indexOf("trainingService:")) + "trainingService:\n  - platform: remote\n"
                + "    machineList:\n      - host: h\n        user: u\n        password: s3cr3t-Pa55\n"
                + "  - platform: openpai\n    token: t0k3n-XYZ\n  - platform: locale\n";
        ConfigException e2 = catchThrowableOfType(ConfigException.class, () -> parse(v2));
        assertThat(e2.getMessage()).doesNotContain("s3cr3t-Pa55").doesNotContain("t0k3n-XYZ")
                .contains("trainingService[2].platform: unknown platform 'locale'");
    }

    @Test
    void aValidV1ConfigLoadsWithNnisMeaning() {
        ExperimentConfig c = parse(V1);
        assertThat(c.version()).isEqualTo(1);
        assertThat(c.trialConcurrency()).isEqualTo(2);
        assertThat(c.maxExperimentDuration()).contains(Duration.ofHours(1));
        assertThat(c.maxTrialNumber()).contains(10);
        assertThat(c.searchSpace().parameters()).containsExactly(new Uniform("lr", 0.001, 0.1));
        assertThat(c.tuner().orElseThrow().name()).isEqualTo("TPE");
        assertThat(c.tuner().orElseThrow().classArgs()).containsEntry("optimize_mode", "maximize");
        assertThat(c.trial().command()).isEqualTo("python3 trial.py");
        assertThat(c.trial().codeDirectory()).isEqualTo(dir.normalize());
        assertThat(c.trial().gpuNumber()).contains(0);
        assertThat(c.trainingServices()).extracting(PlatformConfig::platform).containsExactly("local");
    }

    @Test
    void anAdvisorLoadsFromBothVersionsAndBuildsAnExperiment() {
        ExperimentConfig v1 = parse(V1.replace("tuner:\n  builtinTunerName: TPE\n  classArgs:\n"
                + "    optimize_mode: maximize", "advisor:\n  builtinAdvisorName: Hyperband\n"
                + "  classArgs: {R: 9, eta: 3, exec_mode: serial}"));
        assertThat(v1.tuner()).isEmpty();
        assertThat(v1.advisor().orElseThrow().name()).isEqualTo("Hyperband");
        ExperimentConfig v2 = parse(V2.replace("tuner:\n  name: TPE\n  classArgs:\n    optimize_mode: maximize",
                "advisor:\n  name: BOHB\n  classArgs: {optimize_mode: minimize, min_budget: 1, max_budget: 27}"));
        assertThat(v2.advisor().orElseThrow().classArgs()).containsEntry("max_budget", 27);
        for (ExperimentConfig c : List.of(v1, v2)) {
            try (dev.hybrid.Experiment e = dev.hybrid.Experiment.builder().config(c)
                    .workingDirectory(dir.resolve("work")).build()) {
                assertThat(e.optimizeMode()).isEqualTo(c == v1 ? dev.hybrid.tuner.OptimizeMode.MAXIMIZE
                        : dev.hybrid.tuner.OptimizeMode.MINIMIZE);
            }
        }
    }

    @Test
    void theTunersIncludeIntermediateResultsIsRead() {
        ExperimentConfig c = parse(V1.replace("  builtinTunerName: TPE\n",
                "  builtinTunerName: TPE\n  includeIntermediateResults: true\n"));
        assertThat(c.tuner().orElseThrow().includeIntermediateResults()).isTrue();
        assertThat(parse(V1).tuner().orElseThrow().includeIntermediateResults()).isFalse();
    }

    @Test
    void maxTrialDurationAndTheDeadlineGraceAreRead() {
        ExperimentConfig v2 = parse(set(set(V2, "maxTrialDuration: 90s"), "deadlineGrace: 0"));
        assertThat(v2.maxTrialDuration()).contains(Duration.ofSeconds(90));
        assertThat(v2.deadlineGrace()).contains(Duration.ZERO);
        assertThat(parse(set(V1, "deadlineGrace: 5m")).deadlineGrace()).contains(Duration.ofMinutes(5));
        assertThat(parse(V1).deadlineGrace()).isEmpty();
        assertThat(parse(V1).maxTrialDuration()).isEmpty();
    }

    @Test
    void hybridSharesAreReadInBothFormats() {
        ExperimentConfig v1 = parse(set(V1, "trainingServicePlatform: hybrid")
                + "hybridConfig:\n  trainingServicePlatforms: [local]\n  dispatch: round-robin\n"
                + "  maxTrialConcurrency: {local: 1}\n  weights: {local: 2.5}\n");
        assertThat(v1.hybrid().dispatch()).isEqualTo("round-robin");
        assertThat(v1.hybrid().children()).containsExactly(new HybridSettings.Child(Optional.of(1), 2.5));
        ExperimentConfig v2 = parse(V2.substring(0, V2.indexOf("trainingService:"))
                + "hybridConfig: {dispatch: weighted}\ntrainingService:\n  - platform: local\n    weight: 3\n"
                + "  - platform: local\n    maxTrialConcurrency: 2\n");
        assertThat(v2.isHybrid()).isTrue();
        assertThat(v2.hybrid().dispatch()).isEqualTo("weighted");
        assertThat(v2.hybrid().children()).containsExactly(new HybridSettings.Child(Optional.empty(), 3.0),
                new HybridSettings.Child(Optional.of(2), 1.0));
        assertThat(parse(V2).hybrid()).isEqualTo(HybridSettings.defaults(1));
    }

    @Test
    void aValidV2ConfigLoadsWithCaseInsensitiveKeys() {
        ExperimentConfig c = parse(V2.replace("trialCommand", "trial_command").replace("maxTrialNumber",
                "MaxTrialNumber"));
        assertThat(c.version()).isEqualTo(2);
        assertThat(c.trial().command()).isEqualTo("python3 trial.py");
        assertThat(c.maxTrialNumber()).contains(10);
        assertThat(c.maxExperimentDuration()).contains(Duration.ofMinutes(30));
    }

    @Test
    void durationsAcceptNnisSpellings() {
        assertThat(Durations.parse("1h")).contains(Duration.ofHours(1));
        assertThat(Durations.parse("30m")).contains(Duration.ofMinutes(30));
        assertThat(Durations.parse("2d")).contains(Duration.ofDays(2));
        assertThat(Durations.parse("0.5h")).contains(Duration.ofMinutes(30));
        assertThat(Durations.parse("90")).contains(Duration.ofSeconds(90));
        assertThat(Durations.parse("1.5s")).contains(Duration.ofSeconds(2));
        assertThat(Durations.parse("1 hour")).isEmpty();
    }
}
