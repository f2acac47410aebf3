/**
 * The tuners that ship with Hybrid, registered by their NNI names through {@link dev.hybrid.tuner.TunerProvider}s
 * listed in {@code META-INF/services}: {@code Random}, {@code GridSearch} (NNI 2.7+ semantics), {@code TPE},
 * {@code GPTuner}, {@code Evolution}, {@code Anneal}, {@code BatchTuner} and {@code PBTTuner} ({@code Metis},
 * {@code DNGO} and {@code SMAC} are refused, naming the closest), and the advisors {@code Hyperband} and {@code BOHB},
 * which also give each trial its budget ({@code TRIAL_BUDGET}). Each
 * tuner is driven from the experiment thread only and depends on nothing but the space, the results and its seeded
 * random generator.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.tuner.builtin;
