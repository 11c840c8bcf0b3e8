"""The benchmark scripts still import, and bench_forecast's peers still train.

They reach into the package's private modules (``_module.scan``, ``_cli._metrics``,
``metrics._binned_counts``), which a refactor could rename with no other test noticing.
Running them is the benchmarks' job; here each is imported, in one fresh process
(importing some sets thread counts for the processes they start), and the one piece that
uses private helpers at run time, bench_forecast's scaling of its LSTM/GRU peers, trains
for two epochs.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("*.py"))
# Peers that only the benchmark extra installs: a script that needs a missing one is skipped.
EXTRAS = ("aeon", "statsmodels")

IMPORT_ALL = f"""
import runpy, sys, traceback
for path in sys.argv[1:]:
    try:
        runpy.run_path(path, run_name="imported")  # module level only: no main()
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in {EXTRAS!r}:
            print(path, traceback.format_exc())
    except Exception:
        print(path, traceback.format_exc())
"""


def test_benchmark_scripts_import():
    assert len(SCRIPTS) >= 10
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL, *map(str, SCRIPTS)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "", result.stdout[-4000:]


@pytest.mark.parametrize("scaling", ["window", "global"])
def test_forecast_benchmark_peer_trains_and_forecasts(scaling):
    # bench_forecast's LSTM/GRU peers borrow the estimator's private scaling helpers;
    # importing does not run them, so a renamed attribute only showed in the next run.
    pytest.importorskip("statsmodels")
    path = BENCHMARKS / "bench_forecast.py"
    spec = importlib.util.spec_from_file_location("bench_forecast", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    cfg = {**bench.SERIES["airline"], "scaling": scaling, "epochs": 2}
    train = bench.load("airline")[:60]
    for make in (lambda: bench.GatedForecaster("gru", cfg, 0), lambda: bench.alrnn(cfg, 2, 0)):
        pred = bench.fit_forecast(make(), cfg, train, 30)
        assert pred.shape == (30,) and np.isfinite(pred).all()
        # In the data's units: near the series' level, not that of scaled values.
        assert 0.2 * train.min() < pred.mean() < 5 * train.max()
