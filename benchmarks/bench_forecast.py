"""Does an AL-RNN with profiled P forecast real and low-data series as well as its peers?

Three series, each split into a training part and a hold-out forecast in one
go (multi-step, from the end of the training part):

* airline: monthly passengers 1949-1960, the last 36 months held out, with
  the settings of ``alrnn forecast``;
* sunspots: yearly sunspot numbers 1700-2008, the last 30 years held out;
* lorenz: 500 steps (dt=0.02) of the x coordinate of Lorenz-63, the first 400
  for training, the next 100 held out (a low-data task).

Each runs twice: with the fixed settings of ``SERIES`` and, as ``<name>_sel``,
with settings chosen on the training part alone (``select``): every
combination of the candidate values in ``SELECTED`` (log values, window,
horizon, scaling, the AL-RNN's initialisation) is fitted on the training part
up to three origins and forecasts the hold-out length after each; the lowest
mean MASE wins.

Models, all on the same training part:

* ``ALRNN (profiled P)``: ``n_nonlinear`` chosen by ``nonlinearity_profile``
  (time-ordered CV on the training windows only, one-standard-error rule);
* ``ALRNN P=0`` (linear) and ``ALRNN P=M-1`` (every unit ReLU except the
  observed one, the most nonlinear model the identity readout allows);
* ``LSTM`` and ``GRU``: ``nn.LSTM``/``nn.GRU`` of ``n_units`` units with a
  linear head from the last state to the horizon, trained through a skorch
  ``NeuralNet`` with the estimator's settings: the same windows, the same
  scaling (each series' ``scaling`` mode, computed as the estimator does),
  RAdam, lr, exponential decay to ``lr_final``, gradient-norm clipping at 1,
  batch of 16, epochs, shuffled batches. They forecast beyond the training
  horizon by feeding their own forecasts back, block by block, as the AL-RNN
  runs free;
* seasonal naive, Holt-Winters (statsmodels ``ExponentialSmoothing``),
  SARIMA (statsmodels ``SARIMAX``) and a least-squares autoregression with up
  to 36 lags chosen by AIC (statsmodels ``ar_select_order``).

Neural models run for 3 seeds (mean and std); the profile runs once (seed 0).
No setting is tuned on the hold-out; the fixed airline ones are those of
``alrnn forecast``. Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_forecast.py --out forecast.json
"""

import argparse
import itertools
import json
import platform
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
import skorch
import statsmodels
import torch
from skorch import NeuralNet
from statsmodels.tsa.ar_model import ar_select_order
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.statespace.sarimax import SARIMAX
from torch import nn

from sklearn_alrnn import ALRNNForecaster, make_windows
from sklearn_alrnn._cli import _metrics
from sklearn_alrnn.datasets import load_airline, load_sunspots, make_lorenz63
from sklearn_alrnn.inspection import nonlinearity_profile

# window, horizon, units, epochs, lr, scaling, season (naive/MASE), hold-out,
# Holt-Winters and SARIMA settings.
SERIES = {
    "airline": {
        "window": 24, "horizon": 12, "units": 16, "epochs": 150, "lr": 1e-2,
        "scaling": "window", "season": 12, "holdout": 36, "pct": "MAPE",
        "hw": {"trend": "add", "seasonal": "mul", "seasonal_periods": 12},
        "sarima": {"order": (1, 1, 1), "seasonal_order": (0, 1, 1, 12)}, "sarima_log": True,
    },
    "sunspots": {
        "window": 22, "horizon": 11, "units": 16, "epochs": 100, "lr": 1e-2,
        "scaling": "global", "season": 11, "holdout": 30, "pct": "sMAPE",
        "hw": {"trend": None, "seasonal": "add", "seasonal_periods": 11},
        "sarima": {"order": (2, 0, 0), "trend": "c"}, "sarima_log": False,
    },
    "lorenz": {
        "window": 20, "horizon": 10, "units": 16, "epochs": 100, "lr": 1e-2,
        "scaling": "global", "season": 1, "holdout": 100, "pct": "sMAPE",
        "hw": {"trend": "add", "damped_trend": True, "seasonal": None},
        "sarima": {"order": (2, 0, 0), "trend": "c"}, "sarima_log": False,
    },
}
# The same series with settings chosen by ``select`` on the training part alone. Each
# candidate (every combination of the values listed under "choose") is fitted at P in
# SELECT_P, seed 0, on the training part up to each of three origins and forecasts the
# next hold-out-length stretch; the lowest mean MASE wins. The peers get the chosen
# window, horizon, scaling and log values (the init is the AL-RNN's own).
SELECTED = {
    "airline_sel": {**SERIES["airline"], "data": "airline", "origins": (60, 66, 72),
                    "choose": {"log": [False, True], "window": [12, 24],
                               "horizon": [12, 24, 36], "scaling": ["window", "global"],
                               "init": ["reference", "autoregressive"]}},
    "sunspots_sel": {**SERIES["sunspots"], "data": "sunspots", "origins": (219, 234, 249),
                     "choose": {"window": [22, 33], "horizon": [11, 22, 30],
                                "scaling": ["global", "window"],
                                "init": ["reference", "autoregressive"]}},
    "lorenz_sel": {**SERIES["lorenz"], "data": "lorenz", "origins": (200, 250, 300),
                   "choose": {"window": [20, 40], "horizon": [10, 30],
                              "init": ["reference", "autoregressive"]}},
}
SERIES.update(SELECTED)
SELECT_P = (0, 2)
GRID = [0, 1, 2, 4]
SPLITS = 3
BATCH, LR_FINAL = 16, 1e-3  # the estimator's defaults
# Without clipping, the airline profile's first fold (8 windows) diverged for
# P = 0 and 1 (the estimator's warning proposes this remedy); every neural
# model, peers included, is trained with the same clipping.
CLIP = 1.0


