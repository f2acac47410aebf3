package dev.hybrid.platform.slurm.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Slurm's time limits ({@code --time}): minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, UNLIMITED. */
public final class SlurmTime {
    private static final Pattern DAYS = Pattern.compile("(\\d+)-(\\d+)(?::(\\d+))?(?::(\\d+))?");
    private static final Pattern CLOCK = Pattern.compile("(\\d+)(?::(\\d+))?(?::(\\d+))?");

    private SlurmTime() {
    }

    /** The limit {@code text} spells; empty for no limit ({@code UNLIMITED}, {@code INFINITE}) or text that is not one. */
    public static Optional<Duration> parse(String text) {
        String t = text.strip();
        Matcher d = DAYS.matcher(t);
        if (d.matches()) {
            return Optional.of(Duration.ofDays(Long.parseLong(d.group(1))).plusHours(Long.parseLong(d.group(2)))
                    .plusMinutes(number(d.group(3))).plusSeconds(number(d.group(4))));
        }
        Matcher c = CLOCK.matcher(t);
        if (!c.matches()) {
            return Optional.empty();
        }
        if (c.group(2) == null) {
            return Optional.of(Duration.ofMinutes(Long.parseLong(c.group(1))));
        }
        if (c.group(3) == null) {
            return Optional.of(Duration.ofMinutes(Long.parseLong(c.group(1))).plusSeconds(Long.parseLong(c.group(2))));
        }
        return Optional.of(Duration.ofHours(Long.parseLong(c.group(1))).plusMinutes(Long.parseLong(c.group(2)))
                .plusSeconds(Long.parseLong(c.group(3))));
    }

    private static long number(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }
}
