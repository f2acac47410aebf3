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

    /**
     * Where the config holds this platform's secrets (an SSH password or key passphrase, an OpenPAI token, an Azure
     * client secret), spelled as the user wrote them ({@code trainingService[1].machineList[0].password}). The
     * experiment's database never keeps their values: it records where they came from, and a resumed experiment
     * reads them again from there. Empty by default.
     */
    default java.util.List<FieldPath> secretPaths() {
        return java.util.List.of();
    }
}
