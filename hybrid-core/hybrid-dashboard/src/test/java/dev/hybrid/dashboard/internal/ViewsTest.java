package dev.hybrid.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.dashboard.DashboardApiTest;
import dev.hybrid.space.Parameters;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Views built from earlier ones (kept sorted orders, kept curves) answer as views built afresh. */
class ViewsTest {
    private static final List<String> SORTS = List.of("sequence", "id", "status", "attempt", "value", "started",
            "param.x", "param.opt");

    @Test
    void viewsBuiltFromEarlierOnesSortAndDrawAsViewsBuiltAfresh(@TempDir Path work) throws Exception {
        Path dir = DashboardApiTest.finishedExperiment(work, "inc1");
        StoreSource following = new StoreSource(dir, Clock.systemUTC(), Optional.empty());
        Object lock = new Object();
        Views views = new Views(following.snapshot(), following, lock);
        for (String sort : SORTS) {
            views.trials(query(sort, false));
            views.trials(query(sort, true));
        }
        views.curves();

        try (SqliteExperimentStore writer = SqliteExperimentStore.existingForWriting(dir)) {
            writer.open();
            // New trials that sort between the old ones, one left running, ties on x; then the running one ends
            // with the best value and a new trial without any value comes.
            for (int i = 0; i < 6; i++) {
                add(writer, 100 + i, i * 0.2, i % 2 == 0 ? "sgd" : "adam", i == 3 ? Optional.empty()
                        : Optional.of(0.4 + i * 0.05));
            }
            writer.commit();
            views = checkAgainstFresh(dir, following, lock, views);
            // The running trial is read again unchanged (a new but equal row): it keeps its place.
            add(writer, 107, 0.15, "adam", Optional.of(0.45));
            writer.commit();
            views = checkAgainstFresh(dir, following, lock, views);
            assertThat(ids(views.trials(query("param.x", false)))).contains("n103").hasSize(19);

            TrialId running = new TrialId("n103");
            writer.metricReported(running, Metric.of(MetricType.PERIODICAL, 1, 0.7, Instant.now()), Optional.empty());
            writer.metricReported(running, Metric.of(MetricType.FINAL, 0, 9.0, Instant.now()), Optional.of(9.0));
            writer.trialEnded(running, TrialStatus.SUCCEEDED, Optional.of(0), "", Instant.now());
            add(writer, 108, 0.5, "sgd", Optional.empty());
            writer.commit();
            views = checkAgainstFresh(dir, following, lock, views);
            assertThat(views.trials(query("value", true)).get("rows")).asList().first()
                    .satisfies(row -> assertThat(((Map<?, ?>) row).get("id")).isEqualTo("n103"));
        }
        following.close();
    }

    private static Views checkAgainstFresh(Path dir, StoreSource following, Object lock, Views previous) {
        Views next = new Views(following.snapshot(), following, lock, previous);
        StoreSource fresh = new StoreSource(dir, Clock.systemUTC(), Optional.empty());
        try {
            Views afresh = new Views(fresh.snapshot(), fresh, new Object());
            for (String sort : SORTS) {
                for (boolean descending : new boolean[] {false, true}) {
                    assertThat(ids(next.trials(query(sort, descending)))).as("%s %s", sort, descending)
                            .isEqualTo(ids(afresh.trials(query(sort, descending))));
                }
            }
            assertThat(next.curves()).isEqualTo(afresh.curves());
            assertThat(next.best()).isEqualTo(afresh.best());
        } finally {
            fresh.close();
        }
        return next;
    }

    private static void add(SqliteExperimentStore writer, int sequence, double x, String opt,
            Optional<Double> value) {
        TrialId id = new TrialId("n" + sequence);
        Instant at = Instant.now();
        writer.trialSubmitted(new TrialSpec(id, sequence, sequence, new Parameters(Map.of("x", x, "opt", opt))),
                "in-process", 1, at);
        writer.trialStarted(id, at);
        writer.metricReported(id, Metric.of(MetricType.PERIODICAL, 0, x, at), Optional.empty());
        if (value.isPresent()) {
            writer.metricReported(id, Metric.of(MetricType.FINAL, 0, value.get(), at), value);
            writer.trialEnded(id, TrialStatus.SUCCEEDED, Optional.of(0), "", at);
        }
    }

    private static Views.TrialQuery query(String sort, boolean descending) {
        return new Views.TrialQuery(Optional.empty(), Optional.empty(), sort, descending, 0, 500);
    }

    private static List<Object> ids(Map<String, Object> page) {
        List<Object> out = new ArrayList<>();
        for (Object row : (List<?>) page.get("rows")) {
            out.add(((Map<?, ?>) row).get("id"));
        }
        return out;
    }
}
