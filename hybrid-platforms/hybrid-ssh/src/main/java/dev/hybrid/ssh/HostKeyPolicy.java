package dev.hybrid.ssh;

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
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * The policy spelled {@code text} ({@code strict}, {@code accept-new}, {@code off}; case and {@code _}/{@code -}
     * do not matter).
     *
     * @throws IllegalArgumentException if it names none
     */
    public static HostKeyPolicy parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        for (HostKeyPolicy p : values()) {
            if (p.yamlName().equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("must be one of strict, accept-new, off, was '" + text + "'");
    }
}
