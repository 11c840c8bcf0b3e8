"""Are the estimators' default learning rates better than the reference's, at the default epochs?

The reference work trains with RAdam from lr 1e-3 decaying exponentially to 1e-5, over
thousands of epochs, without gradient clipping. The estimators default to 100 epochs, to lr
1e-2 decaying to 1e-3, and to a gradient norm clipped at 10. This script fits each default
estimator with six settings (``--settings`` to choose), everything else at its default, and
scores it by cross-validation (forecasters: R^2 over ``TimeSeriesSplit(3, gap=horizon -
1)``; the classifier: accuracy over stratified 3-fold splits), for seeds 0-2:

* ``unclipped``: lr 1e-2 decaying to 1e-3, no clipping (the default until the clip at 10);
* ``reference``: lr 1e-3 decaying to 1e-5, no clipping;
* ``1e-2 to 1e-5``: the default start, the reference's end, no clipping;
* ``clip 1`` and ``1e-2 to 1e-5, clip 1``: lr 1e-2 to 1e-3 or 1e-5, ``gradient_clip=1.0``;
* ``default``: lr 1e-2 to 1e-3, ``gradient_clip=10.0``, a loose clip that binds only when
  a fit starts to run away.

Tasks: the built-in airline series (window 24, horizon 12, ``scaling="window"``, as the
``alrnn`` command), yearly sunspots (window 22, horizon 11), the x coordinate of 2000
steps of Lorenz-63 (dt 0.02, window 20, horizon 5), and ``make_sequence_classification()``
(200 cases of 50 steps) for ``ALRNNClassifier``; ``airline_global``, only when asked for, is
airline at the estimator's default ``scaling="global"``. Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_defaults.py --out defaults.json
"""

import argparse
import json
import platform
import time
import warnings

import numpy as np
import sklearn
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit, cross_val_score

from sklearn_alrnn import ALRNNClassifier, ALRNNForecaster, make_windows
from sklearn_alrnn.datasets import (
    load_airline,
    load_sunspots,
    make_lorenz63,
    make_sequence_classification,
)

SETTINGS = {
    "unclipped": {"lr": 1e-2, "lr_final": 1e-3, "gradient_clip": None},
    "reference": {"lr": 1e-3, "lr_final": 1e-5, "gradient_clip": None},
    "1e-2 to 1e-5": {"lr": 1e-2, "lr_final": 1e-5, "gradient_clip": None},
    "clip 1": {"lr": 1e-2, "lr_final": 1e-3, "gradient_clip": 1.0},
    "1e-2 to 1e-5, clip 1": {"lr": 1e-2, "lr_final": 1e-5, "gradient_clip": 1.0},
    "default": {"lr": 1e-2, "lr_final": 1e-3, "gradient_clip": 10.0},
}


def tasks():
    """name -> (estimator with its task's settings, X, y, cv)."""
    out = {}
    for name, series, window, horizon, extra in [
        ("airline", load_airline().to_numpy(), 24, 12, {"scaling": "window"}),
        ("airline_global", load_airline().to_numpy(), 24, 12, {}),  # the estimator's default
        ("sunspots", load_sunspots().to_numpy(), 22, 11, {}),
        ("lorenz", make_lorenz63(2000, dt=0.02, random_state=0)[:, 0], 20, 5, {}),
    ]:
        X, y = make_windows(series, window, horizon)
        cv = TimeSeriesSplit(3, gap=horizon - 1)
        out[name] = (ALRNNForecaster(**extra), X, y, cv)
    X, y = make_sequence_classification(random_state=0)
    out["classification"] = (ALRNNClassifier(), X, y, StratifiedKFold(3, shuffle=True,
                                                                      random_state=0))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", default=["airline", "sunspots", "lorenz",
                                                        "classification"],
                        help="also airline_global: airline at the default scaling='global'")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()

    rows = []
    all_tasks = tasks()
    for task in args.tasks:
        estimator, X, y, cv = all_tasks[task]
        for setting in args.settings:
            params = SETTINGS[setting]
            scores, start = [], time.perf_counter()
            for seed in args.seeds:
                est = sklearn.clone(estimator).set_params(random_state=seed, **params)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    scores.append(cross_val_score(est, X, y, cv=cv).mean())
            seconds = (time.perf_counter() - start) / len(args.seeds)
            row = {"task": task, "setting": setting, **params, "scores": scores,
                   "mean": float(np.mean(scores)), "std": float(np.std(scores)),
                   "seconds_per_seed": seconds}
            rows.append(row)
            print(f"{task:15s} {setting:21s} {row['mean']:.4g} +- {row['std']:.3g}  "
                  f"seeds {' '.join(f'{s:.4g}' for s in scores)}  ({seconds:.0f} s a seed)",
                  flush=True)
    if args.out:
        meta = {"python": platform.python_version(), "torch": torch.__version__,
                "sklearn": sklearn.__version__}
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
