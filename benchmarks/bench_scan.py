"""How fast is the AL-RNN time loop next to PyTorch's own recurrent layers?

Times one training step's forward + backward, and inference alone, of the
AL-RNN recurrences that training really runs, against ``nn.RNN(relu)``,
``nn.GRU`` and ``nn.LSTM`` with the same inputs and hidden size:

* ``driven``: the classifier's recurrence, z_0 = 0 and each step driven by
  C s_t from the ``channels`` inputs (``ClassifierModule.trajectory``);
* ``forced``: the forecaster's read of a window, every step teacher-forced
  on the ``channels`` observed units and driving the hidden units through
  ``C_obs`` (``ForecastModule.trajectory``).

All models are timed round-robin in one process, so a change in machine load
hits every peer alike; the table reports ratios of medians. ``--loops torch``
times the AL-RNN as it runs without the optional numba extra. Run::

    python benchmarks/bench_scan.py --out scan.json
"""

import argparse
import json
import os
import platform
import statistics
import time

import torch
from torch import nn

from sklearn_alrnn import _module
from sklearn_alrnn._module import ClassifierModule, ForecastModule

# (batch, time, channels, M, P)
SHAPES = [(16, 100, 1, 16, 2), (32, 200, 3, 64, 8), (64, 500, 3, 32, 4), (256, 50, 1, 128, 16)]


def models(channels, n_units, n_nonlinear):
    """name -> module mapping (B, T, channels) inputs to (B, T, n_units) states."""
    gen = torch.Generator().manual_seed(0)
    driven = ClassifierModule(channels, 2, n_units, n_nonlinear, generator=gen)
    forced = ForecastModule(channels, channels, 1, n_units, n_nonlinear, generator=gen)
    peers = {
        "nn.RNN": nn.RNN(channels, n_units, nonlinearity="relu", batch_first=True),
        "nn.GRU": nn.GRU(channels, n_units, batch_first=True),
        "nn.LSTM": nn.LSTM(channels, n_units, batch_first=True),
    }
    return {
        "AL-RNN driven": driven.trajectory,
        "AL-RNN forced": forced.trajectory,
        **{name: (lambda x, m=m: m(x)[0]) for name, m in peers.items()},
    }


def train_step(fn, x):
    fn(x).sum().backward()


def inference(fn, x):
    with torch.inference_mode():
        fn(x)


def time_round_robin(calls, reps, warmup=3):
    """Median seconds of each zero-argument call, the calls interleaved rep by rep."""
    for call in calls.values():
        for _ in range(warmup):
            call()
    times = {name: [] for name in calls}
    for _ in range(reps):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def run(reps):
    rows = []
    for shape in SHAPES:
        B, T, K, M, P = shape
        torch.manual_seed(0)
        x = torch.randn(B, T, K)
        fns = models(K, M, P)
        for mode, step in [("train", train_step), ("inference", inference)]:
            calls = {name: (lambda fn=fn: step(fn, x)) for name, fn in fns.items()}
            medians = time_round_robin(calls, reps)
            rows.append({"shape": shape, "mode": mode, "seconds": medians})
    return rows


def print_table(rows):
    print(
        f"{'(batch, time, channels, M, P)':31} {'mode':10} {'workload':8} "
        f"{'AL-RNN ms':>9} {'nn.RNN ms':>9} {'/ RNN':>6} {'/ GRU':>6} {'/ LSTM':>6}"
    )
    for row in rows:
        s = row["seconds"]
        for workload in ("driven", "forced"):
            t = s[f"AL-RNN {workload}"]
            print(
                f"{str(tuple(row['shape'])):31} {row['mode']:10} {workload:8} "
                f"{1e3 * t:9.2f} {1e3 * s['nn.RNN']:9.2f} {t / s['nn.RNN']:6.2f} "
                f"{t / s['nn.GRU']:6.2f} {t / s['nn.LSTM']:6.2f}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=9, help="timed calls per model (median)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument(
        "--loops", choices=["auto", "torch"], default="auto",
        help="torch: never the compiled (numba) step loops, as without the 'fast' extra",
    )
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.loops == "torch":
        _module._COMPILED_MAX_WORK = -1
    rows = run(args.reps)
    print_table(rows)
    if args.out:
        meta = {
            "torch": torch.__version__,
            "python": platform.python_version(),
            "threads": torch.get_num_threads(),
            "device": f"cpu ({platform.processor() or platform.machine()})",
            "dtype": "float32",
            "reps": args.reps,
            "loops": args.loops,
            "compiled_available": (
                getattr(_module, "_compiled_step_loops", lambda: None)() is not None
            ),
            "load_average": os.getloadavg(),
        }
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "results": rows}, f, indent=1)


if __name__ == "__main__":
    main()
