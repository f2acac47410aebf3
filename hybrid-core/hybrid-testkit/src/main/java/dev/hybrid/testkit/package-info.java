/**
 * Test kit for Hybrid's SPIs, published as the {@code dev.hybrid:hybrid-testkit} artifact (use it in test scope; it
 * brings JUnit Jupiter and AssertJ): the contract suites every implementation runs
 * ({@link dev.hybrid.testkit.TrainingPlatformContract}, {@link dev.hybrid.testkit.TunerContract},
 * {@link dev.hybrid.testkit.AssessorContract}, {@link dev.hybrid.testkit.ExperimentStoreContract}) and fakes for engine
 * tests (a recording sink, a fake clock and scheduler, a scripted tuner and platform). Non-null by default.
 */
package dev.hybrid.testkit;
