import math

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_alrnn import ALRNNForecaster, make_windows
from sklearn_alrnn.metrics import (
    power_spectrum_distance,
    prediction_error,
    state_space_divergence,
)

ALPHA = 1e-5  # the documented Laplace pseudo-count per bin


def _dense_binned_kl(x_true, x_gen, n_bins):
    """The documented binned estimate, written out over the full grid."""
    low, high = x_true.min(axis=0), x_true.max(axis=0)
    edges = [np.linspace(lo, hi, n_bins + 1) for lo, hi in zip(low, high)]
    counts_true, _ = np.histogramdd(x_true, bins=edges)
    counts_gen, _ = np.histogramdd(np.clip(x_gen, low, high), bins=edges)
    p = (counts_true + ALPHA) / (counts_true.sum() + ALPHA * counts_true.size)
    q = (counts_gen + ALPHA) / (counts_gen.sum() + ALPHA * counts_gen.size)
    return float(np.sum(p * np.log(p / q)))


def _sine(period, n_timepoints=2000, phase=0.0):
    return np.sin(2 * np.pi * np.arange(n_timepoints) / period + phase)


@pytest.fixture
def gaussian_cloud():
    return np.random.default_rng(0).normal(size=(2000, 2))


@pytest.mark.parametrize("method", ["bins", "gmm"])
def test_state_space_divergence_of_identical_inputs_is_zero(gaussian_cloud, method):
    assert state_space_divergence(gaussian_cloud, gaussian_cloud.copy(), method=method) == 0.0


def test_state_space_divergence_hand_computed():
    # Bins [0, 1.5) and [1.5, 3]: true counts (2, 2), generated counts (3, 1).
    x_true = [0.0, 1.0, 2.0, 3.0]
    x_gen = [0.0, 0.0, 0.5, 3.0]
    total = 4 + 2 * ALPHA
    p = [(2 + ALPHA) / total, (2 + ALPHA) / total]
    q = [(3 + ALPHA) / total, (1 + ALPHA) / total]
    expected = sum(pi * math.log(pi / qi) for pi, qi in zip(p, q))
    assert state_space_divergence(x_true, x_gen, n_bins=2) == pytest.approx(expected, rel=1e-12)


def test_state_space_divergence_smoothing_convention_with_unvisited_bins():
    # Bins [0, 1), [1, 2), [2, 3]: true counts (1, 0, 1) out of 2, generated (3, 0, 0) out
    # of 3. Every bin, the middle one visited by neither, gets the pseudo-count alpha.
    total_true, total_gen = 2 + 3 * ALPHA, 3 + 3 * ALPHA
    p = [(1 + ALPHA) / total_true, ALPHA / total_true, (1 + ALPHA) / total_true]
    q = [(3 + ALPHA) / total_gen, ALPHA / total_gen, ALPHA / total_gen]
    expected = sum(pi * math.log(pi / qi) for pi, qi in zip(p, q))
    result = state_space_divergence([0.0, 3.0], [0.0, 0.0, 0.0], n_bins=3)
    assert result == pytest.approx(expected, rel=1e-12)
    # The unvisited bin matters: without it the value would differ.
    assert abs(result - sum(pi * math.log(pi / qi) for pi, qi in zip(p[::2], q[::2]))) > 1e-6


def test_state_space_divergence_matches_the_full_grid_computation():
    rng = np.random.default_rng(1)
    x_true = rng.normal(size=(500, 2))
    x_gen = rng.normal(0.3, 1.2, size=(700, 2))  # partly outside the true range
    expected = _dense_binned_kl(x_true, x_gen, n_bins=8)
    assert state_space_divergence(x_true, x_gen, n_bins=8) == pytest.approx(expected, rel=1e-10)


def test_state_space_divergence_clips_outside_points_into_edge_bins():
    x_true = np.array([0.0, 1.0, 2.0, 3.0])
    inside = state_space_divergence(x_true, [0.0, 3.0, 3.0], n_bins=3)
    outside = state_space_divergence(x_true, [-50.0, 3.0, 1e6], n_bins=3)
    assert inside == outside


def test_state_space_divergence_of_disjoint_supports_is_large(gaussian_cloud):
    assert state_space_divergence(gaussian_cloud, gaussian_cloud + 20.0) > 5
    assert state_space_divergence(gaussian_cloud, gaussian_cloud + 20.0, method="gmm") > 5


