package dev.hybrid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.bench.objectives.BuiltinObjectives;
import dev.hybrid.internal.json.Json;
import dev.hybrid.space.SearchSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.List;
import java.util.Optional;

/**
 * One problem of a benchmark suite: a folder holding {@code search_space.json} and {@code optimum.json}
 * ({@code f_star}), and either a built-in objective named like the folder or an {@code evaluate.py}.
 *
 * @param name the folder's name
 * @param folder the folder
 * @param space the search space
 * @param fStar the optimum regret is measured against
 */
public record BenchProblem(String name, Path folder, SearchSpace space, double fStar) {
    public BenchProblem {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(space, "space");
    }

    /**
     * Reads a problem folder.
     *
     * @throws BenchException if a file is missing or unreadable
     */
    public static BenchProblem load(Path folder) {
        Path spaceFile = folder.resolve("search_space.json");
        Path optimumFile = folder.resolve("optimum.json");
        if (!Files.isRegularFile(spaceFile) || !Files.isRegularFile(optimumFile)) {
            throw new BenchException("problem folder " + folder + " needs search_space.json and optimum.json");
        }
        SearchSpace space = SearchSpace.read(spaceFile);
        double fStar;
        try {
            JsonNode optimum = Json.readTree(Files.readString(optimumFile));
            JsonNode f = optimum.get("f_star");
            if (f == null || !f.isNumber()) {
                throw new BenchException(optimumFile + " has no numeric f_star");
            }
            fStar = f.doubleValue();
        } catch (IOException e) {
            throw new BenchException("cannot read " + optimumFile + ": " + e.getMessage(), e);
        }
        return new BenchProblem(folder.getFileName().toString(), folder, space, fStar);
    }

    /** Whether this problem's objective runs in-process (else it needs its {@code evaluate.py}). */
    public boolean isBuiltin() {
        return BuiltinObjectives.forProblem(name).isPresent();
    }

    /**
     * Opens the objective: the built-in implementation, or the folder's {@code evaluate.py} as a process.
     *
     * @throws BenchException if there is neither
     */
    public Objective openObjective() {
        return openObjective("python3");
    }

    /**
     * The objective, running a folder's {@code evaluate.py} with the given Python interpreter (for example
     * {@code /usr/bin/python3}, where scikit-learn is installed).
     */
    public Objective openObjective(String python) {
        Optional<Objective> builtin = BuiltinObjectives.forProblem(name);
        if (builtin.isPresent()) {
            return builtin.get();
        }
        Path script = folder.resolve("evaluate.py");
        if (!Files.isRegularFile(script)) {
            throw new BenchException("problem '" + name + "' has no built-in objective and no evaluate.py in "
                    + folder);
        }
        return ProcessObjective.start(List.of(python, script.toAbsolutePath().toString()), script);
    }
}
