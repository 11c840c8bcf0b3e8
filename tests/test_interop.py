"""The estimators inside the libraries people forecast and classify with.

pandas is a core dependency, so its tests always run. skforecast, sktime and
aeon come with the ``interop`` extra (they need pandas < 3 today); each of
their tests skips when its library is absent. CI runs this file a second
time in an environment where all three are installed.
"""

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_alrnn import ALRNNClassifier, ALRNNForecaster, make_windows
from sklearn_alrnn.datasets import load_airline

# Small and seeded: the forecasting tests check plumbing, the classifiers must
# clearly beat chance on each library's own data.
FAST = {"n_units": 6, "n_nonlinear": 1, "max_epochs": 3, "random_state": 0}
CLASSIFY = {"n_units": 12, "n_nonlinear": 6, "readout": "mean", "max_epochs": 40, "lr": 3e-2,
            "random_state": 0}
# sktime announces a change of a default that does not concern a forecaster fitted once.
SKTIME_REMEMBER_DATA = "ignore:The default of config ``remember_data``:FutureWarning"


@pytest.fixture
def airline():
    return load_airline()


def _no_warnings(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


# -- pandas ---------------------------------------------------------------------------


def test_forecast_of_a_monthly_series_is_a_series_at_its_frequency(airline):
    est = ALRNNForecaster(**FAST).fit(*make_windows(airline, window=24, horizon=1))
    out = est.forecast(airline, steps=12)
    expected = pd.date_range("1961-01-01", periods=12, freq="MS", name=airline.index.name)
    assert isinstance(out, pd.Series) and out.name == airline.name
    pd.testing.assert_index_equal(out.index, expected)
    assert out.index.freq == "MS"


@pytest.mark.parametrize(
    "estimator", [ALRNNForecaster(**FAST), ALRNNClassifier(**{**FAST, "n_units": 4})]
)
def test_dataframe_columns_become_feature_names(estimator):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(30, 5), columns=[f"t{i}" for i in range(5)])
    y = pd.Series(rng.randn(30) if isinstance(estimator, ALRNNForecaster) else np.arange(30) % 2)
    estimator.fit(X, y)
    assert list(estimator.feature_names_in_) == list(X.columns)
    _no_warnings(estimator.predict, X)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        estimator.predict(X.to_numpy())


# -- skforecast -----------------------------------------------------------------------


def test_skforecast_lag_matrix_puts_the_newest_value_first(airline):
    """The layout ``time_order="newest_first"`` exists for: column k is lag k + 1."""
    recursive = pytest.importorskip("skforecast.recursive")
    X, y = recursive.ForecasterRecursive(ALRNNForecaster(), lags=3).create_train_X_y(airline)
    assert list(X.columns) == ["lag_1", "lag_2", "lag_3"]
    np.testing.assert_array_equal(X.iloc[0], airline.iloc[[2, 1, 0]])
    assert y.iloc[0] == airline.iloc[3]


def test_skforecast_recursive_fits_the_windows_in_time_order(airline):
    """Through skforecast, the model is the one fitted on the same windows oldest first."""
    recursive = pytest.importorskip("skforecast.recursive")
    forecaster = recursive.ForecasterRecursive(
        ALRNNForecaster(**FAST, time_order="newest_first"), lags=24
    )
    forecaster.fit(airline)
    X_lags, _ = forecaster.create_train_X_y(airline)
    X, y = make_windows(airline, window=24, horizon=1)
    in_order = ALRNNForecaster(**FAST).fit(X, y[:, 0])
    np.testing.assert_allclose(forecaster.estimator.predict(X_lags.to_numpy()), in_order.predict(X))


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_skforecast_forecasters_fit_predict_and_backtest(airline, strategy):
    recursive = pytest.importorskip("skforecast.recursive")
    from skforecast.direct import ForecasterDirect
    from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster

    est = ALRNNForecaster(**FAST, time_order="newest_first")
    if strategy == "recursive":
        forecaster = recursive.ForecasterRecursive(est, lags=24)
    else:
        forecaster = ForecasterDirect(est, lags=24, steps=3)
    forecaster.fit(airline)
    pred = forecaster.predict(steps=3)
    # skforecast drops the index name; the dates and frequency are what matter.
    pd.testing.assert_index_equal(
        pred.index, pd.date_range("1961-01-01", periods=3, freq="MS"), check_names=False
    )
    assert np.isfinite(pred).all()

    cv = TimeSeriesFold(steps=3, initial_train_size=len(airline) - 6, refit=False)
    metric, backtest = backtesting_forecaster(
        forecaster, airline, cv=cv, metric="mean_absolute_error", show_progress=False
    )
    assert np.isfinite(metric.iloc[0, 0])
    pd.testing.assert_index_equal(backtest.index, airline.index[-6:], check_names=False)


