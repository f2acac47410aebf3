package dev.hybrid.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control-request table of a SQLite-stored experiment, in {@code db/control.sqlite} beside the experiment's
 * database. It is a database of its own because other processes write to it while the experiment runs: the
 * experiment's writer keeps a deferred transaction open between commits, and in WAL mode a transaction that read
 * before another connection committed cannot write any more ({@code SQLITE_BUSY_SNAPSHOT}); with the requests in
 * their own file, a requester never commits into the experiment's database. Every statement here commits on its
 * own. Thread-safe (synchronized).
 */
final class SqliteControlRequests implements AutoCloseable {
    static final String FILE_NAME = "control.sqlite";

    private static final Logger log = LoggerFactory.getLogger(SqliteControlRequests.class);
    private static final String COLUMNS = "id, kind, argument, source, requested, state, handled, reason";

    private final Path file;
    private Connection connection;

    SqliteControlRequests(Path dbDir) {
        this.file = dbDir.resolve(FILE_NAME);
    }

    /** Whether the table's file exists (nobody asked anything before it is made). */
    boolean exists() {
        return Files.isRegularFile(file);
    }

    private synchronized Connection connection() throws SQLException {
        if (connection == null) {
            if (!Files.exists(file) && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // the other side made it first
                } catch (IOException e) {
                    throw new StoreException("cannot create " + file + ": " + e.getMessage(), e);
                }
            }
            Properties props = new Properties();
            props.setProperty("busy_timeout", "5000");
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, props);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS control_requests (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
                        + " argument TEXT NOT NULL, source TEXT NOT NULL, requested INTEGER NOT NULL,"
                        + " state TEXT NOT NULL, handled INTEGER, reason TEXT)");
                // The running experiment asks for pending requests twice a second: this index makes that one lookup
                // of an (almost always) empty range, however many requests were ever made.
                s.execute("CREATE INDEX IF NOT EXISTS control_requests_pending ON control_requests(id)"
                        + " WHERE state = 'PENDING'");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    synchronized long insert(ControlRequest request, String source, Instant at) {
        try (PreparedStatement ps = connection().prepareStatement("INSERT INTO control_requests (kind, argument,"
                + " source, requested, state) VALUES (?, ?, ?, ?, 'PENDING')")) {
            ps.setString(1, request.kind());
            ps.setString(2, request.argument());
            ps.setString(3, source);
            ps.setLong(4, at.toEpochMilli());
            ps.executeUpdate();
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT last_insert_rowid()")) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot record a control request in " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized Optional<ControlResult> find(long id) {
        if (connection == null && !exists()) {
            return Optional.empty();
        }
        List<ControlResult> found = query("SELECT " + COLUMNS + " FROM control_requests WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    synchronized List<ControlResult> pending() {
        if (connection == null && !exists()) {
            return List.of();
        }
        return query("SELECT " + COLUMNS + " FROM control_requests WHERE state = 'PENDING' ORDER BY id", null);
    }

    synchronized void handled(long id, Optional<String> refusal, Instant at) {
        try (PreparedStatement ps = connection().prepareStatement("UPDATE control_requests SET state = ?,"
                + " handled = ?, reason = ? WHERE id = ? AND state = 'PENDING'")) {
            ps.setString(1, refusal.isPresent() ? "REFUSED" : "APPLIED");
            ps.setLong(2, at.toEpochMilli());
            ps.setString(3, refusal.orElse(null));
            ps.setLong(4, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot record the outcome of control request " + id + " in " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private List<ControlResult> query(String sql, Long id) {
        List<ControlResult> out = new ArrayList<>();
        List<Long> unreadable = new ArrayList<>();
        try (PreparedStatement ps = connection().prepareStatement(sql)) {
            if (id != null) {
                ps.setLong(1, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ControlRequest request;
                    try {
                        request = ControlRequest.of(rs.getString(2), rs.getString(3));
                    } catch (IllegalArgumentException e) {
                        // Written by something else than requestControl: refused below, never applied.
                        log.warn("Ignoring control request {} in {}: {}", rs.getLong(1), file, e.getMessage());
                        unreadable.add(rs.getLong(1));
                        continue;
                    }
                    long handled = rs.getLong(7);
                    Optional<Instant> handledAt = rs.wasNull() ? Optional.empty()
                            : Optional.of(Instant.ofEpochMilli(handled));
                    out.add(new ControlResult(rs.getLong(1), request, rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5)), ControlResult.State.valueOf(rs.getString(6)),
                            handledAt, Optional.ofNullable(rs.getString(8))));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read control requests from " + file + ": " + e.getMessage(), e);
        }
        for (long bad : unreadable) {
            handled(bad, Optional.of("not a valid control request"), Instant.now());
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the requests were committed one by one; nothing is lost
            }
            connection = null;
        }
    }
}
