package dev.hybrid.testkit;

import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.UnsupportedSearchSpaceException;
import dev.hybrid.tuner.builtin.RandomTuner;
import java.util.List;

/**
 * The contract run on a tuner that legitimately rejects {@code normal}: every test but the rejection check must be
 * fed spaces without {@code normal} parameters, so the tuner passes the whole contract.
 */
class NoNormalTunerContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        return new NoNormalTuner(new RandomTuner(context.random()));
    }

    @Override
    protected List<UnsupportedCase> unsupportedSpaces() {
        return List.of(new UnsupportedCase(TestSpaces.singleKinds().get("normal"), "p"),
                new UnsupportedCase(TestSpaces.nestedThreeLevels(), "n"));
    }

    /** A random tuner that refuses any {@code normal} parameter, at any depth. */
    private record NoNormalTuner(Tuner inner) implements Tuner {
        @Override
        public void updateSearchSpace(SearchSpace space) {
            rejectNormal(space);
            inner.updateSearchSpace(space);
        }

        private static void rejectNormal(SearchSpace space) {
            for (ParameterSpec spec : space.parameters()) {
                if (spec.nniType().equals("normal")) {
                    throw new UnsupportedSearchSpaceException("NoNormal", spec.name(), "normal", "not modelled");
                }
                if (spec instanceof Choice choice) {
                    for (ChoiceOption o : choice.options()) {
                        if (o instanceof ChoiceOption.Nested nested) {
                            rejectNormal(nested.space());
                        }
                    }
                }
            }
        }

        @Override
        public Suggestion suggest(TrialId trial) {
            return inner.suggest(trial);
        }

        @Override
        public void onResult(TrialId trial, Parameters parameters, double value) {
            inner.onResult(trial, parameters, value);
        }

        @Override
        public void onTrialEnd(TrialId trial, TrialStatus status) {
            inner.onTrialEnd(trial, status);
        }
    }
}
