"""ALRNNForecaster: shapes, learning, reproducibility, sklearn tooling, errors."""

import pickle
import re
import threading
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from skorch import NeuralNet
from skorch.callbacks import Callback

from sklearn_alrnn import ALRNNForecaster, SequenceScaler, make_windows
from sklearn_alrnn.datasets import make_lorenz63

FAST = {"n_units": 6, "n_nonlinear": 1, "max_epochs": 3, "random_state": 0}


class PerStart(Callback):
    """A callback that knows which start of an ``n_init`` fit it serves (``start_``,
    from 1). Each start gets its own copy, so the count lives on the class: define
    a subclass in each test."""

    starts = 0

    def initialize(self):
        type(self).starts += 1
        self.start_ = type(self).starts
        return self


def poison(net):
    """NaN weights: the loss of the next batch and epoch is NaN, so the fit diverges."""
    with torch.no_grad():
        net.module_.cell.A.fill_(float("nan"))


def fit_recording_warnings(est, X, y):
    """Fit ``est`` and return every warning raised meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    return caught


def test_learns_a_noisy_sine(sine_windows):
    X, y, X_test, y_test = sine_windows
    est = ALRNNForecaster(n_units=8, n_nonlinear=1, max_epochs=40, random_state=0).fit(X, y)
    loss = est.net_.history[:, "train_loss"]
    assert loss[0] / loss[-1] >= 5
    assert est.score(X_test, y_test) >= 0.9


@pytest.mark.parametrize(
    "X_shape, y_shape",
    [
        ((30, 6), (30,)),
        ((30, 6), (30, 3)),
        ((30, 2, 6), (30, 3)),  # second channel is a covariate
        ((30, 3, 6), (30, 2, 3)),  # two targets, one covariate
        ((30, 1, 6), (30, 1, 1)),
    ],
)
def test_prediction_has_the_shape_of_y(X_shape, y_shape):
    rng = np.random.RandomState(0)
    X, y = rng.randn(*X_shape), rng.randn(*y_shape)
    est = ALRNNForecaster(**FAST).fit(X, y)
    pred = est.predict(X[:7])
    assert pred.shape == (7,) + y_shape[1:] and pred.dtype == np.float64
    assert est.n_channels_ == (X_shape[1] if len(X_shape) == 3 else 1)
    assert est.horizon_ == y_shape[-1] if len(y_shape) > 1 else est.horizon_ == 1


def test_sparse_teacher_forcing_learns_and_predicts_like_the_default(sine_windows):
    """forcing_interval changes training only: predict still reads the window, then runs free."""
    X, y, X_test, y_test = sine_windows
    est = ALRNNForecaster(n_units=8, n_nonlinear=1, forcing_interval=4, max_epochs=40,
                          random_state=0).fit(X, y)
    loss = est.net_.history[:, "train_loss"]
    # Each sequence starts from one observation, so the first steps stay uncertain.
    assert loss[0] / loss[-1] >= 3
    assert est.predict(X_test).shape == y_test.shape
    assert est.score(X_test, y_test) >= 0.9


def test_sparse_teacher_forcing_with_covariates():
    """In the horizon only the targets are known, so only they are forced there."""
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 2, 6), rng.randn(30, 3)
    est = ALRNNForecaster(**FAST, forcing_interval=2).fit(X, y)
    assert est.predict(X[:5]).shape == (5, 3)


@pytest.mark.parametrize("n_units, n_nonlinear, input_drive", [(2, 0, True), (5, 2, False)])
def test_autoregressive_start_forecasts_a_sine_exactly(n_units, n_nonlinear, input_drive):
    """A sine obeys x_t = 2 cos(w) x_{t-1} - x_{t-2}: the least-squares AR(2) start
    continues it before training has moved the weights (lr ~ 0)."""
    series = np.sin(0.3 * np.arange(80))
    X, y = make_windows(series, window=10, horizon=15)
    est = ALRNNForecaster(n_units=n_units, n_nonlinear=n_nonlinear, input_drive=input_drive,
                          init="autoregressive", max_epochs=1, lr=1e-12, random_state=0)
    np.testing.assert_allclose(est.fit(X, y).predict(X), y, atol=1e-4)
    reference = clone(est).set_params(init="reference").fit(X, y)
    assert np.abs(reference.predict(X) - y).max() > 0.1


def test_autoregressive_start_is_the_least_squares_var_of_the_training_sequences():
    """Two channels, the second a lagged copy of the first: the VAR(1) fit predicts
    channel 2 from channel 1 exactly; covariates (not in y) are fitted from the windows."""
    rng = np.random.RandomState(0)
    a = rng.randn(200)
    series = np.stack([a[1:], a[:-1]], axis=1)  # channel 2 lags channel 1 by one step
    X, y = make_windows(series, window=6, horizon=1)
    est = ALRNNForecaster(n_units=3, n_nonlinear=0, init="autoregressive", scaling=None,
                          max_epochs=1, lr=1e-12, random_state=0).fit(X, y[:, :1])
    coef = est.net_.module_.cell.W.detach().numpy()
    np.testing.assert_allclose(coef[1, 0], 1.0, atol=1e-6)  # x2_t = x1_{t-1}
    assert est.net_.module_.cell.A.detach().numpy()[1] == pytest.approx(0.0, abs=1e-6)


def test_autoregressive_start_on_a_smooth_series_stays_finite():
    """Lorenz-63's x at dt = 0.02 is so smooth that 16 lags are nearly collinear: plain
    least squares gives coefficients near a thousand, whose float32 roll-out explodes.
    The start keeps them small and still forecasts the training windows."""
    series = make_lorenz63(n_timepoints=200, dt=0.02, random_state=0)[:, 0]
    X, y = make_windows(series, window=20, horizon=10)
    est = ALRNNForecaster(n_units=16, n_nonlinear=0, init="autoregressive", max_epochs=1,
                          lr=1e-12, random_state=0).fit(X, y)
    assert np.isfinite(est.net_.history[-1, "train_loss"])
    assert est.score(X, y) > 0.9


def test_forecast_warns_when_the_free_run_diverges(sine_windows):
    X, y, X_test, _ = sine_windows
    est = ALRNNForecaster(**FAST).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.forecast(X_test[0], 20)
    with torch.no_grad():
        est.net_.module_.cell.A.fill_(3.0)  # every unit triples each step
    with pytest.warns(RuntimeWarning, match=r"the free run diverges: within 40 steps the "
                      r"forecasts reach [0-9.e+]+ in the model's scaled units"):
        est.forecast(X_test[0], 40)
    with pytest.warns(RuntimeWarning, match="forecasts reach non-finite values"):
        est.forecast(X_test[0], 2000)


def test_divergence_is_judged_relative_to_the_window_read(sine_windows):
    """Without scaling, a window of size 1e8 gives forecasts of about that size (the bias
    is negligible there and ReLUs scale): large values, but no divergence."""
    X, y, X_test, _ = sine_windows
    est = ALRNNForecaster(**FAST, scaling=None).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.abs(est.forecast(1e8 * X_test[0], 10)).max() > 1e6


def test_latent_states_can_continue_into_the_free_run(sine_windows):
    """The inspection hook returns the states behind forecast(): the observed unit is x."""
    X, y, X_test, _ = sine_windows
    est = ALRNNForecaster(**FAST).fit(X, y)
    states, valid = est._latent_states(X_test[:1], n_steps=4)
    assert states.shape == (1, 16 + 4, 6) and valid.all()
    observed = states[0, 16:, 0] * est.scale_[0] + est.mean_[0]
    np.testing.assert_allclose(observed, est.forecast(X_test[0], 4), rtol=0, atol=1e-12)


def test_covariates_change_the_forecast():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 2, 5), rng.randn(40, 2)
    est = ALRNNForecaster(**FAST).fit(X, y)
    X_other = X.copy()
    X_other[:, 1] += 1.0
    assert not np.allclose(est.predict(X), est.predict(X_other))


@pytest.mark.parametrize("X_shape, y_shape", [((40, 8), (40,)), ((40, 2, 8), (40, 3))])
def test_newest_first_windows_are_read_oldest_first(X_shape, y_shape):
    """A lag matrix (lag 1 first) gives exactly the model of the same windows in time order."""
    rng = np.random.RandomState(0)
    X, y = rng.randn(*X_shape), rng.randn(*y_shape)
    in_order = ALRNNForecaster(**FAST).fit(X, y)
    lags = ALRNNForecaster(**FAST, time_order="newest_first").fit(X[..., ::-1], y)
    np.testing.assert_array_equal(lags.predict(X[..., ::-1]), in_order.predict(X))
    assert not np.allclose(lags.predict(X), in_order.predict(X))


def test_refit_is_bitwise_reproducible(sine_windows):
    X, y, X_test, _ = sine_windows
    a = ALRNNForecaster(**FAST, noise=0.1).fit(X, y).predict(X_test)
    b = ALRNNForecaster(**FAST, noise=0.1).fit(X, y).predict(X_test)
    c = ALRNNForecaster(**{**FAST, "random_state": 1}, noise=0.1).fit(X, y).predict(X_test)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_n_init_keeps_the_fit_with_the_lowest_final_loss(sine_windows, nth_start):
    X, y, X_test, _ = sine_windows
    params = {**FAST, "max_epochs": 4, "lr": 0.01}
    alone = [ALRNNForecaster(**{**params, "random_state": nth_start(k, 1)}).fit(X, y)
             for k in range(3)]
    losses = [est.net_.history[-1, "train_loss"] for est in alone]
    assert np.argmin(losses) == 1  # neither the first start nor the last

    est = ALRNNForecaster(**{**params, "random_state": 1}, n_init=3).fit(X, y)
    assert est.net_.history[-1, "train_loss"] == min(losses)
    np.testing.assert_array_equal(est.predict(X_test), alone[1].predict(X_test))
    # The first start is the fit of n_init=1.
    one = ALRNNForecaster(**{**params, "random_state": 1}).fit(X, y)
    np.testing.assert_array_equal(one.predict(X_test), alone[0].predict(X_test))


def test_n_init_with_early_stopping_keeps_the_lowest_validation_loss(nth_start):
    t = np.arange(320)
    series = np.sin(0.3 * t) + 0.05 * np.random.RandomState(0).randn(320)
    series[250:] = 2 * np.sin(0.5 * t[250:])  # the validated tail behaves otherwise
    X, y = make_windows(series, window=16, horizon=4)
    params = {**FAST, "max_epochs": 4, "lr": 0.05, "early_stopping": True,
              "validation_fraction": 0.25}
    alone = [ALRNNForecaster(**{**params, "random_state": nth_start(k, 1)}).fit(X, y)
             for k in range(3)]
    valid = [min(est.net_.history[:, "valid_loss"]) for est in alone]
    train = [est.net_.history[-1, "train_loss"] for est in alone]
    assert np.argmin(valid) == 2 and np.argmin(train) == 0  # the two criteria disagree

    est = ALRNNForecaster(**{**params, "random_state": 1}, n_init=3).fit(X, y)
    np.testing.assert_array_equal(est.predict(X[-5:]), alone[2].predict(X[-5:]))


def test_warm_start_trains_on_from_the_fitted_weights(sine_windows):
    X, y, X_test, _ = sine_windows
    est = ALRNNForecaster(**FAST, warm_start=True).fit(X, y)
    before, mean = est.predict(X_test), est.mean_.copy()
    # A learning rate of 1e-12 leaves the weights: the fit carried them over, and the
    # scaling of the first fit stays, though the data moved.
    est.set_params(lr=1e-12, lr_final=None).fit(X + 5.0, y + 5.0)
    np.testing.assert_allclose(est.predict(X_test), before, atol=1e-6)
    np.testing.assert_array_equal(est.mean_, mean)
    fresh = clone(est).set_params(warm_start=False).fit(X, y)
    assert np.abs(fresh.predict(X_test) - before).max() > 1e-3
    # Another horizon is fine (train short, then long); other units are not.
    Xh, yh = make_windows(np.sin(0.3 * np.arange(120)), window=12, horizon=6)
    assert est.set_params(lr=1e-2).fit(Xh, yh).predict(Xh).shape == (len(Xh), 6)
    with pytest.raises(ValueError, match="ALRNNForecaster with warm_start=True continues "
                                         "training the fitted model, which has n_units=6; this "
                                         "fit needs n_units=7. Set warm_start=False"):
        est.set_params(n_units=7).fit(X, y)
    # A refused fit leaves the fitted model as it was, windows and all; its predictions
    # follow the scaling it was fitted with, not one set since.
    assert est.window_ == 12
    before = est.predict(Xh)
    with pytest.raises(ValueError, match="which read data with scaling='global'; this fit "
                                         "has scaling='window'"):
        est.set_params(n_units=6, scaling="window").fit(X, y)
    np.testing.assert_array_equal(est.predict(Xh), before)
    # A continuation that diverges at once falls back on the weights it started from.
    est.set_params(scaling="global")
    before = est.predict(Xh)
    with pytest.warns(ConvergenceWarning, match="diverged at epoch 1 .* restored the weights "
                                                 r"it started from \(warm_start\)"):
        est.set_params(lr=1e9, gradient_clip=None).fit(Xh, yh)
    np.testing.assert_array_equal(est.predict(Xh), before)


def test_final_loss_with_early_stopping_is_that_of_the_restored_epoch():
    """Not the lowest validation loss: skorch restores the epoch that improved by its
    threshold, which a later, slightly lower loss does not displace."""
    from types import SimpleNamespace

    from skorch.history import History

    history = History()
    for valid in (0.5, 0.3, 0.299, 0.4):
        history.new_epoch()
        history.record("train_loss", 0.1)
        history.record("valid_loss", valid)
    stopper = SimpleNamespace(best_epoch_=2)  # 0.299 missed the threshold
    net = SimpleNamespace(history=history, callbacks_=[("early_stopping", stopper)])
    assert ALRNNForecaster(early_stopping=True)._final_loss(net) == 0.3
    assert ALRNNForecaster()._final_loss(net) == 0.1


def test_n_init_gives_each_fit_its_own_callbacks():
    class Record(Callback):
        def initialize(self):
            self.last_loss_ = None
            return self

        def on_epoch_end(self, net, **kwargs):
            self.last_loss_ = net.history[-1, "train_loss"]

    X, y = np.random.RandomState(0).randn(40, 5), np.random.RandomState(1).randn(40)
    mine = Record()
    est = ALRNNForecaster(**FAST, n_init=3, callbacks=[("record", mine)]).fit(X, y)
    kept = dict(est.net_.callbacks_)["record"]
    assert kept is not mine and not hasattr(mine, "last_loss_")
    assert kept.last_loss_ == est.net_.history[-1, "train_loss"]


class PoisonFirstStarts(Callback):
    """Sets every weight to NaN after the first batch of the first ``n`` starts of a fit."""

    starts = 0  # a class attribute: each start works on its own copy of the callback

    def __init__(self, n):
        self.n = n

    def on_train_begin(self, net, **kwargs):
        type(self).starts += 1

    def on_batch_end(self, net, **kwargs):
        if type(self).starts <= self.n:
            with torch.no_grad():
                for p in net.module_.parameters():
                    p.fill_(np.nan)


def test_a_start_that_diverges_at_once_is_passed_over(sine_windows):
    X, y, X_test, _ = sine_windows
    PoisonFirstStarts.starts = 0
    est = ALRNNForecaster(**FAST, n_init=2, callbacks=[PoisonFirstStarts(1)]).fit(X, y)
    assert np.isfinite(est.predict(X_test)).all() and PoisonFirstStarts.starts == 2
    PoisonFirstStarts.starts = 0
    with pytest.raises(ValueError, match="ALRNNForecaster diverged in the first epoch"):
        ALRNNForecaster(**FAST, n_init=2, callbacks=[PoisonFirstStarts(2)]).fit(X, y)


def test_fit_leaves_global_torch_rng_alone(sine_windows):
    X, y, _, _ = sine_windows
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    ALRNNForecaster(**FAST).fit(X, y)
    assert torch.equal(torch.rand(1), expected)


def test_clone_and_pickle_round_trip(sine_windows):
    X, y, X_test, _ = sine_windows
    est = ALRNNForecaster(**FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X_test), est.predict(X_test))
    refit = clone(est).fit(X, y)
    np.testing.assert_array_equal(refit.predict(X_test), est.predict(X_test))


def test_grid_search_over_nonlinear_units_with_time_ordered_cv():
    horizon = 3
    series = np.sin(0.4 * np.arange(150)) + 0.1 * np.random.RandomState(0).randn(150)
    X, y = make_windows(series, window=10, horizon=horizon)
    cv = TimeSeriesSplit(n_splits=3, gap=horizon - 1)
    search = GridSearchCV(ALRNNForecaster(**FAST), {"n_nonlinear": [0, 1, 2]}, cv=cv)
    search.fit(X, y)
    means = search.cv_results_["mean_test_score"]
    assert search.best_params_["n_nonlinear"] == [0, 1, 2][int(np.argmax(means))]
    assert search.best_estimator_.n_nonlinear == search.best_params_["n_nonlinear"]
    scores = cross_val_score(ALRNNForecaster(**FAST), X, y, cv=cv)
    # Each fold: fit on the earlier windows, score on the later ones, horizon - 1 left out.
    by_hand = []
    for train, test in cv.split(X):
        assert train.max() + horizon - 1 < test.min()
        by_hand.append(ALRNNForecaster(**FAST).fit(X[train], y[train]).score(X[test], y[test]))
    np.testing.assert_array_equal(scores, by_hand)


def test_pipeline_with_sequence_scaler(sine_windows):
    X, y, X_test, y_test = sine_windows
    pipe = make_pipeline(SequenceScaler(), ALRNNForecaster(**FAST)).fit(X, y)
    assert pipe.predict(X_test).shape == y_test.shape


def test_dataframe_input_keeps_feature_names(sine_windows):
    X, y, _, _ = sine_windows
    frame = pd.DataFrame(X, columns=[f"lag_{i}" for i in range(X.shape[1], 0, -1)])
    est = ALRNNForecaster(**FAST).fit(frame, y)
    assert list(est.feature_names_in_) == list(frame.columns)
    on_numpy = ALRNNForecaster(**FAST).fit(X, y)
    np.testing.assert_array_equal(est.predict(frame), on_numpy.predict(X))


@pytest.mark.parametrize("scaling, level", [("global", 500), ("window", 500), (None, 0)])
def test_scaling_modes_undo_themselves(scaling, level):
    """Forecasts come back in the series' own units under every scaling."""
    series = level + 2 * np.sin(0.4 * np.arange(200))
    X, y = make_windows(series, window=12, horizon=2)
    est = ALRNNForecaster(n_units=6, n_nonlinear=1, max_epochs=15, scaling=scaling,
                          random_state=0, lr=3e-2, lr_final=None).fit(X, y)
    assert abs(est.predict(X).mean() - level) < 1
    assert est.score(X, y) > 0.99  # untrained (lr 1e-12): 0.51-0.64; persistence: 0.61


