/**
 * The {@code hybrid} command line: a picocli command with one subcommand per task ({@code bench}, ...). Exit codes:
 * 0 success, 2 usage or configuration errors, 1 anything else. Non-null by default.
 */
package dev.hybrid.cli;