def test_state_space_divergence_grows_with_the_mismatch(gaussian_cloud):
    rng = np.random.default_rng(2)
    other = rng.normal(size=(2000, 2))
    values = [
        state_space_divergence(gaussian_cloud, other + shift, n_bins=10)
        for shift in (0.0, 0.5, 1.0, 2.0)
    ]
    assert values == sorted(values)
    assert values[0] < 0.1


def test_state_space_divergence_is_not_symmetric():
    wide = np.linspace(0.0, 1.0, 100)
    narrow = np.linspace(0.0, 0.5, 100)
    assert state_space_divergence(wide, narrow, n_bins=10) != pytest.approx(
        state_space_divergence(narrow, wide, n_bins=10)
    )


def test_state_space_divergence_is_invariant_to_affine_rescaling(gaussian_cloud):
    other = np.random.default_rng(3).normal(0.5, 1.0, size=(1500, 2))
    raw = state_space_divergence(gaussian_cloud, other, n_bins=12)
    scale, offset = np.array([3.0, 0.25]), np.array([-7.0, 100.0])
    rescaled = state_space_divergence(
        gaussian_cloud * scale + offset, other * scale + offset, n_bins=12
    )
    assert rescaled == pytest.approx(raw, rel=1e-9)


def test_state_space_divergence_accepts_1d_and_pandas_input():
    rng = np.random.default_rng(4)
    x_true, x_gen = rng.normal(size=300), rng.normal(size=400)
    column = state_space_divergence(x_true[:, None], x_gen[:, None])
    assert state_space_divergence(x_true, x_gen) == column
    assert state_space_divergence(pd.Series(x_true), pd.DataFrame({"a": x_gen})) == column


def test_state_space_divergence_is_cheap_in_three_dimensions():
    # 30 bins in 3 dimensions is a 27 000-cell grid; only visited cells are stored.
    rng = np.random.default_rng(5)
    x_true = rng.normal(size=(20_000, 3))
    x_gen = rng.normal(size=(10_000, 3))
    assert state_space_divergence(x_true, x_true[::-1]) == 0.0
    assert state_space_divergence(x_true, x_gen) == pytest.approx(
        _dense_binned_kl(x_true, x_gen, n_bins=30), rel=1e-10
    )


def test_state_space_divergence_auto_switches_to_gmm_above_five_dimensions():
    rng = np.random.default_rng(6)
    x_true, x_gen = rng.normal(size=(300, 6)), rng.normal(0.5, 1.0, size=(300, 6))
    assert state_space_divergence(x_true, x_gen) == state_space_divergence(
        x_true, x_gen, method="gmm"
    )
    x_true, x_gen = x_true[:, :5], x_gen[:, :5]
    assert state_space_divergence(x_true, x_gen) == state_space_divergence(
        x_true, x_gen, method="bins"
    )


def test_state_space_divergence_gmm_is_seeded_and_separates_distributions():
    rng = np.random.default_rng(7)
    x_true = rng.normal(size=(3000, 8))
    same = rng.normal(size=(3000, 8))
    shifted = rng.normal(1.0, 1.0, size=(3000, 8))
    near = state_space_divergence(x_true, same, method="gmm")
    far = state_space_divergence(x_true, shifted, method="gmm")
    assert near == state_space_divergence(x_true, same, method="gmm")
    assert near < 0.2 < 1.0 < far
    reseeded = state_space_divergence(x_true, shifted, method="gmm", random_state=1)
    assert reseeded != far
    assert reseeded == pytest.approx(far, rel=0.1)
    # numpy generators seed it as sklearn's random_state does: equal states, equal results.
    for make in (np.random.default_rng, np.random.RandomState):
        a, b = (state_space_divergence(x_true, shifted, method="gmm", random_state=make(3))
                for _ in range(2))
        assert a == b and a == pytest.approx(far, rel=0.25)


def test_power_spectrum_distance_of_identical_inputs_is_zero():
    x = np.column_stack([_sine(50), np.random.default_rng(0).normal(size=2000)])
    assert power_spectrum_distance(x, x.copy()) == 0.0


def test_power_spectrum_distance_ignores_phase():
    assert power_spectrum_distance(_sine(100), _sine(100, phase=1.0)) < 0.05


def test_power_spectrum_distance_separates_frequencies():
    assert power_spectrum_distance(_sine(100), _sine(10)) > 0.9


def test_power_spectrum_distance_is_symmetric_and_bounded():
    rng = np.random.default_rng(1)
    a = _sine(40) + 0.5 * rng.normal(size=2000)
    b = _sine(25) + 0.5 * rng.normal(size=2000)
    forward = power_spectrum_distance(a, b)
    assert forward == power_spectrum_distance(b, a)
    assert 0.0 < forward < 1.0


