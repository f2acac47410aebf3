package dev.hybrid.dashboard;

import dev.hybrid.dashboard.internal.ReportWriter;
import dev.hybrid.dashboard.internal.StoreSource;
import dev.hybrid.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored experiment as one self-contained HTML file — overview, trials table, charts, echarts itself — that opens
 * in a browser with no network and no server, to attach to a ticket or a paper. Trials' logs are not included.
 */
public final class DashboardReport {
    private DashboardReport() {
    }

    /**
     * Writes the report of the experiment in {@code experimentDir} ({@code <workingDirectory>/<id>}) to
     * {@code htmlFile}, replacing it. The experiment may be running: the report shows it as it is now.
     *
     * @throws StoreException if there is no experiment there or its database cannot be read
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void write(Path experimentDir, Path htmlFile) {
        Objects.requireNonNull(experimentDir, "experimentDir");
        Objects.requireNonNull(htmlFile, "htmlFile");
        try (StoreSource source = new StoreSource(experimentDir, Clock.systemUTC(), Optional.empty())) {
            source.requireDatabase();
            ReportWriter.write(source, htmlFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + htmlFile + ": " + e.getMessage(), e);
        }
    }
}
