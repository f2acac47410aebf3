/**
 * The tuner SPI: a {@code Tuner} proposes parameters and learns from results on the experiment thread; {@code TunerProvider}s, found by {@code ServiceLoader}, create tuners from NNI's {@code builtinTunerName} and {@code classArgs}.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.tuner;