def test_scaling_in_closed_form():
    rng = np.random.RandomState(0)
    X, y = make_windows(50 + np.sin(0.3 * np.arange(120)) + 0.05 * rng.randn(120), 12, 3)
    # "global": a target channel's statistics are over its windows and y together.
    est = ALRNNForecaster(n_units=6, n_nonlinear=1, max_epochs=1, random_state=0).fit(X, 3 * y)
    both = np.concatenate([X.ravel(), 3 * y.ravel()])
    np.testing.assert_allclose([est.mean_[0], est.scale_[0]], [both.mean(), both.std()])
    # "window": each window is read around its own mean, so forecasts follow a shift.
    est = ALRNNForecaster(n_units=6, n_nonlinear=1, max_epochs=2, scaling="window",
                          random_state=0).fit(X, y)
    states, _ = est._latent_states(X[:3])
    np.testing.assert_allclose(states[..., 0], (X[:3] - X[:3].mean(axis=1, keepdims=True))
                               / est.scale_[0], atol=1e-12)
    np.testing.assert_allclose(est.predict(X + 100.0), est.predict(X) + 100.0, atol=1e-8)


def test_forecast_continues_a_pandas_index():
    index = pd.date_range("2000-01-01", periods=80, freq="MS", name="month")
    series = pd.Series(np.sin(0.5 * np.arange(80)), index=index, name="load")
    X, y = make_windows(series, window=12, horizon=3)
    est = ALRNNForecaster(**FAST).fit(X, y)
    out = est.forecast(series, steps=5)
    assert isinstance(out, pd.Series) and out.name == "load"
    assert list(out.index) == list(pd.date_range("2006-09-01", periods=5, freq="MS"))
    assert out.index.name == "month"
    # Numpy in, numpy out; the first steps equal predict() on the last window.
    last_window = series.to_numpy()[None, -12:]
    np.testing.assert_allclose(est.forecast(series.to_numpy(), 5)[:3], est.predict(last_window)[0])


