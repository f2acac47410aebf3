package dev.hybrid.platform;

import dev.hybrid.config.PlatformConfig;
import java.util.List;

/**
 * Reads a training platform's settings from a config and creates the platform. Found through
 * {@link java.util.ServiceLoader}; each platform module lists its provider in
 * {@code META-INF/services/dev.hybrid.platform.PlatformProvider}.
 */
public interface PlatformProvider {

    /** The platform's YAML name: {@code local}, {@code remote}, {@code pai}, {@code aml}. */
    String name();

    /** Other names the platform goes by ({@code openpai} for {@code pai}). */
    default List<String> aliases() {
        return List.of();
    }

    /**
     * Binds and validates the platform's settings. Problems are recorded through the section's node (each with its
     * field path) rather than thrown, so that the loader reports every problem of the config at once; when there
     * were problems the returned value is not used.
     */
    PlatformConfig parse(PlatformSection section);

    /** Creates the platform from settings this provider parsed. Does no I/O: {@code start} does. */
    TrainingPlatform create(PlatformConfig config, PlatformContext context);
}
