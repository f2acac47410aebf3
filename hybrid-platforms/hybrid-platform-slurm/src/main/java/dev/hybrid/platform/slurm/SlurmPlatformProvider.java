package dev.hybrid.platform.slurm;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.Durations;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import dev.hybrid.config.Problems;
import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformContext;
import dev.hybrid.platform.PlatformProvider;
import dev.hybrid.platform.PlatformSection;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.ssh.HostKeyPolicy;
import dev.hybrid.platform.slurm.internal.SbatchFlags;
import dev.hybrid.platform.slurm.internal.SlurmTime;
import dev.hybrid.ssh.internal.KeyFiles;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registers the {@code slurm} platform and reads a v2 {@code trainingService} entry: {@code partition},
 * {@code account}, {@code qos}, {@code timeLimit} (Slurm's {@code --time} format), {@code trialCpuNumber},
 * {@code trialMemorySize} ({@code 512mb}, {@code 4gb}), {@code trialGpuNumber}, {@code sbatchArgs} (a list; not
 * {@code --comment} or {@code --job-name}, which the platform sets), {@code sharedDirectory}, {@code pythonPath},
 * {@code maxConcurrentTrials}, {@code reuseMode} (pilot jobs), {@code pilotRetirementMargin} (reuse mode only),
 * Hybrid's {@code slurmConf}, and a login node over SSH ({@code host}, {@code port}, {@code user}, {@code password} |
 * {@code sshKeyFile} + {@code sshPassphrase}, {@code hostKeyPolicy}, {@code knownHostsFile}), or slurmrestd instead of
 * the commands ({@code restUrl}, {@code restApiVersion}, {@code restUser}, {@code restToken} | {@code restTokenFile};
 * then each {@code sbatchArgs} flag must have a field in the REST job submission). Slurm has no v1 spelling (NNI never
 * had the platform).
 *
 * <p>Whichever way it reaches Slurm (commands here, on a login node, or slurmrestd), the platform behaves the same:
 * a waiting job's reason becomes its trial's message; each submission carries a token as the job's comment and first
 * looks for a job that has it, so a submission whose reply was lost is run again without making a second job; jobs go
 * with {@code --no-requeue} ({@code requeue: false} through slurmrestd, which 22.05 may ignore); in reuse mode a pilot
 * with less than {@code pilotRetirementMargin} left takes no new trial; a resumed experiment cancels the jobs its dead
 * run left (found by the job name {@code hybrid-<experimentId>}) and runs no trial again until Slurm shows them ended.
 */
