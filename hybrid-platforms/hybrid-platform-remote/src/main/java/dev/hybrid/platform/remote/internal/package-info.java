/**
 * The remote platform's plumbing: the JSch connection, the known-hosts repository, the code archive and its
 * {@code .nniignore} rules, and the link to each machine's monitor. Not API.
 *
 * <p>Non-null by default.
 */
package dev.hybrid.platform.remote.internal;
