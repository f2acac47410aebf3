package dev.hybrid.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryTest {

    @Test
    void findsRegisteredProvidersByExactName() {
        Registry registry = Registry.load();

        assertThat(registry.tunerNames()).contains("TestCounting", "TestOther");
        assertThat(registry.tuner("TestCounting")).isPresent();
        assertThat(registry.tuner("testcounting")).isEmpty();
    }

    @Test
    void duplicateNameStopsWithBothClassNames(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("META-INF/services/dev.hybrid.tuner.TunerProvider");
        Files.createDirectories(services.getParent());
        Files.writeString(services, TestTunerProviders.OtherAgain.class.getName() + "\n");

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                RegistryTest.class.getClassLoader())) {
            assertThatThrownBy(() -> Registry.load(loader))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'TestOther'")
                    .hasMessageContaining(TestTunerProviders.Other.class.getName())
                    .hasMessageContaining(TestTunerProviders.OtherAgain.class.getName());
        }
    }
}
