package dev.hybrid.testkit;

import dev.hybrid.space.SearchSpace;
import java.util.LinkedHashMap;
import java.util.Map;

/** Search spaces that exercise every {@code ParameterSpec} kind, for tuner tests and contract suites. */
public final class TestSpaces {
    private TestSpaces() {
    }

    /** One parameter of each of NNI's ten {@code _type}s. */
    public static SearchSpace allTypes() {
        return SearchSpace.parse("""
                {
                  "optimizer": {"_type": "choice", "_value": ["sgd", 2, 3.5, true]},
                  "layers": {"_type": "randint", "_value": [-3, 7]},
                  "dropout": {"_type": "uniform", "_value": [-1, 1]},
                  "batch": {"_type": "quniform", "_value": [0, 10, 2.5]},
                  "lr": {"_type": "loguniform", "_value": [0.0001, 0.1]},
                  "width": {"_type": "qloguniform", "_value": [16, 128, 0.725]},
                  "bias": {"_type": "normal", "_value": [0, 1]},
                  "shift": {"_type": "qnormal", "_value": [0, 2, 0.5]},
                  "scale": {"_type": "lognormal", "_value": [0, 1]},
                  "steps": {"_type": "qlognormal", "_value": [1, 0.5, 0.2]}
                }""");
    }

    /** A nested choice inside a nested choice, next to a plain option and a top-level uniform. */
    public static SearchSpace nestedTwoLevels() {
        return SearchSpace.parse("""
                {
                  "model": {"_type": "choice", "_value": [
                    {"_name": "svm",
                     "C": {"_type": "loguniform", "_value": [0.001, 1000]},
                     "kernel": {"_type": "choice", "_value": [
                       {"_name": "rbf", "gamma": {"_type": "uniform", "_value": [0, 1]}},
                       {"_name": "poly", "degree": {"_type": "randint", "_value": [2, 6]}},
                       {"_name": "linear"}
                     ]}},
                    {"_name": "tree", "depth": {"_type": "quniform", "_value": [1, 20, 1]}},
                    "dummy"
                  ]},
                  "momentum": {"_type": "uniform", "_value": [0, 0.99]}
                }""");
    }

    /** A nested choice inside a nested choice inside a nested choice, with every numeric kind somewhere below. */
    public static SearchSpace nestedThreeLevels() {
        return SearchSpace.parse("""
                {
                  "a": {"_type": "choice", "_value": [
                    {"_name": "a1",
                     "b": {"_type": "choice", "_value": [
                       {"_name": "b1",
                        "c": {"_type": "choice", "_value": [
                          {"_name": "c1", "x": {"_type": "qnormal", "_value": [0, 3, 1]},
                                          "y": {"_type": "lognormal", "_value": [0, 0.5]}},
                          {"_name": "c2", "z": {"_type": "qlognormal", "_value": [2, 1, 1]}},
                          7
                        ]},
                        "u": {"_type": "qloguniform", "_value": [1, 100, 3]}},
                       {"_name": "b2", "n": {"_type": "normal", "_value": [5, 2]}}
                     ]},
                     "r": {"_type": "randint", "_value": [0, 3]}},
                    {"_name": "a2", "w": {"_type": "uniform", "_value": [-5, 5]}}
                  ]},
                  "top": {"_type": "choice", "_value": ["x", "y"]}
                }""");
    }

    /** A finite space of {@link #FINITE_SIZE} combinations: a choice, a quniform and a finite nested choice. */
    public static SearchSpace finite() {
        return SearchSpace.parse("""
                {
                  "a": {"_type": "choice", "_value": [1, 2, 3]},
                  "b": {"_type": "quniform", "_value": [0, 1, 0.5]},
                  "m": {"_type": "choice", "_value": [
                    {"_name": "x", "k": {"_type": "randint", "_value": [0, 3]}},
                    {"_name": "y"},
                    "z"
                  ]}
                }""");
    }

    /** How many distinct parameter sets {@link #finite()} holds: 3 × 3 × (3 + 1 + 1). */
    public static final int FINITE_SIZE = 45;

    /** One single-parameter space per {@code _type}, keyed by the type. */
    public static Map<String, SearchSpace> singleKinds() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("choice", "[\"a\", \"b\", \"c\", 4]");
        values.put("randint", "[-50, 150]");
        values.put("uniform", "[-2.5, 7.5]");
        values.put("quniform", "[2, 100, 5]");
        values.put("loguniform", "[0.001, 1000]");
        values.put("qloguniform", "[1, 1000, 1]");
        values.put("normal", "[-3, 0.5]");
        values.put("qnormal", "[10, 20, 0.1]");
        values.put("lognormal", "[1, 2]");
        values.put("qlognormal", "[3, 1, 0.5]");
        Map<String, SearchSpace> out = new LinkedHashMap<>();
        values.forEach((type, value) -> out.put(type, SearchSpace.parse(
                "{\"p\": {\"_type\": \"" + type + "\", \"_value\": " + value + "}}")));
        return out;
    }
}
