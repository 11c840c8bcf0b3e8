"""How many nonlinear units does an AL-RNN need to reconstruct the Lorenz-63 attractor?

The reference work (Brenner et al., NeurIPS 2024) finds that an AL-RNN with M = 20 latent
units reconstructs Lorenz-63 poorly with P <= 1 ReLU units and well from P = 2 on, and that
its trajectory then lives in a handful of linear regions. This script repeats that experiment
with ``ALRNNForecaster(forcing_interval=tau)`` on CPU:

* data: a z-scored Lorenz-63 trajectory for training and a second one, from another initial
  condition, held out for evaluation (both z-scored with the training statistics);
* training: (window, horizon) pairs of the training series, each one sequence of 200 steps:
  the 150-step window read fully forced, then sparse teacher forcing every 16 steps over the
  50-step horizon (``--window 1 --horizon 199`` is the reference's scheme, sparse forcing
  from the first value on), with the reference's optimiser settings for Lorenz-63 (RAdam, lr
  1e-3 decaying exponentially to 1e-5 over the epochs, no gradient clipping, training noise
  0.05, batches of 16 sequences of 200 steps); every ``--check-every`` epochs the model runs
  free from the start of the training series and the weights whose run has the lowest D_stsp
  against the training series are kept (model selection on training data only, as in the reference);
* evaluation, from the start of the held-out trajectory: a long free run after a transient
  is compared with it by D_stsp (``state_space_divergence``, 30 bins per dimension) and D_H
  (``power_spectrum_distance``); PE(20) is the 20-step-ahead error from every start point
  (``prediction_error``); "regions" is the number of linear regions (sign patterns of the P
  ReLU units) that hold 95 % of the free run's steps; "missed" is the share of the held-out
  trajectory that lies in D_stsp bins the free run never visits (each such bin adds about
  ``p log(p / 1e-10)`` to D_stsp, so a few per cent of missed mass dominate it).

The reference's own protocol is scored too (the ``ref`` columns). Its Python tutorial runs
the model free for 11 000 steps from the first held-out point, drops the first 1000, and
compares the 10 000 left with the whole held-out series: D_stsp by :func:`reference_dstsp`
(its binning convention, which differs from ``state_space_divergence``'s), D_H with the first
10 000 held-out steps. Here those 10 000 steps are the first 10 000 of the scored free run
(it has the same transient); ``ref D_stsp (10 runs)`` is the mean over its ten consecutive
10 000-step segments, a steadier estimate of the same quantity. The tutorial's published
P = 2 checkpoint scores D_stsp 3.52 and D_H 0.143 that way in the tutorial's own output.

The row "truth" scores the held-out trajectory against a third true one: the floor of each
measure at these lengths. Seeded and offline. Run::

    python benchmarks/bench_dsr.py --out dsr.json --figure dsr.png
    python benchmarks/bench_dsr.py --quick          # a smoke run of about a minute
"""

import argparse
import json
import os
import platform
import time

import numpy as np
import sklearn
import skorch
import torch
from joblib import Parallel, delayed

import sklearn_alrnn
from sklearn_alrnn import ALRNNForecaster, make_windows
from sklearn_alrnn.callbacks import KeepBestReconstruction
from sklearn_alrnn.datasets import make_lorenz63
from sklearn_alrnn.inspection import region_codes
from sklearn_alrnn.metrics import (
    _binned_counts,
    power_spectrum_distance,
    prediction_error,
    state_space_divergence,
)

N_UNITS = 20
PE_STEPS = 20
REGION_SHARE = 0.95
N_BINS = 30  # per dimension, for D_stsp and the missed share
MEASURES = ("dstsp", "missed", "dh", "dh_full", "pe20", "ref_dstsp", "ref_dstsp_10", "ref_dh")
REF_STEPS = 10_000  # the free run the reference's tutorial scores, after its 1000-step transient
# Seeds of the three Lorenz-63 initial conditions: training, evaluation, and a second true
# trajectory for the "truth" row.
TRAIN_SEED, TEST_SEED, TRUTH_SEED = 0, 1, 2


