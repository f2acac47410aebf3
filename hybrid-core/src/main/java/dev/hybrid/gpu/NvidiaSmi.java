package dev.hybrid.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reads GPUs from {@code nvidia-smi}'s CSV queries:
 * {@code nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu,utilization.memory
 * --format=csv} and {@code nvidia-smi --query-compute-apps=gpu_uuid,pid,used_gpu_memory --format=csv}. The parsers
 * take the text, so a platform can run the commands anywhere (locally, over SSH) and tests can feed recorded output.
 */
public final class NvidiaSmi {
    /** The arguments of the GPU query. */
    public static final List<String> QUERY_GPU = List.of("--query-gpu=index,uuid,name,memory.total,memory.used,"
            + "memory.free,utilization.gpu,utilization.memory", "--format=csv");
    /** The arguments of the compute-process query. */
    public static final List<String> QUERY_APPS = List.of("--query-compute-apps=gpu_uuid,pid,used_gpu_memory",
            "--format=csv");

    private NvidiaSmi() {
    }

    /**
     * Parses the GPU query's output and counts each GPU's compute processes from the process query's output.
     *
     * @throws IllegalArgumentException if the GPU query's output is not in the expected form
     */
    public static List<GpuInfo> parse(String queryGpu, String queryApps) {
        Map<String, Integer> processes = new HashMap<>();
        for (List<String> row : rows(queryApps)) {
            if (!row.isEmpty() && !row.get(0).isEmpty()) {
                processes.merge(row.get(0), 1, Integer::sum);
            }
        }
        List<GpuInfo> out = new ArrayList<>();
        for (List<String> row : rows(queryGpu)) {
            if (row.size() < 7) {
                throw new IllegalArgumentException("nvidia-smi GPU row has " + row.size() + " columns: " + row);
            }
            try {
                String uuid = row.get(1);
                out.add(new GpuInfo(Integer.parseInt(row.get(0)), uuid, row.get(2), number(row.get(3)),
                        number(row.get(4)), (int) number(row.get(6)), processes.getOrDefault(uuid, 0)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("nvidia-smi GPU row is not understood: " + row, e);
            }
        }
        return out;
    }

    /**
     * Runs {@code nvidiaSmi} (a command name or path) on this machine; empty when it is not installed or fails (no
     * GPUs to schedule).
     */
    public static Optional<List<GpuInfo>> probe(String nvidiaSmi) {
        try {
            Optional<String> gpus = run(nvidiaSmi, QUERY_GPU);
            Optional<String> apps = run(nvidiaSmi, QUERY_APPS);
            if (gpus.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(parse(gpus.get(), apps.orElse("")));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> run(String command, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(command);
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** CSV rows after the header, cells trimmed. */
    private static List<List<String>> rows(String csv) {
        List<List<String>> out = new ArrayList<>();
        boolean header = true;
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            if (header) {
                header = false;
                if (line.toLowerCase(Locale.ROOT).startsWith("index") || line.contains("uuid")) {
                    continue;
                }
            }
            List<String> cells = new ArrayList<>();
            for (String c : line.split(",")) {
                cells.add(c.trim());
            }
            out.add(cells);
        }
        return out;
    }

    /** {@code 143771 MiB} or {@code 100 %} or {@code [N/A]} (as 0). */
    private static long number(String cell) {
        String v = cell.replace("MiB", "").replace("%", "").trim();
        if (v.isEmpty() || v.startsWith("[") || v.equalsIgnoreCase("N/A")) {
            return 0;
        }
        return Long.parseLong(v);
    }
}
