/**
 * The training-platform SPI: a {@code TrainingPlatform} runs trials somewhere and reports what happens to them through a thread-safe {@code TrialEventSink}.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.platform;