def test_forecast_continues_integer_and_period_indexes():
    values = np.sin(0.3 * np.arange(40))
    est = ALRNNForecaster(**FAST).fit(*make_windows(values, window=12, horizon=3))
    years = pd.Series(values, index=pd.Index(np.arange(1900, 1980, 2)))
    assert est.forecast(years, 3).index.tolist() == [1980, 1982, 1984]
    months = pd.Series(values, index=pd.period_range("2000-01", periods=40, freq="M"))
    assert est.forecast(months, 2).index.equals(pd.period_range("2003-05", periods=2, freq="M"))
    with pytest.raises(ValueError, match="cannot continue an index of type Index that is not "
                                         "evenly spaced"):
        est.forecast(pd.Series(values, index=np.r_[0:39, 50]), 2)
    gappy = pd.DatetimeIndex(pd.date_range("2000-01", periods=41, freq="MS").delete(20))
    with pytest.raises(ValueError, match="cannot continue the series' DatetimeIndex: it has no "
                                         r"regular frequency. Set one \(series.asfreq"):
        est.forecast(pd.Series(values, index=gappy), 2)


def test_forecast_multichannel_dataframe_returns_target_columns():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.randn(60, 2), columns=["y", "temp"])
    X, y = make_windows(frame, window=8, horizon=2, n_targets=1)
    est = ALRNNForecaster(**FAST).fit(X, y)
    out = est.forecast(frame, steps=4)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["y"]
    assert list(out.index) == [60, 61, 62, 63]


