"""Lorenz-63 with the AL-RNN reference's own training scheme, written without the estimator.

bench_dsr.py trains ``ALRNNForecaster`` and misses the D_stsp target at P = 2. This script
asks whether the scheme of the reference code (its Julia training loop with the settings of
its ``lorenz63.json``) does better on the same data, with the same measures. It is written
here as a plain autograd loop in PyTorch: no estimator, no scan kernel, no windows. Only the
data, the held-out trajectory and the measures are bench_dsr's.

The scheme, as read in that code:

* M = 20 units, the last P = 2 ReLU, the first 3 read out; ``z <- A z + W phi(z) + h`` with a
  full W (its diagonal too); A the diagonal of a normalised positive-definite matrix,
  W ~ N(0, 0.01^2), h = 0; each sequence starts from ``[x_1; L x_1]``, L (17 x 3) trained,
  uniform in +-1/sqrt(3);
* every batch: 16 sequences of 201 steps drawn at random (with replacement) from the
  100 000-step z-scored series, plus Gaussian noise of 0.05 on all of it (forcing values and
  targets alike); the model predicts steps 2..201, and after every 16th prediction the
  observed units are replaced by the data; the loss is the MSE of all 200 predictions;
* RAdam, lr 1e-3 decaying exponentially per epoch to 1e-5 at the last, 50 batches an epoch,
  2000 epochs, no gradient clipping;
* every 25 epochs a free run as long as the series, from its first point, is scored by
  D_stsp against the training series; the lowest-scoring checkpoint is kept (the reference
  saves every checkpoint and reports the best).

``--alpha`` swaps sparse forcing for generalised teacher forcing (GTF, the same group's
method for chaotic data): after every step the observed units become
``alpha x_t + (1 - alpha) z_t``. ``--alpha adaptive`` sets alpha once an epoch to
``max(1 - 1/G, floor)``: G is the growth per step of the Jacobians' product along the
epoch's last batch (so that ``(1 - alpha) G <= 1`` bounds the gradients), and the floor starts
at ``--alpha-start`` and halves every ``--alpha-halflife`` epochs, without which a model
that starts out contracting (G < 1) is never forced and learns nothing.

The kept model then runs free from the held-out trajectory's first point (1000 steps
discarded, 100 000 scored) and is scored as in bench_dsr.py.

    OMP_NUM_THREADS=1 python benchmarks/bench_dsr_reference.py --seeds 0 1 --out ref.json
"""

import argparse
import copy
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).parent))
from bench_dsr import (  # noqa: E402  (bench_dsr's data and measures, not a copy of them)
    N_BINS,
    REGION_SHARE,
    TEST_SEED,
    TRAIN_SEED,
    lorenz,
    missed_share,
    regions_covering,
    segment_dh,
)

from sklearn_alrnn.metrics import state_space_divergence  # noqa: E402

M, N = 20, 3  # latent units, observed channels


class ReferenceALRNN:
    """The reference's AL-RNN and its trained first-state map, as plain tensors."""

    def __init__(self, n_nonlinear, generator):
        R = torch.randn(M, M, generator=generator)
        K = R.T @ R / M + torch.eye(M)
        K = K / torch.linalg.eigvals(K).abs().max()
        bound = 1 / math.sqrt(N)
        self.P = n_nonlinear
        self.A = torch.diagonal(K).clone()
        self.W = 0.01 * torch.randn(M, M, generator=generator)
        self.h = torch.zeros(M)
        self.L = torch.empty(M - N, N).uniform_(-bound, bound, generator=generator)

    def parameters(self):
        return [self.A, self.W, self.h, self.L]

    def first_state(self, x):
        return torch.cat([x, x @ self.L.T], -1)

    def step(self, z):
        phi = torch.cat([z[..., : M - self.P], torch.relu(z[..., M - self.P :])], -1)
        return self.A * z + phi @ self.W.T + self.h

    def loss(self, X, tau, alpha=None):
        """MSE of the predictions of X[:, 1:] under sparse teacher forcing every ``tau``, or,
        given ``alpha``, under generalised teacher forcing: after every step the observed
        units become ``alpha x_t + (1 - alpha) z_t``. Also returns the states (detached)."""
        z, states = self.first_state(X[:, 0]), []
        for t in range(1, X.shape[1]):
            z = self.step(z)
            states.append(z)
            if alpha is not None:
                z = torch.cat([alpha * X[:, t] + (1 - alpha) * z[:, :N], z[:, N:]], 1)
            elif t % tau == 0:
                z = torch.cat([X[:, t], z[:, N:]], 1)
        states = torch.stack(states, 1)
        return ((states[..., :N] - X[:, 1:]) ** 2).mean(), states.detach()

    def gtf_alpha(self, states):
        """The forcing weight ``max(0, 1 - 1/G)`` of generalised teacher forcing, with G the
        growth per step of the Jacobians' product along each sequence of ``states``
        (B, T, M): the T-th root of the product's spectral norm, averaged over sequences
        in logs (the product renormalised each step, so that it cannot overflow)."""
        slope = torch.ones_like(states)
        slope[..., M - self.P :] = (states[..., M - self.P :] > 0).to(states.dtype)
        J = torch.diag(self.A.detach()) + self.W.detach() * slope[..., None, :]  # (B, T, M, M)
        product, log_norm = torch.eye(M).expand(len(states), M, M), 0.0
        for t in range(states.shape[1]):
            product = J[:, t] @ product
            norm = torch.linalg.matrix_norm(product, ord=2)
            product, log_norm = product / norm[:, None, None], log_norm + norm.log()
        G = (log_norm / states.shape[1]).mean().exp()
        return max(0.0, 1 - 1 / G.item())

    def free_run(self, x1, n_steps):
        """Observed units and region codes of ``n_steps`` steps from ``[x1; L x1]``, in
        float64 numpy (a loop over small tensors would take several times longer)."""
        A, W, h, L = (p.detach().double().numpy() for p in self.parameters())
        z = np.concatenate([x1, L @ x1])
        states = np.empty((n_steps, M))
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(n_steps):
                phi = z.copy()
                phi[M - self.P :] = np.maximum(phi[M - self.P :], 0)
                z = A * z + W @ phi + h
                states[t] = z
        codes = (states[:, M - self.P :] > 0) @ 2 ** np.arange(self.P)
        return states[:, :N], codes


