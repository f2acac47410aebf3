package dev.hybrid.cli;

import dev.hybrid.ExperimentBuilder;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --work-dir} option the experiment subcommands share, and finding an experiment under it. */
final class WorkDir {
    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where experiments live (default: ~/hybrid-experiments).")
    Path dir;

    /** The working directory: the option's, else the default. */
    Path resolve() {
        return dir != null ? dir : ExperimentBuilder.defaultWorkingDirectory();
    }

    /**
     * The directory of experiment {@code id}.
     *
     * @throws StoreException if there is no such experiment (nothing is created)
     */
    Path experiment(String id) {
        if (id.isBlank() || id.contains("/") || id.contains("\\") || id.startsWith(".")) {
            throw new StoreException("unknown experiment '" + id + "'");
        }
        Path d = resolve().resolve(id);
        if (!Files.isRegularFile(SqliteExperimentStore.databaseFile(d))) {
            throw new StoreException("unknown experiment '" + id + "' in " + resolve());
        }
        return d;
    }

    /** The experiment's store, open for reading. */
    SqliteExperimentStore read(String id) {
        SqliteExperimentStore store = SqliteExperimentStore.readOnly(experiment(id));
        store.open();
        return store;
    }
}