def test_early_stopping_validates_on_the_last_windows(sine_windows):
    X, y, _, _ = sine_windows
    est = ALRNNForecaster(**{**FAST, "max_epochs": 5}, early_stopping=True,
                          validation_fraction=0.2).fit(X, y)
    train, valid = est.net_.get_split_datasets(est._scale(X[:, None], est._offset(X[:, None])), y)
    assert list(valid.indices) == list(range(176, 220))
    # Training stops 3 (horizon - 1) windows short: window 172's targets are steps
    # 188..191 of the series, window 176's first one is 192.
    assert list(train.indices) == list(range(173))


# Of 20 windows 2 are validated; before them, those whose 4 targets overlap theirs wait:
# at stride 2 only window 17 (targets at 50..53; window 18's start at 52, 16's end at 51).
@pytest.mark.parametrize("stride, n_train", [(1, 15), (2, 17), (4, 18)])
def test_early_stopping_leaves_out_only_windows_whose_targets_overlap(stride, n_train):
    series = np.sin(0.3 * np.arange(400))
    X, y = make_windows(series, window=16, horizon=4, stride=stride)
    X, y = X[:20], y[:20]
    est = ALRNNForecaster(**{**FAST, "max_epochs": 1}, early_stopping=True).fit(X, y)
    train, valid = est.net_.get_split_datasets(est._scale(X[:, None], est._offset(X[:, None])), y)
    assert list(valid.indices) == [18, 19]
    assert list(train.indices) == list(range(n_train))
    assert "valid_loss" in est.net_.history[-1]


