package dev.hybrid.platform.remote.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip-compressed tar archive (POSIX ustar, with PAX headers for long names and files of 8 GiB or more) of the trial
 * code directory under {@code nni-code/}, minus what its {@code .nniignore} excludes, plus Hybrid's own files: what
 * {@code tar -xzf -} unpacks on the machine.
 *
 * <p>{@link #pack} only lists the files (and checks that each can be read, naming those that cannot);
 * {@link #writeTo} streams them, so memory stays constant whatever the files' sizes. The {@link #digest()} covers the
 * names, sizes, modes and modification times of the code files and the content of Hybrid's own, like a quick
 * {@code rsync} check: a file changed in place with the same size and time is not noticed.
 */
public final class CodeArchive {
    /** The largest size a ustar header holds (11 octal digits); larger files get a PAX {@code size} record. */
    private static final long USTAR_MAX_SIZE = 077777777777L;

    /** One archive member: a directory, a symlink, a code file read from disk, or one of Hybrid's files. */
    private record Entry(String name, char type, int mode, long size, Path source, byte[] content, String link) {
    }

    /** A code file could not be read while packing: a problem of this computer, not of the machine. */
    public static final class UnreadableFile extends IOException {
        UnreadableFile(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final List<Entry> entries;
    private final String digest;
    private final int fileCount;
    private final long size;

    private CodeArchive(List<Entry> entries, String digest, int fileCount, long size) {
        this.entries = List.copyOf(entries);
        this.digest = digest;
        this.fileCount = fileCount;
        this.size = size;
    }

    /**
     * Writes the archive to {@code out}, reading each file as it goes; {@code out} is not closed.
     *
     * @throws UnreadableFile if a code file cannot be read now or changed size since {@link #pack} (named)
     * @throws IOException if writing to {@code out} fails
     */
    public void writeTo(OutputStream out) throws IOException {
        OutputStream shield = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
        // Fastest compression: the upload is bound by the CPU for large files, not by loopback or LAN bandwidth.
        try (GZIPOutputStream gz = new GZIPOutputStream(shield, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            Writer w = new Writer(gz);
            for (Entry e : entries) {
                w.entry(e);
            }
            w.finish();
        }
    }

    /** The total size of the files it holds, uncompressed. */
    public long size() {
        return size;
    }

    /** How many files of the code directory it holds. */
    public int fileCount() {
        return fileCount;
    }

    /** A short hash, to tell whether a machine already has this archive unpacked. */
    public String digest() {
        return digest;
    }

    /**
     * Lists {@code codeDir} under {@code nni-code/} honouring its {@code .nniignore}, and {@code extra} files (path →
     * content, executable when the path ends with {@code .sh}). Reads no file content but the ignore file.
     *
     * @throws UnreadableFile naming the files (relative to {@code codeDir}) that cannot be read
     * @throws IOException if a directory cannot be listed
     */
    public static CodeArchive pack(Path codeDir, Map<String, byte[]> extra) throws IOException {
        Path ignoreFile = codeDir.resolve(".nniignore");
        IgnoreRules rules = Files.isRegularFile(ignoreFile) ? IgnoreRules.parse(Files.readString(ignoreFile))
                : IgnoreRules.none();
        MessageDigest sha = sha256();
        List<Entry> entries = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        int files = 0;
        long total = 0;
        entries.add(new Entry("nni-code/", '5', 0755, 0, null, null, ""));
        List<Path> queue = new ArrayList<>();
        queue.add(codeDir);
        while (!queue.isEmpty()) {
            Path dir = queue.remove(0);
            List<Path> children;
            try (Stream<Path> s = Files.list(dir)) {
                children = s.sorted().toList();
            } catch (IOException e) {
                unreadable.add(codeDir.relativize(dir) + "/ (" + reason(e) + ")");
                continue;
            }
            for (Path p : children) {
                String rel = codeDir.relativize(p).toString().replace('\\', '/');
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (rules.isIgnored(rel, a.isDirectory())) {
                    continue;
                }
                if (a.isSymbolicLink()) {
                    entries.add(new Entry("nni-code/" + rel, '2', 0777, 0, null, null,
                            Files.readSymbolicLink(p).toString().replace('\\', '/')));
                } else if (a.isDirectory()) {
                    entries.add(new Entry("nni-code/" + rel + "/", '5', 0755, 0, null, null, ""));
                    queue.add(p);
                } else if (a.isRegularFile()) {
                    try (FileChannel ignored = FileChannel.open(p, StandardOpenOption.READ)) {
                        // opening proves it can be read; the content is read only when the archive is written
                    } catch (IOException e) {
                        unreadable.add(rel + " (" + reason(e) + ")");
                        continue;
                    }
                    int mode = Files.isExecutable(p) ? 0755 : 0644;
                    entries.add(new Entry("nni-code/" + rel, '0', mode, a.size(), p, null, ""));
                    sha.update((rel + "\0" + mode + "\0" + a.size() + "\0" + a.lastModifiedTime().toMillis() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                    files++;
                    total += a.size();
                }
            }
        }
        if (!unreadable.isEmpty()) {
            throw new UnreadableFile("cannot read " + unreadable.size() + " file(s) of the code directory " + codeDir
                    + ": " + String.join(", ", unreadable.subList(0, Math.min(10, unreadable.size())))
                    + (unreadable.size() > 10 ? ", ..." : "") + "; fix their permissions or list them in "
                    + ".nniignore", null);
        }
        List<String> dirs = new ArrayList<>();
        for (String name : extra.keySet()) {
            for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
                String d = name.substring(0, i + 1);
                if (!dirs.contains(d)) {
                    dirs.add(d);
                    entries.add(new Entry(d, '5', 0755, 0, null, null, ""));
                }
            }
        }
        for (Map.Entry<String, byte[]> e : extra.entrySet()) {
            byte[] content = e.getValue().clone();
            entries.add(new Entry(e.getKey(), '0', e.getKey().endsWith(".sh") ? 0755 : 0644, content.length, null,
                    content, ""));
            sha.update((e.getKey() + "\0").getBytes(StandardCharsets.UTF_8));
            sha.update(content);
            total += content.length;
        }
        String digest = HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        return new CodeArchive(entries, digest, files, total);
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no longer exists";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes tar entries; timestamps are 0 so that the same content gives the same archive. */
    private static final class Writer {
        private final OutputStream out;
        private final byte[] buffer = new byte[1 << 16];

        Writer(OutputStream out) {
            this.out = out;
        }

        void entry(Entry e) throws IOException {
            byte[] nameBytes = e.name().getBytes(StandardCharsets.UTF_8);
            byte[] linkBytes = e.link().getBytes(StandardCharsets.UTF_8);
            boolean bigFile = e.size() > USTAR_MAX_SIZE;
            if (nameBytes.length > 100 || linkBytes.length > 100 || bigFile) {
                StringBuilder pax = new StringBuilder();
                if (nameBytes.length > 100) {
                    pax.append(paxRecord("path", e.name()));
                }
                if (linkBytes.length > 100) {
                    pax.append(paxRecord("linkpath", e.link()));
                }
                if (bigFile) {
                    pax.append(paxRecord("size", Long.toString(e.size())));
                }
                byte[] body = pax.toString().getBytes(StandardCharsets.UTF_8);
                header("PaxHeaders/" + Math.abs(e.name().hashCode()), 'x', 0644, body.length, "");
                out.write(body);
                pad(body.length);
            }
            header(e.name(), e.type(), e.mode(), bigFile ? 0 : e.size(), e.link());
            if (e.content() != null) {
                out.write(e.content());
            } else if (e.source() != null) {
                copy(e);
            }
            pad(e.size());
        }

        /** Copies exactly the size listed: a file that changed size since would corrupt the archive. */
        private void copy(Entry e) throws IOException {
            String rel = e.name().substring("nni-code/".length());
            long left = e.size();
            try (InputStream in = Files.newInputStream(e.source())) {
                while (left > 0) {
                    int n;
                    try {
                        n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    } catch (IOException x) {
                        throw new UnreadableFile("cannot read " + rel + " of the code directory: " + reason(x), x);
                    }
                    if (n < 0) {
                        throw new UnreadableFile(rel + " of the code directory shrank while it was being uploaded"
                                + " (from " + e.size() + " to " + (e.size() - left) + " bytes)", null);
                    }
                    out.write(buffer, 0, n);
                    left -= n;
                }
            } catch (UnreadableFile x) {
                throw x;
            } catch (java.nio.file.FileSystemException x) {
                throw new UnreadableFile("cannot read " + rel + " of the code directory: " + reason(x), x);
            }
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
