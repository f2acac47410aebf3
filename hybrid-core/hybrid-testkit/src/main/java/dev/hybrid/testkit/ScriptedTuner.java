package dev.hybrid.testkit;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A {@link Tuner} that answers {@code suggest} from a script and records every call. Once the script is used up it
 * answers with a fallback (by default {@code Next({"i": n})}, {@code n} counting suggest calls from 0). Scripted
 * exceptions are thrown from {@code suggest}; {@link #failOnResult} makes {@code onResult} throw. Thread-safe, so a
 * test may read the calls while the experiment thread makes them.
 */
public final class ScriptedTuner implements Tuner {

    /** One call the tuner received. */
    public sealed interface Call {
        /** {@code updateSearchSpace(space)}. */
        record UpdateSearchSpace(SearchSpace space) implements Call {
        }

        /** {@code suggest(trial)} and what it answered. */
        record Suggest(TrialId trial, Suggestion answer) implements Call {
        }

        /** {@code onResult(trial, parameters, value)}. */
        record Result(TrialId trial, Parameters parameters, double value) implements Call {
        }

        /** {@code onTrialEnd(trial, status)}. */
        record End(TrialId trial, TrialStatus status) implements Call {
        }
    }

    private final Deque<Object> script = new ArrayDeque<>();
    private final List<Call> calls = new ArrayList<>();
    private IntFunction<Suggestion> fallback = n -> new Suggestion.Next(new Parameters(Map.of("i", n)));
    private RuntimeException resultFailure;
    private int suggestCount;

    /** Appends answers to the script. */
    public synchronized ScriptedTuner then(Suggestion... answers) {
        for (Suggestion s : answers) {
            script.add(Objects.requireNonNull(s, "answer"));
        }
        return this;
    }

    /** Appends a {@code Next} with these parameters. */
    public ScriptedTuner thenNext(Map<String, ?> parameters) {
        return then(new Suggestion.Next(new Parameters(Map.copyOf(parameters))));
    }

    /** Appends a {@code suggest} call that throws {@code e}. */
    public synchronized ScriptedTuner thenThrow(RuntimeException e) {
        script.add(Objects.requireNonNull(e, "e"));
        return this;
    }

    /** Sets the answer once the script is used up, from the number of suggest calls made before (from 0). */
    public synchronized ScriptedTuner otherwise(IntFunction<Suggestion> fallback) {
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        return this;
    }

    /** Makes every later {@code onResult} throw {@code e}. */
    public synchronized ScriptedTuner failOnResult(RuntimeException e) {
        this.resultFailure = e;
        return this;
    }

    @Override
    public synchronized void updateSearchSpace(SearchSpace space) {
        calls.add(new Call.UpdateSearchSpace(space));
    }

    @Override
    public synchronized Suggestion suggest(TrialId trial) {
        Object next = script.poll();
        int n = suggestCount++;
        if (next instanceof RuntimeException e) {
            calls.add(new Call.Suggest(trial, new Suggestion.Later()));
            throw e;
        }
        Suggestion answer = next != null ? (Suggestion) next : fallback.apply(n);
        calls.add(new Call.Suggest(trial, answer));
        return answer;
    }

    @Override
    public synchronized void onResult(TrialId trial, Parameters parameters, double value) {
        calls.add(new Call.Result(trial, parameters, value));
        if (resultFailure != null) {
            throw resultFailure;
        }
    }

    @Override
    public synchronized void onTrialEnd(TrialId trial, TrialStatus status) {
        calls.add(new Call.End(trial, status));
    }

    /** Every call so far, in order. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The {@code suggest} calls so far. */
    public List<Call.Suggest> suggestions() {
        return calls().stream().filter(Call.Suggest.class::isInstance).map(Call.Suggest.class::cast).toList();
    }

    /** The {@code onResult} calls so far. */
    public List<Call.Result> results() {
        return calls().stream().filter(Call.Result.class::isInstance).map(Call.Result.class::cast).toList();
    }

    /** The {@code onTrialEnd} calls so far. */
    public List<Call.End> ends() {
        return calls().stream().filter(Call.End.class::isInstance).map(Call.End.class::cast).toList();
    }
}
