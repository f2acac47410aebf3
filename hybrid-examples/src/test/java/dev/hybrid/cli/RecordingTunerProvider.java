package dev.hybrid.cli;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.WarmStart;
import dev.hybrid.tuner.builtin.RandomTuner;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * "TestRecording": a random tuner that remembers every result it learned (its own and replayed ones), so that a test
 * can compare its history with the store. The last tuner created in this JVM is kept in {@link #LAST}.
 */
public final class RecordingTunerProvider implements TunerProvider {
    /** The tuner most recently created by this provider in this JVM. */
    static final AtomicReference<Recording> LAST = new AtomicReference<>();

    @Override
    public String name() {
        return "TestRecording";
    }

    @Override
    public Tuner create(ConfigNode args, TunerContext context) {
        args.rejectUnknownKeys();
        Recording tuner = new Recording(new RandomTuner(context.random()));
        LAST.set(tuner);
        return tuner;
    }

    /** The recording tuner; its history is read after the experiment ended. */
    static final class Recording implements Tuner, WarmStart {
        private final Tuner inner;
        private final Map<TrialId, Double> history = new LinkedHashMap<>();
        private final Map<TrialId, TrialStatus> priorTrials = new LinkedHashMap<>();

        Recording(Tuner inner) {
            this.inner = inner;
        }

        synchronized Map<TrialId, Double> history() {
            return Map.copyOf(history);
        }

        /** The trials without a result it was told of on resume, with the status they were given. */
        synchronized Map<TrialId, TrialStatus> priorTrials() {
            return Map.copyOf(priorTrials);
        }

        @Override
        public void updateSearchSpace(SearchSpace space) {
            inner.updateSearchSpace(space);
        }

        @Override
        public Suggestion suggest(TrialId trial) {
            return inner.suggest(trial);
        }

        @Override
        public synchronized void onResult(TrialId trial, Parameters parameters, double value) {
            history.put(trial, value);
        }

        @Override
        public void onTrialEnd(TrialId trial, TrialStatus status) {
        }

        @Override
        public synchronized void addPriorResult(TrialId trial, Parameters parameters, double value) {
            history.put(trial, value);
        }

        @Override
        public synchronized void addPriorTrial(TrialId trial, Parameters parameters, TrialStatus status) {
            priorTrials.put(trial, status);
        }
    }
}
