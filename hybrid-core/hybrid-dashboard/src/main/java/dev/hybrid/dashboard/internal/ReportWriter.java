package dev.hybrid.dashboard.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the dashboard page as one HTML file that opens without any network: the page's style and script, echarts
 * and the experiment's data (overview, every trial, the charts and the details of the trials the curves show)
 * inlined. Logs are left out: a report is meant to be shared.
 */
public final class ReportWriter {
    /** The most trials whose details (intermediate results) a report carries. */
    public static final int MAX_DETAILS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CLOSING_SCRIPT = Pattern.compile("</(script)", Pattern.CASE_INSENSITIVE);

    private ReportWriter() {
    }

    /** Writes the report of {@code source} to {@code out} (through a temporary file, so a reader never sees half). */
    public static void write(ExperimentSource source, Path out) throws IOException {
        long cursor = source.cursor();
        Views views = new Views(source.snapshot(), source, new Object());
        Map<String, Object> data = new LinkedHashMap<>();
        Map<String, Object> overview = new LinkedHashMap<>(views.overview(cursor));
        overview.put("steerable", false);
        data.put("overview", overview);
        data.put("trials", views.allRows());
        Map<String, Object> charts = new LinkedHashMap<>();
        charts.put("best", views.best());
        charts.put("curves", views.curves());
        charts.put("parallel", views.parallel());
        charts.put("timeline", views.timeline());
        charts.put("importance", views.importance());
        data.put("charts", charts);
        LinkedHashSet<String> detailIds = new LinkedHashSet<>();
        views.bestTrial().ifPresent(t -> detailIds.add(t.trial().id().value()));
        for (Object s : (List<?>) views.curves().get("series")) {
            detailIds.add((String) ((Map<?, ?>) s).get("id"));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        for (String id : new ArrayList<>(detailIds).subList(0, Math.min(detailIds.size(), MAX_DETAILS))) {
            Map<String, Object> d = views.trial(id, false);
            details.put(id, d);
        }
        data.put("details", details);

        String page = Assets.text("index.html").replace("{{TOKEN}}", "");
        String dataScript = "<script>window.HYBRID_REPORT = " + inline(JSON.writeValueAsString(data)) + ";</script>";
        page = replaceOnce(page, "<link rel=\"stylesheet\" href=\"app.css\">",
                "<style>\n" + Assets.text("app.css") + "</style>");
        page = replaceOnce(page, "<script src=\"echarts.min.js\"></script>",
                "<script>" + inline(Assets.echarts()) + "</script>");
        page = replaceOnce(page, "<script src=\"app.js\"></script>",
                dataScript + "\n<script>" + inline(Assets.text("app.js")) + "</script>");
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".report", ".html");
        try {
            Files.writeString(tmp, page, StandardCharsets.UTF_8);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Script text that cannot end its {@code <script>} element early: {@code </script} becomes {@code <\/script}. */
    private static String inline(String script) {
        return CLOSING_SCRIPT.matcher(script).replaceAll(Matcher.quoteReplacement("<\\/") + "$1")
                .replace("<!--", "<\\!--");
    }

    private static String replaceOnce(String page, String what, String with) {
        int at = page.indexOf(what);
        if (at < 0) {
            throw new IllegalStateException("the page has no " + what);
        }
        return page.substring(0, at) + with + page.substring(at + what.length());
    }
}
