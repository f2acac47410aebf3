package dev.hybrid.platform.remote;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformContext;
import dev.hybrid.platform.PlatformProvider;
import dev.hybrid.platform.PlatformSection;
import dev.hybrid.platform.TrainingPlatform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Registers the {@code remote} platform and reads its settings: v1 {@code machineList} entries ({@code ip},
 * {@code port}, {@code username}, {@code passwd} | {@code sshKeyPath} + {@code passphrase}, {@code gpuIndices},
 * {@code maxTrialNumPerGpu}, {@code useActiveGpu}, {@code pythonPath}, {@code preCommand}) with {@code remoteConfig}
 * ({@code reuse}, {@code hostKeyPolicy}, {@code knownHostsFile}, {@code machineLostAfter}), and v2 entries ({@code host}, {@code user},
 * {@code password} | {@code sshKeyFile} + {@code sshPassphrase}, {@code maxTrialNumberPerGpu}, ...). Hybrid adds
 * {@code maxConcurrentTrials} and {@code remoteDirectory} per machine. Password and passphrase values never appear in a
 * problem.
 */
public final class RemotePlatformProvider implements PlatformProvider {

    @Override
    public String name() {
        return "remote";
    }

    @Override
    public PlatformConfig parse(PlatformSection section) {
        boolean v1 = section.version() == 1;
        ConfigNode root = section.node();
        ConfigNode settings = v1 ? root.child("remoteConfig") : root;
        settings.bool(v1 ? "reuse" : "reuseMode", false);
        HostKeyPolicy policy = HostKeyPolicy.ACCEPT_NEW;
        Optional<String> p = settings.optionalString("hostKeyPolicy");
        if (p.isPresent()) {
            try {
                policy = HostKeyPolicy.parse(p.get());
            } catch (IllegalArgumentException e) {
                settings.problem("hostKeyPolicy", e.getMessage());
            }
        }
        Path knownHosts = settings.optionalString("knownHostsFile").map(f -> resolve(f, section.baseDir()))
                .orElse(RemotePlatformOptions.defaultKnownHostsFile());
        Optional<java.time.Duration> lostAfter = dev.hybrid.config.Durations.read(settings, "machineLostAfter");
        List<RemoteMachine> machines = new ArrayList<>();
        List<FieldPath> secrets = new ArrayList<>();
        java.util.Map<Integer, FieldPath> keyFiles = new java.util.HashMap<>();
        if (!root.has("machineList")) {
            root.problem("machineList", "is required: the machines to run trials on");
        } else {
            List<ConfigNode> list = root.nodeList("machineList");
            if (list.isEmpty()) {
                root.problem("machineList", "must list at least one machine");
            }
            for (ConfigNode m : list) {
                Optional<RemoteMachine> machine = machine(m, v1, section.baseDir(), secrets);
                if (machine.isPresent()) {
                    String keyFileKey = v1 ? "sshKeyPath" : "sshKeyFile";
                    // The v2 default key (~/.ssh/id_rsa, when no password is given) is checked at the same path.
                    if (m.has(keyFileKey) || machine.get().password().isEmpty()) {
                        keyFiles.put(machines.size(), m.pathOf(keyFileKey));
                    }
                    machines.add(machine.get());
                }
            }
        }
        if (v1) {
            settings.rejectUnknownKeys();
        } else {
            root.rejectUnknownKeys();
        }
        return new RemoteConfig(root.path(), machines, knownHosts, policy, lostAfter, secrets, keyFiles);
    }

