package dev.hybrid.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.dashboard.DashboardApiTest;
import dev.hybrid.dashboard.Http;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dashboard opened wider than loopback needs the token of its URL on every request but the static scripts. (The
 * test forces that mode on loopback: tests never listen beyond it.)
 */
class TokenEverywhereTest {

    @Test
    void everyRequestButTheScriptsNeedsTheTokenOfTheUrl(@TempDir Path work) throws Exception {
        Path dir = DashboardApiTest.finishedExperiment(work, "tok1");
        StoreSource source = new StoreSource(dir, Clock.systemUTC(), Optional.empty()).requireDatabase();
        try (DashboardServer server = DashboardServer.start(source, "127.0.0.1", 0, Clock.systemUTC(), true)) {
            Http http = new Http(server.port());
            String url = server.url("127.0.0.1").toString();
            String token = url.substring(url.indexOf("?token=") + "?token=".length());

            assertThat(server.requiresToken()).isTrue();
            assertThat(token).hasSizeGreaterThan(20);
            assertThat(http.get("/").status()).isEqualTo(401);
            assertThat(http.get("/api/overview").status()).isEqualTo(401);
            assertThat(http.get("/api/overview?token=wrong").status()).isEqualTo(401);
            assertThat(http.get("/api/overview", Map.of("X-Hybrid-Token", "wrong")).status()).isEqualTo(401);
            assertThat(http.get("/?token=" + token).body()).contains("content=\"" + token + "\"");
            assertThat(http.get("/api/overview", Map.of("X-Hybrid-Token", token)).json().get("id").asText())
                    .isEqualTo("tok1");
            assertThat(http.get("/app.js").status()).isEqualTo(200);
            assertThat(http.get("/echarts.min.js").body()).contains("echarts");
        }
    }
}
