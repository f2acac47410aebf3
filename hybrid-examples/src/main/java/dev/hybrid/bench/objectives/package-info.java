/**
 * The benchmark suite's closed-form objectives, each implemented from its folder's {@code problem.md} and checked
 * against its {@code check_points.json}. Non-null by default.
 */
package dev.hybrid.bench.objectives;
