"""With few training windows, is a nearly linear AL-RNN at least as good as a fully nonlinear one?

Windows of 20 steps of the x coordinate of Lorenz-63 (dt=0.02) and a horizon
of 5 steps. The training windows are the first ``n`` (stride 1) of one seeded
trajectory, for ``n`` in 50 ... 2000; the test set is fixed: 1000 windows of
a second trajectory from another initial condition. For each ``n`` and each
number of ReLU units P in {0, 2, 15} of ``n_units=16`` (15 is every unit but
the observed one: the most nonlinear model the identity readout allows),
``ALRNNForecaster`` is fitted for 3 seeds and scored by R^2 on the test
windows. Smaller training sets get more epochs, so every fit takes at least
about 500 gradient steps (``epochs = clip(8000 / n, 15, 150)``).

Writes ``benchmarks/low_data.png`` (test R^2 against ``n``). Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_low_data.py --out low_data.json
"""

import argparse
import json
import platform
import time
import warnings

import numpy as np
import sklearn
import skorch
import torch
from sklearn.metrics import r2_score

from sklearn_alrnn import ALRNNForecaster, make_windows
from sklearn_alrnn.datasets import make_lorenz63

WINDOW, HORIZON, UNITS, DT = 20, 5, 16, 0.02
SIZES = [50, 100, 200, 500, 1000, 2000]
NONLINEAR = [0, 2, UNITS - 1]
N_TEST = 1000


def data():
    """Training windows (first n of them) and the fixed test windows, x coordinate only."""
    n_train = max(SIZES) + WINDOW + HORIZON - 1
    train = make_lorenz63(n_timepoints=n_train, dt=DT, random_state=0)[:, 0]
    test = make_lorenz63(n_timepoints=N_TEST + WINDOW + HORIZON - 1, dt=DT, random_state=1)[:, 0]
    return make_windows(train, WINDOW, HORIZON), make_windows(test, WINDOW, HORIZON)


def epochs_for(n):
    return int(np.clip(round(8000 / n), 15, 150))


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for P in NONLINEAR:
        rows = [r for r in results if r["n_nonlinear"] == P]
        n = [r["n_windows"] for r in rows]
        mean = np.array([r["r2_mean"] for r in rows])
        std = np.array([r["r2_std"] for r in rows])
        ax.errorbar(n, mean, yerr=std, marker="o", ms=4, capsize=3, label=f"P = {P}")
    ax.set_xscale("log")
    ax.set_xlabel("training windows")
    ax.set_ylabel("test R$^2$ (5-step forecast)")
    ax.set_title(f"Lorenz-63 x, AL-RNN with {UNITS} units: mean ± std of 3 seeds", fontsize=9)
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="sizes 50 and 200, 1 seed, a fifth of the epochs: a smoke run")
    parser.add_argument("--figure", default="benchmarks/low_data.png")
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    sizes = [50, 200] if args.quick else SIZES
    seeds = [0] if args.quick else [0, 1, 2]
    (X, y), (X_test, y_test) = data()

    results = []
    start = time.perf_counter()
    for n in sizes:
        epochs = epochs_for(n) // (5 if args.quick else 1)
        for P in NONLINEAR:
            scores, seconds = [], []
            for seed in seeds:
                # Unclipped, the estimator's default when the recorded table was made.
                est = ALRNNForecaster(n_units=UNITS, n_nonlinear=P, max_epochs=epochs,
                                      gradient_clip=None, random_state=seed)
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est.fit(X[:n], y[:n])
                seconds.append(time.perf_counter() - t0)
                pred = est.predict(X_test)  # R^2 over the horizon's steps, as est.score
                scores.append(r2_score(y_test, pred) if np.isfinite(pred).all() else np.nan)
            results.append({
                "n_windows": n, "epochs": epochs, "n_nonlinear": P, "r2": scores,
                "r2_mean": float(np.mean(scores)), "r2_std": float(np.std(scores)),
                "seconds": float(np.mean(seconds)),
            })
            print(f"n={n:5d} P={P:2d}: R^2 {np.mean(scores):.3f} ± {np.std(scores):.3f} "
                  f"({np.mean(seconds):.1f} s/fit)", flush=True)
    total = time.perf_counter() - start

    header = "| training windows | epochs | " + " | ".join(f"P = {P}" for P in NONLINEAR) + " |"
    lines = [header, "|---|---|" + "---|" * len(NONLINEAR)]
    for n in sizes:
        rows = {r["n_nonlinear"]: r for r in results if r["n_windows"] == n}
        cells = " | ".join(f"{rows[P]['r2_mean']:.3f} ± {rows[P]['r2_std']:.3f}"
                           for P in NONLINEAR)
        lines.append(f"| {n} | {rows[NONLINEAR[0]]['epochs']} | {cells} |")
    print("\nTest R^2 (mean ± std over seeds)\n" + "\n".join(lines))
    small = [r for r in results if r["n_windows"] == sizes[0]]
    by_p = {r["n_nonlinear"]: r["r2_mean"] for r in small}
    print(f"\nsmallest size ({sizes[0]} windows): P=2 {by_p[2]:.3f} vs P={UNITS - 1} "
          f"{by_p[UNITS - 1]:.3f}: small P at least as good: {by_p[2] >= by_p[UNITS - 1]}")
    print(f"total {total:.0f} s")

    plot(results, args.figure)
    print(f"wrote {args.figure}")
    if args.out:
        meta = {
            "python": platform.python_version(), "torch": torch.__version__,
            "sklearn": sklearn.__version__, "skorch": skorch.__version__,
            "numpy": np.__version__, "threads": torch.get_num_threads(),
            "device": f"cpu ({platform.processor() or platform.machine()})",
            "seeds": seeds, "quick": args.quick, "total_seconds": total,
            "window": WINDOW, "horizon": HORIZON, "n_units": UNITS, "dt": DT,
        }
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
