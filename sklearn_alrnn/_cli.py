"""The ``alrnn`` command line: forecast, profile and classify CSV data.

``alrnn`` alone is the main job: ``alrnn forecast`` on the built-in airline
series, which chooses P by the nonlinearity profile, scores a hold-out,
forecasts ahead and writes a figure. A first argument that is not a command
(``alrnn sales.csv --column sales``) is ``forecast``'s too.

Every user mistake (a missing file, a missing column, text where numbers belong,
too few rows, an irregular time index) ends in one line on stderr starting with
``alrnn: error:`` and exit status 2, never in a traceback.
"""

import argparse
import contextlib
import os
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__

# Seasonal period of the naive baseline, by the first letters of a pandas frequency.
_SEASON = {"M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "W": 52, "D": 7, "B": 5,
           "h": 24, "H": 24}


class CLIError(Exception):
    """A problem with the user's input: reported in one line, exit status 2."""


# -- reading data ----------------------------------------------------------------------


def _read_csv(path):
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"cannot read {str(path)!r}: no such file")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CLIError(f"cannot read {str(path)!r} as CSV: {exc}") from None


def _numeric(frame, column, path):
    """A column as float, or the rows where it is not a number."""
    if column not in frame.columns:
        raise CLIError(
            f"{path}: no column {column!r}; the columns are {', '.join(map(repr, frame.columns))}"
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna()  # empty cells and text alike
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad)[:5])  # +2: header, 1-based
        raise CLIError(f"{path}: column {column!r} has missing or non-numeric values in "
                       f"row(s) {rows} (counting the header as row 1)")
    return values.astype(float)


def _time_index(frame, column, path):
    """The time column as a DatetimeIndex with a regular frequency.

    Dates are read month first, as pandas does, unless only day first reads them
    all at a regular step (13/01/2015, or monthly 01/02/2015, 01/03/2015, ...).
    """
    index = _dates(frame[column], dayfirst=False)
    freq = _frequency(index)
    if freq is None:
        day_first = _dates(frame[column], dayfirst=True)
        if (day_first_freq := _frequency(day_first)) is not None:
            index, freq = day_first, day_first_freq
    if index.isna().any():
        row = int(np.flatnonzero(index.isna())[0]) + 2
        raise CLIError(f"{path}: time column {column!r} has a value that is not a date in row "
                       f"{row} (counting the header as row 1)")
    if freq is None:
        steps = pd.Series(index).diff()
        usual = steps.mode().iloc[0]
        bad = np.flatnonzero((steps != usual) & steps.notna())
        rows = ", ".join(str(i + 2) for i in bad[:5])
        raise CLIError(f"{path}: the time column {column!r} is irregular: row(s) {rows} "
                       f"(counting the header as row 1) break the usual step of {usual}")
    return pd.DatetimeIndex(index, freq=freq)


def _dates(column, dayfirst):
    with warnings.catch_warnings():  # pandas' "could not infer format": we say more
        warnings.simplefilter("ignore", UserWarning)
        return pd.DatetimeIndex(pd.to_datetime(column, errors="coerce", dayfirst=dayfirst),
                                name=column.name)


def _frequency(index):
    """The index's regular frequency, or None (gaps, missing dates, fewer than 3)."""
    if len(index) < 3 or index.isna().any():
        return None
    return pd.DatetimeIndex(index, freq="infer").freq  # pandas' infer_freq warns on pandas 3


def _load_series(args):
    """The series to forecast, as a pandas Series with a regular index."""
    if args.csv is None:
        from .datasets import load_airline

        return load_airline()
    frame = _read_csv(args.csv)
    time_column = args.time_column
    first = frame.columns[0]
    if time_column is None and len(frame.columns) > 1 and first != args.column:
        if not pd.api.types.is_numeric_dtype(frame[first]):
            time_column = first
        elif _steps(frame[first]) is not None:  # 1949, 1950, ...: a time index too
            time_column = first
            _say(args, f"Reading {first!r} as the time index (--time-column to choose).")
    if time_column is not None and time_column not in frame.columns:
        raise CLIError(f"{args.csv}: no time column {time_column!r}; the columns are "
                       f"{', '.join(map(repr, frame.columns))}")
    others = [c for c in frame.columns if c != time_column]
    numeric = [c for c in others if pd.api.types.is_numeric_dtype(frame[c])]
    column = args.column or next(iter(numeric or others), None)
    if column is None:
        raise CLIError(f"{args.csv}: no column to forecast")
    values = _numeric(frame, column, args.csv)
    if time_column is None:
        index = frame.index
    elif (step := _steps(frame[time_column])) is not None:
        start = int(frame[time_column].iloc[0])
        index = pd.RangeIndex(start, start + step * len(frame), step, name=time_column)
    else:
        index = _time_index(frame, time_column, args.csv)
    return pd.Series(values.to_numpy(), index=index, name=column)


