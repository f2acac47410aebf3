/**
 * Test kit for Hybrid's SPIs, published as hybrid-core's test-jar: the contract suites every implementation runs
 * ({@link dev.hybrid.testkit.TrainingPlatformContract}) and fakes for engine tests (a recording sink, a fake clock and
 * scheduler, a scripted tuner and platform). Non-null by default.
 */
package dev.hybrid.testkit;
