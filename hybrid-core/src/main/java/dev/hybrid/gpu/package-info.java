/**
 * GPUs for trials: what {@code nvidia-smi} reports ({@link dev.hybrid.gpu.NvidiaSmi}, {@link dev.hybrid.gpu.GpuInfo})
 * and the slot scheduler that hands GPUs to trials ({@link dev.hybrid.gpu.GpuScheduler}) with NNI's
 * {@code gpuIndices}, {@code maxTrialNumPerGpu} and {@code useActiveGpu} settings, shared by the platforms.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.gpu;
