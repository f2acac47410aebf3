/**
 * Benchmarks of Hybrid itself, such as {@link dev.hybrid.bench.EngineSpeed}, the no-op trial throughput of the
 * experiment engine. Non-null by default.
 */
package dev.hybrid.bench;
