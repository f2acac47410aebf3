package dev.hybrid.trial;

/** NNI's metric types: an intermediate result ({@code PERIODICAL}) or the trial's final result. */
public enum MetricType {
    PERIODICAL, FINAL
}