def load(name):
    if name.startswith("airline"):
        return load_airline().to_numpy()
    if name.startswith("sunspots"):
        return load_sunspots().to_numpy()
    return make_lorenz63(n_timepoints=500, dt=0.02, random_state=0)[:, 0]


def metrics(truth, pred, train, season, pct):
    """The command line's MAPE, MASE and RMSE; sMAPE instead of MAPE where the series
    touches zero (sunspots, lorenz)."""
    scores = _metrics(truth, pred, train, season)
    if pct == "sMAPE":
        del scores["MAPE"]
        scores["sMAPE"] = float(np.mean(2 * np.abs(pred - truth) / (np.abs(truth) + np.abs(pred))))
    return scores


# -- the recurrent peers ----------------------------------------------------------------


class GatedForecast(nn.Module):
    """nn.LSTM or nn.GRU over the window, then a linear map of its last state to the horizon."""

    def __init__(self, cell="lstm", n_units=16, horizon=12):
        super().__init__()
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(1, n_units, batch_first=True)
        self.head = nn.Linear(n_units, horizon)

    def forward(self, x):  # x: (B, T, 1) -> (B, horizon, 1)
        return self.head(self.rnn(x)[0][:, -1])[..., None]


class GatedForecaster:
    """The peer trained as ALRNNForecaster trains: same scaling, optimiser, schedule, batches."""

    def __init__(self, cell, cfg, seed):
        self.cell, self.cfg, self.seed = cell, cfg, seed

    def fit(self, X, y):
        cfg = self.cfg
        # The estimator's own scaling (its private helpers), fitted on the same windows.
        self.scaler_ = scaler = ALRNNForecaster(scaling=cfg["scaling"])
        X3, y3 = X[:, None], y[:, None]
        scaler._fit_scaling(X3, y3)
        off = scaler._offset(X3)
        Xs, ys = scaler._scale(X3, off), scaler._scale(y3, off)
        epochs = cfg["epochs"]
        gamma = (LR_FINAL / cfg["lr"]) ** (1.0 / epochs)
        torch.manual_seed(self.seed)
        self.net_ = NeuralNet(
            GatedForecast,
            module__cell=self.cell,
            module__n_units=cfg["units"],
            module__horizon=y.shape[1],
            criterion=nn.MSELoss,
            optimizer=torch.optim.RAdam,
            lr=cfg["lr"],
            max_epochs=epochs,
            batch_size=BATCH,
            train_split=None,
            iterator_train__shuffle=True,
            iterator_train__generator=torch.Generator().manual_seed(self.seed),
            callbacks=[
                ("lr_decay", skorch.callbacks.LRScheduler("ExponentialLR", gamma=gamma)),
                ("gradient_clip", skorch.callbacks.GradientNormClipping(CLIP)),
            ],
            verbose=0,
        )
        self.net_.fit(Xs, ys)
        return self

    def predict(self, X):
        X3 = X[:, None]
        off = self.scaler_._offset(X3)
        out = self.net_.predict(self.scaler_._scale(X3, off)).astype(np.float64)
        return self.scaler_._unscale(out, off)[:, 0]

    def forecast(self, series, steps):
        """Feed the forecasts back, a horizon at a time, until ``steps`` are reached."""
        window = self.cfg["window"]
        values = list(series)
        while len(values) < len(series) + steps:
            block = self.predict(np.asarray(values[-window:])[None])[0]
            values.extend(block)
        return np.asarray(values[len(series) : len(series) + steps])


