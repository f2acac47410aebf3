/**
 * The experiment loop, its settings and the component registry: not API, may change without notice.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.internal;