def test_power_spectrum_distance_averages_channels():
    fast, slow = _sine(10), _sine(100)
    one_channel = power_spectrum_distance(slow, fast)
    both = power_spectrum_distance(np.column_stack([slow, slow]), np.column_stack([slow, fast]))
    assert both == pytest.approx(one_channel / 2, rel=1e-12)


def test_power_spectrum_distance_truncates_to_the_common_length():
    x = np.random.default_rng(2).normal(size=3000)
    assert power_spectrum_distance(x[:1000], x) == 0.0
    assert power_spectrum_distance(x, x[:1000]) == 0.0


def test_power_spectrum_distance_smoothing_blurs_nearby_frequencies():
    raw = power_spectrum_distance(_sine(100), _sine(90), smoothing=0)
    smoothed = power_spectrum_distance(_sine(100), _sine(90), smoothing=20)
    assert raw > 0.9
    assert smoothed < raw


def test_power_spectrum_distance_of_constant_channels():
    x = _sine(50)
    assert power_spectrum_distance(x, np.full_like(x, 0.3)) == 1.0
    assert power_spectrum_distance(np.ones(100), np.full(100, 2.0)) == 0.0


@pytest.mark.parametrize(
    "metric", [state_space_divergence, power_spectrum_distance], ids=lambda f: f.__name__
)
class TestInputValidation:
    def test_mismatched_dimensions(self, metric):
        name = metric.__name__
        with pytest.raises(
            ValueError,
            match=rf"^{name}: x_gen must have the same number of dimensions as x_true \(3\)\. "
            r"Got 2 instead\.$",
        ):
            metric(np.zeros((10, 3)), np.zeros((10, 2)))

    @pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
    def test_non_finite_values(self, metric, bad):
        x = np.arange(10.0)
        x_bad = x.copy()
        x_bad[3] = bad
        with pytest.raises(ValueError, match=r"x_gen must contain only finite values\. Got 1"):
            metric(x, x_bad)
        with pytest.raises(ValueError, match=r"x_true must contain only finite values"):
            metric(x_bad, x)

    @pytest.mark.parametrize(
        "bad, received",
        [
            (np.zeros((4, 3, 2)), r"Got an array of shape \(4, 3, 2\) instead"),
            (np.zeros(()), r"Got an array of shape \(\) instead"),
            (np.array([1 + 1j, 2.0]), r"Got complex values instead"),
            (["a", "b"], r"Got a list that numpy cannot read as real numbers \(could not "
                         r"convert string to float: 'a'\)"),
            ([[1.0, 2.0], [1.0]], r"Got a list that numpy cannot read as real numbers"),
            (None, r"Got None instead"),
        ],
    )
    def test_malformed_arrays(self, metric, bad, received):
        with pytest.raises(ValueError, match=rf"{metric.__name__}: x_true must be .*{received}"):
            metric(bad, np.zeros(4))

    def test_empty_input(self, metric):
        with pytest.raises(ValueError, match=r"x_gen must have at least \d time points?\. Got 0"):
            metric(np.zeros(4), np.zeros(0))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_bins": 0}, ValueError, r"The 'n_bins' parameter of state_space_divergence must be "
         r"an int in the range \[1, inf\)\. Got 0 instead\."),
        ({"n_bins": 2.5}, TypeError, r"'n_bins' parameter .* Got 2\.5 instead"),
        ({"method": "kde"}, ValueError, r"The 'method' parameter of state_space_divergence "
         r"must be a str among \{'auto', 'bins', 'gmm'\}\. Got 'kde' instead\."),
        ({"random_state": "0"}, TypeError, r"The 'random_state' parameter of "
         r"state_space_divergence must be None, an int, a numpy.random.Generator or a "
         r"numpy.random.RandomState\. Got '0' instead\."),
        ({"random_state": -1}, ValueError, r"The 'random_state' parameter of "
         r"state_space_divergence must be a non-negative int\. Got -1 instead\."),
    ],
)
def test_state_space_divergence_rejects_bad_parameters(kwargs, error, message):
    with pytest.raises(error, match=message):
        state_space_divergence(np.zeros(5), np.zeros(5), **kwargs)


@pytest.mark.parametrize(
    "smoothing, error", [(-1.0, ValueError), (np.inf, ValueError), ("20", TypeError)]
)
def test_power_spectrum_distance_rejects_bad_smoothing(smoothing, error):
    with pytest.raises(
        error, match=r"The 'smoothing' parameter of power_spectrum_distance must be a float"
    ):
        power_spectrum_distance(np.arange(5.0), np.arange(5.0), smoothing=smoothing)


