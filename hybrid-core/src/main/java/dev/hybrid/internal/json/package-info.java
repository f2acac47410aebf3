/**
 * The shared Jackson mapper and JSON conversions. Not API: Jackson types never leave internal packages.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.internal.json;
