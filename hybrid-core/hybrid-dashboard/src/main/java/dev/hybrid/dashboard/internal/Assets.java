package dev.hybrid.dashboard.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/** The page, its script and style, and echarts from its webjar, read once from the class path. */
public final class Assets {
    private static final String WEB = "/dev/hybrid/dashboard/web/";

    private final String page;
    private final Map<String, DashboardServer.Response> files;

    private Assets(String page, Map<String, DashboardServer.Response> files) {
        this.page = page;
        this.files = files;
    }

    static Assets load() {
        return new Assets(text("index.html"), Map.of(
                "/app.js", new DashboardServer.Response(200, "text/javascript; charset=utf-8", bytes(WEB + "app.js")),
                "/app.css", new DashboardServer.Response(200, "text/css; charset=utf-8", bytes(WEB + "app.css")),
                "/echarts.min.js", new DashboardServer.Response(200, "text/javascript; charset=utf-8",
                        echarts().getBytes(StandardCharsets.UTF_8))));
    }

    boolean has(String path) {
        return path.equals("/") || files.containsKey(path);
    }

    DashboardServer.Response get(String path) {
        return files.get(path);
    }

    /** The page, with the token the page sends with its requests. */
    DashboardServer.Response page(String token) {
        return new DashboardServer.Response(200, "text/html; charset=utf-8",
                page.replace("{{TOKEN}}", token).getBytes(StandardCharsets.UTF_8));
    }

    /** One of the page's files as text. */
    public static String text(String name) {
        return new String(bytes(WEB + name), StandardCharsets.UTF_8);
    }

    /** echarts' full minified build, from the webjar of the version on the class path. */
    public static String echarts() {
        Properties p = new Properties();
        try (InputStream in = Assets.class.getResourceAsStream(
                "/META-INF/maven/org.webjars.npm/echarts/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the echarts webjar (org.webjars.npm:echarts) is not on the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String(bytes("/META-INF/resources/webjars/echarts/" + p.getProperty("version")
                + "/dist/echarts.min.js"), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
