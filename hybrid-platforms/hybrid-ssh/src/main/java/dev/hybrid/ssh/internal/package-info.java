/**
 * One JSch session per host with commands and streams as its channels ({@link dev.hybrid.ssh.internal.SshConnection}),
 * the one connection per host opened again when it drops, with a back-off between failed attempts
 * ({@link dev.hybrid.ssh.internal.SshSession}), {@code known_hosts} checking
 * ({@link dev.hybrid.ssh.internal.KnownHosts}) and key-file checks; used by platform modules' internals. Not API.
 */
package dev.hybrid.ssh.internal;
