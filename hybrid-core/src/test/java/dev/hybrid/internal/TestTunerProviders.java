package dev.hybrid.internal;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Test-only tuner providers, registered in the test resources' service file. */
public final class TestTunerProviders {
    private TestTunerProviders() {
    }

    /** "TestCounting": proposes {@code {"i": n, "x": <random>}} forever; reads {@code optimize_mode} and {@code scale}. */
    public static final class Counting implements TunerProvider {
        @Override
        public String name() {
            return "TestCounting";
        }

        @Override
        public Tuner create(ConfigNode args, TunerContext context) {
            args.enumValue("optimize_mode", OptimizeMode.class, OptimizeMode.MAXIMIZE);
            double scale = args.doubleIn("scale", 1.0, 0.0, 10.0);
            args.rejectUnknownKeys();
            RandomGenerator random = context.random();
            return new Tuner() {
                private int n;

                @Override
                public void updateSearchSpace(SearchSpace space) {
                }

                @Override
                public Suggestion suggest(TrialId trial) {
                    return new Suggestion.Next(new Parameters(Map.of("i", n++, "x", scale * random.nextDouble())));
                }

                @Override
                public void onResult(TrialId trial, Parameters parameters, double value) {
                }
            };
        }
    }

    /** "TestOther": a second name, so that the known-names list has more than one entry. */
    public static final class Other implements TunerProvider {
        @Override
        public String name() {
            return "TestOther";
        }

        @Override
        public Tuner create(ConfigNode args, TunerContext context) {
            args.rejectUnknownKeys();
            return new Counting().create(ConfigNode.empty(args.path(), args.problems()), context);
        }
    }

    /** Shares its name with {@link Other}; registered only by the duplicate-name test's class loader. */
    public static final class OtherAgain implements TunerProvider {
        @Override
        public String name() {
            return "TestOther";
        }

        @Override
        public Tuner create(ConfigNode args, TunerContext context) {
            return new Other().create(args, context);
        }
    }
}
