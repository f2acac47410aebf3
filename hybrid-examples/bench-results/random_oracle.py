"""How good can a method that draws its configurations uniformly at random be on lc_hartmann6?

Hyperband draws every configuration at random; its schedule only decides which of them reach the full budget. This
script bounds it from below with an oracle that draws N configurations and knows, for free, the full-budget value of
each: the best of N uniform draws of Hartmann6. N is the number of configurations Hyperband (R = 81, eta = 3, NNI's
bracket sizes) draws within 10, 25, 50 and 100 full budgets, restarting promotions (NNI) or continuing them from
checkpoints, and 8100, one draw per epoch of the whole budget (no method can look at more). Prints the median and
quartiles over REPS repetitions of the oracle's regret.

    /usr/bin/python3 hybrid-examples/bench-results/random_oracle.py
"""
import math

import numpy as np

A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
              [17, 8, 0.05, 10, 0.1, 14]])
P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
F_STAR = -3.322368011415515
R, ETA = 81, 3
REPS = 400


def hartmann6(x):
    return -np.sum(ALPHA * np.exp(-np.sum(A * (x[:, None, :] - P) ** 2, axis=2)), axis=1)


def brackets():
    """Each bracket of one round, as its rungs: (configurations, epochs each restarting, epochs each continuing)."""
    s_max = int(math.floor(math.log(R) / math.log(ETA) + 1e-6))
    out = []
    for s in range(s_max, -1, -1):
        n = int(math.ceil((s_max + 1) * ETA ** s / (s + 1) - 1e-6))
        sizes = [int(math.floor(n / ETA ** i + 1e-6)) for i in range(s + 1)]
        budgets = [max(1, int(math.floor(R / ETA ** s * ETA ** i + 1e-6))) for i in range(s + 1)]
        out.append([(k, b, b - (budgets[i - 1] if i > 0 else 0)) for i, (k, b) in enumerate(zip(sizes, budgets))])
    return out


def configurations_within(units, continuing):
    """Configurations drawn (first-rung trials started) before units * R epochs are spent, one trial at a time."""
    left = units * R
    drawn = 0
    while True:
        for bracket in brackets():
            for rung, (k, restart, resume) in enumerate(bracket):
                cost = resume if continuing else restart
                for _ in range(k):
                    if left <= 0:
                        return drawn
                    drawn += 1 if rung == 0 else 0
                    left -= cost


def oracle(n, rng):
    best = np.inf
    for start in range(0, n, 20000):
        best = min(best, hartmann6(rng.random((min(20000, n - start), 6))).min())
    return best - F_STAR


def main():
    rungs = [r for b in brackets() for r in b]
    print("one round of brackets: %d configurations, %.2f full budgets restarting, %.2f continuing"
          % (sum(b[0][0] for b in brackets()), sum(k * b for k, b, _ in rungs) / R,
             sum(k * c for k, _, c in rungs) / R))
    rng = np.random.default_rng(7)
    rows = []
    for units in (10, 25, 50, 100):
        for continuing in (False, True):
            rows.append(("%d full budgets, %s" % (units, "continuing" if continuing else "restarting"),
                         configurations_within(units, continuing)))
    rows += [("one draw per epoch of 100 full budgets", 100 * R), ("", 30000), ("", 60000)]
    print("%-42s %7s %8s %8s %8s" % ("", "N", "median", "q25", "q75"))
    for label, n in rows:
        reps = REPS if n <= 10000 else 60
        r = np.array([oracle(n, rng) for _ in range(reps)])
        print("%-42s %7d %8.3f %8.3f %8.3f" % (label, n, np.median(r), np.percentile(r, 25), np.percentile(r, 75)))


if __name__ == "__main__":
    main()
