#!/usr/bin/env python3
"""svm_digits_subset: the suite's svm_digits problem with a budget, the share of the training data the SVC sees.

A configuration (svm_digits' space: kernel in {rbf, poly, sigmoid}, C ~ loguniform[1e-3, 1e3], gamma ~
loguniform[1e-5, 1e1]) evaluated with budget b (1 <= b <= R = 27) is trained, in each of svm_digits' three
StratifiedKFold folds, on the first max(10, round(n * b / R)) of the fold's n training samples in a fixed order that
interleaves the classes (each class shuffled with the fold's number as seed, so every prefix holds about as many
samples of each class), and scored on the fold's whole validation part. The value is 1 - the mean accuracy
(minimised). At b = R every training sample is used, in the original order, so the value is svm_digits' exactly
(f* = 0.0233723, best known). A trial's budget is its TRIAL_BUDGET parameter clipped to [1, R]; without one, R.
Training is retraining: a larger budget costs its whole share again (no checkpoint can be resumed), and the cost
grows faster than the share (about 5, 13, 44 and 215 ms at b = 1, 3, 9, 27 here).

As a line-protocol evaluator (what `hybrid bench --multi-fidelity --problem svm_digits_subset` starts): one JSON
parameter object per line on stdin, {"value": v} per line on stdout ({"error": "..."} for a line it cannot
evaluate). Imported, value(params, budget) computes the same. Needs Debian's python3-sklearn and numpy.
"""
import json
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

NAME = "svm_digits_subset"
R = 27
F_STAR = 0.023372287145242088  # svm_digits' best known value (../shared/bench/svm_digits/optimum.json)
NO_RESULT_REGRET = 1.0 - F_STAR  # the error's supremum, 1, minus f*
CHECK_POINTS = [  # (parameters, budget, value); the first is svm_digits' own check point at the full budget
    ({"kernel": "rbf", "C": 10.0, "gamma": 0.03}, 27, 0.04062326099053981),
    ({"kernel": "rbf", "C": 10.0, "gamma": 0.03}, 1, 0.15804117974401777),
    ({"kernel": "poly", "C": 3.0, "gamma": 0.1}, 9, 0.06121313299944353),
    ({"kernel": "sigmoid", "C": 0.5, "gamma": 0.02}, 3, 0.7195325542570952),
]

_DIGITS = load_digits()
X, Y = _DIGITS.data / 16.0, _DIGITS.target
FOLDS = list(StratifiedKFold(n_splits=3).split(X, Y))


def _class_interleaved(train, fold):
    """The fold's training indices, ordered so that every prefix holds about as many samples of each class."""
    rng = np.random.RandomState(fold)
    rank = np.empty(len(train))
    for c in np.unique(Y[train]):
        members = np.flatnonzero(Y[train] == c)
        rank[members] = rng.permutation(len(members)) + rng.uniform(0.0, 1.0)
    return train[np.argsort(rank, kind="stable")]


ORDERS = [_class_interleaved(train, fold) for fold, (train, _) in enumerate(FOLDS)]


def budget_of(params):
    b = params.get("TRIAL_BUDGET", R)
    return min(float(R), max(1.0, float(b)))


def value(params, budget):
    accuracies = []
    for (train, validation), order in zip(FOLDS, ORDERS):
        m = max(10, int(round(len(train) * budget / R)))
        subset = np.sort(order[:m])
        svc = SVC(C=float(params["C"]), gamma=float(params["gamma"]), kernel=params["kernel"])
        svc.fit(X[subset], Y[subset])
        accuracies.append(float(np.mean(svc.predict(X[validation]) == Y[validation])))
    return 1.0 - float(np.mean(accuracies))


def check():
    for params, b, expected in CHECK_POINTS:
        got = value(params, b)
        assert abs(got - expected) <= 1e-12, (params, b, got, expected)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            params = json.loads(line)
            out = {"value": value(params, budget_of(params))}
        except Exception as e:  # report, keep serving
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        check()
        print("check points reproduced")
    else:
        main()
