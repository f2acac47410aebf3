package dev.hybrid.platform.openpai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The jobs of a {@code GET /jobs} answer (a JSON array of JobSummary, or {@code {"totalCount", "data"}}), by name. */
public final class JobList {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobList() {
    }

    /** A job's state as OpenPAI reports it. */
    public enum State { WAITING, RUNNING, STOPPING, STOPPED, SUCCEEDED, FAILED, UNKNOWN }

    /** What the platform reads of a JobSummary. */
    public record Job(String name, State state, Optional<Integer> exitCode) {
    }

    /** @throws IOException if the body is not a job list */
    public static Map<String, Job> parse(String body) throws IOException {
        JsonNode root = JSON.readTree(body);
        JsonNode items = root != null && root.isObject() ? root.path("data") : root;
        if (items == null || !items.isArray()) {
            throw new IOException("not a job list: " + (body.length() > 200 ? body.substring(0, 200) : body));
        }
        Map<String, Job> jobs = new HashMap<>();
        for (JsonNode j : items) {
            String name = j.path("name").asText("");
            if (name.isEmpty()) {
                continue;
            }
            State state;
            try {
                state = State.valueOf(j.path("state").asText("UNKNOWN"));
            } catch (IllegalArgumentException e) {
                state = State.UNKNOWN;
            }
            JsonNode code = j.path("appExitCode");
            jobs.put(name, new Job(name, state, code.isIntegralNumber() ? Optional.of(code.asInt())
                    : Optional.empty()));
        }
        return jobs;
    }
}
