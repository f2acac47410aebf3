package dev.hybrid.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hybrid.assessor.AssessorProvider;
import dev.hybrid.internal.json.Json;
import dev.hybrid.platform.PlatformProvider;
import dev.hybrid.platform.PlatformSection;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Loads NNI experiment configs, v1 ({@code trainingServicePlatform}, {@code trial}, {@code machineList}, ...) and v2
 * ({@code trainingService} object or list, keys case-insensitive with underscores ignored), into an
 * {@link ExperimentConfig}. Relative paths resolve against the config file's folder. Every problem — unknown keys,
 * wrong types, bad values, unknown tuners or platforms, a platform whose module is not on the class path — is
 * collected with its field path and thrown at once as a {@link ConfigException}, before anything starts.
 *
 * <p>Tuners, assessors and platforms are found through {@link java.util.ServiceLoader} on the given class loader.
 */
public final class ConfigLoader {
    /** The platforms Hybrid knows, with the Maven artifact that provides each. */
    public static final Map<String, String> PLATFORM_ARTIFACTS = Map.of(
            "local", "dev.hybrid:hybrid-platform-local",
            "remote", "dev.hybrid:hybrid-platform-remote",
            "pai", "dev.hybrid:hybrid-platform-openpai",
            "aml", "dev.hybrid:hybrid-platform-aml",
            "slurm", "dev.hybrid:hybrid-platform-slurm");
    /** The largest config read (1 MiB): NNI configs are a few hundred bytes, even with an inline search space. */
    private static final int MAX_CONFIG_CHARS = 1 << 20;
    private static final List<String> PLATFORM_ORDER = List.of("local", "remote", "pai", "aml", "slurm");
    private static final List<String> NNI_ONLY_PLATFORMS = List.of("kubeflow", "frameworkcontroller", "dlts", "adl",
            "paiYarn", "kubernetes");

    private static final List<String> V1_TRIAL_PLATFORM_KEYS = List.of("cpuNum", "memoryMB", "image",
            "virtualCluster", "nniManagerNFSMountPath", "containerNFSMountPath", "paiStorageConfigName",
            "paiConfigPath", "shmMB", "portList", "dockerImage");

    private final ClassLoader classLoader;
    private dev.hybrid.internal.Registry registry;

    private ConfigLoader(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** A loader finding components on this class's class loader. */
    public static ConfigLoader create() {
        return new ConfigLoader(ConfigLoader.class.getClassLoader());
    }

    /** A loader finding components on the given class loader. */
    public static ConfigLoader create(ClassLoader classLoader) {
        return new ConfigLoader(classLoader);
    }

    /**
     * Loads a config file.
     *
     * @throws ConfigException listing every problem with its field path
     */
    public static ExperimentConfig load(Path file) {
        return create().loadFile(file);
    }

    /** Loads a config file with this loader's components. */
    public ExperimentConfig loadFile(Path file) {
        String text;
        try {
            // Refused before it is read: a huge value would otherwise cost the parser minutes and gigabytes.
            long size = Files.size(file);
            if (size > MAX_CONFIG_CHARS) {
                throw tooLarge(size + " bytes");
            }
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(FieldPath.ROOT, "cannot read config file " + file + ": " + e);
        }
        Path abs = file.toAbsolutePath().normalize();
        return parse(text, abs.getParent(), Optional.of(abs));
    }

    /**
     * Parses config text; relative paths resolve against {@code baseDir}.
     *
     * @throws ConfigException listing every problem with its field path
     */
    public ExperimentConfig parse(String yaml, Path baseDir, Optional<Path> file) {
        Map<String, Object> root = readYaml(yaml);
        Problems problems = new Problems();
        boolean v1 = looksLikeV1(root);
        ExperimentConfig config = v1 ? new V1(root, baseDir, file, problems).read()
                : new V2(root, baseDir, file, problems).read();
        problems.throwIfAny();
        return config;
    }

    private static Map<String, Object> readYaml(String yaml) {
        if (yaml.length() > MAX_CONFIG_CHARS) {
            throw tooLarge(yaml.length() + " characters");
        }
        org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
        options.setCodePointLimit(MAX_CONFIG_CHARS);
        YAMLMapper mapper = new YAMLMapper(new NniYamlFactory(options));
        mapper.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonNode tree;
        try {
            tree = mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(FieldPath.ROOT, "not valid YAML" + describe(e));
        }
        Object plain = plain(tree);
        if (!(plain instanceof Map<?, ?> m)) {
            throw new ConfigException(FieldPath.ROOT, "a config must be a YAML mapping of keys to values");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) m;
        return map;
    }

    /**
     * Where and what the YAML error is. SnakeYAML's own mark points at the offending character (a tab, say); the
     * location Jackson reports is where its parser stood, often a line earlier.
     */
    private static String describe(JsonProcessingException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
                String context = m.getContext() == null ? "" : " (" + oneLine(m.getContext()) + ")";
                return " at line " + (m.getProblemMark().getLine() + 1) + ", column "
                        + (m.getProblemMark().getColumn() + 1) + ": " + oneLine(String.valueOf(m.getProblem()))
                        + context;
            }
        }
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return where + ": " + oneLine(e.getOriginalMessage());
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    private static ConfigException tooLarge(String size) {
        return new ConfigException(FieldPath.ROOT, "the config is too large (" + size + "); a config may be at"
                + " most 1 MiB");
    }

