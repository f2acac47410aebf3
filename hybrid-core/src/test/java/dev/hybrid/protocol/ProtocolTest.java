package dev.hybrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProtocolTest {
    @TempDir
    Path dir;

    @Test
    void parameterFileHasNnisLayout() throws Exception {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("lr", 0.01);
        p.put("model", Map.of("_name", "svm"));
        ParameterFile f = ParameterFile.of(7, new Parameters(p));
        assertThat(f.render()).isEqualTo("{\"parameter_id\":7,\"parameter_source\":\"algorithm\","
                + "\"parameters\":{\"lr\":0.01,\"model\":{\"_name\":\"svm\"}},\"parameter_index\":0}");
        f.write(dir);
        assertThat(ParameterFile.read(dir)).isEqualTo(f);
        assertThat(ParameterFile.parse("{\"parameter_id\": null, \"parameters\": {}}").parameterId()).isEmpty();
    }

    @Test
    void metricRecordsParseNnisDoubleEncodedValue() {
        MetricRecord r = MetricRecord.parse("{\"parameter_id\": 3, \"trial_job_id\": \"Ab1\", \"type\": \"FINAL\","
                + " \"sequence\": 0, \"value\": \"{\\\"default\\\": 0.9, \\\"loss\\\": 0.1}\"}");
        Metric m = r.toMetric(Instant.EPOCH);
        assertThat(m.type()).isEqualTo(MetricType.FINAL);
        assertThat(m.value()).isEqualTo("{\"default\": 0.9, \"loss\": 0.1}");
        assertThat(m.scalar()).isEqualTo(0.9);
        assertThat(MetricRecord.parse(r.toJson())).isEqualTo(r);
        assertThat(MetricRecord.parse("{\"type\":\"REQUEST_PARAMETER\",\"trial_job_id\":\"x\"}").isParameterRequest())
                .isTrue();
        assertThatThrownBy(() -> MetricRecord.parse("{\"type\":\"BOGUS\",\"value\":\"1\"}"))
                .hasMessageContaining("unknown metric type 'BOGUS'");
    }

    @Test
    void anUnencodedNonFiniteValueStaysANumber() {
        // Python's json writes NaN and Infinity as bare tokens; they must not turn into strings on the way in.
        MetricRecord r = MetricRecord.parse("{\"type\": \"FINAL\", \"sequence\": 0, \"value\": NaN}");
        assertThat(r.value()).isEqualTo("NaN");
        assertThat(r.toMetric(Instant.EPOCH).scalar()).isNaN();
        MetricRecord o = MetricRecord.parse("{\"type\": \"FINAL\", \"value\": {\"default\": -Infinity}}");
        assertThat(o.toMetric(Instant.EPOCH).scalar()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> o.toMetric(Instant.EPOCH).finiteScalar())
                .isInstanceOf(dev.hybrid.trial.MetricFormatException.class).hasMessageContaining("finite number");
    }

    @Test
    void stdoutLinesRoundTripPythonBytesRepr() {
        String json = "{\"value\": \"it's a \\\\ \\\"test\\\" ü\"}";
        String line = StdoutMetrics.line(json);
        assertThat(line).startsWith("NNISDK_MEb'").contains("it\\'s").contains("\\xc3\\xbc");
        assertThat(StdoutMetrics.parse(line)).contains(json);
        // Exactly what Python prints for print('NNISDK_ME%r' % (b'{"a": "x"}',))
        assertThat(StdoutMetrics.parse("NNISDK_MEb'{\"a\": \"x\"}'")).contains("{\"a\": \"x\"}");
        assertThat(StdoutMetrics.parse("  NNISDK_MEb'{}'  ")).contains("{}");
        assertThat(StdoutMetrics.parse("epoch 3 loss 0.2")).isEmpty();
        assertThat(StdoutMetrics.parse("NNISDK_MEb'{unterminated")).isEmpty();
    }

    @Test
    void stateFileIsExitCodeAndEpochMillis() throws Exception {
        StateFile s = new StateFile(3, Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(s.render()).isEqualTo("3 1700000000123\n");
        s.write(dir);
        assertThat(StateFile.read(dir)).contains(s);
        assertThat(StateFile.parse("-15 12")).contains(new StateFile(-15, Instant.ofEpochMilli(12)));
        assertThat(StateFile.parse("garbage")).isEmpty();
    }

    @Test
    void environmentAsNniSetsIt() {
        TrialEnvironment env = TrialEnvironment.of("local", "exp1", "Ab1", 4, dir, Optional.of(Path.of("/code")),
                Optional.of(List.of()));
        assertThat(env.variables()).containsEntry("NNI_PLATFORM", "local").containsEntry("NNI_EXP_ID", "exp1")
                .containsEntry("NNI_TRIAL_JOB_ID", "Ab1").containsEntry("NNI_SYS_DIR", dir.toString())
                .containsEntry("NNI_OUTPUT_DIR", dir.toString()).containsEntry("NNI_TRIAL_SEQ_ID", "4")
                .containsEntry("MULTI_PHASE", "false").containsEntry("NNI_CODE_DIR", "/code")
                .containsEntry("CUDA_VISIBLE_DEVICES", "-1");
        assertThat(TrialEnvironment.of("remote", "e", "t", 0, dir, Optional.empty(), Optional.of(List.of(0, 2)))
                .variables()).containsEntry("CUDA_VISIBLE_DEVICES", "0,2").doesNotContainKey("NNI_CODE_DIR");
        assertThat(TrialEnvironment.of("local", "e", "t", 0, dir, Optional.empty(), Optional.empty()).variables())
                .doesNotContainKey("CUDA_VISIBLE_DEVICES");
    }

    @Test
    void javaTrialContextWritesFramesOnLocalAndStdoutLinesElsewhere() throws Exception {
        ParameterFile.of(5, new Parameters(Map.of("lr", 0.1))).write(dir);
        Map<String, String> env = new TrialEnvironment("local", "e", "T1", 0, dir.toString(), dir.toString(),
                Optional.empty(), Optional.empty()).variables();
        TrialContext local = TrialContext.of(env, new PrintStream(new ByteArrayOutputStream()));
        assertThat(local.parameters().getDouble("lr")).isEqualTo(0.1);
        local.reportIntermediate(0.5);
        local.reportIntermediate(Map.of("default", 0.6, "loss", 1.0));
        local.reportFinal(0.7);

        MetricFrames.Decoder d = new MetricFrames.Decoder();
        List<MetricRecord> records = d.feed(Files.readAllBytes(dir.resolve(".nni/metrics"))).stream()
                .map(f -> MetricRecord.parse(((MetricFrames.Frame.Data) f).json())).toList();
        assertThat(records).extracting(MetricRecord::type).containsExactly("PERIODICAL", "PERIODICAL", "FINAL");
        assertThat(records).extracting(MetricRecord::sequence).containsExactly(0, 1, 0);
        assertThat(records.get(0).parameterId()).contains(5L);
        assertThat(records.get(0).trialJobId()).isEqualTo("T1");
        assertThat(records.get(1).toMetric(Instant.EPOCH).scalar()).isEqualTo(0.6);

        Map<String, String> remoteEnv = new LinkedHashMap<>(env);
        remoteEnv.put("NNI_PLATFORM", "remote");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrialContext remote = TrialContext.of(remoteEnv, new PrintStream(out, true, StandardCharsets.UTF_8));
        remote.reportFinal(0.25);
        String line = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(MetricRecord.parse(StdoutMetrics.parse(line).orElseThrow()).value()).isEqualTo("0.25");
    }
}