class KeepBestOnSeries(KeepBestReconstruction):
    """:class:`~sklearn_alrnn.callbacks.KeepBestReconstruction` on the whole training series.

    The free runs start from ``n_starts`` windows spread over ``series`` and are scored
    against all of it, rather than against the training windows (which overlap here, and
    leave out the series' last steps).
    """

    def __init__(self, series, window, every=10, n_steps=20_000, transient=1_000, n_starts=3):
        super().__init__(every=every, n_steps=n_steps, transient=transient, n_starts=n_starts)
        self.series = series
        self.window = window

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        starts = np.linspace(0, len(self.series) - self.window, self.n_starts).astype(int)
        self.contexts_ = torch.tensor(np.stack([self.series[s : s + self.window] for s in starts]))
        self.reference_ = self.series


def lorenz(n_timepoints, seed, mean=None, std=None, dt=0.01):
    """A Lorenz-63 trajectory, z-scored with the given (else its own) statistics."""
    x = make_lorenz63(n_timepoints, dt=dt, random_state=seed)
    mean = x.mean(axis=0) if mean is None else mean
    std = x.std(axis=0) if std is None else std
    return (x - mean) / std, mean, std


def missed_share(x_true, x_gen):
    """Share of ``x_true`` in the D_stsp bins that ``x_gen`` never visits (the binning of
    ``state_space_divergence``: points of ``x_gen`` outside the range count in the edge bins)."""
    counts_true, counts_gen = _binned_counts(x_true, x_gen, N_BINS)
    return float(counts_true[counts_gen == 0].sum() / len(x_true))


def reference_dstsp(x_true, x_gen, n_bins=N_BINS, alpha=1e-5):
    """D_stsp by the binning convention of the reference's Python tutorial.

    Each dimension of ``x_true``'s range [min, max] is cut into ``n_bins`` bins, and a
    point's bin index is ``floor(n_bins * (x - min) / (max - min))``. A point is counted
    only when every index lies in 1 .. n_bins - 1, in both histograms alike: points of
    ``x_gen`` outside the range are dropped (``state_space_divergence`` counts them in
    the edge bins), and so are the lowest bin of each dimension and the true maximum.
    Both histograms get a pseudo-count ``alpha`` in each of the ``n_bins ** d`` cells, and
    the result is KL(p_true || p_gen) in nats.
    """
    low = x_true.min(axis=0)
    span = x_true.max(axis=0) - low

    def pdf(x):
        index = np.floor(n_bins * (x - low) / span).astype(np.int64)
        index = index[((index > 0) & (index < n_bins)).all(axis=1)]
        cells = np.ravel_multi_index(index.T, (n_bins,) * x.shape[1])
        counts = np.bincount(cells, minlength=n_bins ** x.shape[1])
        return (counts + alpha) / (counts.sum() + alpha * counts.size)

    p_true, p_gen = pdf(x_true), pdf(x_gen)
    return float(np.sum(p_true * np.log(p_true / p_gen)))


def reference_scores(x_true, x_gen):
    """The ``ref`` columns: the reference's protocol on the first 10 000 generated steps,
    and its D_stsp averaged over every consecutive 10 000-step segment of ``x_gen``."""
    n = min(REF_STEPS, len(x_gen))  # shorter only in --quick
    scores = [reference_dstsp(x_true, x_gen[i : i + n]) for i in range(0, len(x_gen) - n + 1, n)]
    return {
        "ref_dstsp": scores[0],
        "ref_dstsp_10": float(np.mean(scores)),
        "ref_dh": power_spectrum_distance(x_true[:n], x_gen[:n]),
    }


def regions_covering(codes: np.ndarray, share: float) -> int:
    """Fewest distinct codes that together make up ``share`` of ``codes``."""
    counts = np.sort(np.unique(codes, return_counts=True)[1])[::-1]
    return int(np.searchsorted(np.cumsum(counts), share * len(codes) - 1e-9) + 1)


