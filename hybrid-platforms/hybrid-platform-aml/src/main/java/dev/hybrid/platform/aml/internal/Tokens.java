package dev.hybrid.platform.aml.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microsoft Entra ID access tokens for ARM and the workspace's MLflow endpoint, kept until shortly before they
 * expire: from a service principal's client secret (client-credentials flow), or from the Azure CLI's login.
 * Thread-safe.
 */
public final class Tokens {
    private static final Logger log = LoggerFactory.getLogger(Tokens.class);
    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");
    /** Renew this long before a token expires (or halfway through a shorter life). */
    private static final Duration MARGIN = Duration.ofMinutes(5);

    /** Where tokens come from. */
    public sealed interface Source {
        /** A service principal with a client secret. */
        record ClientSecret(URI authorityHost, String tenantId, String clientId, Secret secret, String origin)
                implements Source {
        }

        /** {@code az account get-access-token}. */
        record AzureCli(String command) implements Source {
        }
    }

    private final Source source;
    private final String resource;
    private final Http http;
    private final Clock clock;
    private String token;
    private Instant renewAt = Instant.MIN;

    public Tokens(Source source, URI resourceManager, Http http, Clock clock) {
        this.source = source;
        this.resource = resourceManager.toString().replaceAll("/+$", "");
        this.http = http;
        this.clock = clock;
    }

    /**
     * The credentials chain: the config's service principal, then {@code AZURE_TENANT_ID}/{@code AZURE_CLIENT_ID}/
     * {@code AZURE_CLIENT_SECRET}, then the Azure CLI.
     */
    public static Source choose(Optional<String> tenant, Optional<String> client, Optional<Secret> secret,
            String azureCli, URI authorityHost, Map<String, String> env) {
        if (tenant.isPresent() && client.isPresent() && secret.isPresent()) {
            return new Source.ClientSecret(authorityHost, tenant.get(), client.get(), secret.get(), "the config");
        }
        String t = env.getOrDefault("AZURE_TENANT_ID", "");
        String c = env.getOrDefault("AZURE_CLIENT_ID", "");
        String s = env.getOrDefault("AZURE_CLIENT_SECRET", "");
        if (!t.isBlank() && !c.isBlank() && !s.isBlank()) {
            return new Source.ClientSecret(authorityHost, t, c, Secret.of(s), "AZURE_CLIENT_SECRET");
        }
        return new Source.AzureCli(azureCli);
    }

    /** A valid token, fetching a new one when the one held is about to expire. */
    public synchronized String token() {
        if (token == null || !clock.instant().isBefore(renewAt)) {
            fetch();
        }
        return token;
    }

    /** Forgets the token held (ARM said it expired), so that the next {@link #token()} fetches a new one. */
    public synchronized void invalidate(String held) {
        if (held.equals(token)) {
            token = null;
        }
    }

    private void fetch() {
        Instant now = clock.instant();
        Duration life;
        if (source instanceof Source.ClientSecret cs) {
            JsonNode n = clientCredentials(cs);
            token = n.path("access_token").asText();
            life = Duration.ofSeconds(n.path("expires_in").asLong(3599));
        } else {
            Source.AzureCli cli = (Source.AzureCli) source;
            JsonNode n = azureCli(cli);
            token = n.path("accessToken").asText();
            long expiresOn = n.path("expires_on").asLong(0);
            life = expiresOn > 0 ? Duration.between(now, Instant.ofEpochSecond(expiresOn)) : Duration.ofMinutes(5);
        }
        Duration margin = life.dividedBy(2).compareTo(MARGIN) < 0 ? life.dividedBy(2) : MARGIN;
        renewAt = now.plus(life).minus(margin);
        log.debug("Got an access token valid for {} s, renewed after {} s", life.toSeconds(),
                life.minus(margin).toSeconds());
    }

    private JsonNode clientCredentials(Source.ClientSecret cs) {
        URI uri = URI.create(cs.authorityHost().toString().replaceAll("/+$", "") + "/" + enc(cs.tenantId())
                + "/oauth2/v2.0/token");
        String form = "grant_type=client_credentials&client_id=" + enc(cs.clientId()) + "&client_secret="
                + enc(cs.secret().reveal()) + "&scope=" + enc(resource + "/.default");
        Http.Response r = http.send(() -> {
            HttpPost p = new HttpPost(uri);
            p.setEntity(new StringEntity(form, ContentType.APPLICATION_FORM_URLENCODED));
            return p;
        });
        if (!r.isSuccess()) {
            throw loginFailure(r, cs);
        }
        return r.json();
    }

    private AzureException loginFailure(Http.Response r, Source.ClientSecret cs) {
        JsonNode n;
        try {
            n = r.json();
        } catch (AzureException e) {
            n = Http.JSON.createObjectNode();
        }
        String description = n.path("error_description").asText("");
        String error = n.path("error").asText("");
        Matcher m = AADSTS.matcher(description);
        String code = m.find() ? "AADSTS" + m.group(1) : error;
        String first = description.split("\\r?\\n")[0];
        int dot = first.indexOf(". ");
        String summary = dot > 0 ? first.substring(0, dot + 1) : first;
        String hint = switch (code) {
            case "AADSTS7000215", "AADSTS7000222" -> "the client secret from " + cs.origin()
                    + " is wrong or has expired; create a new one for the app registration";
            case "AADSTS700016" -> "no application with clientId " + cs.clientId() + " in tenant " + cs.tenantId();
            case "AADSTS90002" -> "tenant " + cs.tenantId() + " was not found; check tenantId";
            default -> "check tenantId, clientId and clientSecret";
        };
        return new AzureException(r.status(), code, "Azure login failed for client " + cs.clientId() + " in tenant "
                + cs.tenantId() + ": " + (summary.isEmpty() ? "HTTP " + r.status() + " " + error : summary)
                + " (hint: " + hint + ")", null);
    }

    private JsonNode azureCli(Source.AzureCli cli) {
        List<String> command = List.of(cli.command(), "account", "get-access-token", "--resource", resource + "/",
                "--output", "json");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AzureException(0, "", "'az account get-access-token' did not finish in 60 s", null);
            }
            if (p.exitValue() != 0) {
                throw new AzureException(401, "AzureCli", "no Azure credentials: no service principal in the config"
                        + " or AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, and 'az account get-access-token'"
                        + " failed: " + Http.abbreviate(new String(err, StandardCharsets.UTF_8)) + " (hint: run 'az"
                        + " login')", null);
            }
            return Http.JSON.readTree(out);
        } catch (IOException e) {
            throw new AzureException(401, "AzureCli", "no Azure credentials: no service principal in the config or"
                    + " AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, and the Azure CLI ('" + cli.command()
                    + "') cannot be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AzureException(0, "", "interrupted while running the Azure CLI", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
