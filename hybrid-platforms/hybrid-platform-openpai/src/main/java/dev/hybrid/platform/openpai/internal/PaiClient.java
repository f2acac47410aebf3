package dev.hybrid.platform.openpai.internal;

import dev.hybrid.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The few calls of OpenPAI's REST API v2 the platform makes, under {@code <host>/rest-server/api/v2}, on one pooled
 * Apache HttpClient. Every call is bounded: connecting, each read, and the whole request (aborted past
 * {@code requestTimeout}), so that a cluster that accepts connections but never answers cannot hold a thread.
 * Transport failures throw {@link IOException}; HTTP errors come back as a {@link Response}. The token goes only
 * into the {@code Authorization} header.
 */
public final class PaiClient implements AutoCloseable {
    private final URI base;
    private final String user;
    private final Secret token;
    private final Duration requestTimeout;
    private final ScheduledExecutorService timer;
    private final CloseableHttpClient http;

    /**
     * @param timer aborts requests that run past {@code requestTimeout}; owned by the caller
     */
    public PaiClient(URI host, String user, Secret token, Duration requestTimeout, ScheduledExecutorService timer) {
        this.base = URI.create(host.toString() + "/rest-server/api/v2/");
        this.user = Objects.requireNonNull(user, "user");
        this.token = Objects.requireNonNull(token, "token");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.timer = Objects.requireNonNull(timer, "timer");
        Timeout t = Timeout.of(requestTimeout);
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t)
                                .setSocketTimeout(t).build())
                        .setMaxConnTotal(8).setMaxConnPerRoute(8).build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(t).setResponseTimeout(t)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
    }

    /** What the server answered. */
    public record Response(int status, String body, Optional<Duration> retryAfter) {
        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        /** Worth trying again later: throttled (429) or a server or proxy error (5xx). */
        public boolean isTransient() {
            return status == 429 || status >= 500;
        }

        /** OpenPAI's error code ({@code "code"} of the JSON body), or the status line when the body has none. */
        public String describe() {
            String text = body.strip();
            if (text.length() > 300) {
                text = text.substring(0, 300) + "...";
            }
            return "HTTP " + status + (text.isEmpty() ? "" : ": " + text.replaceAll("\\s+", " "));
        }
    }

    /** {@code POST /jobs} with the job protocol as {@code text/yaml}, as the rest-server's YAML parser wants it. */
    public Response submit(String protocolYaml) throws IOException {
        HttpPost post = new HttpPost(base.resolve("jobs"));
        post.setEntity(new StringEntity(protocolYaml, ContentType.create("text/yaml", StandardCharsets.UTF_8)));
        return call(post);
    }

    /** {@code GET /jobs?username=<user>&keyword=<keyword>}: the user's jobs whose names contain {@code keyword}. */
    public Response list(String keyword, int limit) throws IOException {
        return call(new HttpGet(base.resolve("jobs?username=" + encode(user) + "&keyword=" + encode(keyword)
                + "&offset=0&limit=" + limit + "&order=submissionTime,DESC")));
    }

    /** {@code PUT /jobs/<user>~<name>/executionType {"value":"STOP"}}. */
    public Response stop(String jobName) throws IOException {
        HttpPut put = new HttpPut(base.resolve("jobs/" + encode(user + "~" + jobName) + "/executionType"));
        put.setEntity(new StringEntity("{\"value\":\"STOP\"}", ContentType.APPLICATION_JSON));
        return call(put);
    }

    public String user() {
        return user;
    }

    public URI host() {
        return URI.create(base.toString().substring(0, base.toString().length() - "/rest-server/api/v2/".length()));
    }

    private Response call(HttpUriRequestBase request) throws IOException {
        request.setHeader("Authorization", "Bearer " + token.reveal());
        request.setHeader("Accept", "application/json");
        ScheduledFuture<?> abort;
        try {
            abort = timer.schedule(() -> {
                request.cancel();
            }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            abort = null;
        }
        try {
            return http.execute(request, r -> {
                String body = r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8);
                return new Response(r.getCode(), body, retryAfter(r.getFirstHeader("Retry-After")));
            });
        } catch (IOException e) {
            if (request.isCancelled()) {
                throw new IOException("no answer within " + requestTimeout.toMillis() + " ms", e);
            }
            throw e;
        } finally {
            if (abort != null) {
                abort.cancel(false);
            }
        }
    }

    private static Optional<Duration> retryAfter(Header h) {
        if (h == null) {
            return Optional.empty();
        }
        try {
            long seconds = Long.parseLong(h.getValue().strip());
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: rare from OpenPAI's proxies; the backoff applies instead
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        http.close(CloseMode.IMMEDIATE);
    }
}
