/**
 * NNI's trial protocol, byte-compatible with NNI's own SDK and shared by every platform: the trial's environment
 * variables, {@code parameter.cfg}, {@code ME} metric frames in {@code .nni/metrics}, {@code NNISDK_MEb'...'} lines on
 * stdout, and {@code .nni/state}. The pure-Python {@code nni} module that speaks it is a resource of this package.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.protocol;