    /**
     * The tree as plain values ({@link Json#toPlain}), except that an integer too large for a long stays a
     * {@code BigInteger}, so a problem with it shows the number as written.
     */
    private static Object plain(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            node.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (node.isArray()) {
            List<Object> l = new java.util.ArrayList<>();
            node.forEach(n -> l.add(plain(n)));
            return l;
        }
        if (node.isIntegralNumber() && !node.canConvertToLong()) {
            return node.bigIntegerValue();
        }
        return Json.toPlain(node);
    }

    private static boolean looksLikeV1(Map<String, Object> root) {
        if (root.containsKey("trainingServicePlatform")) {
            return true;
        }
        if (root.keySet().stream().anyMatch(k -> k.replace("_", "").equalsIgnoreCase("trainingService"))) {
            return false;
        }
        return root.containsKey("trial") || root.containsKey("searchSpacePath") || root.containsKey("maxExecDuration")
                || root.containsKey("maxTrialNum") || root.containsKey("authorName");
    }

    // ---- shared pieces ------------------------------------------------------------------------------------------

    private abstract class Reader {
        final ConfigNode root;
        final Path baseDir;
        final Optional<Path> file;
        final Problems problems;
        String dispatch = HybridSettings.DEFAULT_DISPATCH;
        final List<HybridSettings.Child> children = new ArrayList<>();

        HybridSettings hybridSettings(int services) {
            List<HybridSettings.Child> list = new ArrayList<>(children);
            while (list.size() < services) {
                list.add(HybridSettings.Child.defaults());
            }
            return new HybridSettings(dispatch, list.subList(0, services));
        }

        void readDispatch(ConfigNode hybridNode) {
            hybridNode.optionalString("dispatch").ifPresent(d -> {
                if (dev.hybrid.platform.DispatchPolicy.named(d).isEmpty()) {
                    hybridNode.problem("dispatch", "unknown dispatch policy '" + d + "'; known: "
                            + String.join(", ", dev.hybrid.platform.DispatchPolicy.names()));
                } else {
                    dispatch = d;
                }
            });
        }

        Reader(ConfigNode root, Path baseDir, Optional<Path> file, Problems problems) {
            this.root = root;
            this.baseDir = baseDir;
            this.file = file;
            this.problems = problems;
        }

        int requiredInt(String key, int min, int max) {
            if (!root.has(key)) {
                root.problem(key, "is required");
                return min;
            }
            return root.intIn(key, min, min, max);
        }

