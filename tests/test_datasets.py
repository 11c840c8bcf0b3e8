import socket

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

import sklearn_alrnn.datasets as datasets
from sklearn_alrnn.datasets import (
    load_airline,
    load_sunspots,
    make_addition_problem,
    make_linear_ar,
    make_lorenz63,
    make_rossler,
    make_sequence_classification,
    make_switching_linear,
)

# Small calls of every generator: (function, keyword arguments, expected output shapes).
GENERATOR_CASES = [
    (make_lorenz63, {"n_timepoints": 200, "burn_in": 100}, [(200, 3)]),
    (make_rossler, {"n_timepoints": 200, "burn_in": 100}, [(200, 3)]),
    (make_switching_linear, {"n_timepoints": 200}, [(200,)]),
    (make_switching_linear, {"n_timepoints": 200, "return_regimes": True}, [(200,), (200,)]),
    (make_linear_ar, {"n_timepoints": 200}, [(200,)]),
    (make_addition_problem, {"n_cases": 20, "n_timepoints": 10}, [(20, 2, 10), (20,)]),
    (
        make_sequence_classification,
        {"n_cases": 20, "n_timepoints": 15, "n_channels": 2, "n_classes": 3},
        [(20, 2, 15), (20,)],
    ),
]
GENERATOR_IDS = [
    f"{func.__name__}-{'-'.join(map(str, kwargs.values()))}"
    for func, kwargs, _ in GENERATOR_CASES
]


def _as_tuple(output):
    return output if isinstance(output, tuple) else (output,)


def _ar_residual_rms(x, regimes=None):
    """RMS residual of least-squares AR(2) fits with intercept, one per regime."""
    target = x[2:]
    design = np.column_stack([np.ones(len(target)), x[1:-1], x[:-2]])
    groups = np.zeros(len(target), dtype=int) if regimes is None else regimes[2:]
    residuals = np.empty_like(target)
    for group in np.unique(groups):
        rows = groups == group
        coefs, *_ = np.linalg.lstsq(design[rows], target[rows], rcond=None)
        residuals[rows] = target[rows] - design[rows] @ coefs
    return np.sqrt(np.mean(residuals**2))


def _autocorrelation_features(X):
    centred = X - X.mean(axis=-1, keepdims=True)
    variance = (centred**2).mean(axis=-1)
    lags = [
        (centred[..., lag:] * centred[..., :-lag]).mean(axis=-1) / variance
        for lag in (1, 2, 3)
    ]
    return np.concatenate(lags, axis=1)


def test_all_is_sorted_and_importable():
    assert datasets.__all__ == sorted(datasets.__all__)
    for name in datasets.__all__:
        assert callable(getattr(datasets, name))


@pytest.mark.parametrize("func, kwargs, shapes", GENERATOR_CASES, ids=GENERATOR_IDS)
def test_generator_shapes_and_dtypes(func, kwargs, shapes):
    outputs = _as_tuple(func(**kwargs, random_state=0))
    assert [out.shape for out in outputs] == shapes
    assert outputs[0].dtype == np.float64
    assert np.all(np.isfinite(outputs[0]))


@pytest.mark.parametrize("func, kwargs, shapes", GENERATOR_CASES, ids=GENERATOR_IDS)
def test_generator_is_deterministic_for_an_int_seed(func, kwargs, shapes):
    first = _as_tuple(func(**kwargs, random_state=7))
    again = _as_tuple(func(**kwargs, random_state=7))
    other = _as_tuple(func(**kwargs, random_state=8))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("func, kwargs, shapes", GENERATOR_CASES, ids=GENERATOR_IDS)
def test_generator_accepts_generators_and_random_states(func, kwargs, shapes):
    from_generator = _as_tuple(func(**kwargs, random_state=np.random.default_rng(3)))
    again = _as_tuple(func(**kwargs, random_state=np.random.default_rng(3)))
    np.testing.assert_array_equal(from_generator[0], again[0])

    from_random_state = _as_tuple(func(**kwargs, random_state=np.random.RandomState(3)))
    again = _as_tuple(func(**kwargs, random_state=np.random.RandomState(3)))
    np.testing.assert_array_equal(from_random_state[0], again[0])

    np.random.seed(3)
    from_global = _as_tuple(func(**kwargs, random_state=None))
    np.random.seed(3)
    again = _as_tuple(func(**kwargs, random_state=None))
    np.testing.assert_array_equal(from_global[0], again[0])


