/**
 * The OpenPAI platform's plumbing: the REST client, the job protocol documents and the job states. Not API.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid.platform.openpai.internal;
