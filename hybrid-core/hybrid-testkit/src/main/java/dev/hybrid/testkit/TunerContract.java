package dev.hybrid.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link Tuner} must show, run against each implementation by a subclass:
 * <pre>{@code
 * class RandomTunerContractTest extends TunerContract {
 *     @Override protected Tuner newTuner(TunerContext context) { return new RandomTuner(context.random()); }
 * }
 * }</pre>
 * It drives the tuner over every {@code ParameterSpec} kind (each alone, all ten together, nested choices two and
 * three levels deep), at least 100 suggestions per test, with results interleaved as an experiment delivers them:
 * up to three trials pending, some failing or cancelled without a result, some reporting after their end. It checks that every
 * suggestion lies in the space ({@link SpaceAssertions}); that the same seed gives the same sequence; that NaN and
 * ±Infinity results are accepted; that results and ends for unknown trials change nothing; and what happens on a
 * finite space ({@link #endsWhenSpaceIsExhausted()}). An advisor names the parameter that carries each trial's budget
 * in {@link #budgetParameter()}; its suggestions are checked without it. Tuners that reject some specs list them in
 * {@link #unsupportedSpaces()}: the contract checks that each is rejected naming its parameter, and feeds every other
 * test only the parameters of the kinds ({@code _type}s) the tuner supports; a space left empty, or a finite space
 * that loses a parameter, is skipped.
 */
public abstract class TunerContract {
    /** Suggestions per test; more than 100, as the contract promises. */
    protected static final int SUGGESTIONS = 120;
    private static final int PENDING = 3;

    /** A new tuner for the context's seed; the contract calls {@code updateSearchSpace} itself. */
    protected abstract Tuner newTuner(TunerContext context);

    /**
     * Whether the tuner ends a finite space with {@link Suggestion.Done} after proposing each combination exactly once
     * (a grid search, or a tuner that deduplicates). When false, the tuner must keep proposing on a finite space.
     */
    protected boolean endsWhenSpaceIsExhausted() {
        return false;
    }

    /**
     * Whether the tuner proposes in generations (PBT): it may answer {@link Suggestion.Later} once a generation's
     * trials are all out, until they end. When false, any number of trials may be pending at once.
     */
    protected boolean proposesInGenerations() {
        return false;
    }

    /**
     * The parameter in which the tuner, an advisor, passes each trial's budget besides the space's parameters (NNI's
     * {@code TRIAL_BUDGET}); empty (the default) for a plain tuner. When set, every suggestion must carry it as a
     * positive number, and the other parameters must lie in the space.
     */
    protected Optional<String> budgetParameter() {
        return Optional.empty();
    }

    /**
     * Whether the tuner may answer {@link Suggestion.Later} while trials it proposed are pending, however few (an
     * advisor in NNI's serial mode waits for its rung to end before it proposes more). Such a tuner must still
     * propose once every pending trial has ended. False by default: the contract then asks for 120 proposals with
     * no result in between.
     */
    protected boolean waitsForPendingTrials() {
        return false;
    }

    /**
     * The parameters the tuner adds to every suggestion beyond the space (PBT's checkpoint folders); the contract
     * checks the rest against the space.
     */
    protected Set<String> addedParameters() {
        return Set.of();
    }

    /** {@code p} without the {@link #addedParameters()}, each of which must be present. */
    private Parameters own(Parameters p) {
        Set<String> added = addedParameters();
        if (added.isEmpty()) {
            return p;
        }
        assertThat(p.values()).as("the parameters the tuner adds").containsKeys(added.toArray(new String[0]));
        Map<String, Object> rest = new java.util.LinkedHashMap<>(p.values());
        rest.keySet().removeAll(added);
        return new Parameters(rest);
    }

    /**
     * Spaces the tuner must reject in {@code updateSearchSpace}, each with the parameter it must name. The
     * {@code _type} of each named parameter is left out of every other test's spaces.
     */
    protected List<UnsupportedCase> unsupportedSpaces() {
        return List.of();
    }

    /** A space the tuner cannot search, and the parameter its {@link UnsupportedSearchSpaceException} must name. */
    public record UnsupportedCase(SearchSpace space, String parameter) {
        public UnsupportedCase {
            Objects.requireNonNull(space, "space");
            Objects.requireNonNull(parameter, "parameter");
        }
    }

    static Stream<Arguments> spaces() {
        List<Arguments> out = new ArrayList<>();
        TestSpaces.singleKinds().forEach((type, space) -> out.add(Arguments.of(type, space)));
        out.add(Arguments.of("all ten types", TestSpaces.allTypes()));
        out.add(Arguments.of("nested two levels", TestSpaces.nestedTwoLevels()));
        out.add(Arguments.of("nested three levels", TestSpaces.nestedThreeLevels()));
        out.add(Arguments.of("finite", TestSpaces.finite()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spaces")
    void suggestionsStayInsideTheSpace(String kind, SearchSpace declared) {
        SearchSpace space = usable(declared);
        Tuner tuner = started(7, space);
        List<Parameters> seen = drive(tuner, SUGGESTIONS, TunerContract::objective);
        assertThat(seen).isNotEmpty();
        seen.forEach(p -> assertSuggested(space, own(p)));
        if (seen.size() < SUGGESTIONS) {
            assertThat(endsWhenSpaceIsExhausted())
                    .as("only an exhaustive tuner may stop early; stopped after %d", seen.size()).isTrue();
            assertThat(new HashSet<>(seen)).as("an exhausted space's proposals are distinct").hasSize(seen.size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spaces")
    void theSameSeedGivesTheSameSequence(String kind, SearchSpace declared) {
        SearchSpace space = usable(declared);
        List<Parameters> first = drive(started(42, space), SUGGESTIONS, TunerContract::objective);
        List<Parameters> second = drive(started(42, space), SUGGESTIONS, TunerContract::objective);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void nanAndInfiniteResultsAreAcceptedAndTheTunerKeepsProposing() {
        SearchSpace space = usable(TestSpaces.allTypes());
        double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5};
        int[] n = {0};
        List<Parameters> seen = drive(started(3, space), SUGGESTIONS, p -> odd[n[0]++ % odd.length]);
        assertThat(seen).hasSize(SUGGESTIONS);
        seen.forEach(p -> assertSuggested(space, own(p)));
    }

    @Test
    void onlyNanResultsAreAccepted() {
        SearchSpace space = usable(TestSpaces.nestedTwoLevels());
        List<Parameters> seen = drive(started(4, space), SUGGESTIONS, p -> Double.NaN);
        assertThat(seen).hasSize(SUGGESTIONS);
        seen.forEach(p -> assertSuggested(space, own(p)));
    }

    @Test
    void resultsAndEndsOfUnknownTrialsAreIgnored() {
        SearchSpace space = usable(TestSpaces.allTypes());
        List<Parameters> plain = drive(started(11, space), SUGGESTIONS, TunerContract::objective);

        Tuner tuner = started(11, space);
        Parameters foreign = plain.get(0);
        tuner.onResult(TrialId.of("never-suggested-0"), foreign, 1.0);
        tuner.onTrialEnd(TrialId.of("never-suggested-0"), TrialStatus.SUCCEEDED);
        List<Parameters> noisy = drive(tuner, SUGGESTIONS, TunerContract::objective, (t, i) -> {
            TrialId unknown = TrialId.of("never-suggested-" + (i + 1));
            t.onResult(unknown, foreign, i % 2 == 0 ? -1e9 : Double.NaN);
            t.onTrialEnd(unknown, i % 3 == 0 ? TrialStatus.FAILED : TrialStatus.SUCCEEDED);
        });
        assertThat(noisy).isEqualTo(plain);
    }

    @Test
    void aResultAfterTheTrialEndedIsAccepted() {
        SearchSpace space = usable(TestSpaces.nestedThreeLevels());
        Tuner tuner = started(5, space);
        List<Parameters> seen = new ArrayList<>();
        for (int i = 0; i < SUGGESTIONS; i++) {
            TrialId id = TrialId.of("late-" + i);
            Suggestion s = tuner.suggest(id);
            if (s instanceof Suggestion.Done) {
                break;
            }
            Parameters p = next(s, id);
            seen.add(p);
            tuner.onTrialEnd(id, TrialStatus.SUCCEEDED);
            tuner.onResult(id, p, objective(p));
        }
        assertThat(seen).hasSizeGreaterThanOrEqualTo(endsWhenSpaceIsExhausted() ? 1 : SUGGESTIONS);
        seen.forEach(p -> assertSuggested(space, own(p)));
    }

    @Test
    void manyTrialsMayBePendingAtOnce() {
        SearchSpace space = usable(TestSpaces.allTypes());
        Tuner tuner = started(6, space);
        List<TrialId> ids = new ArrayList<>();
        List<Parameters> params = new ArrayList<>();
        int reported = 0;
        for (int i = 0; i < SUGGESTIONS; i++) {
            TrialId id = TrialId.of("pending-" + i);
            Suggestion s = tuner.suggest(id);
            if (s instanceof Suggestion.Later && proposesInGenerations() && reported < ids.size()) {
                for (; reported < ids.size(); reported++) {
                    tuner.onResult(ids.get(reported), params.get(reported), objective(params.get(reported)));
                    tuner.onTrialEnd(ids.get(reported), TrialStatus.SUCCEEDED);
                }
                s = tuner.suggest(id);
            }
            if (s instanceof Suggestion.Later && waitsForPendingTrials() && !ids.isEmpty()) {
                break;
            }
            Parameters p = next(s, id);
            assertSuggested(space, own(p));
            ids.add(id);
            params.add(p);
        }
        for (int i = reported; i < ids.size(); i++) {
            tuner.onResult(ids.get(i), params.get(i), objective(params.get(i)));
            tuner.onTrialEnd(ids.get(i), TrialStatus.SUCCEEDED);
        }
        TrialId after = TrialId.of("after");
        assertSuggested(space, own(next(tuner.suggest(after), after)));
    }

    @Test
    void aFiniteSpaceEndsWithDoneAfterEveryCombinationOnce() {
        Assumptions.assumeTrue(endsWhenSpaceIsExhausted(), "the tuner does not end finite spaces");
        SearchSpace space = usableFinite();
        Tuner tuner = started(8, space);
        List<Parameters> seen = drive(tuner, 10 * TestSpaces.FINITE_SIZE, TunerContract::objective);
        assertThat(seen).hasSize(TestSpaces.FINITE_SIZE).doesNotHaveDuplicates();
        seen.forEach(p -> assertSuggested(space, own(p)));
        assertThat(tuner.suggest(TrialId.of("once-more"))).isInstanceOf(Suggestion.Done.class);
        assertThat(tuner.suggest(TrialId.of("and-again"))).isInstanceOf(Suggestion.Done.class);
    }

    @Test
    void aFiniteSpaceKeepsYieldingProposals() {
        Assumptions.assumeFalse(endsWhenSpaceIsExhausted(), "the tuner ends finite spaces");
        SearchSpace space = usableFinite();
        List<Parameters> seen = drive(started(9, space), 5 * TestSpaces.FINITE_SIZE, TunerContract::objective);
        assertThat(seen).hasSize(5 * TestSpaces.FINITE_SIZE);
        seen.forEach(p -> assertSuggested(space, own(p)));
    }

    @Test
    void aNewSearchSpaceReplacesTheOldOne() {
        Tuner tuner = started(10, usable(TestSpaces.allTypes()));
        drive(tuner, 20, TunerContract::objective);
        SearchSpace replacement = usable(TestSpaces.nestedTwoLevels());
        tuner.updateSearchSpace(replacement);
        List<Parameters> seen = drive(tuner, SUGGESTIONS, TunerContract::objective);
        assertThat(seen).hasSize(SUGGESTIONS);
        seen.forEach(p -> assertSuggested(replacement, own(p)));
    }

    @Test
    void anUnsupportedSpecFailsInUpdateSearchSpaceNamingTheParameter() {
        List<UnsupportedCase> cases = unsupportedSpaces();
        Assumptions.assumeFalse(cases.isEmpty(), "the tuner supports every spec");
        for (UnsupportedCase c : cases) {
            Tuner tuner = newTuner(TunerContext.seeded(1));
            assertThatThrownBy(() -> tuner.updateSearchSpace(c.space()))
                    .isInstanceOf(UnsupportedSearchSpaceException.class)
                    .hasMessageContaining(c.parameter())
                    .satisfies(e -> assertThat(((UnsupportedSearchSpaceException) e).parameter())
                            .isEqualTo(c.parameter()));
        }
    }

    /**
     * {@code space} without the parameters whose {@code _type} the tuner declares unsupported (in nested choices too);
     * the calling test is skipped when nothing is left.
     */
    protected final SearchSpace usable(SearchSpace space) {
        Set<String> unsupported = unsupportedTypes();
        SearchSpace left = unsupported.isEmpty() ? space : without(space, unsupported);
        Assumptions.assumeFalse(left.isEmpty(), () -> "the tuner supports no parameter of " + space.toJson());
        return left;
    }

    private SearchSpace usableFinite() {
        SearchSpace finite = TestSpaces.finite();
        Assumptions.assumeTrue(usable(finite).equals(finite),
                () -> "the finite space has a kind the tuner does not support: " + unsupportedTypes());
        return finite;
    }

    /** The {@code _type}s of the parameters named by {@link #unsupportedSpaces()}. */
    private Set<String> unsupportedTypes() {
        Set<String> out = new HashSet<>();
        for (UnsupportedCase c : unsupportedSpaces()) {
            find(c.space(), c.parameter()).ifPresent(spec -> out.add(spec.nniType()));
        }
        return out;
    }

    private static Optional<ParameterSpec> find(SearchSpace space, String name) {
        for (ParameterSpec spec : space.parameters()) {
            if (spec.name().equals(name)) {
                return Optional.of(spec);
            }
            if (spec instanceof Choice choice) {
                for (ChoiceOption o : choice.options()) {
                    if (o instanceof ChoiceOption.Nested nested) {
                        Optional<ParameterSpec> inner = find(nested.space(), name);
                        if (inner.isPresent()) {
                            return inner;
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static SearchSpace without(SearchSpace space, Set<String> types) {
        List<ParameterSpec> kept = new ArrayList<>();
        for (ParameterSpec spec : space.parameters()) {
            if (types.contains(spec.nniType())) {
                continue;
            }
            if (spec instanceof Choice choice && choice.isNested()) {
                List<ChoiceOption> options = new ArrayList<>();
                for (ChoiceOption o : choice.options()) {
                    options.add(o instanceof ChoiceOption.Nested nested
                            ? new ChoiceOption.Nested(nested.name(), without(nested.space(), types)) : o);
                }
                kept.add(new Choice(choice.name(), options));
            } else {
                kept.add(spec);
            }
        }
        return new SearchSpace(kept);
    }

    /** Checks a suggestion: its budget, if the tuner is an advisor, and that the rest lies in the space. */
    private void assertSuggested(SearchSpace space, Parameters p) {
        Optional<String> key = budgetParameter();
        if (key.isEmpty()) {
            SpaceAssertions.assertInSpace(space, p);
            return;
        }
        Object budget = p.values().get(key.get());
        assertThat(budget).as("the budget %s of %s", key.get(), p).isInstanceOf(Number.class);
        assertThat(((Number) budget).doubleValue()).as("the budget %s of %s", key.get(), p).isPositive();
        Map<String, Object> rest = new LinkedHashMap<>(p.values());
        rest.remove(key.get());
        SpaceAssertions.assertInSpace(space, new Parameters(rest));
    }

    /** A new tuner for {@code seed}, already given {@code space}. */
    protected final Tuner started(long seed, SearchSpace space) {
        TunerContext context = TunerContext.seeded(seed);
        Tuner tuner = newTuner(context);
        tuner.onStart(context);
        tuner.updateSearchSpace(space);
        return tuner;
    }

    /**
     * Asks for up to {@code n} suggestions as an experiment with three concurrent trials would, reporting
     * {@code objective} for the oldest pending trial whenever three are pending. Of every seven trials, one fails and
     * one is cancelled without a result, one is stopped early after its result, one reports its result after its
     * end, and three succeed. Stops early at {@link Suggestion.Done}; a
     * {@link Suggestion.Later} is answered by finishing the oldest pending trial.
     *
     * @return the proposed parameters, in order
     */
    protected static List<Parameters> drive(Tuner tuner, int n, ToDoubleFunction<Parameters> objective) {
        return drive(tuner, n, objective, (t, i) -> {
        });
    }

    private interface BeforeEach {
        void accept(Tuner tuner, int step);
    }

    private static List<Parameters> drive(Tuner tuner, int n, ToDoubleFunction<Parameters> objective,
            BeforeEach before) {
        List<Parameters> out = new ArrayList<>();
        Deque<Map.Entry<TrialId, Parameters>> pending = new ArrayDeque<>();
        int finished = 0;
        int asked = 0;
        while (out.size() < n) {
            if (asked++ > 10 * n + 10) {
                fail("the tuner answered Later %d times in a row with nothing pending", asked);
            }
            before.accept(tuner, out.size());
            TrialId id = TrialId.of("trial-" + out.size());
            Suggestion s = tuner.suggest(id);
            if (s instanceof Suggestion.Done) {
                break;
            }
            if (s instanceof Suggestion.Later) {
                if (pending.isEmpty()) {
                    fail("the tuner answered Later with no trial pending, after %d proposals", out.size());
                }
                finish(tuner, pending.removeFirst(), finished++, objective);
                continue;
            }
            Parameters p = next(s, id);
            out.add(p);
            pending.addLast(Map.entry(id, p));
            if (pending.size() >= PENDING) {
                finish(tuner, pending.removeFirst(), finished++, objective);
            }
        }
        while (!pending.isEmpty()) {
            finish(tuner, pending.removeFirst(), finished++, objective);
        }
        return out;
    }

    private static void finish(Tuner tuner, Map.Entry<TrialId, Parameters> trial, int k,
            ToDoubleFunction<Parameters> objective) {
        TrialId id = trial.getKey();
        Parameters p = trial.getValue();
        switch (k % 7) {
            case 2 -> {
                tuner.onTrialEnd(id, TrialStatus.SUCCEEDED);
                tuner.onResult(id, p, objective.applyAsDouble(p));
            }
            case 3 -> tuner.onTrialEnd(id, TrialStatus.FAILED);
            case 4 -> {
                tuner.onResult(id, p, objective.applyAsDouble(p));
                tuner.onTrialEnd(id, TrialStatus.EARLY_STOPPED);
            }
            case 5 -> tuner.onTrialEnd(id, TrialStatus.USER_CANCELED);
            default -> {
                tuner.onResult(id, p, objective.applyAsDouble(p));
                tuner.onTrialEnd(id, TrialStatus.SUCCEEDED);
            }
        }
    }

    private static Parameters next(Suggestion s, TrialId id) {
        if (s instanceof Suggestion.Next next) {
            return next.parameters();
        }
        throw new AssertionError("expected parameters for " + id + ", got " + s);
    }

    /** A deterministic objective with some structure: squashed numbers plus a tenth of each text's length. */
    protected static double objective(Parameters p) {
        return sum(p.values());
    }

    private static double sum(Map<String, ?> values) {
        double s = 0;
        for (Object v : values.values()) {
            if (v instanceof Number n) {
                s += Math.tanh(n.doubleValue() / 10);
            } else if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, ?> sub = (Map<String, ?>) m;
                s += sum(sub);
            } else {
                s += String.valueOf(v).length() * 0.1;
            }
        }
        return s;
    }
}
