package dev.hybrid.platform.remote;

/**
 * How a machine's SSH host key is checked against the {@code known_hosts} file ({@code hostKeyPolicy}).
 * A changed key is refused under {@link #STRICT} and {@link #ACCEPT_NEW}, with a message naming the file.
 */
public enum HostKeyPolicy {
    /** Only hosts already in {@code known_hosts} are trusted. */
    STRICT,
    /** A host not yet in {@code known_hosts} is trusted and recorded there; a changed key is refused (the default). */
    ACCEPT_NEW,
    /** Host keys are not checked (NNI's behaviour); for throw-away test machines only. */
    OFF;

    /** The YAML spelling: {@code strict}, {@code accept-new}, {@code off}. */
    public String yamlName() {
        return dev.hybrid.ssh.HostKeyPolicy.valueOf(name()).yamlName();
    }

    /**
     * The policy spelled {@code text} ({@code strict}, {@code accept-new}, {@code off}; case and {@code _}/{@code -}
     * do not matter). The same policies as {@link dev.hybrid.ssh.HostKeyPolicy}, which every SSH connection applies.
     *
     * @throws IllegalArgumentException if it names none
     */
    public static HostKeyPolicy parse(String text) {
        return valueOf(dev.hybrid.ssh.HostKeyPolicy.parse(text).name());
    }
}
