package dev.hybrid.platform.aml.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP with Azure's retry rules: 408, 429, 500, 502, 503, 504, a {@code RequestThrottled} body and connection
 * failures are retried, waiting {@code Retry-After} when the answer has one and an exponential backoff otherwise;
 * other answers are returned as they are. Bodies are small JSON documents (uploads stream their files).
 */
public final class Http implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Http.class);
    static final ObjectMapper JSON = new ObjectMapper();
    /** Tries per request: the first and up to 5 retries. */
    private static final int ATTEMPTS = 6;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(8);
    /** The longest Retry-After honoured; ARM asks for at most 600 s on its operations. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    private final CloseableHttpClient client;
    private final Waiter waiter;

    /** A response: its status, headers (lower-case names) and body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new AzureException(status, "", "not a JSON answer (HTTP " + status + "): " + abbreviate(text()),
                        e);
            }
        }

        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }

    public Http(Optional<SSLContext> ssl, Waiter waiter) {
        this.waiter = waiter;
        PoolingHttpClientConnectionManagerBuilder cm = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(8).setMaxConnPerRoute(8)
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(20))
                        .setSocketTimeout(Timeout.ofSeconds(60)).build());
        ssl.ifPresent(s -> cm.setTlsSocketStrategy(new DefaultClientTlsStrategy(s)));
        this.client = HttpClients.custom().setConnectionManager(cm.build()).disableAutomaticRetries()
                .disableRedirectHandling()
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(60)).build())
                .build();
    }

    /**
     * Sends a request made fresh for each try by {@code request}, retrying what Azure says may be retried.
     *
     * @throws AzureException with status 0 when no try got an answer, or with the last retryable answer's status
     */
    public Response send(Supplier<HttpUriRequestBase> request) {
        Duration backoff = FIRST_BACKOFF;
        AzureException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (waiter.isClosed()) {
                throw new AzureException(0, "", "the platform is closed", last);
            }
            HttpUriRequestBase r = request.get();
            Duration wait = backoff;
            try {
                Response response = client.execute(r, Http::read);
                if (!isRetryable(response)) {
                    return response;
                }
                last = error(response, r.getMethod() + " " + path(r));
                wait = response.header("Retry-After").flatMap(Http::seconds).map(s -> s.compareTo(MAX_RETRY_AFTER) > 0
                        ? MAX_RETRY_AFTER : s).orElse(backoff);
            } catch (IOException e) {
                last = new AzureException(0, "", r.getMethod() + " " + host(r) + " failed: " + e, e);
            }
            if (attempt < ATTEMPTS) {
                log.warn("{}; retrying in {} ms ({} of {})", last.getMessage(), wait.toMillis(), attempt, ATTEMPTS - 1);
                if (!waiter.await(wait)) {
                    break;
                }
            }
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        }
        throw last;
    }

    /** A request with a JSON body. */
    public static HttpUriRequestBase json(String method, URI uri, Object body) {
        HttpUriRequestBase r = new HttpUriRequestBase(method, uri);
        try {
            r.setEntity(new ByteArrayEntity(JSON.writeValueAsBytes(body), ContentType.APPLICATION_JSON));
        } catch (IOException e) {
            throw new IllegalArgumentException("body cannot be written as JSON", e);
        }
        return r;
    }

    /** An {@link AzureException} for an error answer: its status, the code and message from an ARM, MLflow or Entra body. */
    public static AzureException error(Response response, String what) {
        String code = "";
        String message = "";
        try {
            JsonNode n = JSON.readTree(response.body());
            if (n != null && n.has("error") && n.get("error").isObject()) {
                code = n.get("error").path("code").asText("");
                message = n.get("error").path("message").asText("");
            } else if (n != null && n.has("error_code")) {
                code = n.path("error_code").asText("");
                message = n.path("message").asText("");
            } else if (n != null && n.has("error")) {
                code = n.path("error").asText("");
                message = n.path("error_description").asText("");
            }
        } catch (IOException | RuntimeException e) {
            message = abbreviate(response.text());
        }
        return new AzureException(response.status(), code, what + " answered HTTP " + response.status()
                + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + abbreviate(message)), null);
    }

    private static boolean isRetryable(Response r) {
        int s = r.status();
        if (s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504) {
            return true;
        }
        return s >= 400 && r.body().length < 10_000 && r.text().contains("\"RequestThrottled\"");
    }

    private static Response read(ClassicHttpResponse response) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : response.getHeaders()) {
            headers.put(h.getName().toLowerCase(Locale.ROOT), h.getValue());
        }
        HttpEntity entity = response.getEntity();
        byte[] body = entity == null ? new byte[0] : EntityUtils.toByteArray(entity);
        return new Response(response.getCode(), headers, body);
    }

    static Optional<Duration> seconds(String retryAfter) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(retryAfter.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The request's path without its query, which may hold a SAS signature. */
    static String path(HttpUriRequestBase r) {
        try {
            return r.getUri().getHost() + ":" + r.getUri().getPort() + r.getUri().getPath();
        } catch (java.net.URISyntaxException e) {
            return r.getRequestUri();
        }
    }

    private static String host(HttpUriRequestBase r) {
        try {
            URI u = r.getUri();
            return u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
        } catch (java.net.URISyntaxException e) {
            return "?";
        }
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }

    @Override
    public void close() {
        waiter.close();
        try {
            client.close();
        } catch (IOException e) {
            log.debug("closing the HTTP client: {}", e.toString());
        }
    }
}
