/**
 * Configuration plumbing shared by the YAML loader, the builder and component providers: every problem is collected with its field path in the user's own spelling and reported at once as a {@code ConfigException}. Secrets are wrapped in {@code Secret}.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.config;
