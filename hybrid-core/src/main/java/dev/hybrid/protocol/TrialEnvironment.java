package dev.hybrid.protocol;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The environment variables a trial process receives, as NNI sets them (reference: NNI's trial protocol §3.3).
 * {@code NNI_OUTPUT_DIR} is always set, since NNI's SDK fails without it.
 *
 * @param platform {@code NNI_PLATFORM}: {@code local}, {@code remote}, {@code pai}, {@code aml}
 * @param experimentId {@code NNI_EXP_ID}
 * @param trialId {@code NNI_TRIAL_JOB_ID}
 * @param sequence {@code NNI_TRIAL_SEQ_ID}
 * @param sysDir {@code NNI_SYS_DIR}, the trial's own directory
 * @param outputDir {@code NNI_OUTPUT_DIR}
 * @param codeDir {@code NNI_CODE_DIR}, if the platform has one
 * @param gpuIndices {@code CUDA_VISIBLE_DEVICES}: empty when the trial did not ask for GPUs ({@code gpuNum} unset);
 *     an empty list when it asked for 0 ({@code -1}); else the assigned indices
 */
public record TrialEnvironment(String platform, String experimentId, String trialId, int sequence, String sysDir,
        String outputDir, Optional<String> codeDir, Optional<List<Integer>> gpuIndices) {

    public TrialEnvironment {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(trialId, "trialId");
        Objects.requireNonNull(sysDir, "sysDir");
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(codeDir, "codeDir");
        gpuIndices = gpuIndices.map(List::copyOf);
    }

    /** The environment of a trial whose output directory is its system directory (local and remote platforms). */
    public static TrialEnvironment of(String platform, String experimentId, String trialId, int sequence, Path sysDir,
            Optional<Path> codeDir, Optional<List<Integer>> gpuIndices) {
        String dir = sysDir.toString();
        return new TrialEnvironment(platform, experimentId, trialId, sequence, dir, dir,
                codeDir.map(Path::toString), gpuIndices);
    }

    /** The variables, in a stable order. */
    public Map<String, String> variables() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NNI_PLATFORM", platform);
        env.put("NNI_EXP_ID", experimentId);
        env.put("NNI_TRIAL_JOB_ID", trialId);
        env.put("NNI_SYS_DIR", sysDir);
        env.put("NNI_OUTPUT_DIR", outputDir);
        env.put("NNI_TRIAL_SEQ_ID", Integer.toString(sequence));
        env.put("MULTI_PHASE", "false");
        codeDir.ifPresent(d -> env.put("NNI_CODE_DIR", d));
        gpuIndices.ifPresent(g -> env.put("CUDA_VISIBLE_DEVICES", g.isEmpty() ? "-1"
                : g.stream().map(String::valueOf).collect(Collectors.joining(","))));
        return env;
    }
}
