package dev.hybrid.platform.slurm.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code sbatch} flags that have a field in slurmrestd's job submission ({@code v0.0.37}/{@code v0.0.38}
 * {@code job_properties}), and how their values are spelled there. Each flag is one word: {@code --name=value},
 * {@code --name}, {@code -Xvalue} or {@code -X value}.
 */
public final class SbatchFlags {
    private enum Kind { TEXT, INT, MINUTES, MEGABYTES, TRUE, FALSE, IGNORED }

    private record Field(String name, Kind kind) {
    }

    private static final Map<String, Field> LONG = new LinkedHashMap<>();
    private static final Map<Character, String> SHORT = Map.ofEntries(Map.entry('p', "partition"),
            Map.entry('A', "account"), Map.entry('q', "qos"), Map.entry('t', "time"), Map.entry('c', "cpus-per-task"),
            Map.entry('G', "gpus"), Map.entry('n', "ntasks"), Map.entry('C', "constraint"), Map.entry('L', "licenses"),
            Map.entry('d', "dependency"), Map.entry('H', "hold"), Map.entry('s', "oversubscribe"),
            Map.entry('J', "job-name"), Map.entry('o', "output"), Map.entry('e', "error"), Map.entry('D', "chdir"));
    private static final Pattern SIZE = Pattern.compile("(\\d+)([KMGT]?)B?", Pattern.CASE_INSENSITIVE);

    static {
        LONG.put("partition", new Field("partition", Kind.TEXT));
        LONG.put("account", new Field("account", Kind.TEXT));
        LONG.put("qos", new Field("qos", Kind.TEXT));
        LONG.put("time", new Field("time_limit", Kind.MINUTES));
        LONG.put("cpus-per-task", new Field("cpus_per_task", Kind.INT));
        LONG.put("mem", new Field("memory_per_node", Kind.MEGABYTES));
        LONG.put("mem-per-cpu", new Field("memory_per_cpu", Kind.MEGABYTES));
        LONG.put("mem-per-gpu", new Field("memory_per_gpu", Kind.MEGABYTES));
        LONG.put("gres", new Field("gres", Kind.TEXT));
        LONG.put("gpus", new Field("gpus", Kind.TEXT));
        LONG.put("gpus-per-task", new Field("gpus_per_task", Kind.TEXT));
        LONG.put("gpus-per-node", new Field("gpus_per_node", Kind.TEXT));
        LONG.put("cpus-per-gpu", new Field("cpus_per_gpu", Kind.TEXT));
        LONG.put("ntasks", new Field("tasks", Kind.INT));
        LONG.put("ntasks-per-node", new Field("tasks_per_node", Kind.INT));
        LONG.put("constraint", new Field("constraints", Kind.TEXT));
        LONG.put("reservation", new Field("reservation", Kind.TEXT));
        LONG.put("comment", new Field("comment", Kind.TEXT));
        LONG.put("nice", new Field("nice", Kind.INT));
        LONG.put("wckey", new Field("wckey", Kind.TEXT));
        LONG.put("licenses", new Field("licenses", Kind.TEXT));
        LONG.put("dependency", new Field("dependency", Kind.TEXT));
        LONG.put("signal", new Field("signal", Kind.TEXT));
        LONG.put("mail-type", new Field("mail_type", Kind.TEXT));
        LONG.put("mail-user", new Field("mail_user", Kind.TEXT));
        LONG.put("requeue", new Field("requeue", Kind.TRUE));
        // Sent as requeue=false, which slurmrestd 22.05 accepts and may ignore (the job then stays requeueable, as
        // Slurm's JobRequeue default makes it).
        LONG.put("no-requeue", new Field("requeue", Kind.FALSE));
        LONG.put("hold", new Field("hold", Kind.TRUE));
        LONG.put("oversubscribe", new Field("oversubscribe", Kind.TRUE));
        LONG.put("job-name", new Field("name", Kind.TEXT));
        LONG.put("output", new Field("standard_output", Kind.TEXT));
        LONG.put("error", new Field("standard_error", Kind.TEXT));
        LONG.put("chdir", new Field("current_working_directory", Kind.TEXT));
        // The job id is what the REST answer carries anyway.
        LONG.put("parsable", new Field("", Kind.IGNORED));
    }

    private SbatchFlags() {
    }

    /** A flag as the field it sets and the field's value; nothing for a flag that needs no field. */
    public record Setting(String field, Object value) {
    }

    /**
     * The field {@code flag} sets in a REST job submission.
     *
     * @return empty for a flag with nothing to set ({@code --parsable})
     * @throws IllegalArgumentException when slurmrestd has no field for the flag, or its value is not one sbatch takes
     *     (the message names the flag)
     */
    public static Optional<Setting> map(String flag) {
        String word = flag.strip();
        String name;
        Optional<String> value;
        if (word.startsWith("--")) {
            int eq = word.indexOf('=');
            name = eq < 0 ? word.substring(2) : word.substring(2, eq);
            value = eq < 0 ? Optional.empty() : Optional.of(word.substring(eq + 1));
        } else if (word.startsWith("-") && word.length() >= 2) {
            name = SHORT.get(word.charAt(1));
            if (name == null) {
                throw new IllegalArgumentException(refusal(word.substring(0, 2)));
            }
            String rest = word.substring(2).strip();
            value = rest.isEmpty() ? Optional.empty() : Optional.of(rest);
        } else {
            throw new IllegalArgumentException("'" + word + "' is not an sbatch flag");
        }
        Field field = LONG.get(name);
        if (field == null) {
            throw new IllegalArgumentException(refusal("--" + name));
        }
        if (field.kind() == Kind.IGNORED) {
            return Optional.empty();
        }
        if (field.kind() == Kind.TRUE || field.kind() == Kind.FALSE) {
            if (value.isPresent()) {
                throw new IllegalArgumentException("--" + name + " takes no value through slurmrestd, had '"
                        + value.get() + "'");
            }
            return Optional.of(new Setting(field.name(), field.kind() == Kind.TRUE));
        }
        String v = value.filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalArgumentException("--" + name
                + " needs a value"));
        return Optional.of(new Setting(field.name(), switch (field.kind()) {
            case INT -> integer(name, v);
            case MINUTES -> minutes(name, v);
            case MEGABYTES -> megabytes(name, v);
            default -> v;
        }));
    }

    private static String refusal(String flag) {
        return "sbatch flag " + flag + " has no field in slurmrestd's job submission; through restUrl Hybrid passes "
                + new TreeSet<>(LONG.keySet()).stream().filter(k -> !k.equals("parsable")).map(k -> "--" + k)
                .toList();
    }

    private static long integer(String name, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + v + "'");
        }
    }

    /** slurmrestd's {@code time_limit} is whole minutes: a limit with seconds is rounded up. */
    private static long minutes(String name, String v) {
        return SlurmTime.parse(v).map(d -> Math.max(1, (d.getSeconds() + 59) / 60)).orElseThrow(() ->
                new IllegalArgumentException("--" + name + " must be a time limit (minutes, HH:MM:SS, D-HH:MM), was '"
                        + v + "'; slurmrestd has no spelling of UNLIMITED"));
    }

    /** sbatch's sizes: a number with an optional K, M, G or T suffix (default M), in MB. */
    private static long megabytes(String name, String v) {
        Matcher m = SIZE.matcher(v.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + name + " must be a size such as 4096 or 4G, was '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> Math.max(1, (n + 1023) / 1024);
            case "G" -> n * 1024;
            case "T" -> n * 1024 * 1024;
            default -> n;
        };
    }
}