def _steps(column):
    """The constant step of an increasing integer column (years, say), else None."""
    if not pd.api.types.is_integer_dtype(column) or len(column) < 3:
        return None
    steps = np.unique(np.diff(column.to_numpy()))
    return int(steps[0]) if len(steps) == 1 and steps[0] > 0 else None


def _season(series, override):
    if override:
        return override
    freq = getattr(series.index, "freqstr", None) or ""
    return _SEASON.get(freq.split("-")[0].lstrip("0123456789"), 1)


# -- forecast --------------------------------------------------------------------------


def _metrics(truth, pred, train, season):
    """MAPE, RMSE and MASE (scaled by the in-sample seasonal-naive error)."""
    error = pred - truth
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    return {
        "MAPE": float(np.mean(np.abs(error / truth))),
        "RMSE": float(np.sqrt(np.mean(error**2))),
        "MASE": float(np.mean(np.abs(error)) / scale),
    }


def _check_length(series, args, holdout=0):
    needed = args.window + args.horizon + holdout
    if len(series) < needed:
        held = f" + --holdout {holdout}" if holdout else ""
        raise CLIError(
            f"the series has {len(series)} rows, but --window {args.window} + --horizon "
            f"{args.horizon}{held} = {needed} are needed; lower them or "
            "pass a longer series"
        )


def _training(args):
    """The estimator parameters that every command takes from ``_model_options``."""
    return dict(
        n_units=args.units, max_epochs=args.epochs, lr=args.lr, gradient_clip=args.clip or None,
        n_init=args.n_init, random_state=args.seed, verbose=0 if args.quiet else 1,
    )


def _estimator(args, n_nonlinear):
    from . import ALRNNForecaster

    return ALRNNForecaster(n_nonlinear=n_nonlinear, scaling="window", **_training(args))


def _profile(series, args):
    from . import make_windows
    from ._profile import _default_cv
    from .inspection import nonlinearity_profile

    if args.splits < 2:
        raise CLIError(f"--splits must be 2 or more, got {args.splits}")
    X, y = make_windows(series.to_numpy(), args.window, args.horizon)
    est = _estimator(args, 0).set_params(verbose=0)
    cv = _default_cv(est, y, args.splits)  # the profile's own splitter, asked here first
    try:
        next(cv.split(X))
    except ValueError:  # TimeSeriesSplit's words (samples, gap) are not the user's options
        raise CLIError(
            f"the profile's {args.splits} time-ordered splits need more than the "
            f"{len(X)} windows of {len(series)} points (--window {args.window}, --horizon "
            f"{args.horizon}, and a gap of horizon - 1 between training and test): lower "
            "--window, --horizon or --splits, or fix P with --n-nonlinear"
        ) from None
    _say(args, f"Nonlinearity profile: P in {args.n_nonlinear_grid}, {args.splits} "
               f"time-ordered splits ...")
    return nonlinearity_profile(est, X, y, n_nonlinear=args.n_nonlinear_grid, cv=cv,
                                n_jobs=args.jobs, verbose=0 if args.quiet else 3)


def _say(args, text):
    if not args.quiet:
        print(text, flush=True)


