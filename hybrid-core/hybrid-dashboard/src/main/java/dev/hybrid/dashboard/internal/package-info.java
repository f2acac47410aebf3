/**
 * The dashboard's plumbing: the HTTP server and its security checks, the sources it reads (a store or a handle), the
 * JSON views and the report writer. Not API. Non-null by default.
 */
package dev.hybrid.dashboard.internal;
