package dev.hybrid.platform.aml.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one job's NNI metrics back from its MLflow run, as the in-job forwarder wrote them: step {@code n} is the
 * trial's {@code n}-th metric, a number under {@code nni.PERIODICAL} or {@code nni.FINAL}, or anything else in the
 * tag {@code nni.metric.<n>} announced by {@code nni.tagged}. Each metric is handed out exactly once, in step order;
 * while the job runs a metric waits until every earlier step has been seen (the forwarder sends them one after the
 * other, so a gap is one still in flight). Used from one thread at a time.
 */
public final class MetricCursor {
    private static final Logger log = LoggerFactory.getLogger(MetricCursor.class);
    public static final String PERIODICAL = "nni.PERIODICAL";
    public static final String FINAL = "nni.FINAL";
    public static final String TAGGED = "nni.tagged";
    public static final String EXIT_CODE = "nni.exit_code";
    public static final String TAG_PREFIX = "nni.metric.";

    /** A metric as the trial reported it: {@code PERIODICAL} or {@code FINAL}, its sequence and value's JSON text. */
    public record Item(String type, int sequence, String value) {
    }

    /** A step read but not handed out: a number (its sequence is the count before it), or a tagged item. */
    private record Pending(String type, Optional<Integer> sequence, String value) {
    }

    private final String runId;
    private long next;
    private final TreeMap<Long, Pending> waiting = new TreeMap<>();
    private Optional<Integer> exitCode = Optional.empty();
    private final Map<String, Integer> counts = new java.util.HashMap<>();

    public MetricCursor(String runId) {
        this.runId = runId;
    }

    /** The trial's exit code, once the forwarder has logged it. */
    public Optional<Integer> exitCode() {
        return exitCode;
    }

    /**
     * The metrics not handed out before, in order. With {@code finished} (the job has ended and its run holds all
     * it will), everything left is handed out, skipping any step that never arrived.
     */
    public List<Item> read(AmlApi api, boolean finished) {
        AmlApi.MlflowRun run = api.run(runId);
        for (String key : List.of(PERIODICAL, FINAL, TAGGED)) {
            Long latest = run.latestSteps().get(key);
            if (latest == null || latest < next) {
                continue;
            }
            for (AmlApi.Point p : api.history(runId, key)) {
                if (p.step() < next || waiting.containsKey(p.step())) {
                    continue;
                }
                if (key.equals(TAGGED)) {
                    tagged(run.tags(), p.step()).ifPresent(item -> waiting.put(p.step(), item));
                } else {
                    waiting.put(p.step(), new Pending(key.equals(FINAL) ? "FINAL" : "PERIODICAL", Optional.empty(),
                            format(p.value())));
                }
            }
        }
        if (run.latestSteps().containsKey(EXIT_CODE)) {
            List<AmlApi.Point> codes = api.history(runId, EXIT_CODE);
            if (!codes.isEmpty()) {
                exitCode = Optional.of((int) codes.get(codes.size() - 1).value());
            }
        }
        List<Item> out = new ArrayList<>();
        while (!waiting.isEmpty() && (waiting.firstKey() == next || finished)) {
            Map.Entry<Long, Pending> first = waiting.pollFirstEntry();
            if (first.getKey() != next) {
                log.warn("Job {}: metrics {} to {} never reached MLflow", runId, next, first.getKey() - 1);
            }
            Pending p = first.getValue();
            int count = counts.merge(p.type(), 1, Integer::sum) - 1;
            out.add(new Item(p.type(), p.sequence().orElse(count), p.value()));
            next = first.getKey() + 1;
        }
        return out;
    }

    private Optional<Pending> tagged(Map<String, String> tags, long step) {
        String text = tags.get(TAG_PREFIX + step);
        if (text == null) {
            return Optional.empty(); // announced before its tag is visible: read again next time
        }
        try {
            JsonNode n = Http.JSON.readTree(text);
            String type = n.path("type").asText("PERIODICAL").equals("FINAL") ? "FINAL" : "PERIODICAL";
            return Optional.of(new Pending(type, Optional.of(Math.max(0, n.path("sequence").asInt(0))),
                    n.path("value").asText()));
        } catch (IOException e) {
            log.warn("Job {}: tag {}{} is not a metric: {}", runId, TAG_PREFIX, step, e.getMessage());
            return Optional.of(new Pending("PERIODICAL", Optional.of(0), text));
        }
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