def test_user_callbacks_run():
    class Count(Callback):
        def initialize(self):
            self.epochs_ = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs_ += 1

    X, y = np.random.randn(20, 5), np.random.randn(20)
    est = ALRNNForecaster(**FAST, callbacks=[("count", Count())]).fit(X, y)
    assert dict(est.net_.callbacks_)["count"].epochs_ == 3


def test_quiet_unless_verbose(capsys):
    X, y = np.random.randn(20, 5), np.random.randn(20)
    ALRNNForecaster(**FAST, early_stopping=True, n_iter_no_change=1).fit(X, y)
    assert capsys.readouterr().out == ""
    ALRNNForecaster(**FAST, verbose=1).fit(X, y)
    assert "train_loss" in capsys.readouterr().out
    ALRNNForecaster(**FAST, n_init=2).fit(X, y)
    assert capsys.readouterr().out == ""
    est = ALRNNForecaster(**FAST, n_init=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    kept = est.net_.history[-1, "train_loss"]
    assert "start 1 of 2: final loss" in out and "start 2 of 2: final loss" in out
    assert f"final loss {kept:.4g}" in out and re.search(r"kept start [12] of 2", out)


def test_divergence_never_returns_nan_silently(sine_windows):
    X, y, X_test, _ = sine_windows
    est = ALRNNForecaster(n_units=8, n_nonlinear=2, max_epochs=30, lr=1e6, lr_final=None,
                          random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X, y)
        except ValueError as exc:
            assert "diverged in the first epoch" in str(exc) and "Lower lr" in str(exc)
            return
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert any("diverged at epoch" in m and "restored" in m for m in messages)
    assert np.isfinite(est.predict(X_test)).all()


def test_divergence_after_good_epochs_restores_and_warns(sine_windows):
    """Blow the weights up from epoch 3 on: the fit keeps epoch 2's weights."""

    class Sabotage(Callback):
        def on_batch_end(self, net, **kwargs):
            if len(net.history) >= 3:
                poison(net)

    X, y, X_test, _ = sine_windows
    est = ALRNNForecaster(**{**FAST, "max_epochs": 10}, callbacks=[Sabotage()])
    with pytest.warns(ConvergenceWarning, match=r"diverged at epoch 3 .* weights of epoch 2"):
        est.fit(X, y)
    assert len(est.net_.history) == 3
    assert np.isfinite(est.predict(X_test)).all()


@pytest.mark.parametrize("sabotaged, n_warnings", [({1}, 0), ({1, 2}, 1)])
def test_n_init_reports_only_the_kept_fits_warnings(sine_windows, sabotaged, n_warnings):
    """Blow up the weights of some starts: only the kept fit's divergence warning
    reaches the user."""

    class Sabotage(PerStart):
        def on_batch_end(self, net, **kwargs):
            if self.start_ in sabotaged and len(net.history) >= 3:
                poison(net)

    X, y, X_test, _ = sine_windows
    est = ALRNNForecaster(**{**FAST, "max_epochs": 5}, n_init=2, callbacks=[Sabotage()])
    caught = fit_recording_warnings(est, X, y)
    diverged = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(diverged) == n_warnings
    # A start that never diverged wins over one stopped on a NaN loss.
    assert len(est.net_.history) == (3 if n_warnings else 5)
    assert np.isfinite(est.predict(X_test)).all()


def test_n_init_leaves_other_threads_warnings_alone(sine_windows):
    """A warning raised in another thread while a start that is not kept trains
    still reaches the user: n_init must not swap out the process-wide warning
    machinery (warnings.catch_warnings), which threads share."""

    class WarnFromAThread(PerStart):
        def on_epoch_begin(self, net, **kwargs):
            if self.start_ == 1 and len(net.history) == 1:
                thread = threading.Thread(target=warnings.warn, args=("elsewhere",))
                thread.start()
                thread.join()

        def on_batch_end(self, net, **kwargs):
            if self.start_ == 1 and len(net.history) >= 2:  # start 1 diverges: not kept
                poison(net)

    X, y, _, _ = sine_windows
    est = ALRNNForecaster(**{**FAST, "max_epochs": 4}, n_init=2, callbacks=[WarnFromAThread()])
    caught = fit_recording_warnings(est, X, y)
    assert len(est.net_.history) == 4  # start 2 was kept
    assert [str(w.message) for w in caught] == ["elsewhere"]


def test_divergence_warning_points_at_the_callers_fit(sine_windows):
    class Sabotage(Callback):
        def on_batch_end(self, net, **kwargs):
            if len(net.history) >= 2:
                poison(net)

    X, y, _, _ = sine_windows
    for n_init in (1, 2):
        est = ALRNNForecaster(**FAST, n_init=n_init, callbacks=[Sabotage()])
        with pytest.warns(ConvergenceWarning, match="diverged at epoch 2") as record:
            est.fit(X, y)
        assert [w.filename for w in record] == [__file__]


def test_divergence_through_huge_finite_losses_restores_the_best_epoch(sine_windows):
    """Weights that overflow pass through finite but useless ones: a loss a million
    times the best counts as diverged, and the lowest-loss epoch's weights come back."""

    class Explode(Callback):
        def on_batch_end(self, net, **kwargs):
            if len(net.history) >= 3:
                with torch.no_grad():
                    net.module_.cell.W.mul_(1e3)

    X, y, X_test, _ = sine_windows
    constant_lr = {**FAST, "lr_final": None}  # epoch 2 then does not depend on max_epochs
    reference = ALRNNForecaster(**{**constant_lr, "max_epochs": 2}).fit(X, y)
    est = ALRNNForecaster(**{**constant_lr, "max_epochs": 10}, callbacks=[Explode()])
    with pytest.warns(ConvergenceWarning, match=r"restored the weights of epoch 2, the lowest"):
        est.fit(X, y)
    assert len(est.net_.history) < 10
    np.testing.assert_array_equal(est.predict(X_test), reference.predict(X_test))


# -- bad input ---------------------------------------------------------------------

X_OK, Y_OK = np.random.RandomState(0).randn(10, 6), np.random.RandomState(1).randn(10, 2)


@pytest.mark.parametrize(
    "params, X, y, match",
    [
        ({"n_nonlinear": 7}, X_OK, Y_OK,
         r"The 'n_nonlinear' parameter of ALRNNForecaster must be <= n_units=6. Got 7"),
        ({"n_units": 4, "n_nonlinear": 2}, np.zeros((10, 3, 6)), Y_OK,
         r"ALRNNForecaster reads its 3 observed channel\(s\) from linear latent units, so "
         r"n_units - n_nonlinear must be >= 3. Got n_units=4, n_nonlinear=2"),
        ({"n_nonlinear": -1}, X_OK, Y_OK,
         r"The 'n_nonlinear' parameter of ALRNNForecaster must be an int in the range "
         r"\[0, inf\). Got -1 instead"),
        ({"device": "tpu"}, X_OK, Y_OK,
         r"The 'device' parameter of ALRNNForecaster must be a torch device string .* "
         r"Got 'tpu' instead"),
        ({}, np.where(X_OK > 1, np.nan, X_OK), Y_OK, "Input X contains NaN"),
        ({}, np.where(X_OK > 1, np.inf, X_OK), Y_OK, "Input X contains infinity"),
        ({}, X_OK, np.where(Y_OK > 1, np.nan, Y_OK), "Input y contains NaN"),
        ({}, X_OK[0], Y_OK,
         r"ALRNNForecaster expects X of shape \(n_windows, window\) or \(n_windows, "
         r"n_channels, window\). Got X of shape \(6,\) instead"),
        ({}, np.zeros((10, 1, 2, 6)), Y_OK, r"Got X of shape \(10, 1, 2, 6\) instead"),
        ({}, X_OK, Y_OK[:7],
         "ALRNNForecaster: X and y must hold the same number of windows. Got 10 in X and 7"),
        ({}, X_OK, np.zeros((10, 2, 3)),
         "ALRNNForecaster: y has 2 target channels, but X has only 1"),
        ({}, X_OK, None, "requires y to be passed, but the target y is None"),
        ({}, np.zeros((0, 6)), np.zeros((0, 2)), "Found array with 0 sample"),
        ({"init": "zeros"}, X_OK, Y_OK,
         r"The 'init' parameter of ALRNNForecaster must be a str among \{.*\}. Got 'zeros'"),
        ({"n_init": 0}, X_OK, Y_OK,
         r"The 'n_init' parameter of ALRNNForecaster must be an int in the range "
         r"\[1, inf\). Got 0 instead"),
        ({"forcing_interval": 0}, X_OK, Y_OK,
         r"The 'forcing_interval' parameter of ALRNNForecaster must be an int in the range "
         r"\[1, inf\) or None. Got 0 instead"),
    ],
)
def test_fit_rejects_bad_input_with_clear_messages(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        ALRNNForecaster(**{**FAST, **params}).fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only message")
def test_cuda_requested_without_cuda():
    with pytest.raises(ValueError, match="'device' parameter of ALRNNForecaster is 'cuda', but "
                                         "CUDA is not available"):
        ALRNNForecaster(**FAST, device="cuda").fit(X_OK, Y_OK)


def test_cuda_device_past_the_last_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"'device' parameter of ALRNNForecaster is 'cuda:3', but "
                                         r"this machine has 1 CUDA device\(s\), numbered from 0"):
        ALRNNForecaster(**FAST, device="cuda:3").fit(X_OK, Y_OK)


def test_device_may_be_a_torch_device():
    a = ALRNNForecaster(**FAST, device=torch.device("cpu")).fit(X_OK, Y_OK)
    b = ALRNNForecaster(**FAST).fit(X_OK, Y_OK)
    np.testing.assert_array_equal(a.predict(X_OK), b.predict(X_OK))
    assert clone(a).device == torch.device("cpu")


def test_predict_and_forecast_reject_bad_input():
    est = ALRNNForecaster(**FAST)
    with pytest.raises(NotFittedError):
        est.predict(X_OK)
    est.fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match="X has 5 features, but ALRNNForecaster is expecting 6"):
        est.predict(X_OK[:, :5])
    np.testing.assert_array_equal(est.predict(X_OK[:, None]), est.predict(X_OK))  # 1 channel
    with pytest.raises(ValueError, match="ALRNNForecaster was fitted on 2-D X; got 3-D X"):
        est.predict(np.stack([X_OK, X_OK], axis=1))
    with pytest.raises(ValueError, match=r"forecast: series has 4 time points, but the model "
                                         r"reads windows of window_=6; pass at least 6"):
        est.forecast(np.zeros(4), steps=2)
    with pytest.raises(ValueError, match="'steps' parameter of ALRNNForecaster.forecast must be an "
                                         "int in the range"):
        est.forecast(np.zeros(10), steps=0)
    with pytest.raises(ValueError, match="forecast: series has 2 channel"):
        est.forecast(np.zeros((10, 2)), steps=1)


