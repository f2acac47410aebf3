package dev.hybrid.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bare HTTP/1.1 client over a socket, so that tests can send any {@code Host} and {@code Origin} header (the JDK's
 * client refuses to set {@code Host}).
 */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final int port;

    public Http(int port) {
        this.port = port;
    }

    /** A response: its status and body. */
    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    public int port() {
        return port;
    }

    public Response get(String path) throws IOException {
        return send("GET", path, Map.of(), "");
    }

    public Response get(String path, Map<String, String> headers) throws IOException {
        return send("GET", path, headers, "");
    }

    public Response post(String path, Map<String, String> headers, String body) throws IOException {
        return send("POST", path, headers, body);
    }

    public Response send(String method, String path, Map<String, String> headers, String body) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + port);
        h.putAll(headers);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        h.forEach((k, v) -> {
            if (v != null) {
                req.append(k).append(": ").append(v).append("\r\n");
            }
        });
        req.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            // The server always sends a Content-Length (never chunks) and closes: the body is the rest.
            return new Response(status, text.substring(text.indexOf("\r\n\r\n") + 4));
        }
    }
}
