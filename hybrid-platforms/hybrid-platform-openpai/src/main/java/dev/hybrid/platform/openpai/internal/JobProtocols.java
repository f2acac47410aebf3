package dev.hybrid.platform.openpai.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the OpenPAI job protocol (version 2) of one trial, as NNI did: its own default document, or a deep copy of
 * the user's with the name replaced and each task role's commands wrapped into one.
 */
public final class JobProtocols {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private JobProtocols() {
    }

    /** What a trial's job needs beyond its command. */
    public record Resources(String dockerImage, int cpu, int memoryMb, int gpu, Optional<String> virtualCluster,
            String storageConfigName, String containerMount) {
    }

    /**
     * NNI's default document: one task role {@code taskrole} with one instance running {@code command}, the storage
     * mounted at the container mount point.
     */
    public static Map<String, Object> standard(String name, Resources r, String command) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("protocolVersion", 2);
        doc.put("name", name);
        doc.put("type", "job");
        doc.put("jobRetryCount", 0);
        doc.put("prerequisites", List.of(Map.of("type", "dockerimage", "uri", r.dockerImage(), "name",
                "docker_image_0")));
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("instances", 1);
        role.put("completion", Map.of("minFailedInstances", 1, "minSucceededInstances", -1));
        role.put("taskRetryCount", 0);
        role.put("dockerImage", "docker_image_0");
        role.put("resourcePerInstance", Map.of("gpu", r.gpu(), "cpu", r.cpu(), "memoryMB", r.memoryMb()));
        role.put("commands", List.of(command));
        doc.put("taskRoles", Map.of("taskrole", role));
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("storages", List.of(Map.of("name", r.storageConfigName(), "mountPath", r.containerMount())));
        extras.put("submitFrom", "hybrid");
        doc.put("extras", extras);
        r.virtualCluster().ifPresent(vc -> doc.put("defaults", Map.of("virtualCluster", vc)));
        return doc;
    }

    /**
     * The user's document, deep-copied: {@code name} replaced, and each task role's commands replaced by one
     * command, {@code wrap} applied to the role's commands joined with {@code &&} (to {@code trialCommand} for a
     * role without commands).
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> fromUser(Map<String, Object> user, String name, String trialCommand,
            java.util.function.UnaryOperator<String> wrap) {
        Map<String, Object> doc = (Map<String, Object>) deepCopy(user);
        doc.put("name", name);
        Object roles = doc.get("taskRoles");
        if (roles instanceof Map<?, ?> m) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                if (e.getValue() instanceof Map<?, ?> role) {
                    Map<String, Object> r = (Map<String, Object>) role;
                    List<String> commands = new ArrayList<>();
                    if (r.get("commands") instanceof List<?> l) {
                        l.forEach(c -> commands.add(String.valueOf(c)));
                    }
                    String joined = commands.isEmpty() ? trialCommand : String.join(" && ", commands);
                    r.put("commands", List.of(wrap.apply(joined)));
                }
            }
        }
        return doc;
    }

    /** The document as YAML text, as the rest-server reads it. */
    public static String yaml(Map<String, Object> doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a job protocol as YAML", e);
        }
    }

    private static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return copy;
        }
        if (o instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return o;
    }
}
