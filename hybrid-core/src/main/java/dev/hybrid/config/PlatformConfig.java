package dev.hybrid.config;

/**
 * The settings of one training platform, as its {@code PlatformProvider} bound and validated them: a record of the
 * platform module's own. Records holding secrets wrap them in {@link Secret}.
 */
public interface PlatformConfig {
    /** The platform's canonical name ({@code local}, {@code remote}, {@code pai}, {@code aml}). */
    String platform();

    /** Where the platform's settings are in the config ({@code trainingService[1]}, or the root for v1). */
    FieldPath path();
}
