/**
 * Benchmarks behind {@code hybrid bench}: the tuner-quality protocol of {@code ../shared/bench/README.md} (problems
 * read from a suite folder, the pending-queue loop, its metrics and CSV rows), the per-suggestion speed of the tuners,
 * the no-op trial throughput of the engine ({@link dev.hybrid.bench.EngineSpeed}) and the turnaround of local
 * process trials ({@link dev.hybrid.bench.LocalTrialSpeed}). Non-null by default.
 */
package dev.hybrid.bench;
