/**
 * The {@code aml} platform: each trial is an Azure Machine Learning command job, created and watched over the ARM
 * REST API with Apache HttpClient 5 (no Azure SDK), with the trial's NNI metrics forwarded from inside the job to
 * its MLflow run and read back from the workspace's MLflow endpoint while it runs.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.platform.aml;
