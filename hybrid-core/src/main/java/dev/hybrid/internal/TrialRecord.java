package dev.hybrid.internal;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mutable record of one trial. Written only by the experiment thread while it holds the loop's lock; read under
 * the same lock to make {@link Trial} snapshots.
 */
final class TrialRecord {
    final TrialSpec spec;
    /** The platform's name; for a composite platform, the child's once the trial starts. */
    String platform;
    /** The machine of the current attempt, where the platform names one; null otherwise. */
    String machine;
    /** 1 for the first run; a trial resubmitted on resume runs again as the next attempt. */
    int attempt = 1;
    /** The platform an earlier run recorded for this unfinished trial, until it is run again on resume; else null. */
    String resumedFrom;
    /** Whether holding it for its earlier attempt was logged. */
    boolean heldLogged;
    final Instant submitted;
    TrialStatus status = TrialStatus.WAITING;
    Instant started;
    Instant ended;
    Integer exitCode;
    String message = "";
    /** Created on the first intermediate metric: most trials of a fast experiment have none. */
    List<Metric> intermediate;
    Metric finalMetric;
    double finalValue;
    boolean hasFinalValue;
    /** Why the final metric was rejected, if it was. */
    String badFinal;
    int submitAttempts;
    /** The assessor judged it BAD and it was cancelled: its cancellation ends it EARLY_STOPPED. */
    boolean earlyStopRequested;
    /** Why the loop cancelled it for a limit (maxTrialDuration, the deadline grace); null when it did not. */
    String limitReached;
    /** Who asked to cancel it ("cancelled by api", ...) through a steering request; null when nobody did. */
    String cancelledBy;
    /** Whether that limit ends it EARLY_STOPPED (maxTrialDuration, as NNI) rather than USER_CANCELED. */
    boolean limitStopsEarly;
    /** The pending maxTrialDuration timer of the running attempt, if any; cancelled when the trial ends. */
    java.util.concurrent.ScheduledFuture<?> timeLimit;

    TrialRecord(TrialSpec spec, String platform, Instant submitted) {
        this.spec = spec;
        this.platform = platform;
        this.submitted = submitted;
    }

    TrialId id() {
        return spec.id();
    }

    Parameters parameters() {
        return spec.parameters();
    }

    void addIntermediate(Metric m) {
        if (intermediate == null) {
            intermediate = new ArrayList<>(4);
        }
        intermediate.add(m);
    }

    Trial snapshot() {
        return new Trial(spec.id(), spec.sequence(), spec.parameterId(), spec.parameters(), status, platform,
                submitted, Optional.ofNullable(started), Optional.ofNullable(ended), Optional.ofNullable(exitCode),
                message, intermediate == null ? List.of() : intermediate, Optional.ofNullable(finalMetric),
                hasFinalValue ? Optional.of(finalValue) : Optional.empty(), Optional.ofNullable(machine));
    }
}
