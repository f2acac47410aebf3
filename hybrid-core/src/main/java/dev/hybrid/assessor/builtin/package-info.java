/**
 * The assessors that ship with Hybrid, registered by their NNI names through
 * {@link dev.hybrid.assessor.AssessorProvider}s listed in {@code META-INF/services}: {@code Medianstop} and
 * {@code Curvefitting}. Each assessor is called from the experiment thread only, keeps its state in memory, and does
 * no I/O, starts no threads and draws no random numbers, so the same results always give the same verdicts.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.assessor.builtin;
