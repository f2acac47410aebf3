package dev.hybrid.internal;

import java.util.random.RandomGenerator;

/** Random ids in NNI's alphabet: 8 characters for experiments, 5 for trials. */
public final class Ids {
    private static final char[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private Ids() {
    }

    /** A random id of {@code length} letters and digits. */
    public static String random(RandomGenerator random, int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }
}