        Optional<Integer> optionalInt(ConfigNode node, String key, int min, int max) {
            if (!node.has(key)) {
                return Optional.empty();
            }
            Problems before = node.problems();
            int size = before.list().size();
            int v = node.intIn(key, min, min, max);
            return before.list().size() > size ? Optional.empty() : Optional.of(v);
        }

        Path resolve(String path) {
            Path p = Path.of(path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path);
            return p.isAbsolute() ? p.normalize() : baseDir.resolve(p).normalize();
        }

        Optional<SearchSpace> searchSpaceFile(String key) {
            Optional<String> name = root.optionalString(key);
            if (name.isEmpty()) {
                return Optional.empty();
            }
            Path p = resolve(name.get());
            if (!Files.isRegularFile(p)) {
                root.problem(key, "file not found: " + p);
                return Optional.empty();
            }
            try {
                return Optional.of(SearchSpace.read(p));
            } catch (ConfigException e) {
                for (ConfigProblem cp : e.problems()) {
                    root.problem(key, "in " + name.get() + ": " + cp);
                }
                return Optional.empty();
            }
        }

        Optional<SearchSpace> inlineSearchSpace(String key) {
            Optional<Map<String, Object>> m = root.map(key);
            if (m.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(SearchSpace.fromPlain(m.get(), root.pathOf(key)));
            } catch (ConfigException e) {
                e.problems().forEach(cp -> problems.add(cp.path(), cp.message()));
                return Optional.empty();
            }
        }

        Optional<AlgorithmConfig> algorithm(String section, String kind, String nameKey) {
            if (!root.has(section)) {
                return Optional.empty();
            }
            ConfigNode n = root.child(section);
            Optional<String> name = n.optionalString(nameKey);
            Map<String, Object> args = n.map("classArgs").orElse(Map.of());
            for (String custom : List.of("className", "codeDir", "classFileName", "codeDirectory")) {
                if (n.has(custom)) {
                    n.problem(custom, "custom " + kind + "s written in Python are not supported; implement "
                            + "dev.hybrid." + kind + "." + capitalize(kind) + " in Java and register a "
                            + capitalize(kind) + "Provider, then refer to it by " + nameKey);
                }
            }
            n.markKnown("gpuIndices");
            boolean includeIntermediate = kind.equals("tuner") && n.bool("includeIntermediateResults", false);
            n.rejectUnknownKeys();
            if (name.isEmpty()) {
                n.problem(nameKey, "is required: the name of a built-in " + kind);
                return Optional.empty();
            }
            AlgorithmConfig a = new AlgorithmConfig(name.get(), args, n.path(), includeIntermediate);
            validateAlgorithm(a, kind, n.pathOf(nameKey));
            return Optional.of(a);
        }

        void validateAlgorithm(AlgorithmConfig a, String kind, FieldPath namePath) {
            ConfigNode args = ConfigNode.of(a.classArgs(), a.classArgsPath(), problems);
            if (kind.equals("tuner") || kind.equals("advisor")) {
                Optional<TunerProvider> p = registry().tuner(a.name());
                if (p.isEmpty()) {
                    problems.add(namePath, registry().unknownTuner(kind, a.name()));
                    return;
                }
                boolean advisor = kind.equals("advisor");
                if (p.get().isAdvisor() != advisor) {
                    // NNI keeps tuners and advisors apart: an advisor also decides budgets, so it cannot sit
                    // beside an assessor, and a tuner cannot be asked for budgets.
                    problems.add(namePath, advisor
                            ? "'" + a.name() + "' is a tuner, not an advisor; set it under tuner"
                            : "'" + a.name() + "' is an advisor (it decides each trial's budget); set it under "
                                    + "advisor instead of tuner");
                    return;
                }
                p.get().create(args, TunerContext.seeded(0));
            } else {
                Optional<AssessorProvider> p = registry().assessor(a.name());
                if (p.isEmpty()) {
                    problems.add(namePath, "unknown assessor '" + a.name() + "'; known: "
                            + registry().assessorNames());
                    return;
                }
                p.get().create(args);
            }
        }

