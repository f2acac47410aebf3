/**
 * The {@code slurm} platform: each trial is a Slurm batch job ({@code sbatch}), watched with one {@code squeue} per
 * poll for all of the experiment's jobs and cancelled with {@code scancel} (or the same through slurmrestd, Slurm's
 * REST API, with {@link dev.hybrid.platform.slurm.SlurmRestApi}); code, parameters and results live in a
 * directory that this machine and the compute nodes share, read with the same trial-folder reader as local trials.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.platform.slurm;