def train_and_score(seed, train, test, args):
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(seed)
    model = ReferenceALRNN(args.n_nonlinear, generator)
    params = [p.requires_grad_() for p in model.parameters()]
    optimizer = torch.optim.RAdam(params, lr=args.lr)
    gamma = (args.lr_final / args.lr) ** (1 / args.epochs)
    data = torch.tensor(train, dtype=torch.float32)
    offsets = torch.arange(args.sequence_length + 1)
    best, best_score, best_epoch, history = None, math.inf, 0, []
    alpha = args.alpha_start if args.alpha == "adaptive" else args.alpha
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        losses = []
        for _ in range(args.batches_per_epoch):
            first = torch.randint(len(data) - len(offsets), (args.batch_size,), generator=generator)
            X = data[first[:, None] + offsets]
            X = X + args.noise * torch.randn(X.shape, generator=generator)
            optimizer.zero_grad()
            loss, states = model.loss(X, args.tau, alpha)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        if args.alpha == "adaptive":  # once an epoch, from its last batch
            floor = args.alpha_start * 0.5 ** (epoch / args.alpha_halflife)
            alpha = max(model.gtf_alpha(states), floor)
        for group in optimizer.param_groups:
            group["lr"] *= gamma
        if epoch % args.check_every == 0:
            generated, _ = model.free_run(train[0], len(train))
            finite = np.isfinite(generated).all()
            score = state_space_divergence(train, generated, n_bins=N_BINS) if finite else math.inf
            if score < best_score:
                best, best_score, best_epoch = copy.deepcopy(model), score, epoch
            history.append([epoch, float(np.mean(losses)), score, alpha])
            if args.verbose:
                forcing = f"tau {args.tau}" if alpha is None else f"alpha {alpha:.3f}"
                print(f"seed {seed} epoch {epoch}: {forcing}, loss {np.mean(losses):.4f}, "
                      f"training-series D_stsp {score:.3f} (best {best_score:.3f} at "
                      f"{best_epoch})", flush=True)
    fit_s = time.perf_counter() - start

    row = {"seed": seed, "fit_s": fit_s, "best_epoch": best_epoch, "train_dstsp": best_score}
    if best is not None:
        generated, codes = best.free_run(test[0], args.transient + args.n_generate)
    if best is None or not np.isfinite(generated).all():  # nothing to compare
        return {**row, "dstsp": math.inf, "history": history}
    generated, codes = generated[args.transient :], codes[args.transient :]
    row["dstsp"] = state_space_divergence(test, generated, n_bins=N_BINS)
    row["missed"] = missed_share(test, generated)
    row["dh"] = segment_dh(test, generated, min(10_000, args.n_generate))
    row["regions"] = regions_covering(codes, REGION_SHARE)
    row["lowest_z"] = float(generated[:, 2].min())
    row["history"] = history
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--n-nonlinear", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--batches-per-epoch", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--sequence-length", type=int, default=200)
    parser.add_argument("--tau", type=int, default=16, help="teacher forcing interval")
    parser.add_argument("--alpha", type=lambda a: a if a == "adaptive" else float(a),
                        help="generalised teacher forcing instead of sparse: a fixed weight, "
                        "or 'adaptive'")
    parser.add_argument("--alpha-start", type=float, default=1.0,
                        help="adaptive: alpha is at least this, halved every --alpha-halflife")
    parser.add_argument("--alpha-halflife", type=float, default=80)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--lr-final", type=float, default=1e-5)
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--check-every", type=int, default=25)
    parser.add_argument("--n-generate", type=int, default=100_000)
    parser.add_argument("--transient", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--verbose", action="store_true", help="print every check")
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.n_train, args.epochs, args.batches_per_epoch = [0], 5_000, 2, 2
        args.check_every, args.n_generate = 1, 5_000

    train, mean, std = lorenz(args.n_train, TRAIN_SEED)
    test, _, _ = lorenz(args.transient + args.n_generate, TEST_SEED, mean, std)
    start = time.perf_counter()
    rows = Parallel(n_jobs=args.jobs)(
        delayed(train_and_score)(seed, train, test, args) for seed in args.seeds
    )
    print(f"P = {args.n_nonlinear}, {args.epochs} epochs, seeds {args.seeds}, "
          f"{time.perf_counter() - start:.0f} s in all")
    print("seed | D_stsp held out | missed | D_H (10 000 steps) | regions (95 %) | lowest z "
          "| best training-series D_stsp (epoch) | fit s")
    for r in rows:
        if not math.isfinite(r["dstsp"]):
            print(f"{r['seed']} | diverged | | | | | | {r['fit_s']:.0f}")
            continue
        print(f"{r['seed']} | {r['dstsp']:.3f} | {r['missed']:.3f} | {r['dh']:.3f} | "
              f"{r['regions']} | {r['lowest_z']:.2f} | {r['train_dstsp']:.3f} "
              f"({r['best_epoch']}) | {r['fit_s']:.0f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"args": vars(args), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