# -- sktime ---------------------------------------------------------------------------


@pytest.mark.filterwarnings(SKTIME_REMEMBER_DATA)
def test_sktime_recursive_reduction_forecasts_the_next_months(airline):
    pytest.importorskip("sktime")
    from sktime.forecasting.base import ForecastingHorizon
    from sktime.forecasting.compose import make_reduction

    forecaster = make_reduction(ALRNNForecaster(**FAST), window_length=24, strategy="recursive")
    fh = ForecastingHorizon(np.arange(1, 13), is_relative=True)
    pred = forecaster.fit(airline, fh=fh).predict()
    pd.testing.assert_index_equal(
        pred.index, pd.date_range("1961-01-01", periods=12, freq="MS"), check_names=False
    )
    assert np.isfinite(pred).all()

    # sktime's windows are oldest first already: the default order is right.
    X, y = make_windows(airline, window=24, horizon=1)
    in_order = ALRNNForecaster(**FAST).fit(X, y[:, 0])
    np.testing.assert_allclose(forecaster.estimator_.predict(X), in_order.predict(X))


def test_classifier_on_an_sktime_numpy3d_panel():
    datasets = pytest.importorskip("sktime.datasets")
    X, y = datasets.load_basic_motions(split="train", return_type="numpy3D")
    X_test, y_test = datasets.load_basic_motions(split="test", return_type="numpy3D")
    assert X.shape == (40, 6, 100)
    clf = ALRNNClassifier(**CLASSIFY).fit(X, y)
    assert clf.n_channels_ == 6 and set(clf.classes_) == set(y)
    assert clf.score(X_test, y_test) > 0.6  # four classes


# -- aeon -----------------------------------------------------------------------------


def test_classifier_on_an_aeon_collection():
    datasets = pytest.importorskip("aeon.datasets")
    X, y = datasets.load_italy_power_demand(split="train")
    X_test, y_test = datasets.load_italy_power_demand(split="test")
    assert X.shape == (67, 1, 24)
    clf = ALRNNClassifier(**CLASSIFY).fit(X, y)
    assert clf.predict_proba(X_test).shape == (len(X_test), 2)
    assert clf.score(X_test, y_test) > 0.8  # two classes


def test_classifier_on_aeon_unequal_length_lists():
    datasets = pytest.importorskip("aeon.datasets")
    X, y = datasets.load_japanese_vowels(split="train")
    X_test, y_test = datasets.load_japanese_vowels(split="test")
    lengths = {case.shape[1] for case in X}
    assert isinstance(X, list) and X[0].shape[0] == 12 and len(lengths) > 1
    clf = ALRNNClassifier(**{**CLASSIFY, "max_epochs": 15}).fit(X, y)
    assert clf.n_channels_ == 12
    assert clf.score(X_test, y_test) > 0.8  # nine classes


# -- the README -----------------------------------------------------------------------


@pytest.mark.filterwarnings(SKTIME_REMEMBER_DATA)
def test_readme_examples_run():
    """Each example of the README's interop section runs (with 2 epochs, to stay quick)."""
    for client in ("aeon", "skforecast", "sktime"):
        pytest.importorskip(client)
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Working with skforecast, sktime and aeon")[1].split("\n## ")[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 3
    for block in blocks:
        exec(re.sub(r"max_epochs=\d+", "max_epochs=2", block), {})