public final class SlurmPlatformProvider implements PlatformProvider {
    private static final Pattern TIME = Pattern.compile("\\d+|\\d+:\\d{1,2}(:\\d{1,2})?|\\d+-\\d{1,2}(:\\d{1,2}){0,2}"
            + "|UNLIMITED|INFINITE", Pattern.CASE_INSENSITIVE);
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b?)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.,-]+");
    /** The sbatch flags the platform sets itself on every job. */
    private static final Pattern OWN_FLAG = Pattern.compile("--comment(=|$)|--job-name(=|$)|-J");

    @Override
    public String name() {
        return "slurm";
    }

    @Override
    public PlatformConfig parse(PlatformSection section) {
        ConfigNode node = section.node();
        if (section.version() == 1) {
            node.problem("trainingServicePlatform", "slurm needs a v2 config (trainingService: {platform: slurm})");
            return new SlurmConfig(node.path(), SlurmJobResources.defaults(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty(), List.of(),
                    Optional.empty(), Optional.empty());
        }
        Optional<String> partition = name(node, "partition");
        Optional<String> account = name(node, "account");
        Optional<String> qos = name(node, "qos");
        Optional<String> time = node.optionalString("timeLimit");
        if (time.isPresent() && !TIME.matcher(time.get().strip()).matches()) {
            node.problem("timeLimit", "must be a Slurm time limit (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]), was '"
                    + time.get() + "'");
        }
        Optional<Integer> cpus = node.has("trialCpuNumber")
                ? Optional.of(node.intIn("trialCpuNumber", 1, 1, 100_000)) : Optional.empty();
        Optional<Long> memory = node.optionalString("trialMemorySize").flatMap(s -> megabytes(node, s));
        Optional<Integer> gpus = node.has("trialGpuNumber")
                ? Optional.of(node.intIn("trialGpuNumber", 0, 0, 1024)) : section.trial().gpuNumber();
        List<String> extra = new ArrayList<>();
        node.list("sbatchArgs").ifPresent(l -> {
            for (int i = 0; i < l.size(); i++) {
                Object o = l.get(i);
                if (o instanceof String s && !s.isBlank()) {
                    extra.add(s);
                    if (OWN_FLAG.matcher(s.strip()).lookingAt()) {
                        node.problems().add(node.pathOf("sbatchArgs").index(i), "'" + s + "' is set by Hybrid: the"
                                + " job name finds the experiment's jobs, the comment is each submission's token");
                    }
                } else {
                    node.problem("sbatchArgs", "must be a list of sbatch flags (strings), had " + o);
                }
            }
        });
        Optional<Path> shared = node.optionalString("sharedDirectory").map(d -> resolve(d, section.baseDir()));
        Optional<Path> slurmConf = node.optionalString("slurmConf").map(d -> resolve(d, section.baseDir()));
        Optional<String> python = node.optionalString("pythonPath");
        Optional<Integer> concurrent = node.has("maxConcurrentTrials")
                ? Optional.of(node.intIn("maxConcurrentTrials", 1, 1, 100_000)) : Optional.empty();
        boolean reuse = node.bool("reuseMode", false);
        Optional<java.time.Duration> margin = Durations.readAllowingZero(node, "pilotRetirementMargin");
        if (margin.isPresent() && !reuse) {
            node.problem("pilotRetirementMargin", "is only used with reuseMode: true (pilot jobs)");
            margin = Optional.empty();
        }
        Optional<java.time.Duration> limit = time.flatMap(dev.hybrid.platform.slurm.internal.SlurmTime::parse);
        if (margin.isPresent() && limit.isPresent() && margin.get().compareTo(limit.get()) >= 0) {
            node.problem("pilotRetirementMargin", "must be less than timeLimit (" + time.get().strip() + "), was "
                    + Durations.format(margin.get()));
            margin = Optional.empty();
        }
        List<FieldPath> secrets = new ArrayList<>();
        Optional<SlurmLoginNode> login = node.has("host") ? loginNode(node, section.baseDir(), secrets)
                : Optional.empty();
        if (!node.has("host")) {
            for (String key : List.of("port", "user", "password", "sshKeyFile", "sshPassphrase", "hostKeyPolicy",
                    "knownHostsFile")) {
                if (node.has(key)) {
                    node.problem(key, "is only used with host (a login node)");
                    node.markKnown(key);
                }
            }
        }
        Optional<SlurmRestApi> rest = node.has("restUrl") ? restApi(node, section.baseDir(), extra, secrets)
                : Optional.empty();
        if (!node.has("restUrl")) {
            for (String key : List.of("restApiVersion", "restUser", "restToken", "restTokenFile")) {
                if (node.has(key)) {
                    node.problem(key, "is only used with restUrl (slurmrestd)");
                    node.markKnown(key);
                }
            }
        } else if (node.has("host")) {
            node.problem("restUrl", "cannot be used with host: through slurmrestd the job scripts and trial folders"
                    + " are read on this machine, so sharedDirectory must be mounted here (drop host, or restUrl)");
        }
        node.rejectUnknownKeys();
        SlurmJobResources resources = new SlurmJobResources(partition, account, qos, time.map(String::strip), cpus,
                memory, gpus, extra);
        return new SlurmConfig(node.path(), resources, shared, python, concurrent, slurmConf, reuse, margin, login,
                secrets, login.flatMap(SlurmLoginNode::keyFile).map(k -> node.pathOf("sshKeyFile")), rest);
    }

    /**
     * slurmrestd: {@code restUrl} (http or https), {@code restApiVersion} (default: the newest the server offers),
     * {@code restUser} (default: this process's user), and {@code restToken} | {@code restTokenFile}. Every flag the
     * jobs get must have a field in the REST job submission: one that has none is a problem at its
     * {@code sbatchArgs[i]}.
     */
    private static Optional<SlurmRestApi> restApi(ConfigNode node, Path baseDir, List<String> sbatchArgs,
            List<FieldPath> secrets) {
        int before = node.problems().list().size();
        String text = node.string("restUrl", "");
        URI url = null;
        try {
            url = new URI(text.strip());
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                node.problem("restUrl", "must be an http:// or https:// URL of slurmrestd, was '" + text + "'");
            }
        } catch (URISyntaxException e) {
            node.problem("restUrl", "must be an http:// or https:// URL of slurmrestd, was '" + text + "'");
        }
        Optional<String> version = node.optionalString("restApiVersion");
        if (version.isPresent() && !SlurmRestApi.VERSIONS.contains(version.get())) {
            node.problem("restApiVersion", "must be one of " + SlurmRestApi.VERSIONS + ", was '" + version.get() + "'");
        }
        String user = node.string("restUser", System.getProperty("user.name"));
        if (user.isBlank()) {
            node.problem("restUser", "must not be blank");
        }
        Optional<Secret> token = secret(node, "restToken");
        token.ifPresent(x -> secrets.add(node.pathOf("restToken")));
        Optional<Path> tokenFile = node.optionalString("restTokenFile").map(f -> resolve(f, baseDir));
        if (token.isPresent() && tokenFile.isPresent()) {
            node.problem("restTokenFile", "give restToken or restTokenFile, not both");
        } else if (token.isEmpty() && tokenFile.isEmpty() && !node.has("restToken")) {
            node.problem("restUrl", "needs restToken or restTokenFile: a JWT for restUser ('scontrol token')");
        }
        for (int i = 0; i < sbatchArgs.size(); i++) {
            try {
                SbatchFlags.map(sbatchArgs.get(i));
            } catch (IllegalArgumentException e) {
                node.problems().add(node.pathOf("sbatchArgs").index(i), e.getMessage());
            }
        }
        Optional<String> time = node.optionalString("timeLimit");
        if (time.isPresent() && SlurmTime.parse(time.get()).isEmpty()) {
            node.problem("timeLimit", "must be a finite time limit with restUrl (slurmrestd has no spelling of "
                    + time.get().strip() + ")");
        }
        if (node.problems().list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new SlurmRestApi(url, version, user, token, tokenFile));
    }

    /**
     * The login node: {@code host}, {@code port} (22), {@code user}, {@code password} | {@code sshKeyFile} (default
     * {@code ~/.ssh/id_rsa}) + {@code sshPassphrase}, {@code hostKeyPolicy} ({@code accept-new}),
     * {@code knownHostsFile} ({@code ~/.ssh/known_hosts}), spelled as the remote platform's v2 machines. Password and
     * passphrase values never appear in a problem.
     */
    private static Optional<SlurmLoginNode> loginNode(ConfigNode node, Path baseDir, List<FieldPath> secrets) {
        int before = node.problems().list().size();
        String host = node.string("host", "");
        if (host.isBlank()) {
            node.problem("host", "must not be blank");
        }
        int port = node.intIn("port", 22, 1, 65535);
        String user = node.string("user", "");
        if (user.isBlank()) {
            node.problem("user", node.has("user") ? "must not be blank" : "is required with host: the login name");
        }
        Optional<Secret> password = secret(node, "password");
        Optional<Secret> passphrase = secret(node, "sshPassphrase");
        password.ifPresent(x -> secrets.add(node.pathOf("password")));
        passphrase.ifPresent(x -> secrets.add(node.pathOf("sshPassphrase")));
        Optional<Path> keyFile = node.optionalString("sshKeyFile").map(f -> resolve(f, baseDir));
        if (password.isEmpty() && keyFile.isEmpty()) {
            keyFile = Optional.of(resolve("~/.ssh/id_rsa", baseDir));
        }
        HostKeyPolicy policy = HostKeyPolicy.ACCEPT_NEW;
        Optional<String> p = node.optionalString("hostKeyPolicy");
        if (p.isPresent()) {
            try {
                policy = HostKeyPolicy.parse(p.get());
            } catch (IllegalArgumentException e) {
                node.problem("hostKeyPolicy", e.getMessage());
            }
        }
        Path knownHosts = node.optionalString("knownHostsFile").map(f -> resolve(f, baseDir))
                .orElse(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
        if (node.problems().list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new SlurmLoginNode(host, port, user, password, keyFile, passphrase, policy, knownHosts));
    }

    /** A password or passphrase: a string whose value is never echoed in a problem. */
    private static Optional<Secret> secret(ConfigNode node, String key) {
        Object v = node.raw(key).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(Secret.of(s));
        }
        if (v instanceof Number || v instanceof Boolean) {
            return Optional.of(Secret.of(String.valueOf(v)));
        }
        node.problem(key, "must be a string");
        return Optional.empty();
    }

    private static Optional<String> name(ConfigNode node, String key) {
        Optional<String> v = node.optionalString(key);
        if (v.isPresent() && !NAME.matcher(v.get()).matches()) {
            node.problem(key, "must be a Slurm name (letters, digits, _.,-), was '" + v.get() + "'");
        }
        return v;
    }

    /** NNI's memory sizes ({@code 512mb}, {@code 4gb}, {@code 1.5g}; a plain number is MB) in MB. */
    private static Optional<Long> megabytes(ConfigNode node, String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            node.problem("trialMemorySize", "must be a size such as 512mb or 4gb, was '" + text + "'");
            return Optional.empty();
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "m" : m.group(2).substring(0, 1).toLowerCase(Locale.ROOT);
        double mb = switch (unit) {
            case "k" -> n / 1024;
            case "g" -> n * 1024;
            case "t" -> n * 1024 * 1024;
            default -> n;
        };
        long rounded = (long) Math.ceil(mb);
        if (rounded < 1) {
            node.problem("trialMemorySize", "must be at least 1mb, was '" + text + "'");
            return Optional.empty();
        }
        return Optional.of(rounded);
    }

    private static Path resolve(String file, Path baseDir) {
        if (file.equals("~") || file.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + file.substring(1));
        }
        return baseDir.resolve(file).normalize();
    }

    @Override
    public TrainingPlatform create(PlatformConfig config, PlatformContext context) {
        if (!(config instanceof SlurmConfig slurm)) {
            throw new IllegalArgumentException("not a slurm platform config: " + config.getClass().getName());
        }
        // A missing or locked key is a configuration problem, reported before anything starts.
        if (slurm.loginNode().isPresent() && slurm.keyFilePath().isPresent()) {
            SlurmLoginNode login = slurm.loginNode().get();
            Problems problems = new Problems();
            login.keyFile().flatMap(k -> KeyFiles.problem(k, login.passphrase())).ifPresent(why -> problems.add(
                    slurm.keyFilePath().get(), "SSH key file " + login.keyFile().get() + " " + why));
            problems.throwIfAny();
        }
        SlurmPlatformOptions options = SlurmPlatformOptions.of(context.trial().command(),
                context.trial().codeDirectory(), slurm.maxConcurrentTrials().orElse(context.trialConcurrency()))
                .withExperiment(context.experimentId(), context.experimentDir())
                .withResources(slurm.resources())
                .withReuseMode(slurm.reuseMode());
        if (slurm.pilotRetirementMargin().isPresent()) {
            options = options.withPilotRetirementMargin(slurm.pilotRetirementMargin().get());
        }
        if (slurm.sharedDirectory().isPresent()) {
            options = options.withSharedDirectory(slurm.sharedDirectory().get());
        }
        if (slurm.pythonPath().isPresent()) {
            options = options.withPythonPath(slurm.pythonPath().get());
        }
        if (slurm.slurmConf().isPresent()) {
            options = options.withCommandEnvironment(Map.of("SLURM_CONF", slurm.slurmConf().get().toString()));
        }
        if (slurm.rest().isPresent()) {
            return SlurmPlatform.create(options, slurm.rest().get(), context.clock());
        }
        return slurm.loginNode().isPresent() ? SlurmPlatform.create(options, slurm.loginNode().get(), context.clock())
                : SlurmPlatform.create(options, context.clock());
    }
}
