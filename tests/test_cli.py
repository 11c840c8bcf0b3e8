"""The alrnn command line, run as a user runs it: in a subprocess."""

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

FAST = ["--epochs", "3", "--units", "6", "--quiet"]


def alrnn(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sklearn_alrnn", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def monthly_csv(tmp_path):
    index = pd.date_range("2001-01-01", periods=60, freq="MS")
    values = 100 + 10 * np.sin(np.arange(60) * np.pi / 6) + np.arange(60)
    path = tmp_path / "sales.csv"
    pd.DataFrame({"month": index.strftime("%Y-%m-%d"), "sales": values}).to_csv(path, index=False)
    return path


def test_the_main_job_is_forecast_on_the_builtin_airline_series(tmp_path):
    result = alrnn("--quiet", cwd=tmp_path)  # bare `alrnn`, but for the epoch log
    assert result.returncode == 0, result.stderr
    assert "NonlinearityProfile(R^2, 3 splits)" in result.stdout
    P = re.search(r"selected_ = (\d+)", result.stdout).group(1)
    assert "seasonal naive (m=12)" in result.stdout and f"ALRNN (P={P})" in result.stdout
    assert ("Regions visited while reading the series' windows" in result.stdout) == (P != "0")
    forecast = pd.read_csv(tmp_path / "forecast.csv", index_col=0, parse_dates=True)
    assert list(forecast.index) == list(pd.date_range("1961-01-01", periods=12, freq="MS"))
    assert forecast["forecast"].between(250, 800).all()
    assert (tmp_path / "forecast.png").read_bytes()[:4] == b"\x89PNG"


def test_forecast_a_csv_with_options(tmp_path, monthly_csv):
    result = alrnn("forecast", monthly_csv, "--column", "sales", "--window", 12, "--horizon", 3,
                   "--holdout", 6, "--output", "out.csv", "--plot", "", "--n-init", 2, *FAST,
                   cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["month", "forecast"] and len(out) == 3
    assert out["month"].iloc[0] == "2006-01-01"
    assert not (tmp_path / "forecast.png").exists()


def test_a_csv_without_a_command_is_forecast_with_fixed_p(tmp_path, monthly_csv):
    result = alrnn(monthly_csv, "--window", 12, "--horizon", 3, "--n-nonlinear", 1,
                   "--plot", "", *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ALRNN (P=1)" in result.stdout and "NonlinearityProfile" not in result.stdout
    assert len(pd.read_csv(tmp_path / "forecast.csv")) == 3


def test_a_series_too_short_for_the_profile_says_which_options_help(tmp_path, monthly_csv):
    # 60 points - 12 held out: 13 windows of 24 + 12, too few for 3 splits and a gap of 11.
    result = alrnn(monthly_csv, *FAST, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "alrnn: error: the profile's 3 time-ordered splits need more than the 13 windows of "
        "48 points (--window 24, --horizon 12, and a gap of horizon - 1 between training and "
        "test): lower --window, --horizon or --splits, or fix P with --n-nonlinear\n")
    result = alrnn(monthly_csv, "--splits", 1, *FAST, cwd=tmp_path)
    assert result.stderr == "alrnn: error: --splits must be 2 or more, got 1\n"


def test_an_integer_year_column_is_the_time_index(tmp_path):
    years = np.arange(1950, 2010)
    frame = pd.DataFrame({"year": years, "sales": 100 + 10 * np.sin(years / 3.0),
                          "temp": np.cos(years / 5.0)})
    frame.to_csv(tmp_path / "yearly.csv", index=False)
    result = alrnn("yearly.csv", "--window", 8, "--horizon", 2, "--holdout", 4,
                   "--n-nonlinear", 1, "--plot", "", "--epochs", 3, "--units", 6, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Reading 'year' as the time index" in result.stdout
    assert "the last 4 points of 'sales'" in result.stdout
    assert pd.read_csv(tmp_path / "forecast.csv")["year"].tolist() == [2010, 2011]
    # Naming the time column forecasts the first numeric column besides it.
    result = alrnn("yearly.csv", "--time-column", "year", "--window", 8, "--horizon", 2,
                   "--holdout", 4, "--n-nonlinear", 1, "--plot", "", *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("freq", ["MS", "D"])
def test_day_first_dates_are_read_when_month_first_cannot_read_them(tmp_path, freq):
    # Monthly 01/02/2015, 01/03/2015, ... parse month first too, but irregularly.
    index = pd.date_range("2015-01-01", periods=40, freq=freq)
    frame = pd.DataFrame({"date": index.strftime("%d/%m/%Y"), "v": np.sin(np.arange(40) / 2)})
    frame.to_csv(tmp_path / "dates.csv", index=False)
    result = alrnn("dates.csv", "--window", 8, "--horizon", 2, "--holdout", 2,
                   "--n-nonlinear", 1, "--plot", "", *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = pd.date_range(index[-1], periods=3, freq=freq)[1:]
    assert pd.read_csv(tmp_path / "forecast.csv")["date"].tolist() == list(
        after.strftime("%Y-%m-%d"))


def test_profile_and_a_fixed_p_exclude_each_other(tmp_path):
    result = alrnn("--profile", "--n-nonlinear", 2, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "alrnn: error: --profile chooses P; drop it or --n-nonlinear\n"


def test_output_to_a_pipe_has_no_colour_codes_and_a_closed_pipe_no_traceback(tmp_path):
    # skorch colours its epoch log; a file or pipe should get plain text.
    command = [sys.executable, "-m", "sklearn_alrnn", "--n-nonlinear", 1, "--epochs", 3,
               "--plot", ""]
    result = alrnn(*command[3:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "train_loss" in result.stdout and "\x1b[" not in result.stdout
    # As `alrnn | head -1`: the reader goes away after one line.
    with subprocess.Popen(list(map(str, command)), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, cwd=tmp_path) as process:
        process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
    assert process.returncode == 1 and stderr == ""


def test_profile_command(tmp_path, monthly_csv):
    result = alrnn("profile", monthly_csv, "--window", 12, "--horizon", 2,
                   "--grid", 0, 1, "--splits", 2, *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "n_nonlinear" in result.stdout and (tmp_path / "profile.png").exists()


@pytest.mark.parametrize("clip", [None, 0])
def test_profile_clips_gradients_by_default(tmp_path, clip):
    # Unclipped, the airline profile's first fold (17 windows) diverges at epoch 3 for P = 0
    # (seen with 40 and 100 epochs, not with 20 or fewer).
    options = [] if clip is None else ["--clip", clip]
    result = alrnn("profile", "--grid", 0, "--epochs", 40, "--quiet", "--plot", "", *options,
                   cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("diverged" in result.stderr) == (clip == 0)


def test_help_reads_well(tmp_path):
    result = alrnn("forecast", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for option in ("--column", "--time-column", "--window", "--horizon", "--n-nonlinear",
                   "--profile", "--holdout", "--plot", "--output", "--n-init", "--clip"):
        assert option in result.stdout


def test_version(tmp_path):
    from sklearn_alrnn import __version__

    result = alrnn("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"alrnn {__version__}\n"


def test_classify_wide_and_long_csvs(tmp_path):
    rng = np.random.RandomState(0)
    labels = np.array(["low", "high"])[np.arange(30) % 2]
    values = rng.randn(30, 8) + np.where(labels == "high", 1.5, -1.5)[:, None]
    wide = pd.DataFrame(values, columns=[f"t{i}" for i in range(8)]).assign(kind=labels)
    wide.iloc[:20].to_csv(tmp_path / "train.csv", index=False)
    wide.iloc[20:].to_csv(tmp_path / "test.csv", index=False)
    result = alrnn("classify", "train.csv", "test.csv", "--label", "kind", *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Test accuracy" in result.stdout
    predictions = pd.read_csv(tmp_path / "predictions.csv")
    assert list(predictions.columns) == ["case", "prediction", "p(high)", "p(low)"]

    long = pd.DataFrame({
        "case": np.repeat(np.arange(30), 8), "time": np.tile(np.arange(8), 30),
        "x": values.ravel(), "kind": np.repeat(labels, 8),
    })
    long[long.case < 20].to_csv(tmp_path / "train_long.csv", index=False)
    long[long.case >= 20].drop(columns="kind").to_csv(tmp_path / "test_long.csv", index=False)
    result = alrnn("classify", "train_long.csv", "test_long.csv", "--label", "kind", *FAST,
                   cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    in_order = pd.read_csv(tmp_path / "predictions.csv")
    assert in_order["case"].tolist() == list(range(20, 30))  # the file's case ids

    # Rows in any order: each case's steps are put back in the order of the time column.
    shuffled = long.sample(frac=1, random_state=0)
    shuffled[shuffled.case >= 20].drop(columns="kind").to_csv(tmp_path / "test_long.csv",
                                                               index=False)
    result = alrnn("classify", "train_long.csv", "test_long.csv", "--label", "kind", *FAST,
                   cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    again = pd.read_csv(tmp_path / "predictions.csv").set_index("case").loc[in_order["case"]]
    np.testing.assert_allclose(again["p(high)"], in_order["p(high)"])


def write(tmp_path, name, frame):
    frame.to_csv(tmp_path / name, index=False)
    return name


def write_text(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return name


@pytest.mark.parametrize(
    "make_args, message",
    [
        (lambda p: ["forecast", "missing.csv"], "cannot read 'missing.csv': no such file"),
        (lambda p: ["forecast", write(p, "a.csv", pd.DataFrame({"x": range(50)})), "--column",
                    "sales"], "a.csv: no column 'sales'; the columns are 'x'"),
        (lambda p: ["forecast", write(p, "b.csv", pd.DataFrame({"x": ["1", "2", "oops"] * 20}))],
         r"b.csv: column 'x' has missing or non-numeric values in row\(s\) 4, 7"),
        (lambda p: ["forecast", write(p, "c.csv", pd.DataFrame({"x": range(30)}))],
         r"the series has 30 rows, but --window 24 \+ --horizon 12 \+ --holdout 12 = 48"),
        (lambda p: ["forecast", write(p, "d.csv", pd.DataFrame({
            "day": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-05",
                                   "2020-01-06", "2020-01-07"]).strftime("%Y-%m-%d"),
            "x": range(6)})), "--window", 2, "--horizon", 1, "--holdout", 1],
         r"d.csv: the time column 'day' is irregular: row\(s\) 5 .* break the usual step of "
         "1 days"),
        (lambda p: ["forecast", write(p, "g.csv", pd.DataFrame({"x": range(50)})),
                    "--time-column", "when"], "g.csv: no time column 'when'; the columns are 'x'"),
        (lambda p: ["forecast", write(p, "h.csv", pd.DataFrame({
            "month": ["2020-01-01", "soon"] + [f"2021-{m:02d}-01" for m in range(1, 13)] * 4,
            "x": range(50)}))], "h.csv: time column 'month' has a value that is not a date in "
                                r"row 3 \(counting the header as row 1\)"),
        (lambda p: ["forecast", write_text(p, "i.csv", 'a,b\n1,"2\n')],
         "cannot read 'i.csv' as CSV: Error tokenizing data"),
        (lambda p: ["forecast", "--holdout", -1], "--holdout must be >= 0, got -1"),
        (lambda p: ["forecast", "--window", 0], r"The 'window' parameter of make_windows must "
                                                r"be an int in the range \[1, inf\)"),
        (lambda p: ["forecast", "--n-init", 0], r"The 'n_init' parameter of ALRNNForecaster "
                                                r"must be an int in the range \[1, inf\)"),
        (lambda p: ["classify", write(p, "e.csv", pd.DataFrame({
            "case": [0, 0, 1, 1], "time": [1, 1, 1, 2], "x": range(4), "kind": [0, 0, 1, 1]})),
            "e.csv", "--label", "kind"], "e.csv: case 0 has two rows at time 1"),
        (lambda p: ["classify", write(p, "f.csv", pd.DataFrame({
            "case": [0, 0], "time": ["2020-01-01", "soon"], "x": [1, 2], "kind": [0, 0]})),
            "f.csv", "--label", "kind"], "f.csv: cannot order the rows by --time-column 'time': "
                                         r"row 3 holds neither a number nor an ISO date"),
        (lambda p: ["forecast", "--clip", -1], r"The 'gradient_clip' parameter of "
                                               r"ALRNNForecaster must be a float in the range "
                                               r"\(0.0, inf\) or None. Got -1.0"),
    ],
)
def test_bad_csv_gets_one_clear_line(tmp_path, make_args, message):
    result = alrnn(*make_args(tmp_path), "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alrnn: error: ")
    assert re.search(message, lines[0]), lines[0]