        List<dev.hybrid.config.PlatformConfig> platform(String name, FieldPath at, ConfigNode settings, int version,
                TrialConfig trial, int concurrency) {
            String canonical = name.equals("openpai") ? "pai" : name;
            if (!PLATFORM_ARTIFACTS.containsKey(canonical)) {
                String msg = NNI_ONLY_PLATFORMS.contains(name)
                        ? "platform '" + name + "' is not supported by Hybrid; supported: " + String.join(", ",
                                PLATFORM_ORDER)
                        : "unknown platform '" + name + "'; known: " + String.join(", ", PLATFORM_ORDER);
                problems.add(at, msg);
                return List.of();
            }
            PlatformProvider provider = registry().platform(canonical).orElse(null);
            if (provider == null) {
                String artifact = PLATFORM_ARTIFACTS.get(canonical);
                problems.add(at, "platform '" + name + "' needs the module " + artifact + " on the class path; add"
                        + " the Maven dependency <groupId>dev.hybrid</groupId><artifactId>"
                        + artifact.substring(artifact.indexOf(':') + 1) + "</artifactId>");
                settings.markKnown(settings.keys().toArray(String[]::new));
                return List.of();
            }
            return List.of(provider.parse(new PlatformSection(settings, version, trial, concurrency, baseDir)));
        }
    }

    /** NNI's v1 format (nnictl up to 2.x). */
    private final class V1 extends Reader {
        V1(Map<String, Object> map, Path baseDir, Optional<Path> file, Problems problems) {
            super(ConfigNode.of(map, FieldPath.ROOT, problems), baseDir, file, problems);
        }

        ExperimentConfig read() {
            root.optionalString("authorName");
            Optional<String> name = root.optionalString("experimentName");
            root.optionalString("description");
            int concurrency = requiredInt("trialConcurrency", 1, 99_999);
            Optional<Duration> maxDuration = Durations.read(root, "maxExecDuration");
            Optional<Integer> maxTrials = optionalInt(root, "maxTrialNum", 1, 99_999);
            Optional<Duration> deadlineGrace = Durations.readAllowingZero(root, "deadlineGrace");
            Optional<String> platform = root.optionalString("trainingServicePlatform");
            if (!root.has("trainingServicePlatform")) {
                root.problem("trainingServicePlatform", "is required: one of local, remote, pai, aml, hybrid");
            }
            if (root.bool("useAnnotation", false)) {
                root.problem("useAnnotation", "annotation-based trials are not supported; set useAnnotation: false "
                        + "and give searchSpacePath");
            }
            for (String flag : List.of("multiPhase", "multiThread", "debug", "versionCheck")) {
                root.bool(flag, false);
            }
            root.optionalString("nniManagerIp");
            Optional<Path> logDir = root.optionalString("logDir").map(this::resolve);
            logLevel(root, "logLevel");
            Optional<String> collection = root.optionalString("logCollection");
            collection.filter(c -> !c.equals("http") && !c.equals("none"))
                    .ifPresent(c -> root.problem("logCollection", "must be http or none, was '" + c + "'"));

            Optional<SearchSpace> space = searchSpaceFile("searchSpacePath");
            if (!root.has("searchSpacePath")) {
                root.problem("searchSpacePath", "is required: the search_space.json file");
            }
            Optional<AlgorithmConfig> tuner = algorithm("tuner", "tuner", "builtinTunerName");
            Optional<AlgorithmConfig> assessor = algorithm("assessor", "assessor", "builtinAssessorName");
            Optional<AlgorithmConfig> advisor = algorithm("advisor", "advisor", "builtinAdvisorName");
            checkTunerAdvisor(root, tuner, advisor, "tuner", "advisor");

            TrialConfig trial = trial();
            List<dev.hybrid.config.PlatformConfig> services = new ArrayList<>();
            root.markKnown("localConfig", "remoteConfig", "machineList", "paiConfig", "amlConfig",
                    "kubeflowConfig", "frameworkcontrollerConfig", "sharedStorage");
            if (platform.isPresent()) {
                if (platform.get().equals("hybrid")) {
                    services.addAll(hybrid(trial, concurrency));
                } else {
                    services.addAll(platform(platform.get(), root.pathOf("trainingServicePlatform"), root, 1, trial,
                            concurrency));
                }
            }
            root.rejectUnknownKeys();
            if (!problems.isEmpty()) {
                return null;
            }
            return new ExperimentConfig(1, name, space.orElseThrow(), tuner, assessor, advisor, concurrency,
                    maxTrials, maxDuration, Optional.empty(), deadlineGrace, trial, services,
                    hybridSettings(services.size()), logDir, file);
        }