def _forecast(args):
    from . import make_windows
    from .inspection import region_summary

    series = _load_series(args)
    _check_length(series, args, args.holdout)
    if args.holdout < 0:
        raise CLIError(f"--holdout must be >= 0, got {args.holdout}")
    n_train = len(series) - args.holdout
    train, test = series.iloc[:n_train], series.iloc[n_train:]
    season = _season(series, args.season)
    if season >= n_train:  # too short for a seasonal baseline: fall back to naive
        season = 1
    P = args.n_nonlinear
    if P is not None and args.profile:
        raise CLIError("--profile chooses P; drop it or --n-nonlinear")
    if P is None:
        profile = _profile(train, args)
        print(profile)
        P = profile.selected_

    _say(args, f"Fitting ALRNNForecaster(n_units={args.units}, n_nonlinear={P}) on "
               f"{len(train)} points (window {args.window}, horizon {args.horizon}) ...")
    start = time.perf_counter()
    X, y = make_windows(train.to_numpy(), args.window, args.horizon)
    est = _estimator(args, P).fit(X, y)
    _say(args, f"Fitted in {time.perf_counter() - start:.1f} s.")

    if args.holdout:
        pred = est.forecast(train, args.holdout)
        naive = np.resize(train.to_numpy()[-season:], args.holdout)
        truth, history = test.to_numpy(), train.to_numpy()
        rows = {
            f"ALRNN (P={P})": _metrics(truth, pred.to_numpy(), history, season),
            f"seasonal naive (m={season})": _metrics(truth, naive, history, season),
        }
        print(f"\nHold-out: the last {args.holdout} points of {series.name!r}")
        print(pd.DataFrame(rows).T.to_string(float_format=lambda v: f"{v:.4g}"))

    if P > 0:
        # Every window of the series, each at its own level as in training (scaling="window").
        windows = np.lib.stride_tricks.sliding_window_view(series.to_numpy(), args.window)
        summary = region_summary(est, windows)
        print(f"\nRegions visited while reading the series' windows ({len(summary)} of "
              f"{2**P}):")
        print(summary.to_string(float_format=lambda v: f"{v:.3g}"))
        print("(real: the region's fixed point lies inside it; stable: spectral radius < 1)")
    else:
        print("\nWith P = 0 the model is linear: one region, no switching.")

    future = est.forecast(series, args.horizon).rename("forecast")
    future.to_frame().to_csv(args.output, index_label=series.index.name or "index")
    print(f"\nWrote the next {args.horizon} values to {args.output}")
    if args.plot:
        _plot_forecast(est, train, test, future, args.plot)
    return 0