def test_predict_rejects_other_window_length_in_3d():
    X = np.random.randn(20, 2, 6)
    est = ALRNNForecaster(**FAST).fit(X, np.random.randn(20))
    with pytest.raises(ValueError, match="fitted on windows of length 6; got windows of "
                                         "length 4. Use forecast"):
        est.predict(X[..., :4])
    with pytest.raises(ValueError, match=r"X has 3 channel\(s\), but ALRNNForecaster was fitted "
                                         "with 2"):
        est.predict(np.zeros((2, 3, 6)))


class _Recorder(Callback):
    """Each epoch's learning rate and each step's gradient norm, as the optimiser sees them."""

    def initialize(self):
        self.lrs, self.norms = [], []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.lrs.append(net.optimizer_.param_groups[0]["lr"])

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [p.grad.norm() for _, p in named_parameters if p.grad is not None]
        self.norms.append(float(torch.stack(grads).norm()))


def test_training_engine_is_skorch_with_radam_decay_and_clipping():
    recorder = _Recorder()
    est = ALRNNForecaster(**{**FAST, "max_epochs": 4}, lr=1e-2, lr_final=1e-4, gradient_clip=1e-3,
                          callbacks=[("recorder", recorder)]).fit(X_OK, Y_OK)
    assert not isinstance(est, NeuralNet) and isinstance(est.net_, NeuralNet)
    assert isinstance(est.net_.optimizer_, torch.optim.RAdam)
    assert len(est.net_.history_) == 4 and est.net_.module_ is not None
    # Exponential decay per epoch from lr, reaching lr_final after the last epoch.
    recorder = dict(est.net_.callbacks_)["recorder"]
    np.testing.assert_allclose(recorder.lrs, 1e-2 * 0.01 ** (np.arange(4) / 4))
    assert est.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-4)
    # Every step's gradient reaches the optimiser clipped (callbacks run in order).
    assert max(recorder.norms) <= 1e-3 * (1 + 1e-5)

    constant = ALRNNForecaster(**FAST, lr_final=None).fit(X_OK, Y_OK)
    assert constant.net_.optimizer_.param_groups[0]["lr"] == constant.lr
