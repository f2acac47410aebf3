/**
 * The Slurm platform's plumbing: running the Slurm commands and reading their answers. Not API.
 */
package dev.hybrid.platform.slurm.internal;
