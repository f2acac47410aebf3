/**
 * The {@code pai} platform (also named {@code openpai}): each trial runs as one OpenPAI job, submitted through the
 * cluster's REST API v2, with the trial code and the trial folders on the storage OpenPAI mounts into its containers
 * and the user mounts on this machine. Job states are polled with one list call for all of the experiment's jobs.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.platform.openpai;
