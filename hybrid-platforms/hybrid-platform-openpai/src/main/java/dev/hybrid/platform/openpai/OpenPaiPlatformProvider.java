package dev.hybrid.platform.openpai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.Durations;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformContext;
import dev.hybrid.platform.PlatformProvider;
import dev.hybrid.platform.PlatformSection;
import dev.hybrid.platform.TrainingPlatform;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registers the {@code pai} platform (alias {@code openpai}) and reads its settings: v1 {@code paiConfig}
 * ({@code userName}, {@code token}, {@code host}, {@code reuse}) with the trial keys {@code image}, {@code cpuNum},
 * {@code memoryMB}, {@code gpuNum}, {@code virtualCluster}, {@code nniManagerNFSMountPath},
 * {@code containerNFSMountPath}, {@code paiStorageConfigName}, {@code paiConfigPath}; v2 entries ({@code host},
 * {@code username}, {@code token}, {@code trialCpuNumber}, {@code trialMemorySize}, {@code storageConfigName},
 * {@code dockerImage}, {@code virtualCluster}, {@code localStorageMountPoint}, {@code containerStorageMountPoint},
 * {@code reuseMode}, {@code openpaiConfig} | {@code openpaiConfigFile}). Hybrid adds {@code maxConcurrentTrials},
 * {@code maxSubmissionsPerHour}, {@code pollInterval} and {@code requestTimeout} (in {@code paiConfig} or the v2
 * entry). The token never appears in a problem.
 */
public final class OpenPaiPlatformProvider implements PlatformProvider {
    private static final Pattern MEMORY = Pattern.compile("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?i?b?)\\s*$",
            Pattern.CASE_INSENSITIVE);

    @Override
    public String name() {
        return "pai";
    }

    @Override
    public List<String> aliases() {
        return List.of("openpai");
    }

    @Override
    public PlatformConfig parse(PlatformSection section) {
        boolean v1 = section.version() == 1;
        ConfigNode root = section.node();
        // v1 splits the settings between paiConfig (cluster and user) and trial (resources, image, storage).
        ConfigNode cluster = v1 ? root.child("paiConfig") : root;
        ConfigNode trial = v1 ? root.child("trial") : root;
        if (v1 && !root.has("paiConfig")) {
            root.problem("paiConfig", "is required for platform pai: userName, token and host");
        }
        String userKey = v1 ? "userName" : "username";
        String user = cluster.string(userKey, "");
        if (user.isBlank()) {
            cluster.problem(userKey, cluster.has(userKey) ? "must not be blank" : "is required: the OpenPAI user name");
        }
        Optional<Secret> token = token(cluster);
        if (cluster.has("passWord") || cluster.has("password")) {
            String key = cluster.has("passWord") ? "passWord" : "password";
            cluster.problem(key, "password login is not supported; give the user's token (OpenPAI web portal, My "
                    + "profile) in token");
        } else if (token.isEmpty() && !cluster.has("token")) {
            cluster.problem("token", "is required: the user's OpenPAI token (web portal, My profile)");
        }
        URI host = host(cluster);
        boolean reuse = cluster.bool(v1 ? "reuse" : "reuseMode", false);

        Optional<Map<String, Object>> protocol = v1
                ? protocolFile(trial, "paiConfigPath", section.baseDir())
                : userProtocol(root, section.baseDir());
        boolean own = protocol.isPresent();
        String image = trial.string(v1 ? "image" : "dockerImage", OpenPaiConfig.DEFAULT_IMAGE);
        if (v1 && !own && !trial.has("image")) {
            trial.problem("image", "is required for platform pai (or a job protocol in paiConfigPath)");
        }
        int cpu = resource(trial, v1 ? "cpuNum" : "trialCpuNumber", own, 1);
        int memory = memory(trial, v1 ? "memoryMB" : "trialMemorySize", own);
        int gpu = section.trial().gpuNumber().orElse(0);
        Optional<String> vc = trial.optionalString("virtualCluster");
        if (!v1) {
            // v1 keeps them in the trial section, which the loader reads; v2 entries may repeat them here.
            cluster.markKnown("trialGpuNumber");
        }
        String localKey = v1 ? "nniManagerNFSMountPath" : "localStorageMountPoint";
        String containerKey = v1 ? "containerNFSMountPath" : "containerStorageMountPoint";
        String storageKey = v1 ? "paiStorageConfigName" : "storageConfigName";
        Optional<String> local = required(trial, localKey, "the folder where this machine mounts the storage");
        Optional<String> container = required(trial, containerKey,
                "the path where the trial containers see the same storage");
        container.filter(c -> !c.startsWith("/")).ifPresent(c -> trial.problem(containerKey,
                "must be an absolute path, was '" + c + "'"));
        Optional<String> storage = required(trial, storageKey, "the name of the OpenPAI storage to mount");

        Optional<Integer> concurrent = cluster.has("maxConcurrentTrials")
                ? Optional.of(cluster.intIn("maxConcurrentTrials", 1, 1, 99_999)) : Optional.empty();
        int perHour = cluster.intIn("maxSubmissionsPerHour", 60, 1, 1_000_000);
        Duration poll = Durations.read(cluster, "pollInterval").orElse(Duration.ofSeconds(5));
        Duration timeout = Durations.read(cluster, "requestTimeout").orElse(Duration.ofSeconds(30));
        if (v1) {
            cluster.markKnown("gpuNum", "cpuNum", "memoryMB");
            cluster.rejectUnknownKeys();
        } else {
            root.rejectUnknownKeys();
        }
        if (user.isBlank() || token.isEmpty() || host == null || local.isEmpty() || container.isEmpty()
                || !container.get().startsWith("/") || storage.isEmpty()) {
            return new Invalid(root.path());
        }
        return new OpenPaiConfig(v1 ? root.path() : root.path(), host, user, token.get(), image, cpu, memory, gpu, vc,
                resolve(local.get(), section.baseDir()), container.get(), storage.get(), protocol, reuse,
                concurrent, perHour, poll, Duration.ofSeconds(1), timeout, List.of(cluster.pathOf("token")));
    }

