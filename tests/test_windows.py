"""make_windows and SequenceScaler."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.pipeline import make_pipeline

from sklearn_alrnn import ALRNNClassifier, SequenceScaler, make_windows
from sklearn_alrnn._windows import target_overlap


def test_windows_of_a_series_are_views_in_time_order():
    series = np.arange(20.0)
    X, y = make_windows(series, window=5, horizon=3, stride=2)
    assert X.shape == (7, 5) and y.shape == (7, 3)
    np.testing.assert_array_equal(X[2], [4, 5, 6, 7, 8])
    np.testing.assert_array_equal(y[2], [9, 10, 11])
    assert np.shares_memory(X, series) and np.shares_memory(y, series)
    assert not X.flags.writeable


def test_multichannel_windows_and_targets():
    series = np.arange(30.0).reshape(10, 3)  # 10 steps, 3 channels
    X, y = make_windows(series, window=4, horizon=2, n_targets=1)
    assert X.shape == (5, 3, 4) and y.shape == (5, 1, 2)
    np.testing.assert_array_equal(X[0, 1], [1, 4, 7, 10])
    np.testing.assert_array_equal(y[0, 0], [12, 15])
    assert make_windows(series, 4, 2)[1].shape == (5, 3, 2)


def test_pandas_input_is_not_copied():
    frame = pd.DataFrame({"a": np.arange(12.0), "b": np.arange(12.0) * 2})
    X, _ = make_windows(frame, window=3, horizon=1)
    assert X.shape == (9, 2, 3)
    X, _ = make_windows(frame["a"], window=3, horizon=1)
    assert np.shares_memory(X, frame["a"].to_numpy())


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"window": 0, "horizon": 1}, ValueError, r"The 'window' parameter of make_windows "
                                                  r"must be an int in the range \[1, inf\). "
                                                  r"Got 0 instead\.$"),
        ({"window": 2, "horizon": 0}, ValueError, r"The 'horizon' parameter of make_windows "
                                                  r"must be .* Got 0 instead\.$"),
        ({"window": 2, "horizon": 1, "stride": 1.5}, ValueError,
         r"The 'stride' parameter of make_windows must be .* Got 1\.5 instead\.$"),
        ({"window": 8, "horizon": 3}, ValueError, r"series has 10 time points, but window \+ "
                                                  r"horizon = 8 \+ 3 = 11 are needed"),
    ],
)
def test_make_windows_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_windows(np.arange(10.0), **kwargs)


def test_make_windows_rejects_bad_series():
    with pytest.raises(ValueError, match="Input series contains NaN. make_windows does not"):
        make_windows(np.array([1.0, np.nan, 2.0, 3.0]), 2, 1)
    with pytest.raises(ValueError, match=r"must be 1-D .* Got an array of shape \(2, 2, 2\)"):
        make_windows(np.zeros((2, 2, 2)), 1, 1)
    with pytest.raises(ValueError, match="make_windows expects real-valued series. Got dtype "
                                         "complex128"):
        make_windows(np.ones(5, dtype=complex), 2, 1)
    with pytest.raises(ValueError, match="n_targets must be <= the number of channels"):
        make_windows(np.zeros((10, 2)), 2, 1, n_targets=3)


def test_sequence_scaler_standardises_each_channel_and_inverts():
    rng = np.random.RandomState(0)
    X = rng.randn(8, 2, 30) * np.array([1.0, 50.0])[:, None] + np.array([0.0, 7.0])[:, None]
    scaler = SequenceScaler().fit(X)
    Xt = scaler.transform(X)
    np.testing.assert_allclose(Xt.mean(axis=(0, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(Xt.std(axis=(0, 2)), 1, atol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(Xt), X)


def test_sequence_scaler_ignores_and_keeps_padding():
    X = np.array([[[1.0, 3.0, np.nan]], [[5.0, 7.0, 9.0]]])
    Xt = SequenceScaler().fit_transform(X)
    assert np.isnan(Xt[0, 0, 2]) and np.isfinite(Xt[1]).all()
    np.testing.assert_allclose(np.nanmean(Xt), 0, atol=1e-12)


def test_sequence_scaler_keeps_the_shape_it_is_given():
    X = np.random.RandomState(0).randn(4, 1, 6)
    scaler = SequenceScaler().fit(X)  # 3-D: any length, and 2-D X is one channel
    np.testing.assert_allclose(scaler.transform(X[:, 0, :3]), scaler.transform(X)[:, 0, :3])
    flat = SequenceScaler().fit(X[:, 0])  # 2-D: (n, 1, T) reads as (n, T)
    np.testing.assert_allclose(flat.transform(X), scaler.transform(X))
    with pytest.raises(ValueError, match="X has 3 features, but SequenceScaler is expecting 6 "
                                         "features as input. Fitted on 2-D X"):
        flat.transform(X[:, 0, :3])


def test_sequence_scaler_pandas_output_is_for_2d_data():
    X = np.random.RandomState(0).randn(6, 2, 5)
    y = np.arange(6) % 2
    with sklearn.config_context(transform_output="pandas"):  # a DataFrame holds no 3-D X
        out = SequenceScaler().fit_transform(X)
        assert isinstance(out, np.ndarray) and out.shape == X.shape
        clf = ALRNNClassifier(n_units=4, n_nonlinear=1, max_epochs=1)
        assert make_pipeline(SequenceScaler(), clf).fit(X, y).predict(X).shape == (6,)
    frame = pd.DataFrame(X[:, 0], columns=list("abcde"), index=range(10, 16))
    out = SequenceScaler().set_output(transform="pandas").fit(frame).transform(frame)
    assert list(out.columns) == list("abcde") and list(out.index) == list(range(10, 16))
    np.testing.assert_allclose(out.to_numpy(), SequenceScaler().fit_transform(X[:, 0]))


@pytest.mark.parametrize("horizon, stride, overlap", [(4, 1, 3), (4, 2, 1), (5, 3, 1),
                                                     (6, 4, 1), (3, 3, 0), (3, 5, 0)])
def test_target_overlap_counts_the_windows_a_split_must_leave_out(horizon, stride, overlap):
    series = np.sin(np.arange(200.0))
    _, y = make_windows(series, window=6, horizon=horizon, stride=stride)
    y3 = y[:, None]
    assert target_overlap(y3) == overlap
    # The targets of windows overlap windows apart share no time step.
    assert not set(y3[0].ravel()) & set(y3[overlap + 1].ravel())
    # A series that starts flat has equal first windows, which are no evidence.
    _, y_flat = make_windows(np.r_[np.zeros(20), series], 6, horizon, stride=stride)
    assert target_overlap(y_flat[:, None]) == overlap


def test_sequence_scaler_pandas_output_keeps_a_one_channel_fit_numpy():
    X = np.random.RandomState(0).randn(6, 1, 5)
    scaler = SequenceScaler().set_output(transform="pandas").fit(X)  # 1 channel, 5 steps
    assert isinstance(scaler.transform(X[:, 0]), np.ndarray)


def test_sequence_scaler_with_mean_and_with_std_off():
    X = np.random.RandomState(0).randn(5, 2, 7) * 3 + 4
    mean, std = X.mean(axis=(0, 2))[:, None], X.std(axis=(0, 2))[:, None]
    np.testing.assert_allclose(SequenceScaler(with_std=False).fit_transform(X), X - mean)
    np.testing.assert_allclose(SequenceScaler(with_mean=False).fit_transform(X), X / std)


def test_sequence_scaler_rejects_other_channel_count():
    scaler = SequenceScaler().fit(np.zeros((3, 2, 5)))
    with pytest.raises(ValueError, match="X has 3 features, but SequenceScaler is expecting 2"):
        scaler.transform(np.zeros((3, 3, 5)))
