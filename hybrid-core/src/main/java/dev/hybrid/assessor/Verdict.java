package dev.hybrid.assessor;

/** An assessor's judgement of a running trial: keep it ({@code GOOD}) or stop it early ({@code BAD}). */
public enum Verdict {
    GOOD, BAD
}
