package dev.hybrid.store;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.space.Parameters;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricFormatException;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The embedded default store: one SQLite database per experiment, {@code <experimentDir>/db/experiment.sqlite},
 * holding the experiment (its settings as JSON, status, start and end, elapsed budget, revision), its trials, their
 * events and every metric (the value's JSON text as received, in the order reported).
 *
 * <p>A <b>writer</b> ({@link #forWriting}) takes an exclusive lock on {@code db/experiment.lock} when it opens, so
 * a second process cannot run or resume the same experiment; the operating system drops the lock when the process
 * dies, however it dies. It writes in WAL mode inside one open transaction that {@link #commit()} ends, so the
 * experiment thread can batch many events into one commit. With {@code synchronous=NORMAL}, a commit survives the
 * process being killed; only a power loss may take back the last commits. A <b>reader</b> ({@link #readOnly})
 * opens an existing database without the lock and can read while a writer runs; each read sees what the writer had
 * committed by then, however long the reader stays open.
 *
 * <p>The schema carries a version ({@code PRAGMA user_version}); opening an older database migrates it, and a
 * database from a newer version is refused. Not thread-safe: one thread uses a store at a time.
 */
public final class SqliteExperimentStore implements ExperimentStore {
    /** The file name under {@code <experimentDir>/db/}. */
    public static final String FILE_NAME = "experiment.sqlite";
    /** The schema version this code writes. */
    public static final int SCHEMA_VERSION = 4;

    /** Migrations: entry {@code i} brings a database from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
        "CREATE TABLE experiment (id TEXT PRIMARY KEY, name TEXT, config TEXT NOT NULL, optimize_mode TEXT NOT NULL,"
                + " status TEXT NOT NULL, started INTEGER, ended INTEGER, elapsed_ms INTEGER NOT NULL,"
                + " revision INTEGER NOT NULL)",
        "CREATE TABLE trials (id TEXT PRIMARY KEY, sequence INTEGER NOT NULL, parameter_id INTEGER NOT NULL,"
                + " parameters TEXT NOT NULL, platform TEXT NOT NULL, status TEXT NOT NULL, attempt INTEGER NOT NULL,"
                + " submitted INTEGER NOT NULL, started INTEGER, ended INTEGER, exit_code INTEGER,"
                + " message TEXT NOT NULL, final_value REAL)",
        "CREATE INDEX trials_by_sequence ON trials(sequence)",
        "CREATE INDEX trials_by_status ON trials(status)",
        "CREATE INDEX trials_by_final_value ON trials(final_value, sequence)",
        "CREATE TABLE trial_events (trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, event TEXT NOT NULL,"
                + " at INTEGER NOT NULL, detail TEXT NOT NULL)",
        "CREATE TABLE metrics (trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, type TEXT NOT NULL,"
                + " sequence INTEGER NOT NULL, value TEXT NOT NULL, at INTEGER NOT NULL,"
                + " PRIMARY KEY (trial_id, attempt, type, sequence)) WITHOUT ROWID",
        "CREATE TABLE imported (position INTEGER PRIMARY KEY, parameters TEXT NOT NULL, value TEXT NOT NULL)"),
        // Version 2 keeps every metric in the order it was reported: version 1 keyed metrics by their sequence and
        // dropped an intermediate result whose sequence was missing (0) or repeated. Existing rows keep the order
        // version 1 showed them in (intermediate results by sequence, the final one last).
        List.of(
        "CREATE TABLE metrics_v2 (trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, position INTEGER NOT NULL,"
                + " type TEXT NOT NULL, sequence INTEGER NOT NULL, value TEXT NOT NULL, at INTEGER NOT NULL,"
                + " PRIMARY KEY (trial_id, attempt, position)) WITHOUT ROWID",
        "INSERT INTO metrics_v2 (trial_id, attempt, position, type, sequence, value, at)"
                + " SELECT trial_id, attempt, ROW_NUMBER() OVER (PARTITION BY trial_id, attempt"
                + " ORDER BY type = 'FINAL', sequence) - 1, type, sequence, value, at FROM metrics",
        "DROP TABLE metrics",
        "ALTER TABLE metrics_v2 RENAME TO metrics",
        "CREATE UNIQUE INDEX metrics_one_final ON metrics(trial_id, attempt) WHERE type = 'FINAL'",
        // A trial that ended with a bare NaN or ±Infinity final result fails, as it does from version 2 on.
        "UPDATE trials SET status = 'FAILED', message = 'bad final metric: a result must be a finite number, was '"
                + " || (SELECT f.value FROM metrics f WHERE f.trial_id = trials.id AND f.attempt = trials.attempt"
                + " AND f.type = 'FINAL') WHERE status = 'SUCCEEDED' AND EXISTS (SELECT 1 FROM metrics f"
                + " WHERE f.trial_id = trials.id AND f.attempt = trials.attempt AND f.type = 'FINAL'"
                + " AND f.value IN ('NaN', 'Infinity', '-Infinity'))"),
        // Version 3 records the machine (host:port) that ran a trial's current attempt, where its platform names
        // one; each attempt's machine also stays in trial_events (event MACHINE). Earlier trials have none.
        List.of("ALTER TABLE trials ADD COLUMN machine TEXT"),
        // Version 4 keeps the history of changes made to the running experiment (its limits, a stop, a cancelled
        // trial) and who made them. Earlier experiments have none.
        List.of("CREATE TABLE changes (position INTEGER PRIMARY KEY, at INTEGER NOT NULL, field TEXT NOT NULL,"
                + " old_value TEXT NOT NULL, new_value TEXT NOT NULL, source TEXT NOT NULL)"));

    private static final String TRIAL_COLUMNS = "t.id, t.sequence, t.parameter_id, t.parameters, t.platform,"
            + " t.status, t.attempt, t.submitted, t.started, t.ended, t.exit_code, t.message,"
            + " f.value, f.at, ";
    private static final String FINAL_JOIN = " FROM trials t LEFT JOIN metrics f ON f.trial_id = t.id"
            + " AND f.attempt = t.attempt AND f.type = 'FINAL'";

    /**
     * The lock files this JVM holds. The lock is a POSIX record lock, and closing any descriptor of the file releases
     * every such lock the process holds on it, so this JVM must never open (and close) its own lock file to probe or
     * read it: {@link #isInUse} and {@link #runningOwner} answer from here instead.
     */
    private static final Set<Path> HELD_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path file;
    private final boolean writer;
    /** Whether the database must already hold an experiment's schema (readers, resuming, importing). */
    private final boolean existing;
    /** The writer's database file as the file system identifies it (inode), to notice it deleted or replaced. */
    private Object fileKey;
    /** Why the writer's records are no longer durable, once {@link #commit()} noticed; null while they are. */
    private String lost;
    private Connection connection;
    private FileChannel lockChannel;
    /** The empty database file this store made before SQLite opened it: a failed open removes it again. */
    private Path createdDatabaseFile;
    private FileLock lock;
    /** The lock file did not exist before this store opened: a failed open removes it again, leaving no trace. */
    private Path createdLockFile;
    private boolean dirty;
    /** How many commits this store made, which SQLite's data_version does not count. */
    private long ownCommits;
    private boolean closed;
    /** A reader that reads the file as immutable: the file's size, time and key when it opened; else null. */
    private List<Object> frozenAs;
    /** How often a reader opened the database again after another process took it over. */
    private long reopened;
    /** How a trial's metrics are ordered when read: as reported (by position), except in a version 1 database. */
    private String metricOrder = "m.position";
    /** The trials' machine column: none before version 3, which a reader reads as it is. */
    private String machineColumn = "t.machine";
    /** Whether the database has the changes table: not before version 4, which a reader reads as it is. */
    private boolean hasChanges = true;
    /** The control requests beside the database, opened on first use. */
    private final SqliteControlRequests controls;
    /** The current attempt of each trial this writer knows, for the metric rows. */
    private final Map<TrialId, Integer> attempts = new HashMap<>();
    /** The position of the next metric of each trial's current attempt, once looked up. */
    private final Map<TrialId, Integer> nextPositions = new HashMap<>();
    private PreparedStatement insertMetric;
    private PreparedStatement insertFinal;
    private PreparedStatement lastPosition;
    private PreparedStatement insertEvent;
    private PreparedStatement updateStarted;
    private PreparedStatement updateMessage;
    private PreparedStatement updatePlatform;
    private PreparedStatement updateMachine;
    private PreparedStatement updateEnded;
    private PreparedStatement updateFinalValue;
    private PreparedStatement upsertTrial;

    private SqliteExperimentStore(Path file, boolean writer, boolean existing) {
        this.file = Objects.requireNonNull(file, "file");
        this.writer = writer;
        this.existing = existing;
        this.controls = new SqliteControlRequests(file.getParent());
    }

    /** The database file of the experiment in {@code experimentDir}. */
    public static Path databaseFile(Path experimentDir) {
        return experimentDir.resolve("db").resolve(FILE_NAME);
    }

    /**
     * A store that the experiment in {@code experimentDir} runs with: {@link #open()} creates the database if it
     * does not exist yet and takes the experiment's lock.
     */
    public static SqliteExperimentStore forWriting(Path experimentDir) {
        return new SqliteExperimentStore(databaseFile(experimentDir), true, false);
    }

    /**
     * A store that writes to an existing experiment's database only: {@link #open()} fails if there is none, and
     * takes the experiment's lock (as resuming and importing need).
     */
    public static SqliteExperimentStore existingForWriting(Path experimentDir) {
        Path f = databaseFile(experimentDir);
        if (!Files.isRegularFile(f)) {
            throw new StoreException("no experiment database at " + f);
        }
        return new SqliteExperimentStore(f, true, true);
    }

    /** A store that reads an existing experiment's database, even while the experiment runs. */
    public static SqliteExperimentStore readOnly(Path experimentDir) {
        return new SqliteExperimentStore(databaseFile(experimentDir), false, true);
    }

    /**
     * Whether a process holds the experiment in {@code experimentDir} right now (runs, resumes or imports into it).
     * An experiment whose stored status is not finished but that nobody holds was interrupted: its process died.
     */
    public static boolean isInUse(Path experimentDir) {
        Path lockFile = databaseFile(experimentDir).resolveSibling("experiment.lock");
        if (HELD_HERE.contains(lockFile.toAbsolutePath().normalize())) {
            return true;
        }
        if (!Files.isRegularFile(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    @Override
    public void open() {
        if (connection != null) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("store " + file + " is closed");
        }
        try {
            if (writer) {
                makePrivate();
                takeLock();
            } else if (!Files.isRegularFile(file)) {
                throw new StoreException("no experiment database at " + file);
            }
            if (writer) {
                Properties props = new Properties();
                props.setProperty("busy_timeout", "5000");
                connection = DriverManager.getConnection("jdbc:sqlite:" + file, props);
            } else {
                connection = readConnection();
            }
            try (Statement s = connection.createStatement()) {
                int version;
                try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                    version = rs.next() ? rs.getInt(1) : 0;
                }
                // Reading the schema catches a file that is not a database at all.
                int tables;
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
                    tables = rs.next() ? rs.getInt(1) : 0;
                }
                // An empty file (or database) is no experiment: only a new experiment's store may create the schema.
                if (existing && version == 0 && tables == 0) {
                    throw new StoreException(file + " is empty: not an experiment database");
                }
                if (writer) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=NORMAL");
                }
                if (version > SCHEMA_VERSION) {
                    throw new StoreException(file + " has schema version " + version + ", newer than this hybrid's "
                            + SCHEMA_VERSION + "; use a newer hybrid");
                }
                if (version >= 1 && version < SCHEMA_VERSION && !writer) {
                    // Versions 1 to 3 can be read as they are (version 1's metrics in sequence order, no machines
                    // before 3, no changes before 4): reading never writes.
                    metricOrder = version == 1 ? "m.sequence" : metricOrder;
                    machineColumn = version < 3 ? "NULL" : machineColumn;
                    hasChanges = false;
                } else if (version < SCHEMA_VERSION) {
                    if (!writer) {
                        throw new StoreException(file + " has schema version " + version + " and needs migrating; "
                                + "resume the experiment once to migrate it");
                    }
                    migrate(s, version);
                }
            }
            // A writer batches its writes into one transaction per commit. A reader reads each time in a transaction
            // of its own, so that one kept open (a dashboard, hybrid view) sees what the writer commits later: in a
            // transaction left open it would go on reading the snapshot of its first read.
            connection.setAutoCommit(!writer);
            if (writer) {
                prepare();
                loadAttempts();
                fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            }
        } catch (SQLException e) {
            failedOpen();
            throw new StoreException(describe(e), e);
        } catch (IOException e) {
            failedOpen();
            throw new StoreException("cannot open " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            failedOpen();
            throw e;
        }
        createdLockFile = null;
        createdDatabaseFile = null;
    }

    /**
     * A reader's connection. Where nobody writes the database and everything is in the file itself, it reads it as
     * an immutable file: a read-only connection to a WAL database would otherwise create its -wal and -shm files, and
     * a reader never writes. (After a crash the last commits are still in the -wal file; then the reader reads it the
     * usual way, which needs the -shm file.) An immutable reader notes the file's size and time, so that it can tell
     * when a writer takes the database over (see {@link #connection()}).
     */
    private Connection readConnection() throws SQLException, IOException {
        Properties props = new Properties();
        props.setProperty("busy_timeout", "5000");
        props.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        String url = "jdbc:sqlite:" + file;
        frozenAs = null;
        if (!isInUse(file.getParent().getParent()) && walIsEmpty()) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            frozenAs = List.of(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey() == null ? ""
                    : attributes.fileKey());
            props.setProperty("open_mode", String.valueOf(0x01 | 0x40)); // READONLY | URI
            url = "jdbc:sqlite:file:" + file.toAbsolutePath().toUri().getRawPath() + "?immutable=1";
        }
        Connection c = DriverManager.getConnection(url, props);
        c.setAutoCommit(true);
        return c;
    }

    /**
     * Whether this reader reads the database as an immutable file that someone has since taken over: a process
     * holds the experiment now (a resume), or the file or its WAL changed. SQLite does not look for changes to an
     * immutable file, so such a reader would go on showing the old state, or read pages that a checkpoint is
     * rewriting. A writer takes the lock before it opens the database and writes into the WAL before the file itself,
     * so the lock shows the takeover before any write.
     */
    private boolean frozenFileTakenOver() {
        if (frozenAs == null) {
            return false;
        }
        if (isInUse(file.getParent().getParent()) || !walIsEmpty()) {
            return true;
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return !frozenAs.equals(List.of(attributes.size(), attributes.lastModifiedTime(),
                    attributes.fileKey() == null ? "" : attributes.fileKey()));
        } catch (IOException e) {
            return true;
        }
    }

    private boolean walIsEmpty() {
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        try {
            return !Files.exists(wal) || Files.size(wal) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private void failedOpen() {
        boolean held = lock != null;
        closeQuietly();
        if (createdDatabaseFile != null) {
            try {
                if (Files.size(createdDatabaseFile) == 0) {
                    Files.deleteIfExists(createdDatabaseFile);
                }
            } catch (IOException ignored) {
                // an empty database file left behind is read as no experiment at all
            }
        }
        if (held && createdLockFile != null) {
            try {
                Files.deleteIfExists(createdLockFile);
            } catch (IOException ignored) {
                // an empty lock file left behind is harmless
            }
        }
    }

    private String describe(SQLException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("NOTADB") || msg.contains("not a database") || msg.contains("CORRUPT")
                || msg.contains("malformed")) {
            return file + " is not a valid experiment database (corrupt?): " + msg;
        }
        if (msg.contains("BUSY") || msg.contains("LOCKED") || msg.contains("locked")) {
            return file + " is locked by another process: " + msg;
        }
        return "experiment database " + file + ": " + msg;
    }

    /**
     * Creates the experiment and database folders private to the user (0700) and the database files 0600, and makes
     * an older experiment's so: trial parameters, results and settings are nobody else's business. SQLite gives its
     * WAL and shared-memory files the database file's permissions, so the database file is made before SQLite opens
     * it (an empty file is a new database to SQLite).
     */
    private void makePrivate() throws IOException {
        Path dbDir = file.getParent();
        Path experimentDir = dbDir.getParent();
        Set<PosixFilePermission> dirMode = PosixFilePermissions.fromString("rwx------");
        Set<PosixFilePermission> fileMode = PosixFilePermissions.fromString("rw-------");
        boolean posix = experimentDir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!posix) {
            Files.createDirectories(dbDir);
            return;
        }
        for (Path d : List.of(experimentDir, dbDir)) {
            if (!Files.isDirectory(d)) {
                Files.createDirectories(d, PosixFilePermissions.asFileAttribute(dirMode));
            }
            Files.setPosixFilePermissions(d, dirMode);
        }
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(fileMode));
                createdDatabaseFile = file;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another process made it first: its lock decides who runs
            }
        }
        for (String name : List.of(FILE_NAME, FILE_NAME + "-wal", FILE_NAME + "-shm", "experiment.lock")) {
            Path f = dbDir.resolve(name);
            if (Files.exists(f)) {
                Files.setPosixFilePermissions(f, fileMode);
            }
        }
    }

    private void takeLock() throws IOException {
        Path lockFile = file.resolveSibling("experiment.lock");
        createdLockFile = Files.exists(lockFile) ? null : lockFile;
        lockChannel = lockFile.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            String by = runningOwner(file.getParent().getParent()).map(o -> " (process " + o.pid() + ")").orElse("");
            throw new StoreException("the experiment in " + file.getParent().getParent()
                    + " is in use by another run" + by + " (its database is locked)");
        }
        // Who holds the lock, for runningOwner(): the pid alone could be a later process's after a crash, but the
        // lock itself says whether the holder lives; the start time tells a reused pid apart for the curious.
        ExperimentOwner me = ExperimentOwner.current();
        String owner = me.pid() + " " + me.processStart().map(Instant::toString).orElse("-") + "\n";
        HELD_HERE.add(lockFile.toAbsolutePath().normalize());
        lockChannel.truncate(0);
        lockChannel.write(java.nio.ByteBuffer.wrap(owner.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
    }

    /**
     * The process that holds the experiment in {@code experimentDir} right now (runs, resumes or imports into it),
     * as it recorded itself in the lock file; empty when nobody holds it, or the holder recorded nothing (a
     * version before this record).
     */
    public static Optional<ExperimentOwner> runningOwner(Path experimentDir) {
        if (!isInUse(experimentDir)) {
            return Optional.empty();
        }
        if (HELD_HERE.contains(databaseFile(experimentDir).resolveSibling("experiment.lock").toAbsolutePath()
                .normalize())) {
            return Optional.of(ExperimentOwner.current());
        }
        try {
            String[] parts = Files.readString(databaseFile(experimentDir).resolveSibling("experiment.lock"),
                    java.nio.charset.StandardCharsets.US_ASCII).trim().split(" ");
            if (parts.length != 2) {
                return Optional.empty();
            }
            return Optional.of(new ExperimentOwner(Long.parseLong(parts[0]),
                    parts[1].equals("-") ? Optional.empty() : Optional.of(Instant.parse(parts[1]))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private void migrate(Statement s, int from) throws SQLException {
        connection.setAutoCommit(false);
        for (int v = from; v < SCHEMA_VERSION; v++) {
            for (String sql : MIGRATIONS.get(v)) {
                s.execute(sql);
            }
        }
        s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
        connection.commit();
    }

    private void prepare() throws SQLException {
        String metricColumns = " INTO metrics (trial_id, attempt, type, sequence, value, at, position)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)";
        insertMetric = connection.prepareStatement("INSERT" + metricColumns);
        // An attempt has one final result, the first one reported (as the experiment keeps it); the unique index
        // metrics_one_final turns a later one into no row.
        insertFinal = connection.prepareStatement("INSERT OR IGNORE" + metricColumns);
        lastPosition = connection.prepareStatement("SELECT max(position) FROM metrics WHERE trial_id = ?"
                + " AND attempt = ?");
        insertEvent = connection.prepareStatement("INSERT INTO trial_events (trial_id, attempt, event, at, detail)"
                + " VALUES (?, ?, ?, ?, ?)");
        updateStarted = connection.prepareStatement("UPDATE trials SET status = 'RUNNING', started = ?, message = ''"
                + " WHERE id = ?");
        updateMessage = connection.prepareStatement("UPDATE trials SET message = ? WHERE id = ? AND status = 'WAITING'");
        updatePlatform = connection.prepareStatement("UPDATE trials SET platform = ? WHERE id = ?");
        updateMachine = connection.prepareStatement("UPDATE trials SET machine = ? WHERE id = ?");
        updateEnded = connection.prepareStatement("UPDATE trials SET status = ?, exit_code = ?, message = ?,"
                + " ended = ? WHERE id = ?");
        updateFinalValue = connection.prepareStatement("UPDATE trials SET final_value = ? WHERE id = ?");
        upsertTrial = connection.prepareStatement("INSERT INTO trials (id, sequence, parameter_id, parameters,"
                + " platform, status, attempt, submitted, started, ended, exit_code, message, final_value)"
                + " VALUES (?, ?, ?, ?, ?, 'WAITING', ?, ?, NULL, NULL, NULL, '', NULL)"
                + " ON CONFLICT(id) DO UPDATE SET platform = excluded.platform, status = 'WAITING',"
                + " attempt = excluded.attempt, submitted = excluded.submitted, started = NULL, ended = NULL,"
                + " exit_code = NULL, message = '', final_value = NULL, machine = NULL");
    }

    private void loadAttempts() throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, attempt FROM trials")) {
            while (rs.next()) {
                attempts.put(new TrialId(rs.getString(1)), rs.getInt(2));
            }
        }
    }

    private Connection connection() {
        if (connection == null) {
            throw new IllegalStateException("store " + file + " is not open");
        }
        if (frozenFileTakenOver()) {
            // Read the database again the shared way (or as the new immutable file, once its writer is gone):
            // the new connection's data_version starts afresh, so changeCount() moves on by more than it can.
            try {
                Connection again = readConnection();
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // the old connection only read an immutable file; nothing is lost with it
                }
                connection = again;
                reopened++;
                try (Statement st = again.createStatement();
                     ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                    if (rs.next() && rs.getInt(1) == SCHEMA_VERSION) {
                        // The process that took it over migrated it (a resume does): read it as this version.
                        metricOrder = "m.position";
                        machineColumn = "t.machine";
                        hasChanges = true;
                    }
                }
            } catch (SQLException | IOException e) {
                throw new StoreException("cannot read " + file + " again after another process took it over: "
                        + e.getMessage(), e);
            }
        }
        return connection;
    }

    private void requireWriter() {
        if (!writer) {
            throw new IllegalStateException("store " + file + " was opened read-only");
        }
        connection();
    }

    // ---------------------------------------------------------------- writes

    @Override
    public StoredExperiment saveExperiment(StoredExperiment e) {
        requireWriter();
        long revision = experiment().map(StoredExperiment::revision).orElse(0L) + 1;
        try (PreparedStatement ps = connection.prepareStatement("INSERT OR REPLACE INTO experiment (id, name, config,"
                + " optimize_mode, status, started, ended, elapsed_ms, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, e.id());
            ps.setString(2, e.name().orElse(null));
            ps.setString(3, e.configJson());
            ps.setString(4, e.optimizeMode().name());
            ps.setString(5, e.status().name());
            setInstant(ps, 6, e.started().orElse(null));
            setInstant(ps, 7, e.ended().orElse(null));
            ps.setLong(8, e.elapsed().toMillis());
            ps.setLong(9, revision);
            ps.executeUpdate();
            dirty = true;
        } catch (SQLException ex) {
            throw new StoreException(describe(ex), ex);
        }
        return new StoredExperiment(e.id(), e.name(), e.configJson(), e.optimizeMode(), e.status(), e.started(),
                e.ended(), e.elapsed(), revision);
    }

    @Override
    public void trialSubmitted(TrialSpec spec, String platform, int attempt, Instant at) {
        requireWriter();
        try {
            upsertTrial.setString(1, spec.id().value());
            upsertTrial.setInt(2, spec.sequence());
            upsertTrial.setLong(3, spec.parameterId());
            upsertTrial.setString(4, spec.parameters().toJson());
            upsertTrial.setString(5, platform);
            upsertTrial.setInt(6, attempt);
            upsertTrial.setLong(7, nanos(at));
            upsertTrial.executeUpdate();
            attempts.put(spec.id(), attempt);
            nextPositions.remove(spec.id());
            event(spec.id(), attempt, attempt == 1 ? "SUBMITTED" : "RESUBMITTED", at, "");
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public void trialStarted(TrialId trial, Instant at) {
        requireWriter();
        Integer attempt = attempts.get(trial);
        if (attempt == null) {
            return;
        }
        try {
            updateStarted.setLong(1, nanos(at));
            updateStarted.setString(2, trial.value());
            updateStarted.executeUpdate();
            event(trial, attempt, "STARTED", at, "");
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public void trialWaiting(TrialId trial, String reason) {
        requireWriter();
        if (!attempts.containsKey(trial)) {
            return;
        }
        try {
            updateMessage.setString(1, reason);
            updateMessage.setString(2, trial.value());
            updateMessage.executeUpdate();
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public void trialPlaced(TrialId trial, String platform) {
        requireWriter();
        if (!attempts.containsKey(trial)) {
            return;
        }
        try {
            updatePlatform.setString(1, platform);
            updatePlatform.setString(2, trial.value());
            updatePlatform.executeUpdate();
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public void trialOnMachine(TrialId trial, String machine, Instant at) {
        requireWriter();
        Integer attempt = attempts.get(trial);
        if (attempt == null) {
            return;
        }
        try {
            updateMachine.setString(1, machine);
            updateMachine.setString(2, trial.value());
            updateMachine.executeUpdate();
            event(trial, attempt, "MACHINE", at, machine);
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public void trialEnded(TrialId trial, TrialStatus status, Optional<Integer> exitCode, String message,
            Instant at) {
        requireWriter();
        Integer attempt = attempts.get(trial);
        if (attempt == null) {
            return;
        }
        try {
            updateEnded.setString(1, status.name());
            if (exitCode.isPresent()) {
                updateEnded.setInt(2, exitCode.get());
            } else {
                updateEnded.setNull(2, Types.INTEGER);
            }
            updateEnded.setString(3, message);
            updateEnded.setLong(4, nanos(at));
            updateEnded.setString(5, trial.value());
            updateEnded.executeUpdate();
            event(trial, attempt, "ENDED", at, status.name());
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public void metricReported(TrialId trial, Metric metric, Optional<Double> scalar) {
        requireWriter();
        Integer attempt = attempts.get(trial);
        if (attempt == null) {
            return;
        }
        try {
            int position = nextPosition(trial, attempt);
            boolean isFinal = metric.type() == MetricType.FINAL;
            PreparedStatement insert = isFinal ? insertFinal : insertMetric;
            insert.setString(1, trial.value());
            insert.setInt(2, attempt);
            insert.setString(3, metric.type().name());
            insert.setInt(4, metric.sequence());
            insert.setString(5, metric.value());
            insert.setLong(6, nanos(metric.at()));
            insert.setInt(7, position);
            int inserted = insert.executeUpdate();
            if (inserted > 0) {
                nextPositions.put(trial, position + 1);
            }
            if (inserted > 0 && isFinal && scalar.isPresent() && Double.isFinite(scalar.get())) {
                updateFinalValue.setDouble(1, scalar.get());
                updateFinalValue.setString(2, trial.value());
                updateFinalValue.executeUpdate();
            }
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    /** Where the next metric of the trial's current attempt goes: after every one recorded before. */
    private int nextPosition(TrialId trial, int attempt) throws SQLException {
        Integer next = nextPositions.get(trial);
        if (next != null) {
            return next;
        }
        lastPosition.setString(1, trial.value());
        lastPosition.setInt(2, attempt);
        try (ResultSet rs = lastPosition.executeQuery()) {
            rs.next();
            int last = rs.getInt(1);
            return rs.wasNull() ? 0 : last + 1;
        }
    }

    private void event(TrialId trial, int attempt, String kind, Instant at, String detail) throws SQLException {
        insertEvent.setString(1, trial.value());
        insertEvent.setInt(2, attempt);
        insertEvent.setString(3, kind);
        insertEvent.setLong(4, nanos(at));
        insertEvent.setString(5, detail);
        insertEvent.executeUpdate();
    }

    @Override
    public void addImported(List<ImportedResult> results) {
        requireWriter();
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO imported (parameters, value) VALUES (?, ?)")) {
            for (ImportedResult r : results) {
                ps.setString(1, r.parameters().toJson());
                ps.setString(2, r.value());
                ps.executeUpdate();
            }
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A writer also checks that its database file is still the one it opened: SQLite keeps writing to a file
     * that was deleted (or whose folder was) through its open handle, so without this check an experiment would end
     * normally with every record gone.
     *
     * @throws StoreException if the commit fails, or the database file was deleted or replaced since it was opened
     */
    @Override
    public void commit() {
        if (connection == null) {
            return;
        }
        if (dirty) {
            try {
                connection.commit();
                dirty = false;
                ownCommits++;
            } catch (SQLException e) {
                throw new StoreException(describe(e), e);
            }
        }
        if (writer) {
            checkDurable();
        }
    }

    private void checkDurable() {
        if (lost == null) {
            try {
                Object now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                if (fileKey != null && !fileKey.equals(now)) {
                    lost = "was replaced by another file";
                }
            } catch (java.nio.file.NoSuchFileException e) {
                lost = "was deleted";
            } catch (IOException e) {
                lost = "cannot be read any more (" + e.getMessage() + ")";
            }
        }
        if (lost != null) {
            throw new StoreException("the experiment database " + file + " " + lost + " while the experiment "
                    + "ran: nothing it records is kept any more");
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<StoredExperiment> experiment() {
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name, config, optimize_mode, status, started, ended,"
                     + " elapsed_ms, revision FROM experiment LIMIT 1")) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new StoredExperiment(rs.getString(1), Optional.ofNullable(rs.getString(2)),
                    rs.getString(3), OptimizeMode.valueOf(rs.getString(4)), ExperimentStatus.valueOf(rs.getString(5)),
                    instant(rs, 6), instant(rs, 7), Duration.ofMillis(rs.getLong(8)), rs.getLong(9)));
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public List<ImportedResult> imported() {
        List<ImportedResult> out = new ArrayList<>();
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT parameters, value FROM imported ORDER BY position")) {
            while (rs.next()) {
                out.add(new ImportedResult(Parameters.fromJson(rs.getString(1)), rs.getString(2)));
            }
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
        return out;
    }

    @Override
    public List<StoredTrial> trials() {
        return trials(Optional.empty(), true);
    }

    @Override
    public List<StoredTrial> trials(Optional<TrialStatus> status, boolean withIntermediate) {
        String sql = "SELECT " + TRIAL_COLUMNS + machineColumn + FINAL_JOIN + (status.isPresent() ? " WHERE t.status = ?" : "")
                + " ORDER BY t.sequence";
        try (PreparedStatement ps = connection().prepareStatement(sql)) {
            if (status.isPresent()) {
                ps.setString(1, status.get().name());
            }
            Map<String, List<Metric>> intermediate = withIntermediate ? intermediate() : Map.of();
            return read(ps, intermediate);
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    /**
     * What a reader that keeps every trial must read again to stay current: the trials a reader that read up to
     * {@code after} has not seen as they are now, with the position to pass next time. It reads every trial the first
     * time ({@link TrialsRead#START}); after that only the new ones (a higher sequence), the unfinished ones, the
     * finished ones without a final value (a late final result may still give them one) and those with a trial event
     * (resubmitted, started, placed on a machine, ended) since. A finished trial with a final value changes only
     * through such an event, so nothing else needs reading: a dashboard that refreshes after each change of a
     * running experiment reads a few rows rather than all of them.
     */
    public TrialsRead trialsChanged(TrialsRead.Position after) {
        try {
            long lastEvent;
            try (Statement s = connection().createStatement();
                 ResultSet rs = s.executeQuery("SELECT coalesce(max(rowid), 0) FROM trial_events")) {
                lastEvent = rs.next() ? rs.getLong(1) : 0;
            }
            // The event position is read before the trials: an event written in between is read again next time.
            String sql = "SELECT " + TRIAL_COLUMNS + machineColumn + FINAL_JOIN;
            boolean all = after.equals(TrialsRead.START);
            if (!all) {
                // One indexed search per reason, joined: the same condition written with OR made SQLite scan every
                // trial (8 ms at 10,000 trials, against 1 ms this way).
                sql += " WHERE t.rowid IN (SELECT rowid FROM trials WHERE sequence > ?"
                        + " UNION SELECT rowid FROM trials WHERE status IN ('WAITING', 'RUNNING', 'UNKNOWN')"
                        + " UNION SELECT rowid FROM trials WHERE final_value IS NULL"
                        + " UNION SELECT rowid FROM trials WHERE id IN (SELECT trial_id FROM trial_events"
                        + " WHERE rowid > ?))";
            }
            try (PreparedStatement ps = connection().prepareStatement(sql + " ORDER BY t.sequence")) {
                if (!all) {
                    ps.setInt(1, after.maxSequence());
                    ps.setLong(2, after.lastEvent());
                }
                List<StoredTrial> trials = read(ps, Map.of());
                int maxSequence = after.maxSequence();
                for (StoredTrial t : trials) {
                    maxSequence = Math.max(maxSequence, t.trial().sequence());
                }
                return new TrialsRead(trials, new TrialsRead.Position(lastEvent, maxSequence));
            }
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public List<StoredTrial> topTrials(int n, OptimizeMode mode) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        String order = mode == OptimizeMode.MAXIMIZE ? "DESC" : "ASC";
        String sql = "SELECT " + TRIAL_COLUMNS + machineColumn + FINAL_JOIN + " WHERE t.final_value IS NOT NULL"
                + " ORDER BY t.final_value " + order + ", t.sequence LIMIT ?";
        try (PreparedStatement ps = connection().prepareStatement(sql)) {
            ps.setInt(1, n);
            return read(ps, Map.of());
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public Map<TrialStatus, Integer> trialCounts() {
        Map<TrialStatus, Integer> counts = new EnumMap<>(TrialStatus.class);
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT status, count(*) FROM trials GROUP BY status")) {
            while (rs.next()) {
                counts.put(TrialStatus.valueOf(rs.getString(1)), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
        return counts;
    }

    /**
     * A number that changes whenever the database changed: another connection committed (as the experiment's writer
     * does while a reader watches it) or this store committed. A dashboard polls it to know when to read again.
     */
    public long changeCount() {
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("PRAGMA data_version")) {
            return (rs.next() ? rs.getLong(1) : 0) + ownCommits + (reopened << 40);
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    /**
     * The intermediate (PERIODICAL) metrics of the current attempt of each of {@code trials}, in the order reported,
     * read in one query per 500 trials; a trial with none (or unknown) is absent from the map.
     */
    public Map<TrialId, List<Metric>> intermediate(java.util.Collection<TrialId> trials) {
        Map<TrialId, List<Metric>> out = new HashMap<>();
        List<TrialId> ids = List.copyOf(trials);
        for (int from = 0; from < ids.size(); from += 500) {
            List<TrialId> batch = ids.subList(from, Math.min(ids.size(), from + 500));
            String marks = String.join(", ", java.util.Collections.nCopies(batch.size(), "?"));
            try (PreparedStatement ps = connection().prepareStatement("SELECT m.trial_id, m.sequence, m.value, m.at"
                    + " FROM metrics m JOIN trials t ON t.id = m.trial_id AND t.attempt = m.attempt"
                    + " WHERE m.type = 'PERIODICAL' AND m.trial_id IN (" + marks + ") ORDER BY m.trial_id, "
                    + metricOrder)) {
                for (int i = 0; i < batch.size(); i++) {
                    ps.setString(i + 1, batch.get(i).value());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(new TrialId(rs.getString(1)), k -> new ArrayList<>()).add(new Metric(
                                MetricType.PERIODICAL, rs.getInt(2), rs.getString(3), fromNanos(rs.getLong(4))));
                    }
                }
            } catch (SQLException e) {
                throw new StoreException(describe(e), e);
            }
        }
        return out;
    }

    private Map<String, List<Metric>> intermediate() throws SQLException {
        Map<String, List<Metric>> out = new HashMap<>();
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT m.trial_id, m.sequence, m.value, m.at FROM metrics m"
                     + " JOIN trials t ON t.id = m.trial_id AND t.attempt = m.attempt"
                     + " WHERE m.type = 'PERIODICAL' ORDER BY m.trial_id, " + metricOrder)) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Metric(MetricType.PERIODICAL,
                        rs.getInt(2), rs.getString(3), fromNanos(rs.getLong(4))));
            }
        }
        return out;
    }

    private static List<StoredTrial> read(PreparedStatement ps, Map<String, List<Metric>> intermediate)
            throws SQLException {
        List<StoredTrial> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString(1);
                Integer exit = rs.getObject(11) == null ? null : rs.getInt(11);
                String finalText = rs.getString(13);
                Optional<Metric> finalMetric = finalText == null ? Optional.empty()
                        : Optional.of(new Metric(MetricType.FINAL, 0, finalText, fromNanos(rs.getLong(14))));
                Optional<Double> finalValue = finalMetric.flatMap(SqliteExperimentStore::scalarOf);
                Trial t = new Trial(new TrialId(id), rs.getInt(2), rs.getLong(3), Parameters.fromJson(rs.getString(4)),
                        TrialStatus.valueOf(rs.getString(6)), rs.getString(5), fromNanos(rs.getLong(8)),
                        instant(rs, 9), instant(rs, 10), Optional.ofNullable(exit), rs.getString(12),
                        intermediate.getOrDefault(id, List.of()), finalMetric, finalValue,
                        Optional.ofNullable(rs.getString(15)));
                out.add(new StoredTrial(t, rs.getInt(7)));
            }
        }
        return out;
    }

    private static Optional<Double> scalarOf(Metric m) {
        try {
            return Optional.of(m.finiteScalar());
        } catch (MetricFormatException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- steering

    @Override
    public void changeRecorded(ExperimentChange change) {
        requireWriter();
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO changes (at, field, old_value,"
                + " new_value, source) VALUES (?, ?, ?, ?, ?)")) {
            setInstant(ps, 1, change.at());
            ps.setString(2, change.field());
            ps.setString(3, change.oldValue());
            ps.setString(4, change.newValue());
            ps.setString(5, change.source());
            ps.executeUpdate();
            dirty = true;
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public List<ExperimentChange> changes() {
        if (!hasChanges) {
            connection();
            return List.of();
        }
        List<ExperimentChange> out = new ArrayList<>();
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT at, field, old_value, new_value, source FROM changes"
                     + " ORDER BY position")) {
            while (rs.next()) {
                out.add(new ExperimentChange(fromNanos(rs.getLong(1)), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5)));
            }
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
        return out;
    }

    /** Whether a process holds the experiment's lock right now: this store's writer, or another process. */
    @Override
    public boolean isRunning() {
        return isInUse(file.getParent().getParent());
    }

    @Override
    public Optional<ExperimentOwner> runningOwner() {
        return runningOwner(file.getParent().getParent());
    }

    /**
     * Keeps the request in {@code db/control.sqlite} (made on first use, private to the user) for the process that
     * runs the experiment. Any store of the experiment may ask, one opened for reading included.
     */
    @Override
    public long requestControl(String experimentId, ControlRequest request, String source) {
        ControlRequests.check(experimentId, request, source, experiment().map(StoredExperiment::id));
        if (!isRunning()) {
            throw new IllegalStateException("experiment " + experimentId + " is not running");
        }
        return controls.insert(request, source, Instant.now());
    }

    @Override
    public Optional<ControlResult> controlResult(long requestId) {
        return controls.find(requestId);
    }

    @Override
    public List<ControlResult> pendingControls() {
        return controls.pending();
    }

    @Override
    public void controlHandled(long requestId, Optional<String> refusal, Instant at) {
        controls.handled(requestId, refusal, at);
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            if (connection != null && writer) {
                commit();
            }
        } finally {
            closed = true;
            closeQuietly();
        }
    }

    private void closeQuietly() {
        controls.close();
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // nothing more can be done about a failed close; the data was committed or is lost either way
        }
        connection = null;
        try {
            if (lock != null) {
                lock.release();
                HELD_HERE.remove(file.resolveSibling("experiment.lock").toAbsolutePath().normalize());
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // the lock goes with the process at the latest
        }
        lock = null;
        lockChannel = null;
    }

    // ---------------------------------------------------------------- time

    private static long nanos(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
    }

    private static Instant fromNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, nanos(at));
        }
    }

    private static Optional<Instant> instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(fromNanos(v));
    }
}
