package dev.hybrid.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/** The page in a real headless browser, over a live experiment of in-process trials and over a report file. */
class DashboardBrowserTest {

    @Test
    void thePageShowsALiveExperimentUpdatesWithoutReloadAndItsStopButtonStopsIt(@TempDir Path work)
            throws Exception {
        Semaphore finish = new Semaphore(0);
        AtomicInteger started = new AtomicInteger();
        try (Browser browser = Browser.start();
             Experiment experiment = Experiment.builder().experimentId("web1").name("browser test")
                     .workingDirectory(work).searchSpace(DashboardApiTest.SPACE).tuner("TPE", Map.of()).seed(3)
                     .maxTrialNumber(40).trialConcurrency(2).trialFunction((p, r) -> {
                         double v = 1 - Math.abs(p.getDouble("x") - 0.3) + ("adam".equals(p.getString("opt")) ? .5 : 0);
                         boolean quick = started.incrementAndGet() <= 8;
                         for (int step = 1; step <= 10; step++) {
                             r.reportIntermediate(v * (1 - Math.exp(-step / 3.0)));
                         }
                         // The first trials end at once; the later ones only when the test lets one finish.
                         while (!quick && !r.isCancelled()) {
                             if (finish.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                                 break;
                             }
                         }
                         if (!r.isCancelled()) {
                             r.reportFinal(v);
                         }
                     }).build()) {
            ExperimentHandle handle = experiment.start();
            try (Dashboard dashboard = Dashboard.serve(experiment, DashboardOptions.defaults())) {
                browser.open(dashboard.url().toString());
                browser.js("window.notReloaded = true");

                browser.await("8 trials done and 2 running", () -> Collections.frequency(browser.tableStatuses(), "SUCCEEDED")
                        == 8 && Collections.frequency(browser.tableStatuses(), "RUNNING") == 2);
                assertThat(browser.driver().findElement(By.id("exp-id")).getText()).isEqualTo("web1");
                assertThat(browser.driver().findElements(By.cssSelector("#trials tbody tr"))).hasSize(10);
                browser.await("the charts to be drawn", () -> browser.drawnPixels("chart-best-trial") > 500
                        && browser.drawnPixels("chart-timeline") > 500 && browser.drawnPixels("chart-curves") > 500);
                browser.screenshot("dashboard-live");

                finish.release();
                browser.await("the 9th trial's end", () -> Collections.frequency(browser.tableStatuses(), "SUCCEEDED") == 9);
                assertThat(browser.js("return window.notReloaded === true")).isEqualTo(true);

                browser.driver().findElement(By.cssSelector("#trials tbody tr")).click();
                browser.await("the trial's details", () -> browser.driver().findElement(By.id("detail")).isDisplayed()
                        && browser.drawnPixels("chart-detail") > 100);
                assertThat(browser.driver().findElement(By.id("detail-params")).getText()).contains("x");

                browser.driver().findElement(By.id("stop")).click();
                browser.driver().switchTo().alert().accept();
                assertThat(handle.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(handle.status()).isEqualTo(ExperimentStatus.STOPPED);
                browser.await("the STOPPED status", () -> browser.driver().findElement(By.id("exp-status")).getText()
                        .equals("STOPPED"));
                assertThat(browser.js("return window.notReloaded === true")).isEqualTo(true);
                browser.screenshot("dashboard-stopped");
                assertThat(browser.consoleErrors()).isEmpty();
                // Leave the page before its server goes, so that its polling logs no error into the next check.
                browser.driver().get("about:blank");
            }

            Path report = Path.of("target", "screenshots", "report.html").toAbsolutePath();
            DashboardReport.write(work.resolve("web1"), report);
            browser.open(report.toUri().toString());
            assertThat(browser.driver().findElements(By.cssSelector("#trials tbody tr"))).hasSize(11);
            browser.await("the report's charts", () -> browser.drawnPixels("chart-best-trial") > 500
                    && browser.drawnPixels("chart-parallel") > 500);
            assertThat(browser.driver().findElement(By.id("steering")).isDisplayed()).isFalse();
            browser.screenshot("report");
            assertThat(browser.consoleErrors()).isEmpty();
        }
    }
}
