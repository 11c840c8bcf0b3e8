"""Can ALRNNForecaster use a covariate that is known in advance, such as a promotion plan?

The forecaster runs its covariate channels free past the window, so their
future values cannot be passed in. They can be read in the window, though:
led by the horizon (the covariate column shifted ``horizon`` steps earlier),
a window's last ``horizon`` covariate values are those of the steps it
forecasts. This script measures what that recipe gains.

Data (seeded): 400 steps of "sales" = a 12-step season + 1.5 x promo + noise
(sd 0.1), promo on 20 % of the steps at random. Windows of 24 steps forecast
the next 6 (stride 1); windows whose targets end at step 300 or before train,
windows whose targets start at step 300 or later are the test set. Each
model sees the sales alone, the promo as it happens (a second channel), or
the promo led by 6 steps. Models: ``ALRNNForecaster(n_units=16,
n_nonlinear=2)`` with its default 100 epochs and with 300 (seeds 0-2), and
the peer, least squares on the flattened window (one linear map from the 24
or 48 window values to the 6 targets). Scores: R^2 on the test windows;
"oracle" scores the noise-free signal (season + 1.5 x promo) as the
forecast, the most any model can reach. Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_covariates.py --out covariates.json
"""

import argparse
import json
import platform
import time

import numpy as np
import sklearn
import skorch
import torch
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from sklearn_alrnn import ALRNNForecaster, make_windows

N, SPLIT, WINDOW, HORIZON, EFFECT = 400, 300, 24, 6, 1.5


def data(seed=0):
    """sales, promo as it happens, promo led by HORIZON, the noise-free sales: each (N,)."""
    rng = np.random.default_rng(seed)
    t = np.arange(N + HORIZON)
    promo = (rng.random(N + HORIZON) < 0.2).astype(float)
    signal = np.sin(2 * np.pi * t / 12) + EFFECT * promo
    sales = signal + 0.1 * rng.standard_normal(N + HORIZON)
    return sales[:N], promo[:N], promo[HORIZON:], signal[:N]


def windows(series):
    """(train X, train y, test X, test y), split by when the targets fall."""
    X, y = make_windows(series, WINDOW, HORIZON, n_targets=1 if series.ndim == 2 else None)
    end = np.arange(len(X)) + WINDOW + HORIZON  # one past each window's last target
    train, test = end <= SPLIT, end - HORIZON >= SPLIT
    return X[train], y[train], X[test], y[test]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 5 and 10 epochs: a smoke run")
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    seeds, epochs = ([0], [5, 10]) if args.quick else ([0, 1, 2], [100, 300])

    sales, promo, led, signal = data()
    inputs = {
        "sales alone": sales,
        "promo as it happens": np.column_stack([sales, promo]),
        f"promo led by {HORIZON}": np.column_stack([sales, led]),
    }
    rows = []
    for name, series in inputs.items():
        X, y, X_test, y_test = windows(series)
        flat = LinearRegression().fit(X.reshape(len(X), -1), y.reshape(len(y), -1))
        r2 = r2_score(y_test.reshape(len(y_test), -1),
                      flat.predict(X_test.reshape(len(X_test), -1)))
        rows.append({"input": name, "model": "least squares", "r2_mean": r2, "r2_std": 0.0,
                     "s_per_fit": 0.0})
        for n_epochs in epochs:
            scores, seconds = [], []
            for seed in seeds:
                start = time.perf_counter()
                est = ALRNNForecaster(n_units=16, n_nonlinear=2, max_epochs=n_epochs,
                                      random_state=seed).fit(X, y)
                seconds.append(time.perf_counter() - start)
                scores.append(est.score(X_test, y_test))
            rows.append({"input": name, "model": f"ALRNN P=2, {n_epochs} epochs",
                         "r2_mean": float(np.mean(scores)), "r2_std": float(np.std(scores)),
                         "r2_seeds": scores, "s_per_fit": float(np.mean(seconds))})
    _, _, _, y_test = windows(sales)
    _, _, _, best = windows(signal)
    rows.append({"input": "the promo plan", "model": "oracle", "r2_mean": r2_score(y_test, best),
                 "r2_std": 0.0, "s_per_fit": 0.0})

    print("| input | model | test R^2 | s/fit |\n|---|---|---|---:|")
    for r in rows:
        spread = f" ± {r['r2_std']:.3f}" if r["model"].startswith("ALRNN") else ""
        print(f"| {r['input']} | {r['model']} | {r['r2_mean']:.3f}{spread} "
              f"| {r['s_per_fit']:.1f} |")
    if args.out:
        versions = {"python": platform.python_version(), "torch": torch.__version__,
                    "sklearn": sklearn.__version__, "skorch": skorch.__version__,
                    "device": "cpu", "threads": torch.get_num_threads()}
        with open(args.out, "w") as f:
            json.dump({"versions": versions, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
