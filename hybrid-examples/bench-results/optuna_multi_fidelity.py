#!/usr/bin/env python3
"""Optuna's TPE with HyperbandPruner on the multi-fidelity problems of `hybrid bench --multi-fidelity`.

usage: optuna_multi_fidelity.py --out FILE.csv [--problem lc_hartmann6|svm_digits_subset] [--seeds 20]
                                [--first-seed 0] [--budget 100] [--label optuna-3.1-tpe-hyperband]

lc_hartmann6 (the default) is the objective LcHartmann6 defines (y(x, b) = h6(x) * (1 - exp(-k b)) / (1 - exp(-k R)),
k = 0.05 + 0.45 x5, R = 81 epochs). Each trial trains epoch by epoch, reporting y(x, epoch) as an intermediate value
and asking the pruner after each; a trial that reaches epoch R completes with h6(x). Every epoch costs 1.
svm_digits_subset is svm_digits_subset.py's (an SVC fitted on b/27 of the training data): a trial fits and reports at
the rungs 1, 3, 9, 27 from the first rung of the pruner's bracket it falls in, each report costing its rung.
The run stops once budget * R is spent. The CSV rows use the protocol's header, with budget the checkpoint in
full-budget units (a tenth, a quarter, half and all of --budget) and best_value the best completed (full-budget) value
reported by then (0.0, with the problem's no-result regret, while there is none). Needs optuna (Debian's
python3-optuna) and numpy; svm_digits_subset also python3-sklearn.
"""
import argparse
import math
import time

import optuna

