/**
 * The web dashboard: {@link dev.hybrid.dashboard.Dashboard} serves a running or stored experiment as a live page
 * (overview, trials, charts, steering) on loopback, and {@link dev.hybrid.dashboard.DashboardReport} writes one as a
 * self-contained HTML file. Non-null by default.
 */
package dev.hybrid.dashboard;
