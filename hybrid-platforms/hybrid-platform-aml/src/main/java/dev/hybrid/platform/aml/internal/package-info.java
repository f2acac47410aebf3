/**
 * The {@code aml} platform's plumbing: the HTTP client with its retries and Entra tokens, the ARM and MLflow calls,
 * the code upload and the reading of metrics back from MLflow. Not API.
 *
 * <p>Non-null by default.
 */
package dev.hybrid.platform.aml.internal;