def test_shared_generator_advances_between_calls():
    rng = np.random.default_rng(0)
    first = make_linear_ar(50, random_state=rng)
    second = make_linear_ar(50, random_state=rng)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"n_timepoints": 0},
            ValueError,
            r"The 'n_timepoints' parameter of make_lorenz63 must be an int in the range "
            r"\[1, inf\)\. Got 0 instead\.",
        ),
        (
            {"n_timepoints": 10.0},
            TypeError,
            r"The 'n_timepoints' parameter of make_lorenz63 must be an int .* Got 10\.0",
        ),
        (
            {"dt": 0.0},
            ValueError,
            r"The 'dt' parameter of make_lorenz63 must be a float in the range "
            r"\(0\.0, inf\)\. Got 0\.0 instead\.",
        ),
        ({"noise": -0.1}, ValueError, r"'noise' parameter .* \[0\.0, inf\)"),
        ({"burn_in": -1}, ValueError, r"'burn_in' parameter .* \[0, inf\)"),
        ({"rho": float("nan")}, ValueError, r"'rho' parameter of make_lorenz63"),
        ({"random_state": "seed"}, TypeError, r"'random_state' parameter of make_lorenz63"),
        ({"random_state": -1}, ValueError, r"must be a non-negative int\. Got -1"),
    ],
)
def test_lorenz63_rejects_bad_parameters(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_lorenz63(**kwargs)


def test_lorenz63_stays_on_the_attractor():
    X = make_lorenz63(5000, random_state=0)
    assert np.abs(X[:, 0]).max() < 25
    assert np.abs(X[:, 1]).max() < 30
    assert 0 < X[:, 2].min() and X[:, 2].max() < 55
    # Chaotic, not stuck: both wings (signs of x) are visited.
    assert 0.2 < np.mean(X[:, 0] > 0) < 0.8


def test_lorenz63_integration_is_fourth_order():
    # One time unit from the same initial condition at dt, dt/2 and dt/4: the error of a
    # fourth-order scheme falls by 2**4 = 16 each time the step is halved.
    steps = (0.01, 0.005, 0.0025)
    runs = [
        make_lorenz63(int(round(1.0 / dt)) + 1, dt=dt, burn_in=0, random_state=0)
        for dt in steps
    ]
    coarse_error = np.abs(runs[0] - runs[1][::2]).max()
    fine_error = np.abs(runs[1] - runs[2][::2]).max()
    assert coarse_error < 1e-3
    assert 12 < coarse_error / fine_error < 20


def test_lorenz63_burn_in_drops_the_initial_steps():
    full = make_lorenz63(150, burn_in=0, random_state=0)
    tail = make_lorenz63(100, burn_in=50, random_state=0)
    np.testing.assert_allclose(tail, full[50:], rtol=0, atol=0)


def test_lorenz63_noise_is_relative_to_each_channel_std():
    clean = make_lorenz63(4000, random_state=0)
    noisy = make_lorenz63(4000, noise=0.1, random_state=0)
    ratio = (noisy - clean).std(axis=0) / clean.std(axis=0)
    np.testing.assert_allclose(ratio, 0.1, rtol=0.1)


def test_diverging_integration_raises():
    with pytest.raises(ValueError, match=r"make_lorenz63: the trajectory diverged .* 'dt'"):
        make_lorenz63(100, dt=0.5, random_state=0)


def test_rossler_stays_on_the_attractor():
    X = make_rossler(5000, random_state=0)
    assert np.abs(X[:, :2]).max() < 15
    assert 0 < X[:, 2].min() and X[:, 2].max() < 30


def test_switching_linear_regimes_follow_the_sign_of_the_previous_value():
    x, regimes = make_switching_linear(500, random_state=0, return_regimes=True)
    assert regimes.dtype == np.int64
    np.testing.assert_array_equal(regimes[1:], (x[:-1] > 0).astype(np.int64))


def test_switching_linear_visits_both_regimes_often():
    _, regimes = make_switching_linear(1000, random_state=0, return_regimes=True)
    assert 0.3 < regimes.mean() < 0.7
    assert np.mean(np.diff(regimes) != 0) > 0.2


@pytest.mark.parametrize("noise", [0.1, 0.3])
def test_switching_linear_is_clearly_nonlinear(noise):
    x, regimes = make_switching_linear(1000, noise=noise, random_state=0, return_regimes=True)
    assert _ar_residual_rms(x, regimes) <= 0.7 * _ar_residual_rms(x)


def test_linear_ar_recovers_its_coefficients():
    x = make_linear_ar(20_000, random_state=0)
    design = np.column_stack([x[1:-1], x[:-2]])
    coefs, *_ = np.linalg.lstsq(design, x[2:], rcond=None)
    np.testing.assert_allclose(coefs, [1.5, -0.75], atol=0.02)
    assert abs(x.mean()) < 0.2


def test_linear_ar_default_oscillates_with_period_12():
    x = make_linear_ar(4800, random_state=0)
    power = np.abs(np.fft.rfft(x)) ** 2
    frequencies = np.fft.rfftfreq(len(x))
    smoothed = np.convolve(power, np.ones(25) / 25, mode="same")
    assert abs(1 / frequencies[np.argmax(smoothed)] - 12) < 1.5


def test_linear_ar_noise_scales_the_series():
    x = make_linear_ar(200, noise=1.0, random_state=0)
    np.testing.assert_allclose(make_linear_ar(200, noise=2.0, random_state=0), 2.0 * x)


@pytest.mark.parametrize("coefs", [(1.0,), (1.2, 0.1), (0.0, 1.0), (1.5, -0.75, 0.5)])
def test_linear_ar_rejects_nonstationary_coefs(coefs):
    with pytest.raises(
        ValueError,
        match=r"The 'coefs' parameter of make_linear_ar must describe a stationary process",
    ):
        make_linear_ar(coefs=coefs)


@pytest.mark.parametrize("coefs", [(), [[0.5]], "ab", (0.5, float("nan"))])
def test_linear_ar_rejects_malformed_coefs(coefs):
    with pytest.raises(ValueError, match=r"The 'coefs' parameter of make_linear_ar must"):
        make_linear_ar(coefs=coefs)


def test_linear_ar_accepts_higher_orders():
    x = make_linear_ar(100, coefs=[0.5, 0.0, 0.2], random_state=0)
    assert x.shape == (100,)


def test_addition_problem_targets_sum_the_marked_values():
    X, y = make_addition_problem(n_cases=300, n_timepoints=21, random_state=0)
    values, markers = X[:, 0], X[:, 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) == {0.0, 1.0}
    np.testing.assert_array_equal(markers[:, :10].sum(axis=1), 1.0)
    np.testing.assert_array_equal(markers[:, 10:].sum(axis=1), 1.0)
    np.testing.assert_allclose(y, (values * markers).sum(axis=1))


def test_addition_problem_needs_two_time_points():
    with pytest.raises(ValueError, match=r"'n_timepoints' parameter of make_addition_problem"):
        make_addition_problem(n_timepoints=1)


@pytest.mark.parametrize("n_cases, n_classes", [(200, 2), (100, 3), (7, 3)])
def test_sequence_classification_is_balanced(n_cases, n_classes):
    _, y = make_sequence_classification(
        n_cases=n_cases, n_timepoints=10, n_classes=n_classes, random_state=0
    )
    assert y.dtype == np.int64
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes
    assert counts.max() - counts.min() <= 1


def test_sequence_classification_classes_share_mean_and_variance():
    X, y = make_sequence_classification(n_cases=400, n_timepoints=100, random_state=0)
    for label in (0, 1):
        members = X[y == label]
        assert abs(members.mean()) < 0.05
        # Unit-variance signal plus noise of standard deviation 0.5.
        np.testing.assert_allclose(members.var(), 1.25, rtol=0.05)


def test_sequence_classification_needs_the_dynamics():
    X, y = make_sequence_classification(n_cases=400, random_state=0)
    train, test = slice(0, 200), slice(200, 400)
    flat = X.reshape(len(X), -1)
    nearest = KNeighborsClassifier(n_neighbors=1).fit(flat[train], y[train])
    assert nearest.score(flat[test], y[test]) < 0.85
    # Evidence accumulated over the whole sequence separates the classes.
    features = _autocorrelation_features(X)
    dynamics = LogisticRegression().fit(features[train], y[train])
    assert dynamics.score(features[test], y[test]) > 0.95


def test_sequence_classification_needs_enough_cases():
    with pytest.raises(
        ValueError,
        match=r"The 'n_cases' parameter of make_sequence_classification must be an int in "
        r"the range \[3, inf\)\. Got 2 instead\.",
    ):
        make_sequence_classification(n_cases=2, n_classes=3)


def test_load_airline():
    y = load_airline()
    assert isinstance(y, pd.Series)
    assert y.name == "passengers"
    assert y.dtype == np.float64
    assert len(y) == 144
    assert y.iloc[:5].tolist() == [112.0, 118.0, 132.0, 129.0, 121.0]
    assert y.iloc[-1] == 432.0
    assert y.sum() == 40363.0
    assert not y.isna().any()
    assert isinstance(y.index, pd.DatetimeIndex)
    assert y.index.name == "month"
    assert y.index.freq == pd.tseries.frequencies.to_offset("MS")
    assert y.index.equals(pd.date_range("1949-01-01", "1960-12-01", freq="MS"))


def test_load_sunspots():
    y = load_sunspots()
    assert isinstance(y, pd.Series)
    assert y.name == "sunspots"
    assert y.dtype == np.float64
    assert len(y) == 309
    assert y.iloc[:5].tolist() == [5.0, 11.0, 16.0, 23.0, 36.0]
    assert y.iloc[-1] == 2.9
    assert not y.isna().any()
    assert isinstance(y.index, pd.DatetimeIndex)
    assert y.index.name == "year"
    assert y.index.freq == pd.tseries.frequencies.to_offset("YS")
    assert y.index.equals(pd.date_range("1700-01-01", "2008-01-01", freq="YS"))
    # Version 1.0 of the sunspot number: the 1957 maximum is 190.2 (269.3 in version 2.0).
    assert y.idxmax() == pd.Timestamp("1957-01-01")
    assert y.max() == 190.2


def test_loaders_return_fresh_copies():
    y = load_airline()
    y.iloc[0] = -1.0
    assert load_airline().iloc[0] == 112.0


def test_loaders_work_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert len(load_airline()) == 144
    assert len(load_sunspots()) == 309