def test_state_space_divergence_gmm_needs_two_time_points():
    with pytest.raises(
        ValueError, match=r"x_true must have at least 2 time points for method='gmm'\. Got 1"
    ):
        state_space_divergence(np.zeros((1, 7)), np.zeros((5, 7)))


def test_power_spectrum_distance_needs_two_time_points():
    with pytest.raises(ValueError, match=r"x_true must have at least 2 time points\. Got 1"):
        power_spectrum_distance([1.0], [1.0, 2.0])


@pytest.fixture(scope="module")
def fitted_with_covariate():
    """A tiny forecaster of channel 0 of a 2-channel series, and a held-out stretch."""
    t = np.arange(160)
    series = np.column_stack([np.sin(0.3 * t), np.cos(0.3 * t)])
    X, y = make_windows(series[:120], window=6, horizon=2, n_targets=1)
    est = ALRNNForecaster(n_units=6, n_nonlinear=1, max_epochs=5, random_state=0).fit(X, y)
    return est, series[120:]


@pytest.mark.parametrize("n_steps", [1, 3])
def test_prediction_error_is_the_error_n_steps_ahead_of_every_start(
    fitted_with_covariate, n_steps
):
    est, series = fitted_with_covariate
    starts = range(len(series) - 6 - n_steps + 1)
    errors = [
        (est.forecast(series[s : s + 6], n_steps)[-1, 0] - series[s + 6 + n_steps - 1, 0]) ** 2
        for s in starts
    ]
    assert prediction_error(est, series, n_steps) == pytest.approx(np.mean(errors), rel=1e-12)
    frame = pd.DataFrame(series, columns=["target", "covariate"])
    assert prediction_error(est, frame, n_steps) == prediction_error(est, series, n_steps)


def test_prediction_error_rejects_bad_input(fitted_with_covariate):
    est, series = fitted_with_covariate
    with pytest.raises(NotFittedError):
        prediction_error(ALRNNForecaster(), series, 1)
    with pytest.raises(ValueError, match=r"'n_steps' parameter of prediction_error must be an "
                       r"int in the range \[1, inf\). Got 0 instead"):
        prediction_error(est, series, 0)
    with pytest.raises(TypeError, match=r"'n_steps' parameter of prediction_error .* Got 2\.5 "
                                        r"instead\.$"):
        prediction_error(est, series, 2.5)
    with pytest.raises(ValueError, match="series has 1 channel"):
        prediction_error(est, series[:, 0], 1)
    with pytest.raises(ValueError, match=r"series has 8 time points, but window_ \+ n_steps "
                       r"= 6 \+ 3 = 9 are needed"):
        prediction_error(est, series[:8], 3)
    with pytest.raises(ValueError, match="Input series contains NaN. prediction_error does not "
                                         "accept missing values"):
        prediction_error(est, np.where(series > 0.9, np.nan, series), 1)


def test_power_spectrum_distance_closed_forms():
    t = np.arange(2000)
    s20, s200 = np.sin(2 * np.pi * 20 * t / 2000), np.sin(2 * np.pi * 200 * t / 2000)
    assert power_spectrum_distance(s20, s200, smoothing=0) == pytest.approx(1.0, abs=1e-9)
    # Spectra p = (1/2, 1/2) and q = (1, 0): H = sqrt(1 - sqrt(1/2)).
    assert power_spectrum_distance(s20 + s200, s20, smoothing=0) == pytest.approx(
        math.sqrt(1 - math.sqrt(0.5)), abs=1e-9)
    x = np.random.default_rng(0).normal(size=500)
    assert power_spectrum_distance(x, 3 * x + 5) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("smoothing", [0, 5, 20])
def test_power_spectrum_distance_is_the_documented_recipe(smoothing):
    from scipy.ndimage import gaussian_filter1d

    def spectrum(x):  # z-score, |rFFT|^2, Gaussian smoothing, normalise
        power = np.abs(np.fft.rfft((x - x.mean()) / x.std())) ** 2
        power = gaussian_filter1d(power, smoothing) if smoothing else power
        return power / power.sum()

    rng = np.random.default_rng(1)
    a = np.sin(0.2 * np.arange(1000)) + rng.normal(size=1000) + 3
    b = np.sin(0.25 * np.arange(1000)) + rng.normal(size=1000)
    hellinger = math.sqrt(1 - np.sum(np.sqrt(spectrum(a) * spectrum(b))))
    assert power_spectrum_distance(a, b, smoothing=smoothing) == pytest.approx(hellinger,
                                                                               rel=1e-9)