# -- the classical baselines --------------------------------------------------------------


def seasonal_naive(train, steps, cfg):
    return np.resize(train[-cfg["season"] :], steps)


def holt_winters(train, steps, cfg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(train, initialization_method="estimated", **cfg["hw"]).fit()
    return fit.forecast(steps)


def sarima(train, steps, cfg):
    values = np.log(train) if cfg["sarima_log"] else train
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = SARIMAX(values, **cfg["sarima"]).fit(disp=False)
    pred = fit.forecast(steps)
    return np.exp(pred) if cfg["sarima_log"] else pred


def autoregression(train, steps, cfg):
    """Least-squares AR with a constant, up to 36 lags chosen by AIC (on logs where SARIMA is)."""
    values = np.log(train) if cfg["sarima_log"] else train
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # At most a third of the points as lags (36 for every full training part).
        maxlag = min(36, len(values) // 3)
        fit = ar_select_order(values, maxlag=maxlag, ic="aic", trend="c").model.fit()
    pred = fit.predict(start=len(values), end=len(values) + steps - 1)
    return np.exp(pred) if cfg["sarima_log"] else pred


# -- one series ---------------------------------------------------------------------------


def alrnn(cfg, P, seed, epochs=None):
    return ALRNNForecaster(
        n_units=cfg["units"], n_nonlinear=P, scaling=cfg["scaling"],
        init=cfg.get("init", "reference"), max_epochs=epochs or cfg["epochs"], lr=cfg["lr"],
        gradient_clip=CLIP, random_state=seed,
    )


def neural_models(cfg, alrnn_rows):
    """Seed -> unfitted model, per row name: the AL-RNN rows given as {name: P}, then the
    LSTM and GRU peers."""
    models = {name: (lambda s, P=P: alrnn(cfg, P, s)) for name, P in alrnn_rows.items()}
    models["LSTM (skorch)"] = lambda s: GatedForecaster("lstm", cfg, s)
    models["GRU (skorch)"] = lambda s: GatedForecaster("gru", cfg, s)
    return models


def statistical_models(cfg):
    """Row name -> forecast function (train, steps, cfg) of the classical baselines."""
    return {f"seasonal naive (m={cfg['season']})": seasonal_naive,
            "Holt-Winters": holt_winters, "SARIMA": sarima, "AR (lags by AIC)": autoregression}


def fit_forecast(est, cfg, train, steps):
    """Fit ``est`` on the windows of ``train``; its forecast of the next ``steps`` values.

    Log values go in and come back out where ``cfg["log"]``.
    """
    log = cfg.get("log", False)
    seen = np.log(train) if log else train
    X, y = make_windows(seen, cfg["window"], cfg["horizon"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    pred = np.asarray(est.forecast(seen, steps), dtype=np.float64)
    return np.exp(pred) if log else pred


def origin_mase(cfg, make, train, truth):
    """MASE of the forecast of ``truth`` by ``make()`` fitted on ``train``; inf when the
    fit or the forecast diverges."""
    try:
        pred = fit_forecast(make(), cfg, train, len(truth))
    except ValueError:  # diverged in the first epoch
        return np.inf
    mase = metrics(truth, pred, train, cfg["season"], cfg["pct"])["MASE"]
    return mase if np.isfinite(mase) else np.inf


def select(cfg, train):
    """The candidate settings with the lowest mean MASE over the training part's origins.

    Returns the chosen settings and every candidate's scores (one per origin and P).
    """
    keys, steps = list(cfg["choose"]), cfg["holdout"]
    candidates = []
    for values in itertools.product(*cfg["choose"].values()):
        settings = dict(zip(keys, values))
        cand = {**cfg, **settings}
        scores = [origin_mase(cand, lambda: alrnn(cand, P, 0), train[:o], train[o : o + steps])
                  for o in cfg["origins"] for P in SELECT_P]
        candidates.append({**settings, "MASE": float(np.mean(scores)), "scores": scores})
        print(f"    {settings}: MASE {np.mean(scores):.3f}", flush=True)
    best = min(candidates, key=lambda c: c["MASE"])
    return {k: best[k] for k in keys}, candidates


def backtest(name, cfg, train, seeds):
    """Every model's MASE at the training part's origins: mean and std over the origins
    of the seed-averaged MASE, and the per-origin values."""
    steps, M = cfg["holdout"], cfg["units"]
    neural = neural_models(cfg, {"ALRNN P=0 (linear)": 0, "ALRNN P=2": 2,
                                 f"ALRNN P={M - 1} (all but the readout)": M - 1})
    statistical = statistical_models(cfg)
    rows = []
    for model in [*neural, *statistical]:
        per_origin = []
        for o in cfg["origins"]:
            part, truth = train[:o], train[o : o + steps]
            if model in neural:
                scores = [origin_mase(cfg, lambda: neural[model](s), part, truth)
                          for s in seeds]
            else:
                pred = statistical[model](part, steps, cfg)
                scores = [metrics(truth, pred, part, cfg["season"], cfg["pct"])["MASE"]]
            per_origin.append(float(np.mean(scores)))
        rows.append({"series": name, "model": model, "MASE": float(np.mean(per_origin)),
                     "MASE_std": float(np.std(per_origin)), "MASE_origins": per_origin})
        print(f"  backtest {model}: MASE {np.mean(per_origin):.3f} "
              f"({', '.join(f'{v:.2f}' for v in per_origin)})", flush=True)
    return rows


def run_series(name, cfg, seeds, quick):
    values = load(name)
    train, truth = values[: -cfg["holdout"]], values[-cfg["holdout"] :]
    steps, season, pct = cfg["holdout"], cfg["season"], cfg["pct"]
    if quick:
        cfg = {**cfg, "epochs": 10}
    selection = None
    if "choose" in cfg:
        start = time.perf_counter()
        print(f"\n{name}: choosing {list(cfg['choose'])} on the training part "
              f"(origins {cfg['origins']}, P in {SELECT_P}, seed 0)", flush=True)
        chosen, candidates = select(cfg, train)
        cfg = {**cfg, **chosen}
        selection = {"chosen": chosen, "candidates": candidates, "origins": cfg["origins"],
                     "seconds": time.perf_counter() - start}
        print(f"  chosen: {chosen} ({selection['seconds']:.0f} s)", flush=True)
        selection["backtest"] = backtest(name, cfg, train, seeds)
    # Neural models see log values when cfg["log"]; forecasts are mapped back.
    seen = np.log(train) if cfg.get("log", False) else train
    X, y = make_windows(seen, cfg["window"], cfg["horizon"])

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profile = nonlinearity_profile(alrnn(cfg, 0, 0), X, y, n_nonlinear=GRID, cv=SPLITS)
    profile_seconds = time.perf_counter() - start
    P = profile.selected_
    print(f"\n{name}: {len(train)} training points, {len(X)} windows; profile on the "
          f"training windows ({profile_seconds:.0f} s):\n{profile}", flush=True)

    M = cfg["units"]
    neural = neural_models(cfg, {f"ALRNN profiled (P={P})": P, "ALRNN P=0 (linear)": 0,
                                 f"ALRNN P={M - 1} (all but the readout)": M - 1})
    rows = []
    for model, make in neural.items():
        scores, seconds = [], []
        for seed in seeds:
            start = time.perf_counter()
            est = make(seed)
            pred = fit_forecast(est, cfg, train, steps)
            seconds.append(time.perf_counter() - start)
            scores.append(metrics(truth, pred, train, season, pct))
        n_params = sum(p.numel() for p in est.net_.module_.parameters())
        row = {"series": name, "model": model, "params": n_params,
               "seconds": float(np.mean(seconds))}
        for key in scores[0]:
            vals = [s[key] for s in scores]
            row[key], row[f"{key}_std"] = float(np.mean(vals)), float(np.std(vals))
            row[f"{key}_seeds"] = vals
        rows.append(row)
        print(f"  {model}: {pct} {row[pct]:.4f} +- {row[pct + '_std']:.4f}, MASE "
              f"{row['MASE']:.3f}, {row['seconds']:.1f} s", flush=True)

    for model, fn in statistical_models(cfg).items():
        start = time.perf_counter()
        pred = fn(train, steps, cfg)
        row = {"series": name, "model": model, "params": None,
               "seconds": time.perf_counter() - start}
        for key, v in metrics(truth, pred, train, season, pct).items():
            row[key], row[f"{key}_std"] = v, 0.0
        rows.append(row)
    return rows, {"profile": profile.table_.to_dict(orient="list"), "selected": P,
                  "best": profile.best_, "profile_seconds": profile_seconds,
                  "settings": selection}


def _cell(row, key, fmt):
    if row[f"{key}_std"]:
        return f"{row[key]:{fmt}} ± {row[f'{key}_std']:{fmt}}"
    return f"{row[key]:{fmt}}"


def table(rows):
    lines = ["| series | model | MAPE / sMAPE | MASE | RMSE | params | s/fit |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        pct = "MAPE" if "MAPE" in r else "sMAPE"
        lines.append(
            f"| {r['series']} | {r['model']} | {pct} {_cell(r, pct, '.4f')} "
            f"| {_cell(r, 'MASE', '.3f')} | {_cell(r, 'RMSE', '.3g')} | {r['params'] or ''} "
            f"| {r['seconds']:.1f} |"
        )
    return "\n".join(lines)


def backtest_table(rows, profiles):
    lines = ["| series | model | MASE | per origin |", "|---|---|---|---|"]
    for r in rows:
        origins = profiles[r["series"]]["settings"]["origins"]
        per = ", ".join(f"{o}: {v:.2f}" for o, v in zip(origins, r["MASE_origins"]))
        lines.append(f"| {r['series']} | {r['model']} | {r['MASE']:.3f} ± {r['MASE_std']:.3f} "
                     f"| {per} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 epochs, 1 seed: a smoke run")
    parser.add_argument("--series", nargs="+", default=list(SERIES), choices=list(SERIES))
    parser.add_argument("--out", help="write the results as JSON to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = [0] if args.quick else [0, 1, 2]
    rows, profiles = [], {}
    start = time.perf_counter()
    for name in args.series:
        r, p = run_series(name, SERIES[name], seeds, args.quick)
        rows += r
        profiles[name] = p
    print(f"\n{table(rows)}\n")
    wins = {}
    for name in args.series:
        by = {r["model"]: r for r in rows if r["series"] == name}
        ours = next(r for m, r in by.items() if m.startswith("ALRNN profiled"))
        wins[name] = {peer: bool(ours["MASE"] < by[peer]["MASE"])
                      for peer in ("LSTM (skorch)", "GRU (skorch)")}
    n_won = sum(all(w.values()) for w in wins.values())
    print(f"ALRNN (profiled P) beats both LSTM and GRU (mean MASE) on {n_won} of "
          f"{len(wins)} series: {wins}")
    backtests = [r for p in profiles.values() if p["settings"] for r in p["settings"]["backtest"]]
    if backtests:
        print("\nBacktest on the training part (MASE, mean +- std over the origins):")
        print(backtest_table(backtests, profiles))
        for name in {r["series"] for r in backtests}:
            by = {r["model"]: r["MASE"] for r in backtests if r["series"] == name}
            best = min(by, key=by.get)
            print(f"{name}: lowest backtest MASE {by[best]:.3f} ({best})")
    for name in [s for s in args.series if s.startswith("airline")]:
        by = {r["model"]: r for r in rows if r["series"] == name}
        ours = next(r for m, r in by.items() if m.startswith("ALRNN profiled"))
        print(f"{name} MAPE: ALRNN (profiled) {ours['MAPE']:.4f}, "
              f"Holt-Winters {by['Holt-Winters']['MAPE']:.4f}")
    total = time.perf_counter() - start
    print(f"total {total:.0f} s")
    if args.out:
        meta = {
            "python": platform.python_version(), "torch": torch.__version__,
            "sklearn": sklearn.__version__, "skorch": skorch.__version__,
            "statsmodels": statsmodels.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "threads": torch.get_num_threads(),
            "device": f"cpu ({platform.processor() or platform.machine()})",
            "seeds": seeds, "quick": args.quick, "total_seconds": total,
            "settings": SERIES, "grid": GRID, "splits": SPLITS,
        }
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "profiles": profiles, "rows": rows, "wins": wins},
                      f, indent=1, default=str)


if __name__ == "__main__":
    main()