R = 81
F_STAR = -3.322368011415515
ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
CHECK_POINTS = [  # (x1..x6, budget, value); MultiFidelityBenchTest checks the Java objective on the same points
    ([0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573], 81, -3.322368011391339),
    ([0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573], 1, -0.5755742059440662),
    ([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 9, -0.4627861710767806),
    ([0.1, 0.9, 0.3, 0.7, 1.0, 0.0], 27, -0.5014856373016737),
]

def h6(x):
    f = 0.0
    for i in range(4):
        s = sum(A[i][j] * (x[j] - 1e-4 * P[i][j]) ** 2 for j in range(6))
        f -= ALPHA[i] * math.exp(-s)
    return f


def value(x, budget):
    k = 0.05 + 0.45 * x[4]
    return h6(x) * (-math.expm1(-k * budget)) / (-math.expm1(-k * R))


class LcHartmann6:
    """Trains epoch by epoch: every epoch costs 1 and is reported."""
    name, R, f_star = "lc_hartmann6", R, F_STAR
    no_result_regret = -F_STAR

    def check(self):
        for x, b, expected in CHECK_POINTS:
            got = value(x, b)
            assert abs(got - expected) <= 1e-9 * abs(expected), (x, b, got, expected)

    def suggest(self, trial):
        return [trial.suggest_float("x%d" % (j + 1), 0.0, 1.0) for j in range(6)]

    def steps(self, study, trial):
        """(step, cost) in the order the trial reports them."""
        return [(epoch, 1) for epoch in range(1, R + 1)]

    def value(self, x, step):
        return value(x, step)


class SvmDigitsSubset:
    """Retrains on a larger share of the data at each of Hyperband's rungs (1, 3, 9, 27): a report costs its step.

    A trial reports only at the rungs of the pruner's bracket it falls in (Optuna assigns the bracket from the
    trial's number); reporting at the smaller rungs too would pay for evaluations the pruner never looks at.
    """
    name = "svm_digits_subset"

    def __init__(self):
        import svm_digits_subset as problem
        self.problem = problem
        self.R, self.f_star, self.no_result_regret = problem.R, problem.F_STAR, problem.NO_RESULT_REGRET

    def check(self):
        self.problem.check()

    def suggest(self, trial):
        return {"kernel": trial.suggest_categorical("kernel", ["rbf", "poly", "sigmoid"]),
                "C": trial.suggest_float("C", 1e-3, 1e3, log=True),
                "gamma": trial.suggest_float("gamma", 1e-5, 1e1, log=True)}

    def steps(self, study, trial):
        pruner = study.pruner
        if not pruner._pruners:  # Optuna sets its brackets up lazily, at the first prune()
            pruner._try_initialization(study)
        first = 3 ** pruner._get_bracket_id(study, trial)
        rungs = [3 ** i for i in range(4)]
        return [(b, b) for b in rungs if b >= first]

    def value(self, params, step):
        return self.problem.value(params, step)


PROBLEMS = {"lc_hartmann6": LcHartmann6, "svm_digits_subset": SvmDigitsSubset}


def run(problem, seed, units):
    r = problem.R
    cap = units * r
    state = {"spent": 0, "best": math.nan, "tuner_s": 0.0}
    # per whole unit k (1..units): best full-budget value and tuner seconds once k*R budget had been spent
    best_at = [math.nan] * (units + 1)
    tuner_at = [0.0] * (units + 1)
    unit = [1]

    def spend(cost):
        while unit[0] <= units and state["spent"] + cost > unit[0] * r:
            best_at[unit[0]] = state["best"]
            tuner_at[unit[0]] = state["tuner_s"]
            unit[0] += 1
        state["spent"] += cost

    def objective(trial):
        t0 = time.perf_counter()
        x = problem.suggest(trial)
        state["tuner_s"] += time.perf_counter() - t0
        for step, cost in problem.steps(trial.study, trial):
            if state["spent"] >= cap:
                trial.study.stop()
                raise optuna.TrialPruned()
            spend(cost)
            v = problem.value(x, step)
            t0 = time.perf_counter()
            trial.report(v, step)
            prune = trial.should_prune()
            state["tuner_s"] += time.perf_counter() - t0
            if prune:
                raise optuna.TrialPruned()
        if not (v >= state["best"]):
            state["best"] = v
        return v

    sampler = optuna.samplers.TPESampler(seed=seed)
    pruner = optuna.pruners.HyperbandPruner(min_resource=1, max_resource=r, reduction_factor=3)
    # HyperbandPruner puts a trial in a bracket by a hash of the study's name and the trial's number: a fixed name
    # makes a seed's run repeatable (Optuna's default name is random)
    study = optuna.create_study(study_name="%s-seed-%d" % (problem.name, seed), direction="minimize",
                                sampler=sampler, pruner=pruner)
    while state["spent"] < cap:
        study.optimize(objective, n_trials=50)
    while unit[0] <= units:
        best_at[unit[0]] = state["best"]
        tuner_at[unit[0]] = state["tuner_s"]
        unit[0] += 1
    return best_at, tuner_at, len(study.trials)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--problem", choices=sorted(PROBLEMS), default="lc_hartmann6")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--label", default="optuna-%s-tpe-hyperband" % ".".join(optuna.__version__.split(".")[:2]))
    args = ap.parse_args()
    problem = PROBLEMS[args.problem]()
    problem.check()

    def regret(best):
        return problem.no_result_regret if math.isnan(best) else best - problem.f_star

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    units = args.budget
    checkpoints = [max(1, units // 10), units // 4, units // 2, units]
    lines = ["problem,sampler,budget,seed,best_value,regret,auc,auc_log10,tuner_s,pending"]
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        best_at, tuner_at, n = run(problem, seed, units)
        for c in checkpoints:
            regrets = [regret(best_at[k]) for k in range(1, c + 1)]
            auc = sum(regrets) / c
            auc_log = sum(math.log10(max(r, 1e-8)) for r in regrets) / c
            b = best_at[c]
            lines.append("%s,%s,%d,%d,%r,%r,%r,%r,%r,1" % (problem.name,
                args.label, c, seed, 0.0 if math.isnan(b) else b, regret(b), auc, auc_log, round(tuner_at[c], 6)))
        print("seed %d: %d trials, regret %.4g after %d full budgets" % (seed, n, regret(best_at[units]), units),
              flush=True)
    with open(args.out, "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
