"""How accurate is ALRNNClassifier on standard UCR/UEA problems, next to 1-NN and published SOTA?

Four data sets on their default train/test splits, loaded offline from aeon's package data:
GunPoint, ItalyPowerDemand, ArrowHead (univariate) and BasicMotions (6 channels). For each:

* ``ALRNNClassifier`` tuned on the TRAINING cases only, by 3-fold stratified CV in two
  stages: first one of three training recipes (``RECIPES``, at P = 4), then the number of
  nonlinear units P by ``nonlinearity_profile`` (one-standard-error rule); refitted on all
  training cases with 5 seeds. And the same recipe with P = n_units (every unit ReLU).
  Each is scored per seed and as the ensemble of its seeds' fits (mean of their
  ``predict_proba``), which is how InceptionTime, itself five networks, is scored.
  The chosen model is refitted once more per seed with ``n_init=3``: each fit the best
  of three starts by final training loss;
* 1-NN with Euclidean distance and 1-NN with full-window DTW (aeon's
  ``KNeighborsTimeSeriesClassifier``), fitted in the same run;
* the published HC2 and InceptionTime accuracies on the default split (resample 0), read
  from the result files aeon ships (BasicMotions is not in them).

    python benchmarks/bench_classify.py [--quick] [--n-jobs 2] [--out classify.json]
"""

import argparse
import importlib.resources
import json
import os
import platform
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch; inherited by CV workers

import aeon  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
import skorch  # noqa: E402
import torch  # noqa: E402
from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier  # noqa: E402
from aeon.datasets import load_classification  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402

from sklearn_alrnn import ALRNNClassifier, __version__  # noqa: E402
from sklearn_alrnn.inspection import nonlinearity_profile  # noqa: E402

DATASETS = ["GunPoint", "ItalyPowerDemand", "ArrowHead", "BasicMotions"]
# Shared by every fit: max-pooled readout (a brief shape anywhere in 150-251 steps reaches
# the readout), 64 units, small batches for 36-67 training cases.
SETTINGS = {"n_units": 64, "readout": "max", "max_epochs": 150, "batch_size": 8,
            "lr_final": 1e-3, "gradient_clip": None}  # None: the default when the table was made
# Three training recipes, one picked per data set by CV on its training cases (at P = 4):
# the reference initialisation with and without input noise, and slowly decaying initial
# memory (A_ii in [0.95, 1)), which needs a lower lr, more epochs and gradient clipping.
RECIPES = {
    "short": {"lr": 1e-2, "noise": 0.0},
    "short+noise": {"lr": 1e-2, "noise": 0.1},
    "long+noise": {"lr": 3e-3, "noise": 0.1, "init_self_coupling": 0.95, "gradient_clip": 1.0,
                   "max_epochs": 200},
}
CANDIDATES = [0, 1, 2, 4, 64]
PUBLISHED = ["HC2", "InceptionTime"]


def published_accuracy(method):
    """Accuracy on the default split (resample 0) per data set, from aeon's result files."""
    files = importlib.resources.files("aeon") / "testing/example_results_files/classification"
    with importlib.resources.as_file(files / "accuracy" / f"{method}_accuracy.csv") as path:
        table = pd.read_csv(path, index_col=0)
    return table["0"].to_dict()


def one_nn(distance, data):
    (Xtr, ytr), (Xte, yte) = data
    clf = KNeighborsTimeSeriesClassifier(n_neighbors=1, distance=distance)
    start = time.perf_counter()
    clf.fit(Xtr, ytr)
    accuracy = float(np.mean(clf.predict(Xte) == yte))
    return accuracy, time.perf_counter() - start


def alrnn(n_nonlinear, seeds, settings, data):
    """Test accuracy and fit seconds of each seed's fit on all training cases, and the test
    accuracy of their ensemble (the class of highest mean probability)."""
    (Xtr, ytr), (Xte, yte) = data
    accuracy, seconds, proba = [], [], 0.0
    for seed in seeds:
        clf = ALRNNClassifier(**settings, n_nonlinear=n_nonlinear, random_state=seed)
        start = time.perf_counter()
        clf.fit(Xtr, ytr)
        seconds.append(time.perf_counter() - start)
        seed_proba = clf.predict_proba(Xte)
        accuracy.append(accuracy_score(yte, clf.classes_[seed_proba.argmax(axis=1)]))
        proba = proba + seed_proba
    return accuracy, seconds, accuracy_score(yte, clf.classes_[proba.argmax(axis=1)])


