package dev.hybrid.platform.remote.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Names the run that launches remote trials, {@code <jvm>.<platform>}: the machine monitor keeps it with each trial's
 * launch, so that a resumed run tells an earlier run's trial processes (ended before the trial runs again) from its
 * own (re-attached after a reconnect). {@code <jvm>} is random per JVM, {@code <platform>} per platform instance.
 */
public final class LaunchToken {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** This JVM's part: trial processes whose token starts otherwise were launched by another JVM. */
    public static final String JVM = hex(6);

    private LaunchToken() {
    }

    /** A new token for one platform instance of this JVM. */
    public static String forPlatform() {
        return JVM + "." + hex(4);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
