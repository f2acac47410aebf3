package dev.hybrid.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every config file of NNI's own examples ({@code ../shared/fixtures/nni-configs}, v1 and v2, hybrid, PAI and AML
 * included) loads, or is refused only for naming a platform whose module is not on the class path (or, for
 * Kubernetes platforms such as kubeflow, one Hybrid does not support), or for a placeholder the user must fill in
 * where a value of some form is required (an absolute path).
 */
class NniExampleConfigsTest {
    private static final Pattern SPACE_FILE = Pattern.compile("(?m)^\\s*searchSpace(?:Path|File)\\s*:\\s*(\\S+)");

    @TempDir
    Path work;

    static Optional<Path> fixtures() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path candidate = p.resolve("shared/fixtures/nni-configs");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
            p = p.getParent();
        }
        return Optional.empty();
    }

    @TestFactory
    Stream<DynamicTest> everyNniExampleConfigLoadsOrNamesAMissingPlatformModule() throws IOException {
        Optional<Path> root = fixtures();
        assumeTrue(root.isPresent(), "../shared/fixtures/nni-configs is not present");
        List<Path> files;
        try (Stream<Path> s = Files.walk(root.get())) {
            files = s.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(20);
        return files.stream().map(f -> DynamicTest.dynamicTest(root.get().relativize(f).toString(), () -> check(f)));
    }

    private void check(Path original) throws IOException {
        // Copy the config beside the files it names; the examples' trial code and some search spaces are not
        // part of the fixtures, so a missing search space is replaced by a small valid one.
        Path folder = Files.createTempDirectory(work, "cfg");
        // NNI's PAI examples write placeholders as {replace_to_your_...}, which YAML reads as a mapping: make them the
        // strings a user would put there, as the ${...} placeholders of the other examples already are.
        String text = Files.readString(original).replaceAll("\\{(replace_to_your_\\w+)}", "/$1");
        Path copy = folder.resolve(original.getFileName());
        Files.writeString(copy, text);
        Matcher m = SPACE_FILE.matcher(text);
        if (m.find()) {
            Path src = original.getParent().resolve(m.group(1));
            Path dst = folder.resolve(m.group(1));
            Files.createDirectories(dst.getParent());
            if (Files.exists(src)) {
                Files.copy(src, dst);
            } else {
                Files.writeString(dst, "{\"lr\": {\"_type\": \"loguniform\", \"_value\": [0.0001, 0.1]}}");
            }
        }
        try {
            ExperimentConfig c = ConfigLoader.load(copy);
            assertThat(c.trainingServices()).isNotEmpty();
        } catch (ConfigException e) {
            assertThat(e.problems()).as(e.getMessage()).allSatisfy(p ->
                    assertThat(p.message()).containsPattern(
                            "needs the module dev\\.hybrid:hybrid-platform-|is not supported by Hybrid; supported"
                                    // a placeholder such as ${NFS mount point inside Docker container}, left as is
                                    + "|, was '\\$\\{"));
        }
    }
}