def run(name, args, settings, recipes, candidates, published):
    train = load_classification(name, split="train")
    test = load_classification(name, split="test")
    data = (train, test)
    (Xtr, ytr), (Xte, _) = data
    row = {"dataset": name, "train": len(Xtr), "test": len(Xte), "channels": Xtr.shape[1],
           "length": Xtr.shape[2]}

    cv = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    start = time.perf_counter()
    search = GridSearchCV(
        ALRNNClassifier(**settings, n_nonlinear=4, random_state=0),
        [{key: [value] for key, value in recipe.items()} for recipe in recipes.values()],
        cv=cv, n_jobs=args.n_jobs, refit=False, error_score="raise",
    ).fit(Xtr, ytr)
    scores = search.cv_results_["mean_test_score"]
    row["recipe_cv"] = dict(zip(recipes, scores.tolist()))
    row["recipe"] = list(recipes)[int(np.argmax(scores))]
    settings = {**settings, **recipes[row["recipe"]]}
    profile = nonlinearity_profile(
        ALRNNClassifier(**settings, random_state=0), Xtr, ytr, n_nonlinear=candidates, cv=cv,
        n_jobs=args.n_jobs,
    )
    row["cv_seconds"] = time.perf_counter() - start
    row["cv_table"] = profile.table_.to_dict(orient="list")
    row["P_best"], row["P"] = profile.best_, profile.selected_

    seeds = list(range(args.seeds))
    fits = [("alrnn", profile.selected_, settings),
            ("alrnn_all_relu", settings["n_units"], settings),
            # The chosen model again, each fit the best of n_init starts by training loss.
            ("alrnn_n_init", profile.selected_, {**settings, "n_init": args.n_init})]
    for key, P, fit_settings in fits:
        row[key], row[f"{key}_seconds"], row[f"{key}_ensemble"] = alrnn(
            P, seeds, fit_settings, data
        )
    row["1nn_ed"], row["1nn_ed_seconds"] = one_nn("euclidean", data)
    row["1nn_dtw"], row["1nn_dtw_seconds"] = one_nn("dtw", data)
    for method, table in published.items():
        row[method] = table.get(name)
    return row


def fmt(values):
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def markdown(rows, M, n_seeds, n_init):
    head = (
        "| data set (train/test, length x channels) | recipe | P | ALRNN, P by CV "
        f"| its {n_seeds}-seed ensemble | ALRNN, P = M = {M} | its {n_seeds}-seed ensemble "
        "| 1-NN ED | 1-NN DTW | HC2 (published) | InceptionTime (published) "
        "| fit s, P by CV | fit s, P = M |"
    )
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        pub = ["n/a" if r[m] is None else f"{r[m]:.3f}" for m in PUBLISHED]
        lines.append(
            f"| {r['dataset']} ({r['train']}/{r['test']}, {r['length']} x {r['channels']}) "
            f"| {r['recipe']} | {r['P']} | {fmt(r['alrnn'])} | {r['alrnn_ensemble']:.3f} "
            f"| {fmt(r['alrnn_all_relu'])} | {r['alrnn_all_relu_ensemble']:.3f} "
            f"| {r['1nn_ed']:.3f} | {r['1nn_dtw']:.3f} | {pub[0]} | {pub[1]} "
            f"| {np.mean(r['alrnn_seconds']):.1f} | {np.mean(r['alrnn_all_relu_seconds']):.1f} |"
        )
    lines += [
        "",
        f"| data set | ALRNN, P by CV: one start | best of n_init={n_init} starts "
        f"| its {n_seeds}-seed ensemble | fit s, one start | fit s, n_init={n_init} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {fmt(r['alrnn'])} | {fmt(r['alrnn_n_init'])} "
            f"| {r['alrnn_n_init_ensemble']:.3f} | {np.mean(r['alrnn_seconds']):.1f} "
            f"| {np.mean(r['alrnn_n_init_seconds']):.1f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 3 epochs, P in {0, M}, 2 folds, 1 seed")
    parser.add_argument("--datasets", nargs="+", default=DATASETS)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel CV fits")
    parser.add_argument("--n-init", type=int, default=3,
                        help="starts per fit of the extra n_init rows (best training loss kept)")
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)

    settings, recipes, candidates = dict(SETTINGS), dict(RECIPES), list(CANDIDATES)
    if args.quick:
        settings["max_epochs"] = 3
        recipes = {key: RECIPES[key] for key in ("short", "long+noise")}
        candidates = [0, settings["n_units"]]
        args.seeds, args.folds = 1, 2
    published = {method: published_accuracy(method) for method in PUBLISHED}

    rows = []
    for name in args.datasets:
        start = time.perf_counter()
        rows.append(run(name, args, settings, recipes, candidates, published))
        print(f"{name}: {time.perf_counter() - start:.0f} s", flush=True)
    print(markdown(rows, settings["n_units"], args.seeds, args.n_init))

    if args.out:
        meta = {
            "python": platform.python_version(), "torch": torch.__version__,
            "numpy": np.__version__, "sklearn": sklearn.__version__,
            "skorch": skorch.__version__, "aeon": aeon.__version__,
            "sklearn_alrnn": __version__, "threads": torch.get_num_threads(),
            "device": "cpu", "machine": platform.machine(), "load_average": os.getloadavg(),
            "settings": settings, "recipes": recipes, "candidates": candidates, "folds": args.folds,
            "seeds": args.seeds, "n_init": args.n_init, "quick": args.quick,
        }
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "results": rows}, f, indent=2, default=float)


if __name__ == "__main__":
    main()
