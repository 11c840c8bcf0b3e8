"""Peak memory of fit and predict against data size and number of epochs.

Question: does memory grow linearly with the data, and not with the epochs?
Each configuration runs in a fresh process that first fits on 512 windows, so that
imports, numba's cached loops and the allocator's own pools are in place; the peak
resident set (VmHWM) is then reset, so the numbers are what fit / predict on the full
data add beyond that fixed cost.

    python benchmarks/bench_memory.py [--out results.json]
"""

import argparse
import json
import platform
import subprocess
import sys

CHILD = """
import sys
import numpy as np
from sklearn_alrnn import ALRNNForecaster, make_windows

def peak_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024

def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

mode, n_windows, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
series = np.sin(0.05 * np.arange(n_windows + 59)).astype(np.float32)
X, y = make_windows(series, window=48, horizon=12)
est = ALRNNForecaster(n_units=16, n_nonlinear=2, max_epochs=epochs, batch_size=256,
                      random_state=0)
est.fit(X[:512], y[:512])
reset_peak()
before = peak_mib()
est.fit(X, y) if mode == "fit" else est.predict(X)
print(peak_mib() - before)
"""


def measure(mode, n_windows, epochs):
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(n_windows), str(epochs)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args()

    rows = []
    for n in (25_000, 100_000, 400_000):
        rows.append(("fit", n, 1, measure("fit", n, 1)))
    for epochs in (1, 4, 16):
        rows.append(("fit", 25_000, epochs, measure("fit", 25_000, epochs)))
    for n in (25_000, 100_000, 400_000):
        rows.append(("predict", n, 1, measure("predict", n, 1)))

    header = ("call", "windows", "epochs", "peak MiB added", "MiB / 1k windows")
    print("{:8} {:>8} {:>6} {:>15} {:>17}".format(*header))
    for mode, n, epochs, mib in rows:
        print(f"{mode:8} {n:8d} {epochs:6d} {mib:15.1f} {1000 * mib / n:17.2f}")
    if args.out:
        import numpy
        import sklearn
        import torch

        meta = {"python": platform.python_version(), "torch": torch.__version__,
                "numpy": numpy.__version__, "sklearn": sklearn.__version__, "device": "cpu"}
        keys = ("call", "windows", "epochs", "peak_mib_added")
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "rows": [dict(zip(keys, r)) for r in rows]}, f, indent=1)


if __name__ == "__main__":
    main()