    private static Optional<RemoteMachine> machine(ConfigNode m, boolean v1, Path baseDir,
            List<FieldPath> secrets) {
        String hostKey = v1 ? "ip" : "host";
        String userKey = v1 ? "username" : "user";
        String passwordKey = v1 ? "passwd" : "password";
        String keyFileKey = v1 ? "sshKeyPath" : "sshKeyFile";
        String passphraseKey = v1 ? "passphrase" : "sshPassphrase";
        int before = m.problems().list().size();
        String host = m.string(hostKey, "");
        if (host.isBlank()) {
            m.problem(hostKey, m.has(hostKey) ? "must not be blank" : "is required: the machine's host name or address");
        }
        int port = m.intIn("port", 22, 1, 65535);
        String user = m.string(userKey, "");
        if (user.isBlank()) {
            m.problem(userKey, m.has(userKey) ? "must not be blank" : "is required: the login name");
        }
        Optional<Secret> password = secret(m, passwordKey);
        Optional<Secret> passphrase = secret(m, passphraseKey);
        password.ifPresent(x -> secrets.add(m.pathOf(passwordKey)));
        passphrase.ifPresent(x -> secrets.add(m.pathOf(passphraseKey)));
        Optional<Path> keyFile = m.optionalString(keyFileKey).map(f -> resolve(f, baseDir));
        if (password.isEmpty() && keyFile.isEmpty()) {
            if (v1) {
                m.problem("", "needs " + passwordKey + " or " + keyFileKey);
            } else {
                keyFile = Optional.of(resolve("~/.ssh/id_rsa", baseDir));
            }
        }
        if (passphrase.isPresent() && keyFile.isEmpty()) {
            m.problem(passphraseKey, "is only used with " + keyFileKey);
        }
        Optional<List<Integer>> gpus = m.indexList("gpuIndices");
        int perGpu = m.intIn(v1 ? "maxTrialNumPerGpu" : "maxTrialNumberPerGpu", 1, 1, 99_999);
        boolean useActive = m.bool("useActiveGpu", false);
        Optional<String> pythonPath = m.optionalString("pythonPath");
        Optional<String> pre = m.optionalString("preCommand");
        if (!v1) {
            pre = pre.or(() -> m.optionalString("trialPrepareCommand"));
        }
        Optional<Integer> concurrent = m.has("maxConcurrentTrials")
                ? Optional.of(m.intIn("maxConcurrentTrials", 1, 1, 99_999)) : Optional.empty();
        String dir = m.string("remoteDirectory", RemoteMachine.DEFAULT_REMOTE_DIRECTORY);
        if (!dir.startsWith("/") || !RemoteMachine.SAFE_PATH.matcher(dir).matches()) {
            m.problem("remoteDirectory", "must be an absolute path of letters, digits and ._-/, was '" + dir + "'");
        }
        m.rejectUnknownKeys();
        if (m.problems().list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new RemoteMachine(host, port, user, password, keyFile, passphrase, gpus, perGpu,
                useActive, pythonPath, pre, concurrent, dir));
    }

    /** A password or passphrase: a string whose value is never echoed in a problem. */
    private static Optional<Secret> secret(ConfigNode m, String key) {
        Object v = m.raw(key).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(Secret.of(s));
        }
        if (v instanceof Number || v instanceof Boolean) {
            // YAML reads 12345 as a number: it is still the password the user typed.
            return Optional.of(Secret.of(String.valueOf(v)));
        }
        m.problem(key, "must be a string");
        return Optional.empty();
    }

    private static Path resolve(String file, Path baseDir) {
        if (file.equals("~") || file.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + file.substring(1));
        }
        return baseDir.resolve(file).normalize();
    }

    @Override
    public TrainingPlatform create(PlatformConfig config, PlatformContext context) {
        if (!(config instanceof RemoteConfig remote)) {
            throw new IllegalArgumentException("not a remote platform config: " + config.getClass().getName());
        }
        // Key files are checked here, when the experiment is built, not when the config is read: a missing or
        // locked key is a configuration problem, reported (exit code 2) before anything starts.
        dev.hybrid.config.Problems problems = new dev.hybrid.config.Problems();
        for (java.util.Map.Entry<Integer, FieldPath> e : remote.keyFilePaths().entrySet()) {
            RemoteMachine m = remote.machines().get(e.getKey());
            m.keyFile().flatMap(k -> dev.hybrid.ssh.internal.KeyFiles.problem(k, m.passphrase()))
                    .ifPresent(why -> problems.add(e.getValue(), "SSH key file " + m.keyFile().get() + " " + why));
        }
        problems.throwIfAny();
        RemotePlatformOptions options = RemotePlatformOptions.of(context.experimentId(), context.trial().command(),
                context.trial().codeDirectory(), remote.machines())
                .withHostKeys(remote.knownHostsFile(), remote.hostKeyPolicy());
        if (remote.machineLostAfter().isPresent()) {
            options = options.withReconnect(options.reconnectBackoff(), options.maxReconnectBackoff(),
                    remote.machineLostAfter().get());
        }
        if (context.trial().gpuNumber().isPresent()) {
            options = options.withGpuNumber(context.trial().gpuNumber().get());
        }
        return RemotePlatform.create(options, context.clock());
    }
}
