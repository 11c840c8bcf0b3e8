"""Does everything run on a CUDA device, agree with the CPU, and how fast is it?

Run on a machine with a GPU (prints one table; ``--out DIR`` also writes JSON and a
CUDA-fitted forecaster pickled for a load test on a CPU-only machine):

    python benchmarks/check_cuda.py --out results/
"""

import argparse
import json
import pickle
import platform
import time
from pathlib import Path

import numpy as np
import torch

from sklearn_alrnn import ALRNNClassifier, ALRNNForecaster, make_windows
from sklearn_alrnn._module import scan
from sklearn_alrnn.datasets import load_airline, make_sequence_classification


def timed(fn, reps=15):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def scan_gradients(device):
    """Forward and all gradients of a forced, driven scan in float64, whose forced steps
    have their own (A, W), as sparse forcing with the input drive has."""
    gen = torch.Generator().manual_seed(0)
    B, T, M, P, N = 8, 30, 12, 4, 2  # batch, time, latent, nonlinear, forced
    z0, A, W, h, A_f, W_f = (torch.randn(*s, generator=gen, dtype=torch.float64) * 0.3
                             for s in ((B, M), (M,), (M, M), (M,), (M,), (M, M)))
    drive = torch.randn(B, T, M, generator=gen, dtype=torch.float64)
    forcing = torch.randn(B, T, N, generator=gen, dtype=torch.float64)
    forced = [t % 3 == 0 for t in range(T)]
    leaves = [t.to(device).requires_grad_() for t in (z0, A, W, h, drive, A_f, W_f)]
    out = scan(*leaves[:4], P, T, leaves[4], forcing.to(device), forced,
               forced_params=leaves[5:])
    out.pow(2).sum().backward()
    return [out.detach().cpu()] + [t.grad.cpu() for t in leaves]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="folder for results.json and cuda_forecaster.pkl")
    args = parser.parse_args()
    rows = {}

    cpu, gpu = scan_gradients("cpu"), scan_gradients("cuda")
    rows["scan fp64 max |cuda - cpu| (output and 7 gradients)"] = max(
        float((a - b).abs().max()) for a, b in zip(cpu, gpu)
    )
    torch.autograd.gradcheck(
        lambda A: scan(torch.zeros(2, 6, dtype=torch.float64, device="cuda"), A,
                       torch.full((6, 6), 0.1, dtype=torch.float64, device="cuda"),
                       torch.ones(6, dtype=torch.float64, device="cuda"), 3, 5),
        (torch.full((6,), 0.5, dtype=torch.float64, device="cuda", requires_grad=True),),
    )
    rows["scan gradcheck on cuda"] = "passed"

    series = load_airline().to_numpy()
    X, y = make_windows(np.log(series), window=24, horizon=12)
    params = {"n_units": 16, "n_nonlinear": 2, "max_epochs": 60, "random_state": 0}
    fits = {}
    for device in ("cpu", "cuda"):
        start = time.perf_counter()
        fits[device] = ALRNNForecaster(**params, device=device).fit(X[:90], y[:90])
        rows[f"forecaster fit seconds ({device})"] = time.perf_counter() - start
    pred_cpu, pred_gpu = fits["cpu"].predict(X[90:]), fits["cuda"].predict(X[90:])
    rows["forecaster R^2 cpu / cuda"] = (fits["cpu"].score(X[90:], y[90:]),
                                         fits["cuda"].score(X[90:], y[90:]))
    rows["forecaster max |pred cuda - pred cpu| (log units)"] = float(
        np.abs(pred_cpu - pred_gpu).max())
    rows["forecaster net_.device"] = str(fits["cuda"].net_.device)
    stf = {device: ALRNNForecaster(**params, forcing_interval=4, device=device).fit(X[:90], y[:90])
           for device in ("cpu", "cuda")}
    rows["forecaster forcing_interval=4 R^2 cpu / cuda"] = tuple(
        stf[device].score(X[90:], y[90:]) for device in ("cpu", "cuda"))

    Xc, yc = make_sequence_classification(n_cases=200, n_timepoints=40, random_state=0)
    clf = ALRNNClassifier(n_units=16, n_nonlinear=4, max_epochs=20, random_state=0,
                          device="cuda").fit(Xc[:150], yc[:150])
    rows["classifier cuda test accuracy"] = clf.score(Xc[150:], yc[150:])
    proba = clf.predict_proba(Xc[150:])
    rows["classifier proba rows sum to 1"] = bool(np.allclose(proba.sum(1), 1))

    # Training step on the GPU against nn.RNN, batch 256, 50 steps, 128 units, 16 ReLU.
    B, T, M, P = 256, 50, 128, 16
    x = torch.randn(B, T, 1, device="cuda")
    rnn = torch.nn.RNN(1, M, nonlinearity="relu", batch_first=True).cuda()
    C = torch.randn(M, 1, device="cuda", requires_grad=True)
    A = torch.full((M,), 0.5, device="cuda", requires_grad=True)
    W = (0.01 * torch.randn(M, M, device="cuda")).requires_grad_()
    h = torch.zeros(M, device="cuda", requires_grad=True)

    def alrnn_step():
        scan(torch.zeros(B, M, device="cuda"), A, W, h, P, T, x @ C.T).sum().backward()

    def rnn_step():
        rnn(x)[0].sum().backward()

    t_al, t_rnn = timed(alrnn_step), timed(rnn_step)
    rows["train step ms AL-RNN / nn.RNN (cuda, 256x50x128)"] = (1e3 * t_al, 1e3 * t_rnn)

    for key, value in rows.items():
        print(f"{key:58} {value}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        meta = {"torch": torch.__version__, "python": platform.python_version(),
                "gpu": torch.cuda.get_device_name()}
        (out / "results.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1,
                                                      default=str))
        with open(out / "cuda_forecaster.pkl", "wb") as f:
            pickle.dump({"estimator": fits["cuda"], "X": X[90:], "pred": pred_gpu}, f)


if __name__ == "__main__":
    main()
