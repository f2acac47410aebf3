package dev.hybrid.protocol;

import java.util.List;

/** The message of a trial that exited with a non-zero code: the code and the last lines of its stderr. */
public final class ExitMessage {
    /** How many of stderr's last non-blank lines the message keeps. */
    public static final int STDERR_LINES = 10;

    private ExitMessage() {
    }

    /** {@code exit code 3; last lines of stderr:\n...}, or just {@code exit code 3} when stderr is blank. */
    public static String of(int exitCode, String stderr) {
        List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return "exit code " + exitCode;
        }
        return "exit code " + exitCode + "; last lines of stderr:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size()));
    }
}
