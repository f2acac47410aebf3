package dev.hybrid.platform.remote.internal;

import dev.hybrid.platform.remote.RemoteMachine;
import dev.hybrid.protocol.PythonSdk;
import dev.hybrid.ssh.internal.SshConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The shell scripts Hybrid installs on each machine beside the code, and the per-machine {@code env.sh}. */
public final class RemoteScripts {
    private RemoteScripts() {
    }

    /** The files to pack under {@code .hybrid/}: the monitor, the trial runner and the Python {@code nni} module. */
    public static Map<String, byte[]> files() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(".hybrid/monitor.sh", resource("monitor.sh"));
        m.put(".hybrid/run-trial.sh", resource("run-trial.sh"));
        for (String f : PythonSdk.FILES) {
            m.put(".hybrid/python/" + f, PythonSdk.file(f));
        }
        return m;
    }

    private static byte[] resource(String name) {
        try (InputStream in = RemoteScripts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code env.sh} that every trial on {@code machine} sources: the command and NNI's fixed variables. */
    public static String envScript(String experimentId, String command, RemoteMachine machine,
            Map<String, String> environment) {
        String cmd = machine.preCommand().map(p -> p + " && " + command).orElse(command);
        StringBuilder sb = new StringBuilder();
        sb.append("HYBRID_COMMAND=").append(SshConnection.quote(cmd)).append('\n');
        sb.append("HYBRID_PYTHON_PATH=").append(SshConnection.quote(machine.pythonPath().orElse(""))).append('\n');
        sb.append("export NNI_PLATFORM=remote\n");
        sb.append("export NNI_EXP_ID=").append(SshConnection.quote(experimentId)).append('\n');
        environment.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append("export ")
                .append(e.getKey()).append('=').append(SshConnection.quote(e.getValue())).append('\n'));
        return sb.toString();
    }
}
