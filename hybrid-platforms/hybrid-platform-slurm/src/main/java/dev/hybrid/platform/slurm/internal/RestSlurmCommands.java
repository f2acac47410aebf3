package dev.hybrid.platform.slurm.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Slurm commands the platform runs, answered through slurmrestd instead of processes, with the output the
 * commands would print: {@code sbatch --parsable} (the flags mapped by {@link SbatchFlags}, the script read from this
 * machine), {@code squeue -h [-t all|STATES] [--name=N] [-j IDS] -o FORMAT} (one {@code GET jobs} for all jobs; format
 * codes {@code %i %j %T %r %k}), {@code scancel IDS|--name=N} and {@code sacct -j ID -o JobID,State} (slurmdbd's
 * accounting when slurmrestd has it). {@code sacct -c} fails as it does without a completion file: slurmrestd cannot
 * read it, so a job that left the queue ends by its own exit file. Errors that slurmrestd answers come back as a
 * failed command with its message; an unreachable server throws. {@link #submitOnce} is answered natively: one
 * {@code GET jobs} looks for the job by name and comment, then one {@code POST job/submit} carries the comment.
 */
public final class RestSlurmCommands implements SlurmCommands {
    /** The batch jobs' environment: the REST API requires one, and sbatch would have passed the submitter's. */
    private static final Set<String> PASSED_ENVIRONMENT = Set.of("PATH", "LANG", "LC_ALL");

    private final SlurmRestClient client;

    public RestSlurmCommands(SlurmRestClient client) {
        this.client = client;
    }

    @Override
    public Result run(List<String> args) throws IOException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "sbatch" -> sbatch(rest);
                case "squeue" -> squeue(rest);
                case "scancel" -> scancel(rest);
                case "sacct" -> sacct(rest);
                default -> throw new IOException(args.get(0) + " is not available through " + client.describe());
            };
        } catch (SlurmRestClient.Refused e) {
            return new Result(1, "", args.get(0) + ": error: " + e.getMessage() + "\n");
        } catch (IllegalArgumentException e) {
            return new Result(1, "", args.get(0) + ": error: " + e.getMessage() + "\n");
        }
    }

    @Override
    public Result submitOnce(String token, String jobName, List<String> sbatchArgs) throws IOException {
        List<SlurmRestClient.Job> known;
        try {
            known = client.jobs();
        } catch (SlurmRestClient.Refused e) {
            return new Result(CANNOT_LIST, "", "cannot list the jobs named " + jobName + ": " + e.getMessage() + "\n");
        }
        Optional<SlurmRestClient.Job> made = known.stream().filter(j -> j.name().equals(jobName)
                && j.comment().equals(token)).findFirst();
        if (made.isPresent()) {
            return new Result(0, made.get().id() + "\n", "");
        }
        List<String> args = new ArrayList<>(List.of("--job-name=" + jobName, "--comment=" + token));
        args.addAll(sbatchArgs);
        try {
            return sbatch(args);
        } catch (SlurmRestClient.Refused | IllegalArgumentException e) {
            return new Result(1, "", "sbatch: error: " + e.getMessage() + "\n");
        }
    }

    private Result sbatch(List<String> args) throws IOException {
        Map<String, Object> job = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        System.getenv().forEach((k, v) -> {
            if (PASSED_ENVIRONMENT.contains(k)) {
                env.put(k, v);
            }
        });
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        job.put("environment", env);
        Optional<Path> script = Optional.empty();
        for (String a : args) {
            if (a.startsWith("-")) {
                SbatchFlags.map(a).ifPresent(s -> job.put(s.field(), s.value()));
            } else if (script.isEmpty()) {
                script = Optional.of(Path.of(a));
            } else {
                throw new IllegalArgumentException("script arguments are not passed through slurmrestd: " + a);
            }
        }
        Path file = script.orElseThrow(() -> new IllegalArgumentException("no batch script"));
        String id = client.submit(job, Files.readString(file, StandardCharsets.UTF_8));
        return new Result(0, id + "\n", "");
    }

    private Result squeue(List<String> args) throws IOException {
        Optional<Set<String>> states = Optional.of(Set.of("PENDING", "RUNNING", "COMPLETING", "CONFIGURING",
                "SUSPENDED", "REQUEUED", "RESIZING"));
        Optional<String> name = Optional.empty();
        Optional<Set<String>> ids = Optional.empty();
        String format = "%i %T";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.size() ? args.get(i + 1)
                    : "";
            String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            boolean separate = !a.contains("=");
            switch (flag) {
                case "-h", "--noheader" -> separate = false;
                case "-t", "--states" -> states = value.equalsIgnoreCase("all") ? Optional.empty()
                        : Optional.of(Set.of(value.toUpperCase(Locale.ROOT).split(",")));
                case "-n", "--name" -> name = Optional.of(value);
                case "-j", "--jobs" -> ids = Optional.of(Set.of(value.split(",")));
                case "-o", "--format" -> format = value;
                default -> throw new IllegalArgumentException("squeue option " + a + " is not answered through "
                        + client.describe());
            }
            if (separate) {
                i++;
            }
        }
        StringBuilder out = new StringBuilder();
        for (SlurmRestClient.Job job : client.jobs()) {
            if (name.isPresent() && !name.get().equals(job.name())
                    || ids.isPresent() && !ids.get().contains(job.id())
                    || states.isPresent() && !states.get().contains(job.state())) {
                continue;
            }
            out.append(format(format, job)).append('\n');
        }
        return new Result(0, out.toString(), "");
    }

    private static String format(String format, SlurmRestClient.Job job) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                b.append(c);
                continue;
            }
            char code = format.charAt(++i);
            b.append(switch (code) {
                case 'i' -> job.id();
                case 'j' -> job.name();
                case 'T' -> job.state();
                case 'r' -> job.reason();
                case 'k' -> job.comment();
                case '%' -> "%";
                default -> throw new IllegalArgumentException("squeue format %" + code + " is not answered through"
                        + " slurmrestd (it answers %i %j %T %r %k)");
            });
        }
        return b.toString();
    }

    private Result scancel(List<String> args) throws IOException {
        List<String> ids = new ArrayList<>();
        Optional<String> name = Optional.empty();
        for (String a : args) {
            if (a.startsWith("--name=")) {
                name = Optional.of(a.substring("--name=".length()));
            } else if (a.equals("-f") || a.equals("--full")) {
                // DELETE ends the whole job, its batch shell included.
                continue;
            } else if (a.startsWith("-")) {
                throw new IllegalArgumentException("scancel option " + a + " is not answered through "
                        + client.describe());
            } else {
                ids.add(a);
            }
        }
        if (name.isPresent()) {
            String n = name.get();
            client.jobs().stream().filter(j -> j.name().equals(n) && !JobState.parse(j.state()).isFinal())
                    .forEach(j -> ids.add(j.id()));
        }
        StringBuilder err = new StringBuilder();
        for (String id : ids) {
            try {
                client.cancel(id);
            } catch (SlurmRestClient.Refused e) {
                err.append("scancel: error: Kill job error on job id ").append(id).append(": ").append(e.getMessage())
                        .append('\n');
            }
        }
        return new Result(err.length() == 0 ? 0 : 1, "", err.toString());
    }

    private Result sacct(List<String> args) throws IOException {
        Optional<String> id = Optional.empty();
        List<String> columns = List.of("JobID", "State");
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-c", "--completion" -> {
                    return new Result(1, "", "sacct: error: the job completion file is not readable through "
                            + client.describe() + "\n");
                }
                case "-n", "--noheader", "-P", "--parsable2" -> {
                }
                case "-j", "--jobs" -> id = Optional.of(args.get(++i));
                case "-o", "--format" -> columns = List.of(args.get(++i).split(","));
                default -> throw new IllegalArgumentException("sacct option " + args.get(i) + " is not answered"
                        + " through " + client.describe());
            }
        }
        String jobId = id.orElseThrow(() -> new IllegalArgumentException("sacct needs -j ID through slurmrestd"));
        Optional<String> state = client.accountedState(jobId);
        if (state.isEmpty()) {
            return new Result(1, "", "sacct: error: " + client.describe() + " has no accounting record of job "
                    + jobId + " (no slurmdbd behind it)\n");
        }
        List<String> fields = new ArrayList<>();
        for (String c : columns) {
            fields.add(switch (c.toLowerCase(Locale.ROOT)) {
                case "jobid" -> jobId;
                case "state" -> state.get();
                default -> throw new IllegalArgumentException("sacct column " + c + " is not answered through"
                        + " slurmrestd (it answers JobID,State)");
            });
        }
        return new Result(0, String.join("|", fields) + "\n", "");
    }
}
