/**
 * The assessor SPI: early stopping of trials from their intermediate results, as NNI's assessors do.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.assessor;
