/**
 * The experiment loop and registries. Not API: may change without notice.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.internal;
