/**
 * NNI search spaces as typed records: one {@code ParameterSpec} per NNI {@code _type}, nested choices to any depth, read from and written back to {@code search_space.json} with NNI's exact semantics.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.space;
