/**
 * The SSH transport that platforms reaching machines over SSH share (the {@code remote} platform's machines, the
 * {@code slurm} platform's login node): host-key policies here, the connection itself in {@code .internal}. Not a
 * platform: nothing here runs trials.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.ssh;