    /** What {@code parse} returns when there were problems: never used, since the loader throws first. */
    private record Invalid(FieldPath path) implements PlatformConfig {
        @Override
        public String platform() {
            return "pai";
        }
    }

    private static Optional<Secret> token(ConfigNode n) {
        Object v = n.raw("token").orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s && !s.isBlank()) {
            return Optional.of(Secret.of(s));
        }
        n.problem("token", v instanceof String ? "must not be blank" : "must be a string");
        return Optional.empty();
    }

    /** {@code host}: a URL, or a host name that gets {@code https://} as NNI does. */
    private static URI host(ConfigNode n) {
        Optional<String> h = n.optionalString("host");
        if (h.isEmpty()) {
            if (!n.has("host")) {
                n.problem("host", "is required: the OpenPAI cluster's address, such as https://pai.example.com");
            }
            return null;
        }
        String text = h.get().strip();
        if (!text.contains("://")) {
            text = "https://" + text;
        }
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                n.problem("host", "must be an http or https address or a host name, was '" + h.get() + "'");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            n.problem("host", "must be an http or https address or a host name, was '" + h.get() + "'");
            return null;
        }
    }

    private static Optional<String> required(ConfigNode n, String key, String what) {
        Optional<String> v = n.optionalString(key);
        if (v.isEmpty() && !n.has(key)) {
            n.problem(key, "is required for platform pai: " + what);
        } else if (v.isPresent() && v.get().isBlank()) {
            n.problem(key, "must not be blank");
            return Optional.empty();
        }
        return v;
    }

    private static int resource(ConfigNode n, String key, boolean own, int def) {
        if (!n.has(key) && !own) {
            n.problem(key, "is required for platform pai (or a job protocol of your own)");
        }
        return n.intIn(key, def, 0, 99_999);
    }

    /** Memory in MB: a number of MB, or a size with its unit ({@code 8GB}, {@code 512mb}) as NNI v2 writes it. */
    private static int memory(ConfigNode n, String key, boolean own) {
        Object v = n.raw(key).orElse(null);
        if (v == null) {
            if (!own) {
                n.problem(key, "is required for platform pai (or a job protocol of your own)");
            }
            return 8192;
        }
        if (v instanceof Number num && num.doubleValue() > 0) {
            return (int) Math.ceil(num.doubleValue());
        }
        if (v instanceof String s) {
            Matcher m = MEMORY.matcher(s);
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                String unit = m.group(2).toLowerCase(Locale.ROOT);
                double mb = switch (unit.isEmpty() ? "" : unit.substring(0, 1)) {
                    case "k" -> amount / 1024;
                    case "m", "" -> unit.equals("b") ? amount / (1024 * 1024) : amount;
                    case "g" -> amount * 1024;
                    case "t" -> amount * 1024 * 1024;
                    case "b" -> amount / (1024 * 1024);
                    default -> -1;
                };
                if (mb > 0) {
                    return (int) Math.ceil(mb);
                }
            }
        }
        n.problem(key, "must be a memory size such as 8192 (MB), 512mb or 8gb, was " + describe(v));
        return 8192;
    }

    private static String describe(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    private static Optional<Map<String, Object>> userProtocol(ConfigNode n, Path baseDir) {
        boolean inline = n.has("openpaiConfig");
        boolean file = n.has("openpaiConfigFile");
        if (inline && file) {
            n.problem("openpaiConfig", "set either openpaiConfig or openpaiConfigFile, not both");
            return Optional.empty();
        }
        if (file) {
            return protocolFile(n, "openpaiConfigFile", baseDir);
        }
        if (inline) {
            Optional<Map<String, Object>> m = n.map("openpaiConfig");
            return m.flatMap(p -> checkProtocol(n, "openpaiConfig", p));
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> protocolFile(ConfigNode n, String key, Path baseDir) {
        Optional<String> name = n.optionalString(key);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Path p = resolve(name.get(), baseDir);
        if (!Files.isRegularFile(p)) {
            n.problem(key, "file not found: " + p);
            return Optional.empty();
        }
        try {
            Object doc = new ObjectMapper(new YAMLFactory()).readValue(p.toFile(), Object.class);
            if (!(doc instanceof Map<?, ?> m)) {
                n.problem(key, "in " + p + ": must be an OpenPAI job protocol (a YAML mapping)");
                return Optional.empty();
            }
            return checkProtocol(n, key, new LinkedHashMap<>((Map<String, Object>) m));
        } catch (IOException e) {
            n.problem(key, "cannot read " + p + " as YAML: " + e.getMessage().lines().findFirst().orElse(""));
            return Optional.empty();
        }
    }

    private static Optional<Map<String, Object>> checkProtocol(ConfigNode n, String key, Map<String, Object> p) {
        if (!(p.get("taskRoles") instanceof Map<?, ?> roles) || roles.isEmpty()) {
            n.problem(key, "must be an OpenPAI job protocol with at least one task role in taskRoles");
            return Optional.empty();
        }
        return Optional.of(p);
    }

    private static Path resolve(String file, Path baseDir) {
        if (file.equals("~") || file.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + file.substring(1));
        }
        return baseDir.resolve(file).normalize();
    }

    @Override
    public TrainingPlatform create(PlatformConfig config, PlatformContext context) {
        if (!(config instanceof OpenPaiConfig pai)) {
            throw new IllegalArgumentException("not an OpenPAI platform config: " + config.getClass().getName());
        }
        OpenPaiConfig settings = pai.maxConcurrentTrials().isPresent() ? pai
                : pai.withLimits(context.trialConcurrency(), pai.maxSubmissionsPerHour());
        return OpenPaiPlatform.create(settings, context.experimentId(), context.experimentDir(),
                context.trial().command(), context.trial().codeDirectory(), context.clock());
    }
}
