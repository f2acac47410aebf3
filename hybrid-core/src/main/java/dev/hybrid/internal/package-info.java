/**
 * The experiment loop, its settings and the component registry: not API, may change without notice. Non-null by
 * default.
 */
package dev.hybrid.internal;
