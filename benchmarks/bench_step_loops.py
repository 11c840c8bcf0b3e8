"""Where do the compiled (numba) step loops beat the torch ones?

Times one step of the scan's forward and backward loops, in torch ops and
compiled, on rows of width M + P for a grid of batch sizes. The package
runs the compiled loops up to ``_module._COMPILED_MAX_WORK`` multiply-adds a
step, B (M + P)^2; this table is where that number comes from. Needs numba
(``pip install sklearn-alrnn[fast]``). Run::

    python benchmarks/bench_step_loops.py --out step_loops.json
"""

import argparse
import json
import os
import platform
import statistics
import time

import torch

from sklearn_alrnn import _module

BATCHES = [8, 16, 32, 64, 128, 256]
UNITS = [(16, 2), (32, 4), (64, 8), (128, 16)]  # (M, P)
STEPS = 100


def per_step_us(fn, reps):
    """Median microseconds per step of ``fn()``, which runs STEPS steps."""
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e6 * statistics.median(times) / STEPS


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=7, help="timed runs per cell (median)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    compiled = _module._compiled_step_loops()
    if compiled is None:
        raise SystemExit("numba is not installed: pip install sklearn-alrnn[fast]")
    loops = {"torch": (_module._forward_steps, _module._backward_steps), "compiled": compiled}

    gen = torch.Generator().manual_seed(0)
    forced = [False] * STEPS
    rows = []
    print(f"{'batch':>5} {'M+P':>4} {'B(M+P)^2':>9}   forward us/step      backward us/step")
    print(f"{'':>20}   {'torch':>8} {'compiled':>8}   {'torch':>8} {'compiled':>8}")
    for B in BATCHES:
        for M, P in UNITS:
            width = M + P
            X = torch.randn(STEPS + 1, B, width, generator=gen)
            R = torch.randn(STEPS + 1, B, width, generator=gen)
            V = 0.5 * width**-0.5 * torch.randn(width, width, generator=gen)
            slope = torch.rand(STEPS + 1, B, P, generator=gen)
            row = {"batch": B, "width": width, "work": B * width**2}
            for name, (forward, backward) in loops.items():
                row[f"forward_{name}"] = per_step_us(lambda: forward(X, V, V, forced, P), args.reps)
                row[f"backward_{name}"] = per_step_us(
                    lambda: backward(R, slope, V, V, forced), args.reps
                )
            rows.append(row)
            print(
                f"{B:5d} {width:4d} {row['work']:9d}   {row['forward_torch']:8.1f} "
                f"{row['forward_compiled']:8.1f}   {row['backward_torch']:8.1f} "
                f"{row['backward_compiled']:8.1f}",
                flush=True,
            )
    if args.out:
        meta = {
            "torch": torch.__version__,
            "python": platform.python_version(),
            "threads": torch.get_num_threads(),
            "device": f"cpu ({platform.processor() or platform.machine()})",
            "reps": args.reps,
            "compiled_max_work": _module._COMPILED_MAX_WORK,
            "load_average": os.getloadavg(),
        }
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "results": rows}, f, indent=1)


if __name__ == "__main__":
    main()
