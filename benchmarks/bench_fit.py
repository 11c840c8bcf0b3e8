"""Does ALRNNForecaster.fit take longer than training a plain nn.RNN the same way?

A low-data job: 300 windows of length 48 of a regime-switching series, a
horizon of 12, 100 epochs, 16 latent units of which 2 are ReLU. Four trainings
on the same scaled windows, with the same optimiser (RAdam), learning-rate
decay, batch size, epochs and shuffling:

* ``ALRNNForecaster.fit``: the estimator, as a user calls it;
* ``nn.RNN via skorch``: an ``nn.RNN(relu)`` of 16 units with a linear head
  producing the horizon, trained by the same skorch ``NeuralNet`` settings;
* ``AL-RNN loop`` and ``nn.RNN loop``: the same two modules trained by a bare
  PyTorch loop over pre-built batches -- the model's own cost, so the gap to
  the rows above is what skorch and data loading add per epoch;
* with ``--forcing-interval tau``, also ``ALRNNForecaster.fit`` with sparse
  teacher forcing every tau steps (each window and its horizon one training
  sequence, as ``benchmarks/bench_dsr.py`` trains).

Each training is repeated ``--repeats`` times, interleaved; medians are reported.
Run::

    python benchmarks/bench_fit.py --out fit.json
    python benchmarks/bench_fit.py --forcing-interval 4    # adds the sparsely forced fit
"""

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import LRScheduler
from torch import nn

from sklearn_alrnn import ALRNNForecaster, make_windows
from sklearn_alrnn._module import ForecastModule
from sklearn_alrnn.datasets import make_switching_linear

WINDOW, HORIZON, EPOCHS, BATCH, UNITS, NONLINEAR = 48, 12, 100, 16, 16, 2
LR, LR_FINAL = 1e-2, 1e-5
GAMMA = (LR_FINAL / LR) ** (1.0 / EPOCHS)  # the estimator's per-epoch decay


class RNNForecast(nn.Module):
    """nn.RNN(relu) over the window, then a linear map of its last state to the horizon."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, UNITS, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(UNITS, HORIZON)

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])[..., None]  # (B, horizon, 1)


def data():
    series = make_switching_linear(WINDOW + HORIZON + 299, random_state=0)
    X, y = make_windows(series, window=WINDOW, horizon=HORIZON)
    # The scaled layout the estimator trains on: (n, time, channel), float32.
    mean, std = series.mean(), series.std()
    Xs = ((X - mean) / std)[..., None].astype(np.float32)
    ys = ((y - mean) / std)[..., None].astype(np.float32)
    return X, y, Xs, ys


def fit_estimator(X, y, Xs, ys, forcing_interval=None):
    est = ALRNNForecaster(
        n_units=UNITS, n_nonlinear=NONLINEAR, forcing_interval=forcing_interval,
        max_epochs=EPOCHS, batch_size=BATCH, lr=LR, lr_final=LR_FINAL, gradient_clip=None,
        random_state=0,
    )  # unclipped, as the plain loops it is compared with
    est.fit(X, y)


def alrnn_module():
    generator = torch.Generator().manual_seed(0)
    return ForecastModule(1, 1, HORIZON, UNITS, NONLINEAR, generator=generator)


def fit_rnn_skorch(X, y, Xs, ys):
    torch.manual_seed(0)
    net = NeuralNet(
        RNNForecast(),
        criterion=nn.MSELoss,
        optimizer=torch.optim.RAdam,
        lr=LR,
        max_epochs=EPOCHS,
        batch_size=BATCH,
        train_split=None,
        iterator_train__shuffle=True,
        callbacks=[("lr_decay", LRScheduler(policy="ExponentialLR", gamma=GAMMA))],
        verbose=0,
    )
    net.fit(Xs, ys)


def bare_loop(module, Xs, ys):
    """The same training with nothing but PyTorch: the model's own cost."""
    torch.manual_seed(0)
    x, y = torch.from_numpy(Xs), torch.from_numpy(ys)
    opt = torch.optim.RAdam(module.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, GAMMA)
    loss_fn = nn.MSELoss()
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(x)).split(BATCH):
            opt.zero_grad()
            loss_fn(module(x[idx]), y[idx]).backward()
            opt.step()
        sched.step()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="trainings per row (median)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--forcing-interval", type=int,
                        help="also time the fit with this forcing_interval")
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y, Xs, ys = data()
    runs = {
        "ALRNNForecaster.fit": fit_estimator,
        "nn.RNN via skorch": fit_rnn_skorch,
        "AL-RNN loop": lambda *a: bare_loop(alrnn_module(), Xs, ys),
        "nn.RNN loop": lambda *a: bare_loop(RNNForecast(), Xs, ys),
    }
    if args.forcing_interval:
        tau = args.forcing_interval
        runs[f"fit, forcing every {tau}"] = lambda *a: fit_estimator(*a, forcing_interval=tau)
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run(X, y, Xs, ys)
            times[name].append(time.perf_counter() - start)
    seconds = {name: statistics.median(t) for name, t in times.items()}

    ref = seconds["nn.RNN via skorch"]
    print(f"{len(X)} windows of {WINDOW}, horizon {HORIZON}, {EPOCHS} epochs, batch {BATCH}")
    print(f"{'training':22} {'seconds':>8} {'ms/epoch':>9} {'/ nn.RNN skorch':>16}")
    for name, s in seconds.items():
        print(f"{name:22} {s:8.2f} {1e3 * s / EPOCHS:9.1f} {s / ref:16.2f}")
    overhead = 1 - seconds["AL-RNN loop"] / seconds["ALRNNForecaster.fit"]
    print(f"estimator + skorch + data loading: {100 * overhead:.0f}% of the AL-RNN fit")
    if args.out:
        meta = {
            "torch": torch.__version__,
            "python": platform.python_version(),
            "threads": torch.get_num_threads(),
            "device": f"cpu ({platform.processor() or platform.machine()})",
            "repeats": args.repeats,
            "load_average": os.getloadavg(),
        }
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "seconds": seconds, "all_seconds": times}, f, indent=1)


if __name__ == "__main__":
    main()
