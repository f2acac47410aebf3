package dev.hybrid.space;

/** Argument checks shared by the spec records. */
final class Checks {
    private Checks() {
    }

    static void range(double low, double high) {
        if (!(Double.isFinite(low) && Double.isFinite(high) && low < high)) {
            throw new IllegalArgumentException("needs finite low < high, was low=" + low + ", high=" + high);
        }
    }

    static void positive(String what, double x) {
        if (!(x > 0) || !Double.isFinite(x)) {
            throw new IllegalArgumentException(what + " must be > 0, was " + x);
        }
    }

    static void finite(String what, double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException(what + " must be finite, was " + x);
        }
    }
}
