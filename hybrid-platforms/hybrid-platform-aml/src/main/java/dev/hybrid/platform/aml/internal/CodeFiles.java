package dev.hybrid.platform.aml.internal;

import dev.hybrid.protocol.PythonSdk;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a job's code asset holds: the trial's code directory plus Hybrid's folder {@code .hybrid-aml/} (the MLflow
 * forwarder and the pure-Python {@code nni} module), and a SHA-256 over names and contents, so that an unchanged
 * directory is never uploaded twice.
 */
public final class CodeFiles {
    /** The folder, inside the uploaded code, that holds Hybrid's files. */
    public static final String HYBRID_DIR = ".hybrid-aml";
    /** The forwarder, relative to the code folder. */
    public static final String FORWARDER = HYBRID_DIR + "/forwarder.py";

    private final Map<String, Path> files;
    private final String hash;

    private CodeFiles(Map<String, Path> files, String hash) {
        this.files = files;
        this.hash = hash;
    }

    /** Collects the files, writing Hybrid's own under {@code staging}. */
    public static CodeFiles collect(Path codeDirectory, Path staging) throws IOException {
        Map<String, Path> files = new TreeMap<>();
        Path code = codeDirectory.toAbsolutePath().normalize();
        try (Stream<Path> walk = Files.walk(code, FileVisitOption.FOLLOW_LINKS)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    String rel = code.relativize(p).toString().replace('\\', '/');
                    if (!rel.startsWith(HYBRID_DIR + "/")) {
                        files.put(rel, p);
                    }
                }
            }
        }
        Path own = Files.createDirectories(staging.resolve(HYBRID_DIR));
        Path forwarder = own.resolve("forwarder.py");
        try (InputStream in = CodeFiles.class.getResourceAsStream("forwarder.py")) {
            if (in == null) {
                throw new IllegalStateException("resource forwarder.py is missing from the class path");
            }
            Files.write(forwarder, in.readAllBytes());
        }
        files.put(FORWARDER, forwarder);
        PythonSdk.installTo(own);
        for (String f : PythonSdk.FILES) {
            files.put(HYBRID_DIR + "/" + f, own.resolve(f));
        }
        return new CodeFiles(Map.copyOf(files), digest(files));
    }

    private static String digest(Map<String, Path> files) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (Map.Entry<String, Path> e : files.entrySet()) {
                d.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(Long.toString(Files.size(e.getValue())).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                d.update((byte) 0);
                try (InputStream in = Files.newInputStream(e.getValue())) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        d.update(buf, 0, n);
                    }
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files by their path inside the code folder, sorted. */
    public Map<String, Path> files() {
        return new TreeMap<>(files);
    }

    /** The content hash (hex SHA-256). */
    public String hash() {
        return hash;
    }
}
