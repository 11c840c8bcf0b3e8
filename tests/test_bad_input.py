"""Every bad input gets a clear error naming who objects, the argument, what was
expected and what was received; random input never gets anything worse."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_alrnn import ALRNNClassifier, ALRNNForecaster, SequenceScaler, make_windows
from sklearn_alrnn.inspection import (
    fixed_points,
    nonlinearity_profile,
    plot_forecast,
    plot_regions,
    region_codes,
    region_summary,
    transition_matrix,
)
from sklearn_alrnn.metrics import prediction_error

TINY = {"n_units": 4, "n_nonlinear": 1, "max_epochs": 1, "random_state": 0}
RNG = np.random.RandomState(0)
X2, Y2 = RNG.randn(10, 6), RNG.randn(10, 2)
X3 = RNG.randn(10, 2, 6)
FRAME = pd.DataFrame(X2, columns=list("abcdef"))
LABELS = np.arange(10) % 2


def forecaster(**params):
    return ALRNNForecaster(**{**TINY, **params})


def classifier(**params):
    return ALRNNClassifier(**{**TINY, **params})


def fitted_forecaster(channels=1):
    return forecaster().fit(X2 if channels == 1 else X3, Y2)


def fitted_classifier():
    return classifier().fit(X3, LABELS)


# (call, exception, message pattern): each message names the estimator or function,
# the argument, what it expected and what it got.
CASES = {
    # ALRNNForecaster.fit
    "forecaster NaN in X": (lambda: forecaster().fit(np.where(X2 > 1, np.nan, X2), Y2),
                            ValueError, "Input X contains NaN. ALRNNForecaster does not accept"),
    "forecaster inf in X": (lambda: forecaster().fit(np.where(X2 > 1, np.inf, X2), Y2),
                            ValueError, "Input X contains infinity. ALRNNForecaster needs finite"),
    "forecaster NaN in y": (lambda: forecaster().fit(X2, np.where(Y2 > 1, np.nan, Y2)),
                            ValueError, "Input y contains NaN. ALRNNForecaster"),
    "forecaster inf in y": (lambda: forecaster().fit(X2, np.full_like(Y2, -np.inf)),
                            ValueError, "Input y contains infinity. ALRNNForecaster"),
    "forecaster X rank 1": (lambda: forecaster().fit(X2[0], Y2),
                            ValueError, r"ALRNNForecaster expects X of shape \(n_windows, window\)"
                                        r" or .* Got X of shape \(6,\) instead"),
    "forecaster X rank 4": (lambda: forecaster().fit(X3[..., None], Y2),
                            ValueError, r"Got X of shape \(10, 2, 6, 1\) instead"),
    "forecaster y rank 4": (lambda: forecaster().fit(X2, Y2[:, None, :, None]),
                            ValueError, r"ALRNNForecaster expects y of shape .* Got y of shape "
                                        r"\(10, 1, 2, 1\) instead"),
    "forecaster empty X": (lambda: forecaster().fit(np.zeros((0, 6)), np.zeros((0, 2))),
                           ValueError, r"Found array with 0 sample\(s\) \(shape=\(0, 6\)\) while "
                                       "a minimum of 1 is required by ALRNNForecaster"),
    "forecaster horizon 0": (lambda: forecaster().fit(X2, np.zeros((10, 0))),
                             ValueError, "ALRNNForecaster: y has a horizon of 0 steps; at least 1"),
    "forecaster object X": (lambda: forecaster().fit(np.full((10, 6), {}, dtype=object), Y2),
                            TypeError, "ALRNNForecaster expects X of real numbers, but a value "
                                       "could not be converted"),
    "forecaster string X": (lambda: forecaster().fit(np.full((10, 6), "a"), Y2),
                            ValueError, "ALRNNForecaster expects X of real numbers. Got an array "
                                        "of dtype <U1"),
    "forecaster complex X": (lambda: forecaster().fit(X2 + 1j, Y2),
                             ValueError, "Complex data not supported: ALRNNForecaster expects "
                                         "real-valued X. Got dtype complex128"),
    "forecaster sparse X": (lambda: forecaster().fit(sp.csr_matrix(X2), Y2),
                            TypeError, r"ALRNNForecaster does not accept sparse X: .*csr_matrix"),
    "forecaster lengths differ": (lambda: forecaster().fit(X2, Y2[:4]),
                                  ValueError, "ALRNNForecaster: X and y must hold the same number "
                                              "of windows. Got 10 in X and 4 in y"),
    "forecaster too many targets": (lambda: forecaster().fit(X2, Y2[:, None].repeat(2, 1)),
                                    ValueError, "y has 2 target channels, but X has only 1"),
    "forecaster negative n_units": (lambda: forecaster(n_units=-2).fit(X2, Y2),
                                    ValueError, r"The 'n_units' parameter of ALRNNForecaster must "
                                                r"be an int in the range \[1, inf\). Got -2"),
    "forecaster float n_nonlinear": (lambda: forecaster(n_nonlinear=1.5).fit(X2, Y2),
                                     ValueError, "The 'n_nonlinear' parameter of ALRNNForecaster "
                                                 "must be an int .* Got 1.5 instead"),
    "forecaster n_nonlinear > n_units": (lambda: forecaster(n_nonlinear=5).fit(X2, Y2),
                                         ValueError, "'n_nonlinear' parameter of ALRNNForecaster "
                                                     "must be <= n_units=4. Got 5 instead"),
    "forecaster too few linear units": (lambda: forecaster(n_nonlinear=3).fit(X3, Y2),
                                        ValueError, "so n_units - n_nonlinear must be >= 2. Got "
                                                    "n_units=4, n_nonlinear=3"),
    "forecaster unknown device": (lambda: forecaster(device="gpu9").fit(X2, Y2),
                                  ValueError, "The 'device' parameter of ALRNNForecaster must be a "
                                              "torch device string .* Got 'gpu9' instead"),
    "forecaster bad scaling": (lambda: forecaster(scaling="minmax").fit(X2, Y2),
                               ValueError, "The 'scaling' parameter of ALRNNForecaster must be a "
                                           "str among .* Got 'minmax' instead"),
    "forecaster bad time_order": (lambda: forecaster(time_order="lag_1_first").fit(X2, Y2),
                                  ValueError, "The 'time_order' parameter of ALRNNForecaster must "
                                              "be a str among .* Got 'lag_1_first' instead"),
    # ALRNNForecaster after fit
    "forecaster predict before fit": (lambda: forecaster().predict(X2),
                                      NotFittedError, "This ALRNNForecaster instance is not"),
    "forecaster other window length": (lambda: fitted_forecaster().predict(X2[:, :4]),
                                       ValueError, "X has 4 features, but ALRNNForecaster is "
                                                   "expecting 6 features"),
    "forecaster other channels": (lambda: forecaster().fit(X3, Y2).predict(X3[:, :1]),
                                  ValueError, r"X has 1 channel\(s\), but ALRNNForecaster was "
                                              r"fitted with 2: X is \(n_windows, n_channels, "),
    "forecast too short": (lambda: fitted_forecaster().forecast(np.zeros(3), 2),
                           ValueError, "ALRNNForecaster.forecast: series has 3 time points, but "
                                       "the model reads windows of window_=6"),
    "forecast transposed": (lambda: fitted_forecaster().forecast(np.zeros((1, 9)), 2),
                            ValueError, r"ALRNNForecaster.forecast: series has 9 channel\(s\), "
                                        r"but the model was fitted with 1. A series is laid out "
                                        r"\(n_timepoints, n_channels\)"),
    "forecast steps 0": (lambda: fitted_forecaster().forecast(np.zeros(9), 0),
                         ValueError, r"The 'steps' parameter of ALRNNForecaster.forecast must be "
                                     r"an int in the range \[1, inf\). Got 0 instead"),
    "forecast steps float": (lambda: fitted_forecaster().forecast(np.zeros(9), 2.0),
                             TypeError, r"The 'steps' parameter of ALRNNForecaster.forecast must "
                                        r"be an int in the range \[1, inf\). Got 2.0 instead"),
    "forecaster score y length": (lambda: fitted_forecaster().score(X2, Y2[:7]),
                                  ValueError, r"ALRNNForecaster.score: y must hold the forecasts' "
                                              r"shape \(10, 2\) .* Got y of shape \(7, 2\)"),
    "forecaster ragged list": (lambda: forecaster().fit([[1.0, 2.0], [1.0]], [1.0, 2.0]),
                               ValueError, "ALRNNForecaster expects X as a rectangular array. Got "
                                           "rows of different lengths"),
    "forecaster text column": (lambda: forecaster().fit(FRAME.assign(c="x"), Y2),
                               ValueError, "ALRNNForecaster expects X of real numbers. Got column "
                                           "'c' of dtype"),
    "forecaster date column": (lambda: forecaster().fit(FRAME.assign(f=pd.Timestamp(2000, 1, 1)),
                                                        Y2),
                               ValueError, "ALRNNForecaster expects X of real numbers. Got column "
                                           "'f' of dtype datetime64"),
    "forecaster NaN in a frame": (lambda: forecaster().fit(FRAME.where(FRAME > -1), Y2),
                                  ValueError, "Input X contains NaN. ALRNNForecaster does not"),
    # ALRNNClassifier
    "classifier NaN label": (lambda: classifier().fit(X3, np.where(LABELS > 0, np.nan, 0.0)),
                             ValueError, "Input y contains NaN. ALRNNClassifier does not accept"),
    "classifier one class": (lambda: classifier().fit(X3, np.zeros(10)),
                             ValueError, "ALRNNClassifier needs samples of at least 2 classes in "
                                         "the data, but the data contains only one class: 0.0"),
    "classifier NaN inside": (lambda: classifier().fit(np.where(X3 > 2, np.nan, X3), LABELS),
                              ValueError, r"Input X contains NaN inside case \d+. ALRNNClassifier "
                                          "reads NaN only as trailing padding"),
    "classifier inf": (lambda: classifier().fit(np.full_like(X3, np.inf), LABELS),
                       ValueError, "Input X contains infinity. ALRNNClassifier needs finite"),
    "classifier continuous y": (lambda: classifier().fit(X3, np.linspace(0, 1, 10)),
                                ValueError, "ALRNNClassifier: Unknown label type: continuous"),
    "classifier 2-D y": (lambda: classifier().fit(X3, np.zeros((10, 2))),
                         ValueError, r"ALRNNClassifier expects y of shape \(n_cases,\). Got y of "
                                     r"shape \(10, 2\) instead"),
    "classifier lengths differ": (lambda: classifier().fit(X3, LABELS[:7]),
                                  ValueError, "ALRNNClassifier: X and y must hold the same number "
                                              "of cases. Got 10 in X and 7 in y"),
    "classifier sparse X": (lambda: classifier().fit(sp.csr_matrix(X2), LABELS),
                            TypeError, "ALRNNClassifier does not accept sparse X"),
    "classifier bad readout": (lambda: classifier(readout="median").fit(X3, LABELS),
                               ValueError, "The 'readout' parameter of ALRNNClassifier must be a "
                                           "str among .* Got 'median' instead"),
    "classifier ragged channels": (lambda: classifier().fit([X3[0], X3[1, :1]], [0, 1]),
                                   ValueError, "ALRNNClassifier: all cases of a list X must have "
                                               r"the same number of channels. Got \[1, 2\]"),
    "classifier other channels": (lambda: fitted_classifier().predict(X3[:, :1]),
                                  ValueError, r"X has 1 channel\(s\), but ALRNNClassifier was "
                                              r"fitted with 2: X is \(n_cases, n_channels, "),
    "classifier X rank 1": (lambda: classifier().fit(X2[0], LABELS),
                            ValueError, r"ALRNNClassifier expects X of shape \(n_cases, "
                                        r"n_timepoints\) or .* Got X of shape \(6,\) instead"),
    "classifier empty list": (lambda: classifier().fit([], []),
                              ValueError, r"ALRNNClassifier expects X .* Got X of shape \(0,\)"),
    "classifier no channels": (lambda: classifier().fit(X3[:, :0], LABELS),
                               ValueError, "ALRNNClassifier needs X with at least 1 channel and "
                                           r"1 time step. Got X of shape \(10, 0, 6\) instead"),
    "classifier no steps": (lambda: classifier().fit(X3[..., :0], LABELS),
                            ValueError, r"Got X of shape \(10, 2, 0\) instead"),
    "classifier predict rank 1": (lambda: fitted_classifier().predict(X3[0, 0]),
                                  ValueError, r"ALRNNClassifier expects X .* Got X of shape "
                                              r"\(6,\)"),
    "classifier stratified split": (
        lambda: classifier(early_stopping=True).fit(X3[:5], [0, 0, 0, 0, 1]),
        ValueError, r"ALRNNClassifier with early_stopping=True holds out a stratified "
                    r"validation_fraction=0.1 of the cases, which these labels do not allow. "
                    r"Pass more cases of each class, .* \(scikit-learn: The least populated"),
    "classifier text column": (lambda: classifier().fit(FRAME, pd.Series(LABELS)).predict(
                                   FRAME.assign(a="x")),
                               ValueError, "ALRNNClassifier expects X of real numbers. Got column "
                                           "'a' of dtype"),
    "classifier proba before fit": (lambda: classifier().predict_proba(X3),
                                    NotFittedError, "This ALRNNClassifier instance is not fitted"),
    "forecaster on a meta device": (lambda: forecaster(device="meta").fit(X2, Y2),
                                    ValueError, "The 'device' parameter of ALRNNForecaster must "
                                                "be 'cpu' or a CUDA device. Got 'meta' instead"),
    "early stopping without training windows": (
        lambda: forecaster(early_stopping=True, validation_fraction=0.95).fit(X2[:3], Y2[:3]),
        ValueError, "ALRNNForecaster with early_stopping=True holds out the last "
                    "validation_fraction=0.95 of the windows for validation, which leaves no "
                    "training windows out of 3"),
    "classifier list with text": (lambda: classifier().fit([X2[0], "ab"], [0, 1]),
                                  ValueError, "ALRNNClassifier: case 1 of X is not a numeric "
                                              "array"),
    "classifier list of 3-D cases": (lambda: classifier().fit([X3, X2], [0, 1]),
                                     ValueError, "ALRNNClassifier: each case of a list X must be "
                                                 r"an array .* Got shape \(10, 2, 6\) for case 0"),
    "forecaster AR of 1-step windows": (
        lambda: forecaster(init="autoregressive").fit(X3[..., :1], Y2),
        ValueError, "ALRNNForecaster: init='autoregressive' fits an autoregression to the "
                    "windows, which needs windows of at least 2 steps when X has covariates"),
    # inspection and prediction_error
    "inspection of another model": (lambda: region_codes(LinearRegression(), X2),
                                    TypeError, "region_codes reads a fitted ALRNNForecaster or "
                                               "ALRNNClassifier. Got LinearRegression instead"),
    "inspection of a Pipeline": (lambda: transition_matrix(make_pipeline(fitted_classifier()), X2),
                                 TypeError, r"transition_matrix reads a fitted ALRNNForecaster or "
                                            r"ALRNNClassifier. Got Pipeline instead. For a "
                                            r"Pipeline, pass its last step and the data "
                                            r"transformed by the steps before it: pipe\[-1\]"),
    "inspection of a search": (lambda: region_summary(GridSearchCV(forecaster(), {}).fit(X2, Y2),
                                                      X2[0]),
                               TypeError, "region_summary reads .* Got GridSearchCV instead. "
                                          "Pass the search's best_estimator_"),
    "region summary of a DataFrame of other width": (
        lambda: region_summary(fitted_forecaster(channels=2), pd.DataFrame(np.zeros((20, 3)))),
        ValueError, "region_summary: X is a DataFrame of 3 columns, but ALRNNForecaster reads "
                    "a DataFrame as one series of its 2 channels, a column each in the order "
                    "fitted"),
    "forecast plot of a classifier": (lambda: plot_forecast(fitted_classifier(), X2[0]),
                                      TypeError, "plot_forecast reads a fitted ALRNNForecaster. "
                                                 "Got ALRNNClassifier instead"),
    "forecast plot before fit": (lambda: plot_forecast(forecaster(), X2[0]),
                                 NotFittedError, "This ALRNNForecaster instance is not fitted"),
    "prediction_error of a classifier": (lambda: prediction_error(fitted_classifier(), X2[0], 1),
                                         TypeError, "prediction_error reads a fitted "
                                                    "ALRNNForecaster. Got ALRNNClassifier"),
    "fixed point of NaN input": (lambda: fixed_points(fitted_classifier(), inputs=[np.nan, 0]),
                                 ValueError, r"fixed_points: inputs must be finite. Got \[nan, "),
    "fixed point of text input": (lambda: fixed_points(fitted_classifier(), inputs=["a", "b"]),
                                  ValueError, "fixed_points: inputs must hold one real number per "
                                              "input channel of ALRNNClassifier, 2 in all"),
    "region summary inputs": (lambda: region_summary(fitted_forecaster(), X2[0], inputs=[1.0]),
                              ValueError, "region_summary: inputs were given, but "
                                          "ALRNNForecaster runs autonomously"),
    "transition matrix normalize": (lambda: transition_matrix(fitted_forecaster(), X2,
                                                              normalize="yes"),
                                    ValueError, "The 'normalize' parameter of transition_matrix "
                                                "must be a bool. Got 'yes' instead"),
    "profile of ragged windows": (lambda: nonlinearity_profile(
                                      forecaster(), [[1.0, 2.0], [1.0]] * 5, np.zeros(10), cv=2),
                                  ValueError, "ALRNNForecaster expects X as a rectangular array"),
    "profile of one P": (lambda: nonlinearity_profile(forecaster(), X2, Y2, n_nonlinear=1),
                         ValueError, "nonlinearity_profile: n_nonlinear must be a non-empty list "
                                     "of distinct ints. Got 1 instead"),
    "region plot of a missing case": (lambda: plot_regions(fitted_forecaster(), X2, case=10),
                                      ValueError, "plot_regions: case must be an int that indexes "
                                                  r"the 10 case\(s\) of X. Got 10 instead"),
    # make_windows and SequenceScaler
    "make_windows horizon 0": (lambda: make_windows(np.arange(9.0), 3, 0),
                               ValueError, r"The 'horizon' parameter of make_windows must be an "
                                           r"int in the range \[1, inf\). Got 0 instead"),
    "make_windows too short": (lambda: make_windows(np.arange(4.0), 3, 2),
                               ValueError, "make_windows: series has 4 time points, but window "
                                           r"\+ horizon = 3 \+ 2 = 5 are needed"),
    "make_windows NaN": (lambda: make_windows(np.array([1.0, np.nan, 3.0]), 1, 1),
                         ValueError, "Input series contains NaN. make_windows"),
    "make_windows rank 3": (lambda: make_windows(np.zeros((4, 2, 2)), 1, 1),
                            ValueError, r"make_windows: series must be 1-D .* Got an array of "
                                        r"shape \(4, 2, 2\)"),
    "make_windows targets of 1-D": (lambda: make_windows(np.arange(9.0), 3, 1, n_targets=2),
                                    ValueError, "make_windows: n_targets=2 needs a 2-D series"),
    "make_windows strings": (lambda: make_windows(np.array(["a", "b", "c"]), 1, 1),
                             ValueError, "make_windows expects series of real numbers. Got an "
                                         "array of dtype <U1"),
    "scaler rank 4": (lambda: SequenceScaler().fit(np.zeros((2, 2, 2, 2))),
                      ValueError, r"SequenceScaler expects X of shape .* Got X of shape "
                                  r"\(2, 2, 2, 2\) instead"),
    "scaler rank 1": (lambda: SequenceScaler().fit(np.zeros(5)),
                      ValueError, r"SequenceScaler expects X of shape .* Got X of shape \(5,\)"),
    "scaler inf": (lambda: SequenceScaler().fit(np.full((3, 4), np.inf)),
                   ValueError, "Input X contains infinity. SequenceScaler needs finite values"),
    "scaler sparse": (lambda: SequenceScaler().fit(sp.csr_matrix(X2)),
                      TypeError, "SequenceScaler does not accept sparse X"),
    "scaler other channels": (lambda: SequenceScaler().fit(X3).transform(X3[:, :1]),
                              ValueError, "X has 1 features, but SequenceScaler is expecting 2"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gets_a_clear_error(case):
    call, error, match = CASES[case]
    with pytest.raises(error, match=match):
        call()


def test_frames_of_numbers_in_other_dtypes_are_read_as_numbers():
    odd = FRAME.astype(object).assign(a=FRAME["a"].astype("category"), b=FRAME["b"] > 0)
    numbers = pd.DataFrame(odd.to_numpy(float), columns=odd.columns)
    est = forecaster().fit(odd, Y2)
    np.testing.assert_array_equal(est.predict(odd), est.predict(numbers))


def test_the_table_is_broad():
    assert len(CASES) >= 30


@pytest.mark.parametrize("estimator", [forecaster(n_units=0), classifier(n_units=0)])
def test_parameters_are_checked_before_the_data(estimator):
    with pytest.raises(ValueError, match="The 'n_units' parameter"):
        estimator.fit(X3, LABELS)
    assert not hasattr(estimator, "n_features_in_")  # the data were never read


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(0, 5),
    channels=st.integers(1, 3),
    window=st.integers(0, 5),
    three_d=st.booleans(),
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
    nan_at=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=2),
    horizon=st.integers(0, 3),
)
def test_random_input_gives_clear_errors_or_finite_output(
    n, channels, window, three_d, dtype, nan_at, horizon
):
    rng = np.random.RandomState(n + 7 * window)
    shape = (n, channels, window) if three_d else (n, window)
    X = (rng.randn(*shape) * 3).astype(dtype)
    if nan_at and dtype in (np.float64, np.float32) and X.size:
        X = X.copy()
        for i, t in nan_at:
            X[(i % max(n, 1),) + ((0,) if three_d else ()) + (t % max(window, 1),)] = np.nan
    y = rng.randn(n, horizon)
    est = ALRNNForecaster(n_units=5, n_nonlinear=1, max_epochs=1, random_state=0)
    try:
        pred = est.fit(X, y).predict(X)
    except (ValueError, TypeError) as exc:
        assert "ALRNNForecaster" in str(exc) or "Input X contains" in str(exc), str(exc)
        return
    assert np.isfinite(pred).all()


def test_predictions_do_not_depend_on_the_inference_batch(monkeypatch):
    import sklearn_alrnn._base as base

    series = np.sin(0.1 * np.arange(20_010))
    X, y = make_windows(series, window=5, horizon=1)
    est = forecaster().fit(X[:50], y[:50])
    whole = est.predict(X)  # 20 000 windows, in bounded batches
    monkeypatch.setattr(base, "_PREDICT_BATCH", 7)
    # Equal to rounding: BLAS may sum a matmul of 7 rows in another order than one of
    # thousands (on an AMD EPYC machine 3 of 100 values differed in the last bit).
    np.testing.assert_allclose(est.predict(X[:100]), whole[:100], rtol=1e-12, atol=1e-14)


def test_make_windows_on_ten_million_steps_is_a_view():
    series = np.zeros(10_000_000, dtype=np.float32)
    X, y = make_windows(series, window=48, horizon=12)
    assert X.shape == (10_000_000 - 59, 48)
    assert np.shares_memory(X, series) and np.shares_memory(y, series)


FIT_AND_PRINT = """
import numpy as np
from sklearn_alrnn import ALRNNForecaster, make_windows
X, y = make_windows(np.sin(0.3 * np.arange(120)), window=10, horizon=2)
est = ALRNNForecaster(n_units=6, n_nonlinear=2, max_epochs=3, noise=0.1, random_state=5)
print(est.fit(X, y).predict(X).tobytes().hex())
"""


def test_same_random_state_is_bitwise_identical_across_processes():
    runs = [
        subprocess.run([sys.executable, "-c", FIT_AND_PRINT], capture_output=True, text=True,
                       check=True).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and len(runs[0]) > 100
