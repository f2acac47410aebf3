/**
 * The tuner benchmark behind {@code hybrid bench}: problems read from a suite folder, the pending-queue protocol of
 * {@code ../shared/bench/README.md}, its metrics and CSV rows, and the per-suggestion speed figures. Non-null by
 * default.
 */
package dev.hybrid.bench;
