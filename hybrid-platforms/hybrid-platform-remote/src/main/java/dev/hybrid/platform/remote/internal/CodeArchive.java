package dev.hybrid.platform.remote.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip-compressed tar archive (POSIX ustar, with PAX headers for long names) built in memory: the trial code
 * directory under {@code nni-code/}, minus what its {@code .nniignore} excludes, plus Hybrid's own files. What
 * {@code tar -xzf -} unpacks on the machine.
 */
public final class CodeArchive {
    private final byte[] bytes;
    private final String digest;
    private final int fileCount;

    private CodeArchive(byte[] bytes, int fileCount) {
        this.bytes = bytes;
        this.fileCount = fileCount;
        try {
            this.digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The archive's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Writes the archive to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes);
    }

    public int size() {
        return bytes.length;
    }

    /** How many files of the code directory it holds. */
    public int fileCount() {
        return fileCount;
    }

    /** A short content hash, to tell whether a machine already has this archive unpacked. */
    public String digest() {
        return digest;
    }

    /**
     * Packs {@code codeDir} under {@code nni-code/} honouring its {@code .nniignore}, and {@code extra} files (path →
     * content, executable when the path ends with {@code .sh}).
     */
    public static CodeArchive pack(Path codeDir, Map<String, byte[]> extra) throws IOException {
        Path ignoreFile = codeDir.resolve(".nniignore");
        IgnoreRules rules = Files.isRegularFile(ignoreFile) ? IgnoreRules.parse(Files.readString(ignoreFile))
                : IgnoreRules.none();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int files = 0;
        try (GZIPOutputStream gz = new GZIPOutputStream(buf, 1 << 16)) {
            Writer w = new Writer(gz);
            w.directory("nni-code/");
            List<Path> queue = new ArrayList<>();
            queue.add(codeDir);
            while (!queue.isEmpty()) {
                Path dir = queue.remove(0);
                List<Path> children;
                try (Stream<Path> s = Files.list(dir)) {
                    children = s.sorted().toList();
                }
                for (Path p : children) {
                    String rel = codeDir.relativize(p).toString().replace('\\', '/');
                    boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                    if (rules.isIgnored(rel, isDir)) {
                        continue;
                    }
                    if (Files.isSymbolicLink(p)) {
                        w.symlink("nni-code/" + rel, Files.readSymbolicLink(p).toString().replace('\\', '/'));
                    } else if (isDir) {
                        w.directory("nni-code/" + rel + "/");
                        queue.add(p);
                    } else if (Files.isRegularFile(p)) {
                        w.file("nni-code/" + rel, Files.readAllBytes(p), Files.isExecutable(p));
                        files++;
                    }
                }
            }
            Map<String, byte[]> sorted = new LinkedHashMap<>(extra);
            List<String> dirs = new ArrayList<>();
            for (String name : sorted.keySet()) {
                for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
                    String d = name.substring(0, i + 1);
                    if (!dirs.contains(d)) {
                        dirs.add(d);
                        w.directory(d);
                    }
                }
            }
            for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
                w.file(e.getKey(), e.getValue(), e.getKey().endsWith(".sh"));
            }
            w.finish();
        }
        return new CodeArchive(buf.toByteArray(), files);
    }

    /** Writes tar entries; timestamps are 0 so that the same content gives the same archive. */
    private static final class Writer {
        private final OutputStream out;

        Writer(OutputStream out) {
            this.out = out;
        }

        void directory(String name) throws IOException {
            entry(name, '5', 0755, new byte[0], "");
        }

        void file(String name, byte[] content, boolean executable) throws IOException {
            entry(name, '0', executable ? 0755 : 0644, content, "");
        }

        void symlink(String name, String target) throws IOException {
            entry(name, '2', 0777, new byte[0], target);
        }

        private void entry(String name, char type, int mode, byte[] content, String link) throws IOException {
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length > 100 || linkBytes.length > 100) {
                StringBuilder pax = new StringBuilder();
                if (nameBytes.length > 100) {
                    pax.append(paxRecord("path", name));
                }
                if (linkBytes.length > 100) {
                    pax.append(paxRecord("linkpath", link));
                }
                byte[] body = pax.toString().getBytes(StandardCharsets.UTF_8);
                header("PaxHeaders/" + Math.abs(name.hashCode()), 'x', 0644, body.length, "");
                out.write(body);
                pad(body.length);
            }
            header(name, type, mode, content.length, link);
            out.write(content);
            pad(content.length);
        }

        private static String paxRecord(String key, String value) {
            String rest = " " + key + "=" + value + "\n";
            int restLen = rest.getBytes(StandardCharsets.UTF_8).length;
            int len = restLen + 1;
            while (String.valueOf(len).length() + restLen != len) {
                len++;
            }
            return len + rest;
        }

        private void header(String name, char type, int mode, long size, String link) throws IOException {
            byte[] h = new byte[512];
            put(h, 0, 100, name);
            put(h, 100, 8, octal(mode, 7));
            put(h, 108, 8, octal(0, 7));
            put(h, 116, 8, octal(0, 7));
            put(h, 124, 12, octal(size, 11));
            put(h, 136, 12, octal(0, 11));
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            h[156] = (byte) type;
            put(h, 157, 100, link);
            put(h, 257, 6, "ustar");
            h[262] = 0;
            h[263] = '0';
            h[264] = '0';
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, 8, octal(sum, 6) + "\0 ");
            out.write(h);
        }

        private static String octal(long v, int width) {
            String s = Long.toOctalString(v);
            return "0".repeat(Math.max(0, width - s.length())) + s;
        }

        private static void put(byte[] h, int off, int len, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, h, off, Math.min(len, b.length));
        }

        private void pad(long size) throws IOException {
            int rem = (int) (size % 512);
            if (rem != 0) {
                out.write(new byte[512 - rem]);
            }
        }

        void finish() throws IOException {
            out.write(new byte[1024]);
        }
    }
}