def fit_and_score(n_nonlinear, seed, train, test, args):
    torch.set_num_threads(args.threads)
    X, y = make_windows(train, args.window, args.horizon, stride=args.stride)
    keep_best = KeepBestOnSeries(
        train, args.window, every=args.check_every, n_steps=args.check_steps,
        transient=args.transient,
    )
    est = ALRNNForecaster(
        n_units=N_UNITS,
        n_nonlinear=n_nonlinear,
        input_drive=args.input_drive,
        scaling=None,  # the series is already z-scored
        forcing_interval=args.tau,
        max_epochs=args.epochs,
        lr=args.lr,
        lr_final=args.lr_final,
        gradient_clip=args.clip or None,
        batch_size=args.batch_size,
        noise=args.noise,
        callbacks=[("keep_best", keep_best)],
        random_state=seed,
    )
    wall, cpu = time.perf_counter(), time.process_time()
    est.fit(X, y)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    context = test[: args.window]
    start = time.perf_counter()
    generated = est.forecast(context, args.transient + args.n_generate)[args.transient :]
    generate_s = time.perf_counter() - start
    row = {"n_nonlinear": n_nonlinear, "seed": seed, "fit_cpu_s": cpu, "fit_wall_s": wall}
    row["generate_s"] = generate_s
    row["best_epoch"], row["train_dstsp"] = keep_best.best_epoch_, keep_best.best_score_
    if not np.isfinite(generated).all():  # a run that diverged has no distance to the truth
        return {**row, "dstsp": np.inf, "missed": 1.0, "dh": 1.0, "dh_full": 1.0, "pe20": np.inf,
                "ref_dstsp": np.inf, "ref_dstsp_10": np.inf, "ref_dh": 1.0, "regions": 0}, None
    # The regions of the free run: those of the context read, then of the generated steps.
    codes = region_codes(est, context.T[None], n_steps=args.transient + args.n_generate)
    codes = codes[0, len(context) + args.transient :]
    row["dstsp"] = state_space_divergence(test, generated, n_bins=N_BINS)
    row["missed"] = missed_share(test, generated)
    row["dh"] = segment_dh(test, generated, args.dh_length)
    row["dh_full"] = power_spectrum_distance(test, generated)
    row.update(reference_scores(test, generated))
    row["pe20"] = prediction_error(est, test[: args.pe_points + args.window + PE_STEPS], PE_STEPS)
    row["regions"] = regions_covering(codes, REGION_SHARE)
    row["region_shares"] = sorted(np.unique(codes, return_counts=True)[1] / len(codes))[::-1]
    return row, generated if n_nonlinear == args.figure_p and seed == args.seeds[0] else None


def segment_dh(x_true, x_gen, length):
    """D_H averaged over consecutive segments of ``length`` steps.

    D_H depends on the length compared, because its smoothing is in frequency bins: this
    is the mean over segments as long as the reference's (10 000 steps).
    """
    starts = range(0, min(len(x_true), len(x_gen)) - length + 1, length)
    return float(np.mean([
        power_spectrum_distance(x_true[i : i + length], x_gen[i : i + length]) for i in starts
    ]))


def table_row(rows):
    """Mean and std over seeds of each measure, the region counts, and their table cells."""
    stats = {k: (float(np.mean([r[k] for r in rows])), float(np.std([r[k] for r in rows])))
             for k in MEASURES + ("fit_cpu_s", "fit_wall_s")}
    text = ["{:.3f} +- {:.3f}".format(*stats[k]) for k in MEASURES]
    text.append(", ".join(str(r["regions"]) for r in rows))
    text += [f"{stats[k][0]:.0f}" for k in ("fit_cpu_s", "fit_wall_s")]
    return {**stats, "regions": [r["regions"] for r in rows], "text": text}


