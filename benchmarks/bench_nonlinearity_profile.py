"""Does nonlinearity_profile pick P = 0 for linear data and P >= 1 for switching data?

For each seed, generate a linear AR(2) series and a two-regime switching
(SETAR) series, run the profile over ``n_nonlinear`` with time-ordered
splits, and fit the selected model to count the regions it visits. The
settings are those of tests/test_inspection.py (``--n-nonlinear``,
``--epochs`` etc. change them), so this script shows how robust those
fast tests are across seeds.

    python benchmarks/bench_nonlinearity_profile.py --seeds 0-9 [--out results.json]
"""

import argparse
import json
import platform
import time

import numpy as np
import pandas as pd
import sklearn
import torch

from sklearn_alrnn import ALRNNForecaster, __version__, make_windows
from sklearn_alrnn.datasets import make_linear_ar, make_switching_linear
from sklearn_alrnn.inspection import nonlinearity_profile, region_codes

DATA = {"linear": make_linear_ar, "switching": make_switching_linear}
# The right answer for each data set, as a test on the selected n_nonlinear.
EXPECTED = {"linear": lambda P: P == 0, "switching": lambda P: P >= 1}


def seeds(text):
    start, _, stop = text.partition("-")
    return list(range(int(start), int(stop or start) + 1))


def run(name, seed, args):
    series = DATA[name](args.n_timepoints, random_state=seed)
    X, y = make_windows(series, window=args.window, horizon=1)
    est = ALRNNForecaster(
        n_units=args.n_units, max_epochs=args.epochs, lr=args.lr, lr_final=args.lr_final,
        batch_size=args.batch_size, gradient_clip=args.gradient_clip, random_state=seed,
    )
    start = time.perf_counter()
    profile = nonlinearity_profile(est, X, y, n_nonlinear=args.n_nonlinear, cv=args.splits)
    seconds = time.perf_counter() - start
    chosen = est.set_params(n_nonlinear=profile.selected_).fit(X, y)
    codes = region_codes(chosen, series)
    table = profile.table_.set_index("n_nonlinear")
    row = {"data": name, "seed": seed}
    for P in args.n_nonlinear:
        row[f"R2[P={P}]"] = table.loc[P, "mean_score"]
        row[f"se[P={P}]"] = table.loc[P, "std_error"]
    row.update(
        selected=profile.selected_,
        correct=EXPECTED[name](profile.selected_),
        regions_visited=len(np.unique(codes)),
        seconds=seconds,
    )
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=seeds, default=seeds("0-9"))
    parser.add_argument("--n-timepoints", type=int, default=300)
    parser.add_argument("--window", type=int, default=4)
    parser.add_argument("--n-units", type=int, default=8)
    parser.add_argument("--n-nonlinear", type=int, nargs="+", default=[0, 4])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--lr-final", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--gradient-clip", type=float, default=1.0)
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (tests: 1)")
    parser.add_argument("--out", help="also write the rows as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rows = [run(name, seed, args) for name in DATA for seed in args.seeds]
    frame = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(frame.to_string(index=False, float_format="{:.3f}".format))
    print(frame.groupby("data")["correct"].agg(["sum", "count"]).to_string())
    if args.out:
        meta = {
            "args": vars(args),
            "versions": {
                "sklearn_alrnn": __version__, "torch": torch.__version__,
                "sklearn": sklearn.__version__, "python": platform.python_version(),
            },
            "device": f"cpu, {args.threads} torch thread(s)",
            "machine": platform.machine(),
        }
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=1, default=float)


if __name__ == "__main__":
    main()
