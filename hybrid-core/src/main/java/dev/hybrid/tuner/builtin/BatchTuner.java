package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.UnsupportedSearchSpaceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * NNI's {@code BatchTuner}: runs exactly the parameter sets listed in the space, in their order, then answers
 * {@link Suggestion.Done}. The space must be NNI's batch space, a single {@code choice} named
 * {@code combine_params} whose options are the parameter sets:
 * <pre>{"combine_params": {"_type": "choice", "_value": [{"lr": 0.1, "opt": "sgd"}, {"lr": 0.01, "opt": "adam"}]}}</pre>
 * Each trial receives one set as its parameters ({@code {"lr": 0.1, "opt": "sgd"}}), not wrapped in
 * {@code combine_params}. A trial that fails is not rerun, as in NNI. Results are ignored, except that a set
 * already run before this tuner was created (a resumed experiment's finished trials, NNI import data) is not run
 * again, as NNI's {@code import_data} does.
 *
 * <p>Called only from the experiment thread; not thread-safe. Uses no randomness.
 */
public final class BatchTuner implements Tuner, dev.hybrid.tuner.WarmStart {
    static final String COMBINE_PARAMS = "combine_params";

    private List<Parameters> sets = List.of();
    private boolean[] done = new boolean[0];
    private int next;

    /**
     * Takes the parameter sets of a batch space and starts again from the first.
     *
     * @throws UnsupportedSearchSpaceException naming the offending parameter if the space is anything but one
     *     {@code choice} named {@code combine_params} whose options are all parameter sets (JSON objects)
     */
    @Override
    public void updateSearchSpace(SearchSpace space) {
        Objects.requireNonNull(space, "space");
        for (ParameterSpec p : space.parameters()) {
            if (!p.name().equals(COMBINE_PARAMS)) {
                throw unsupported(p, "BatchTuner's space is a single choice named '" + COMBINE_PARAMS
                        + "' listing the parameter sets to run; this one also has '" + p.name() + "'");
            }
        }
        ParameterSpec batch = space.get(COMBINE_PARAMS).orElseThrow(() -> new UnsupportedSearchSpaceException(
                "BatchTuner", COMBINE_PARAMS, "choice", "the space is empty; list the parameter sets as the options"
                        + " of a choice named '" + COMBINE_PARAMS + "'"));
        if (!(batch instanceof Choice choice)) {
            throw unsupported(batch, "'" + COMBINE_PARAMS + "' must be a choice whose options are parameter sets");
        }
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < choice.options().size(); i++) {
            ChoiceOption o = choice.options().get(i);
            if (!(o instanceof ChoiceOption.Value v && v.value() instanceof Map<?, ?> m)) {
                throw unsupported(batch, "option " + i + " is not a parameter set (a JSON object without _name)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> set = (Map<String, Object>) m;
            out.add(new Parameters(set));
        }
        sets = List.copyOf(out);
        done = new boolean[sets.size()];
        next = 0;
    }

    /** The next listed set, or {@link Suggestion.Done} once every set has been proposed. */
    @Override
    public Suggestion suggest(TrialId trial) {
        Objects.requireNonNull(trial, "trial");
        while (next < sets.size() && done[next]) {
            next++;
        }
        if (next >= sets.size()) {
            return new Suggestion.Done();
        }
        done[next] = true;
        return new Suggestion.Next(sets.get(next++));
    }

    /** Ignored: the batch is fixed. */
    @Override
    public void onResult(TrialId trial, Parameters parameters, double value) {
    }

    /** The first listed set equal to {@code parameters} and not yet run is skipped from now on. */
    @Override
    public void addPriorResult(TrialId trial, Parameters parameters, double value) {
        Objects.requireNonNull(parameters, "parameters");
        for (int i = 0; i < sets.size(); i++) {
            if (!done[i] && sameSet(sets.get(i).values(), parameters.values())) {
                done[i] = true;
                return;
            }
        }
    }

    /** Equal maps, numbers compared by value (an import file may write 2 as 2.0). */
    private static boolean sameSet(Map<String, Object> a, Map<String, Object> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : a.entrySet()) {
            Object x = e.getValue();
            Object y = b.get(e.getKey());
            boolean same = x instanceof Number n && y instanceof Number m ? n.doubleValue() == m.doubleValue()
                    : x.equals(y);
            if (!same) {
                return false;
            }
        }
        return true;
    }

    private static UnsupportedSearchSpaceException unsupported(ParameterSpec p, String why) {
        return new UnsupportedSearchSpaceException("BatchTuner", p.name(), p.nniType(), why);
    }
}
