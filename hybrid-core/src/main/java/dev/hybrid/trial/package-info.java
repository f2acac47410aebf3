/**
 * Trials as values: ids, statuses (NNI's names), the specs platforms run, the events they report and immutable snapshots of finished and running trials.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.trial;