def _plot_forecast(est, train, test, future, path):
    """The hold-out forecast against the truth (when there is a hold-out), then the
    forecast past the end of the series."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("Skipped the figure: pip install 'sklearn-alrnn[plot]' for matplotlib.")
        return
    from .inspection import plot_forecast

    if len(test):
        ax = plot_forecast(est, train, test)
        forecast_line = ax.get_legend_handles_labels()[0][-1]  # plot_forecast draws it last
        forecast_line.set_label(f"forecast of the last {len(test)}")
        joined = pd.concat([test.iloc[-1:], future])  # from the last value, without a gap
        ax.plot(joined.index, joined.to_numpy(), color="C0", linewidth=1.8, linestyle="--",
                label="forecast past the end")
        ax.legend(loc="upper left", fontsize="small", frameon=False)
    else:
        ax = plot_forecast(est, train, steps=len(future))
    ax.set_title(f"{train.name}: AL-RNN forecast")
    ax.figure.set_size_inches(8, 3.5)
    ax.figure.savefig(path, dpi=110)
    plt.close(ax.figure)
    print(f"Wrote the figure to {path}")


def _profile_command(args):
    series = _load_series(args)
    _check_length(series, args)
    profile = _profile(series, args)
    print(profile)
    if args.plot:
        try:
            import matplotlib

            matplotlib.use("Agg")
        except ImportError:
            print("Skipped the figure: pip install 'sklearn-alrnn[plot]' for matplotlib.")
            return 0
        ax = profile.plot()
        ax.figure.savefig(args.plot, dpi=110)
        print(f"Wrote the figure to {args.plot}")
    return 0


# -- classify --------------------------------------------------------------------------


def _cases(frame, args, path):
    """(X, y, ids) from a long or wide CSV; y is None when the label column is absent.

    Long format: one row per (case, time step), the steps of each case in the
    order of the time column when there is one, else in file order; ids are
    the case ids. Wide format: one row per case; ids are the row numbers.
    """
    has_label = args.label in frame.columns
    if args.case_column in frame.columns:  # long: one row per (case, time step)
        if args.time_column in frame.columns:
            frame = frame.iloc[np.argsort(_order(frame, args.time_column, path), kind="stable")]
            repeated = frame.duplicated([args.case_column, args.time_column])
            if repeated.any():
                i = int(np.flatnonzero(repeated)[0])
                case, step = (frame[c].iloc[i] for c in (args.case_column, args.time_column))
                raise CLIError(f"{path}: case {case} has two rows at {args.time_column} {step}")
        channels = [c for c in frame.columns if c not in (args.case_column, args.label,
                                                           args.time_column)]
        if not channels:
            raise CLIError(f"{path}: no value columns besides {args.case_column!r}")
        values = {c: _numeric(frame, c, path).to_numpy() for c in channels}
        groups = frame.groupby(args.case_column, sort=False).indices
        X = [np.stack([values[c][rows] for c in channels]) for rows in groups.values()]
        first_rows = [rows[0] for rows in groups.values()]
        y = frame[args.label].to_numpy()[first_rows] if has_label else None
        return X, y, pd.Index(list(groups), name=args.case_column)
    columns = [c for c in frame.columns if c != args.label]
    if not columns:
        raise CLIError(f"{path}: no time-point columns besides the label {args.label!r}")
    values = np.column_stack([_numeric(frame, c, path).to_numpy() for c in columns])
    y = frame[args.label].to_numpy() if has_label else None
    return values, y, pd.RangeIndex(len(frame), name="case")


def _order(frame, column, path):
    """The time column as sortable values: numbers, or dates in ISO format."""
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any():
        try:
            values = pd.to_datetime(frame[column], errors="coerce", format="ISO8601", utc=True)
        except (TypeError, ValueError):  # pandas refuses some mixtures outright
            values = pd.Series(pd.NaT, index=frame.index)
    if values.isna().any():
        row = int(np.flatnonzero(values.isna())[0]) + 2  # +2: header, 1-based
        raise CLIError(f"{path}: cannot order the rows by --time-column {column!r}: row {row} "
                       "holds neither a number nor an ISO date (YYYY-MM-DD)")
    return values.to_numpy()


def _classify(args):
    from . import ALRNNClassifier

    train = _read_csv(args.train)
    if args.label not in train.columns:
        raise CLIError(f"{args.train}: no label column {args.label!r}; the columns are "
                       f"{', '.join(map(repr, train.columns))}")
    X_train, y_train, _ = _cases(train, args, args.train)
    X_test, y_test, ids = _cases(_read_csv(args.test), args, args.test)
    if len(np.unique(y_train)) < 2:
        raise CLIError(f"{args.train}: the label column {args.label!r} holds one class only")
    _say(args, f"Fitting ALRNNClassifier(n_units={args.units}, n_nonlinear={args.n_nonlinear}) "
               f"on {len(y_train)} cases ...")
    clf = ALRNNClassifier(n_nonlinear=args.n_nonlinear, **_training(args)).fit(X_train, y_train)
    pred = clf.predict(X_test)
    if y_test is not None:
        print(f"\nTest accuracy: {np.mean(pred == y_test):.4f} on {len(y_test)} cases")
    out = pd.DataFrame({"prediction": pred}, index=ids)
    proba = clf.predict_proba(X_test)
    for k, label in enumerate(clf.classes_):
        out[f"p({label})"] = proba[:, k]
    out.to_csv(args.output)
    print(f"Wrote predictions to {args.output}")
    return 0


# -- the parser ------------------------------------------------------------------------


def _series_options(parser):
    parser.add_argument("csv", nargs="?", help="CSV file (default: the built-in monthly "
                                               "airline passengers, 1949-1960)")
    parser.add_argument("--column", help="column to forecast (default: the first numeric one)")
    parser.add_argument("--time-column", help="date or year column (default: the first "
                                              "column, when it holds dates or integers "
                                              "rising by a constant step)")
    parser.add_argument("--window", type=int, default=24, help="context length (default 24)")
    parser.add_argument("--horizon", type=int, default=12, help="steps forecast (default 12)")


def _model_options(parser, units, epochs):
    parser.add_argument("--units", type=int, default=units,
                        help=f"latent units M (default {units})")
    parser.add_argument("--epochs", type=int, default=epochs,
                        help=f"training epochs (default {epochs})")
    parser.add_argument("--lr", type=float, default=1e-2, help="learning rate (default 0.01)")
    parser.add_argument("--clip", type=float, default=1.0,
                        help="gradient-norm clipping; 0 turns it off (default 1.0)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--n-init", type=int, default=1,
                        help="fits from different starts; the lowest training loss is kept "
                             "(default 1)")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _profile_options(parser):
    parser.add_argument("--grid", dest="n_nonlinear_grid", type=int, nargs="+", metavar="P",
                        default=[0, 1, 2, 4], help="values of P to profile (default 0 1 2 4)")
    parser.add_argument("--splits", type=int, default=3,
                        help="time-ordered cross-validation splits (default 3)")
    parser.add_argument("--jobs", type=int, default=None, help="parallel fits (default 1)")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="alrnn",
        description="Forecast and classify time series with Almost-Linear RNNs, and find out "
                    "how many nonlinear units a task needs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     help="one of the commands below (default: forecast)")

    forecast = commands.add_parser(
        "forecast", help="choose P, fit, score on a hold-out, read the regimes, forecast ahead",
        description="Choose the number of nonlinear units P by the nonlinearity profile on "
                    "the training part (or take --n-nonlinear), fit an AL-RNN on all but the "
                    "hold-out, print hold-out metrics next to a seasonal-naive baseline and "
                    "the regions the model visits, then write the forecast past the end of "
                    "the series (CSV) and a figure.",
    )
    _series_options(forecast)
    _model_options(forecast, units=16, epochs=150)
    forecast.add_argument("--holdout", type=int, default=12,
                          help="last points kept out of training and scored (default 12)")
    forecast.add_argument("--n-nonlinear", type=int,
                          help="ReLU units P, instead of choosing P by the profile")
    forecast.add_argument("--profile", action="store_true",
                          help="choose P by the nonlinearity profile (the default without "
                               "--n-nonlinear)")
    _profile_options(forecast)
    forecast.add_argument("--season", type=int, help="seasonal period of the naive baseline "
                                                     "(default: from the time index, e.g. 12)")
    forecast.add_argument("--plot", default="forecast.png",
                          help="figure to write (default forecast.png; '' for none)")
    forecast.add_argument("--output", default="forecast.csv",
                          help="forecast CSV to write (default forecast.csv)")
    forecast.set_defaults(func=_forecast)

    profile = commands.add_parser(
        "profile", help="cross-validated score for each number of nonlinear units",
        description="Score the AL-RNN for each P with time-ordered cross-validation and select "
                    "the smallest P within one standard error of the best.",
    )
    _series_options(profile)
    _model_options(profile, units=16, epochs=100)
    _profile_options(profile)
    profile.add_argument("--plot", default="profile.png",
                         help="figure to write (default profile.png; '' for none)")
    profile.set_defaults(func=_profile_command)

    classify = commands.add_parser(
        "classify", help="train on one CSV of labelled sequences, predict another",
        description="Wide format: one row per sequence, one column per time point, plus the "
                    "label column. Long format (when the file has --case-column): one row per "
                    "time step, one column per channel, the case id and the label.",
    )
    classify.add_argument("train", help="training CSV (with the label column)")
    classify.add_argument("test", help="CSV to predict (scored when it has the label column)")
    classify.add_argument("--label", required=True, help="label column")
    classify.add_argument("--case-column", default="case",
                          help="case id column of the long format (default 'case')")
    classify.add_argument("--time-column", default="time",
                          help="time column of the long format, which orders each case's "
                               "rows when present: numbers or ISO dates (default 'time')")
    classify.add_argument("--output", default="predictions.csv",
                          help="predictions CSV to write (default predictions.csv)")
    _model_options(classify, units=32, epochs=100)
    classify.add_argument("--n-nonlinear", type=int, default=4, help="ReLU units P (default 4)")
    classify.set_defaults(func=_classify)
    return parser


_COMMANDS = ("forecast", "profile", "classify")
_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class _Uncoloured:
    """Standard output without ANSI colour codes (skorch colours its epoch log),
    for when it goes to a file or a pipe rather than a terminal."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream.write(_ANSI_COLOUR.sub("", text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv=None):
    """Run the ``alrnn`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    if not argv or argv[0] not in (*_COMMANDS, "-h", "--help", "--version"):
        argv = ["forecast", *argv]
    args = build_parser().parse_args(argv)
    stdout = sys.stdout if sys.stdout.isatty() else _Uncoloured(sys.stdout)
    try:
        with contextlib.redirect_stdout(stdout):
            status = args.func(args)
            sys.stdout.flush()  # here, where a closed pipe is caught
            return status
    except (CLIError, ValueError) as exc:  # the library's ValueErrors name the bad option
        print(f"alrnn: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped early, as in `alrnn | head`
        # Point stdout at /dev/null, or the interpreter's last flush raises again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
