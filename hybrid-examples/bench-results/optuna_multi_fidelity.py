#!/usr/bin/env python3
"""Optuna's TPE with HyperbandPruner on lc_hartmann6, the multi-fidelity problem of `hybrid bench --multi-fidelity`.

usage: optuna_multi_fidelity.py --out FILE.csv [--seeds 20] [--budget 100] [--label optuna-3.1-tpe-hyperband]

The objective is the one MultiFidelityProblem defines (y(x, b) = h6(x) * (1 - exp(-k b)) / (1 - exp(-k R)),
k = 0.05 + 0.45 x5, R = 81 epochs). Each trial trains epoch by epoch, reporting y(x, epoch) as an intermediate value
and asking the pruner after each; a trial that reaches epoch R completes with h6(x). Every epoch costs 1; the run
stops once budget * R epochs are spent. The CSV rows use the protocol's header, with budget the checkpoint in
full-budget units (a tenth, a quarter, half and all of --budget) and best_value the best completed (full-budget) value
reported by then (0.0, regret 3.32237, while there is none). Needs optuna (Debian's python3-optuna) and numpy.
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
CHECK_POINTS = [  # (x1..x6, budget, value); MultiFidelityProblemTest checks the Java objective on the same points
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


def run(seed, units):
    cap = units * R
    state = {"spent": 0, "best": math.nan, "tuner_s": 0.0}
    # per whole unit k (1..units): best full-budget value and tuner seconds once k*R epochs had been spent
    best_at = [math.nan] * (units + 1)
    tuner_at = [0.0] * (units + 1)
    unit = [1]

    def spend(epochs):
        while unit[0] <= units and state["spent"] + epochs > unit[0] * R:
            best_at[unit[0]] = state["best"]
            tuner_at[unit[0]] = state["tuner_s"]
            unit[0] += 1
        state["spent"] += epochs

    def objective(trial):
        t0 = time.perf_counter()
        x = [trial.suggest_float("x%d" % (j + 1), 0.0, 1.0) for j in range(6)]
        state["tuner_s"] += time.perf_counter() - t0
        for epoch in range(1, R + 1):
            if state["spent"] >= cap:
                trial.study.stop()
                raise optuna.TrialPruned()
            spend(1)
            v = value(x, epoch)
            t0 = time.perf_counter()
            trial.report(v, epoch)
            prune = trial.should_prune()
            state["tuner_s"] += time.perf_counter() - t0
            if prune:
                raise optuna.TrialPruned()
        if not (v >= state["best"]):
            state["best"] = v
        return v

    sampler = optuna.samplers.TPESampler(seed=seed)
    pruner = optuna.pruners.HyperbandPruner(min_resource=1, max_resource=R, reduction_factor=3)
    study = optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner)
    while state["spent"] < cap:
        study.optimize(objective, n_trials=50)
    while unit[0] <= units:
        best_at[unit[0]] = state["best"]
        tuner_at[unit[0]] = state["tuner_s"]
        unit[0] += 1
    return best_at, tuner_at, len(study.trials)


def regret(best):
    return -F_STAR if math.isnan(best) else best - F_STAR


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--label", default="optuna-%s-tpe-hyperband" % ".".join(optuna.__version__.split(".")[:2]))
    args = ap.parse_args()
    for x, b, expected in CHECK_POINTS:
        got = value(x, b)
        assert abs(got - expected) <= 1e-9 * abs(expected), (x, b, got, expected)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    units = args.budget
    checkpoints = [max(1, units // 10), units // 4, units // 2, units]
    lines = ["problem,sampler,budget,seed,best_value,regret,auc,auc_log10,tuner_s,pending"]
    for seed in range(args.seeds):
        best_at, tuner_at, n = run(seed, units)
        for c in checkpoints:
            regrets = [regret(best_at[k]) for k in range(1, c + 1)]
            auc = sum(regrets) / c
            auc_log = sum(math.log10(max(r, 1e-8)) for r in regrets) / c
            b = best_at[c]
            lines.append("lc_hartmann6,%s,%d,%d,%r,%r,%r,%r,%r,1" % (
                args.label, c, seed, 0.0 if math.isnan(b) else b, regret(b), auc, auc_log, round(tuner_at[c], 6)))
        print("seed %d: %d trials, regret %.4g after %d full budgets" % (seed, n, regret(best_at[units]), units),
              flush=True)
    with open(args.out, "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