def plot(test, generated, n_nonlinear, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = min(len(test), len(generated), 20_000)
    fig = plt.figure(figsize=(8, 4), dpi=90)
    panels = [(test, "true (held out)"), (generated, f"AL-RNN, P = {n_nonlinear}")]
    for i, (x, title) in enumerate(panels):
        ax = fig.add_subplot(1, 2, i + 1, projection="3d")
        ax.plot(*x[:n].T, lw=0.2, color="k" if i == 0 else "C3")
        ax.set(title=title, xlabel="x", ylabel="y", zlabel="z")
        ax.tick_params(labelsize=6)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-nonlinear", type=int, nargs="+", default=[0, 1, 2, 3, 5])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-train", type=int, default=100_000, help="training time points")
    parser.add_argument("--dt", type=float, default=0.01, help="Lorenz-63 sampling step")
    parser.add_argument("--window", type=int, default=150)
    parser.add_argument("--horizon", type=int, default=50)
    parser.add_argument("--stride", type=int, default=125, help="between training windows")
    parser.add_argument("--tau", type=int, default=16, help="forcing_interval")
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--lr-final", type=float, default=1e-5, help="lr of the last epoch")
    parser.add_argument("--clip", type=float, default=0.0, help="gradient_clip; 0 for none")
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--input-drive", type=int, default=0, choices=[0, 1])
    parser.add_argument("--check-every", type=int, default=10, help="epochs between checks")
    parser.add_argument("--check-steps", type=int, default=20_000)
    parser.add_argument("--n-generate", type=int, default=100_000, help="scored free run")
    parser.add_argument("--transient", type=int, default=1_000, help="discarded steps")
    parser.add_argument("--dh-length", type=int, default=10_000, help="D_H segment length")
    parser.add_argument("--pe-points", type=int, default=10_000, help="PE(20) start points")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per fit")
    parser.add_argument("--jobs", type=int, default=2, help="fits run in parallel")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--figure", help="write a PNG of a generated attractor here")
    parser.add_argument("--figure-p", type=int, default=2, help="P of the figure's model")
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    if args.quick:
        args.n_nonlinear, args.seeds = [0, 2], [0]
        args.n_train, args.epochs, args.check_every = 10_000, 3, 1
        args.check_steps = args.n_generate = args.pe_points = args.dh_length = 5_000
    args.input_drive = bool(args.input_drive)

    train, mean, std = lorenz(args.n_train, TRAIN_SEED, dt=args.dt)
    test, _, _ = lorenz(args.transient + args.n_generate, TEST_SEED, mean, std, args.dt)
    truth, _, _ = lorenz(len(test), TRUTH_SEED, mean, std, args.dt)
    jobs = [(p, s) for p in args.n_nonlinear for s in args.seeds]
    start = time.perf_counter()
    results = Parallel(n_jobs=args.jobs)(
        delayed(fit_and_score)(p, s, train, test, args) for p, s in jobs
    )
    total_s = time.perf_counter() - start
    rows = [r for r, _ in results]
    generated = next((g for _, g in results if g is not None), None)

    summary = {p: table_row([r for r in rows if r["n_nonlinear"] == p]) for p in args.n_nonlinear}
    floor = {
        "dstsp": state_space_divergence(test, truth, n_bins=N_BINS),
        "missed": missed_share(test, truth),
        "dh": segment_dh(test, truth, args.dh_length),
        "dh_full": power_spectrum_distance(test, truth),
        **reference_scores(test, truth),
    }
    print(
        f"Lorenz-63, {args.n_train} training steps; M = {N_UNITS}, tau = {args.tau}, "
        f"{args.epochs} epochs; seeds {args.seeds}; mean +- std over seeds\n"
    )
    print(
        f"| P | D_stsp | missed | D_H ({args.dh_length} steps) "
        f"| D_H ({args.n_generate} steps) | PE(20) | ref D_stsp | ref D_stsp (10 runs) | ref D_H "
        "| regions (95 %) | fit CPU s | fit wall s |"
    )
    print("|---:|---|---|---|---|---|---|---|---|---|---:|---:|")
    for p, cells in summary.items():
        print(f"| {p} | " + " | ".join(cells["text"]) + " |")
    print(
        f"| truth | {floor['dstsp']:.3f} | {floor['missed']:.3f} | {floor['dh']:.3f} "
        f"| {floor['dh_full']:.3f} | | {floor['ref_dstsp']:.3f} | {floor['ref_dstsp_10']:.3f} "
        f"| {floor['ref_dh']:.3f} | | | |"
    )
    print(f"\ntotal wall time {total_s:.0f} s")

    if args.figure and generated is not None:
        plot(test, generated, args.figure_p, args.figure)
    if args.out:
        meta = {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "numpy": np.__version__,
            "sklearn": sklearn.__version__,
            "skorch": skorch.__version__,
            "sklearn_alrnn": sklearn_alrnn.__version__,
            "device": f"cpu ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)",
            "threads_per_fit": args.threads,
            "parallel_fits": args.jobs,
            "load_average": os.getloadavg(),
            "total_wall_s": total_s,
        }
        with open(args.out, "w") as f:
            json.dump(
                {"meta": meta, "args": vars(args), "rows": rows, "summary": summary,
                 "truth": floor},
                f, indent=1, default=float,
            )


if __name__ == "__main__":
    main()
