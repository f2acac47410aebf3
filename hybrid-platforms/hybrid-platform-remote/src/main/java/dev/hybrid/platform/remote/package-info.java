/**
 * The {@code remote} platform: command trials on machines reached over SSH, one shared connection per machine,
 * reconnected when it drops, with trials detached on the machine and re-attached without losing or repeating a
 * metric. Host keys are checked against {@code known_hosts}, and GPU trials get GPUs that each machine's own
 * {@code nvidia-smi} reports.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.platform.remote;
