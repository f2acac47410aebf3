/**
 * The {@code local} platform: command trials as processes on this machine, each in its own directory and process
 * group, speaking NNI's trial protocol ({@code parameter.cfg}, {@code .nni/metrics}, stdout metric lines).
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.platform.local;