        private TrialConfig trial() {
            if (!root.has("trial")) {
                root.problem("trial", "is required: the trial's command and codeDir");
                return new TrialConfig("", baseDir, Optional.empty());
            }
            ConfigNode t = root.child("trial");
            Optional<String> command = t.optionalString("command");
            if (command.isEmpty()) {
                t.problem("command", "is required");
            } else if (command.get().isBlank()) {
                t.problem("command", "must not be blank");
            }
            Optional<String> codeDir = t.optionalString("codeDir");
            Path code = baseDir;
            if (codeDir.isEmpty()) {
                t.problem("codeDir", "is required");
            } else {
                code = resolve(codeDir.get());
                if (!Files.isDirectory(code)) {
                    t.problem("codeDir", "directory not found: " + code);
                }
            }
            Optional<Integer> gpus = optionalInt(t, "gpuNum", 0, 99_999);
            t.optionalString("nasMode").filter(m -> !List.of("classic_mode", "enas_mode", "oneshot_mode",
                    "darts_mode").contains(m)).ifPresent(m -> t.problem("nasMode",
                    "must be one of classic_mode, enas_mode, oneshot_mode, darts_mode, was '" + m + "'"));
            t.markKnown(V1_TRIAL_PLATFORM_KEYS.toArray(String[]::new));
            t.rejectUnknownKeys();
            return new TrialConfig(command.orElse(""), code, gpus);
        }

        private List<dev.hybrid.config.PlatformConfig> hybrid(TrialConfig trial, int concurrency) {
            if (!root.has("hybridConfig")) {
                root.problem("hybridConfig", "is required for trainingServicePlatform: hybrid");
                return List.of();
            }
            ConfigNode h = root.child("hybridConfig");
            Optional<List<Object>> names = h.list("trainingServicePlatforms");
            readDispatch(h);
            ConfigNode caps = h.child("maxTrialConcurrency");
            ConfigNode weights = h.child("weights");
            h.rejectUnknownKeys();
            if (names.isEmpty()) {
                if (!h.has("trainingServicePlatforms")) {
                    h.problem("trainingServicePlatforms", "is required: a list of local, remote, pai, aml");
                }
                return List.of();
            }
            if (names.get().isEmpty()) {
                h.problem("trainingServicePlatforms", "must name at least one platform");
            }
            List<dev.hybrid.config.PlatformConfig> out = new ArrayList<>();
            FieldPath listPath = h.pathOf("trainingServicePlatforms");
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < names.get().size(); i++) {
                Object o = names.get().get(i);
                FieldPath at = listPath.index(i);
                if (!(o instanceof String s)) {
                    problems.add(at, "must be a platform name, was " + ConfigNode.describe(o));
                    continue;
                }
                if (seen.contains(s)) {
                    problems.add(at, "platform '" + s + "' is listed twice; to use two groups of machines of one "
                            + "kind, use the v2 trainingService list");
                    continue;
                }
                seen.add(s);
                String needed = switch (s) {
                    case "remote" -> "machineList";
                    case "aml" -> "amlConfig";
                    case "pai" -> "paiConfig";
                    default -> null;
                };
                if (needed != null && !root.has(needed)) {
                    problems.add(at, "Need to set " + needed + " for " + s + " in hybrid mode");
                    continue;
                }
                if (!PLATFORM_ARTIFACTS.containsKey(s)) {
                    problems.add(at, "unknown platform '" + s + "'; known: " + String.join(", ", PLATFORM_ORDER));
                    continue;
                }
                List<dev.hybrid.config.PlatformConfig> added = platform(s, at, root, 1, trial, concurrency);
                if (!added.isEmpty()) {
                    Optional<Integer> cap = caps.has(s) ? Optional.of(caps.intIn(s, 1, 1, 99_999)) : Optional.empty();
                    double weight = positiveWeight(weights, s);
                    children.add(new HybridSettings.Child(cap, weight));
                    out.addAll(added);
                }
            }
            caps.rejectUnknownKeys();
            weights.rejectUnknownKeys();
            return out;
        }
    }

    /** NNI's v2 format (camelCase keys, matched case-insensitively with underscores ignored). */
    private final class V2 extends Reader {
        V2(Map<String, Object> map, Path baseDir, Optional<Path> file, Problems problems) {
            super(ConfigNode.lenient(map, FieldPath.ROOT, problems), baseDir, file, problems);
        }

        ExperimentConfig read() {
            Optional<String> name = root.optionalString("experimentName");
            root.optionalString("experimentType").filter(t -> !t.equals("hpo"))
                    .ifPresent(t -> root.problem("experimentType", "only hpo experiments are supported, was '" + t
                            + "'"));
            Optional<SearchSpace> space = Optional.empty();
            boolean hasFile = root.has("searchSpaceFile");
            boolean hasInline = root.has("searchSpace");
            if (hasFile && hasInline) {
                root.problem("searchSpace", "set either searchSpaceFile or searchSpace, not both");
            } else if (hasFile) {
                space = searchSpaceFile("searchSpaceFile");
            } else if (hasInline) {
                space = inlineSearchSpace("searchSpace");
            } else {
                root.problem("searchSpaceFile", "is required (or an inline searchSpace)");
            }
            Optional<String> command = root.optionalString("trialCommand");
            if (command.isEmpty() && !root.has("trialCommand")) {
                root.problem("trialCommand", "is required");
            } else if (command.isPresent() && command.get().isBlank()) {
                root.problem("trialCommand", "must not be blank");
            }
            Path code = resolve(root.string("trialCodeDirectory", "."));
            if (!Files.isDirectory(code)) {
                root.problem("trialCodeDirectory", "directory not found: " + code);
            }
            int concurrency = requiredInt("trialConcurrency", 1, 99_999);
            Optional<Integer> gpus = optionalInt(root, "trialGpuNumber", 0, 99_999);
            Optional<Duration> maxDuration = Durations.read(root, "maxExperimentDuration");
            Optional<Integer> maxTrials = optionalInt(root, "maxTrialNumber", 1, Integer.MAX_VALUE);
            Optional<Duration> maxTrialDuration = Durations.read(root, "maxTrialDuration");
            Optional<Duration> deadlineGrace = Durations.readAllowingZero(root, "deadlineGrace");
            root.optionalString("nniManagerIp");
            if (root.bool("useAnnotation", false)) {
                root.problem("useAnnotation", "annotation-based trials are not supported");
            }
            root.bool("debug", false);
            logLevel(root, "logLevel");
            Optional<Path> workDir = root.optionalString("experimentWorkingDirectory").map(this::resolve);
            root.raw("tunerGpuIndices");
            if (root.has("sharedStorage")) {
                root.problem("sharedStorage", "shared storage is not supported yet");
            }
            Optional<AlgorithmConfig> tuner = algorithm("tuner", "tuner", "name");
            Optional<AlgorithmConfig> assessor = algorithm("assessor", "assessor", "name");
            Optional<AlgorithmConfig> advisor = algorithm("advisor", "advisor", "name");
            checkTunerAdvisor(root, tuner, advisor, "tuner", "advisor");
            if (root.has("hybridConfig")) {
                ConfigNode h = root.child("hybridConfig");
                readDispatch(h);
                h.rejectUnknownKeys();
            }

            TrialConfig trial = new TrialConfig(command.orElse(""), code, gpus);
            List<dev.hybrid.config.PlatformConfig> services = new ArrayList<>();
            Object ts = root.raw("trainingService").orElse(null);
            if (ts == null) {
                root.problem("trainingService", "is required: a platform such as {platform: local}, or a list for"
                        + " hybrid mode");
            } else if (ts instanceof List<?>) {
                List<ConfigNode> entries = root.nodeList("trainingService");
                if (entries.isEmpty() && ((List<?>) ts).isEmpty()) {
                    root.problem("trainingService", "must name at least one platform");
                }
                for (ConfigNode e : entries) {
                    services.addAll(service(e, trial, concurrency));
                }
            } else if (ts instanceof Map<?, ?>) {
                services.addAll(service(root.child("trainingService"), trial, concurrency));
            } else {
                root.problem("trainingService", "must be a mapping or a list of mappings, was "
                        + ConfigNode.describe(ts));
            }
            root.rejectUnknownKeys();
            if (!problems.isEmpty()) {
                return null;
            }
            return new ExperimentConfig(2, name, space.orElseThrow(), tuner, assessor, advisor, concurrency,
                    maxTrials, maxDuration, maxTrialDuration, deadlineGrace, trial, services,
                    hybridSettings(services.size()), workDir, file);
        }

        private List<dev.hybrid.config.PlatformConfig> service(ConfigNode entry, TrialConfig trial, int concurrency) {
            Optional<String> platform = entry.optionalString("platform");
            // Per-service copies of experiment fields (NNI HEAD); the root values are the ones used.
            entry.markKnown("trialCommand", "trialCodeDirectory", "trialGpuNumber", "nniManagerIp", "debug");
            // Hybrid's own per-platform share of the trials.
            Optional<Integer> cap = entry.has("maxTrialConcurrency")
                    ? Optional.of(entry.intIn("maxTrialConcurrency", 1, 1, 99_999)) : Optional.empty();
            double weight = positiveWeight(entry, "weight");
            if (platform.isEmpty()) {
                if (!entry.has("platform")) {
                    entry.problem("platform", "is required: one of local, remote, openpai, aml, slurm");
                }
                return List.of();
            }
            List<dev.hybrid.config.PlatformConfig> added = platform(platform.get(), entry.pathOf("platform"), entry, 2,
                    trial, concurrency);
            if (!added.isEmpty()) {
                children.add(new HybridSettings.Child(cap, weight));
            }
            return added;
        }
    }

    private static void checkTunerAdvisor(ConfigNode root, Optional<AlgorithmConfig> tuner,
            Optional<AlgorithmConfig> advisor, String tunerKey, String advisorKey) {
        if (root.has(advisorKey) && (root.has(tunerKey) || root.has("assessor"))) {
            root.problem(advisorKey, "an advisor cannot be set together with a tuner or an assessor");
        } else if (!root.has(tunerKey) && !root.has(advisorKey)) {
            root.problem(tunerKey, "is required (or an advisor)");
        }
    }

    /** A platform's weight for weighted dispatch: a number > 0, 1 when unset. */
    private static double positiveWeight(ConfigNode node, String key) {
        double w = node.doubleIn(key, 1.0, 0, 1e9);
        if (w == 0) {
            node.problem(key, "must be > 0, was 0");
            return 1.0;
        }
        return w;
    }

    private static void logLevel(ConfigNode node, String key) {
        node.optionalString(key).filter(l -> !List.of("trace", "debug", "info", "warning", "error", "fatal")
                .contains(l.toLowerCase(Locale.ROOT))).ifPresent(l -> node.problem(key,
                "must be one of trace, debug, info, warning, error, fatal, was '" + l + "'"));
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private dev.hybrid.internal.Registry registry() {
        if (registry == null) {
            registry = dev.hybrid.internal.Registry.load(classLoader);
        }
        return registry;
    }
}
