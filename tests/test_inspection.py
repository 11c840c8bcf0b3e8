"""sklearn_alrnn.inspection against closed forms, hand-built models and known data."""

import re
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_alrnn import ALRNNClassifier, ALRNNForecaster, make_windows
from sklearn_alrnn._module import scan
from sklearn_alrnn._profile import _default_cv
from sklearn_alrnn.datasets import make_linear_ar, make_switching_linear
from sklearn_alrnn.inspection import (
    NonlinearityProfile,
    cycles,
    fixed_points,
    nonlinearity_profile,
    plot_forecast,
    plot_regions,
    region_codes,
    region_summary,
    transition_matrix,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """The tiny models here train about five times faster on one thread than on two busy cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class Handmade:
    """Stand-in exposing the two inspection hooks for given parameters and states."""

    def __init__(self, A, W, h, n_nonlinear, C=None, states=None, valid=None):
        as_float = np.asarray
        self.dynamics = {"A": as_float(A, float), "W": as_float(W, float),
                         "h": as_float(h, float), "n_nonlinear": n_nonlinear,
                         "C": None if C is None else as_float(C, float)}
        self.states, self.valid = states, valid

    def _dynamics(self):
        return self.dynamics

    def _latent_states(self, X):
        valid = np.ones(self.states.shape[:2], bool) if self.valid is None else self.valid
        return self.states, valid


def step(z, A, W, h, P):
    """One step of the full (nonlinear) map, in numpy: z -> A z + W phi(z) + h."""
    M = len(z)
    phi = np.where(np.arange(M) >= M - P, np.maximum(z, 0), z)
    return A * z + W @ phi + h


def set_parameters(est, A, W, h):
    """Overwrite a fitted forecaster's cell with known parameters."""
    cell = est.net_.module_.cell
    with torch.no_grad():
        cell.A.copy_(torch.tensor(A))
        cell.W.copy_(torch.tensor(W))
        cell.h.copy_(torch.tensor(h))
    return est


@pytest.fixture
def two_unit_forecaster():
    """A fitted 2-unit forecaster (z_1 observed, z_2 ReLU), input drive off."""
    X, y = make_windows(np.sin(0.5 * np.arange(40)), window=5, horizon=1)
    est = ALRNNForecaster(n_units=2, n_nonlinear=1, input_drive=False, max_epochs=1)
    return est.fit(X, y)


# -- closed forms ------------------------------------------------------------------------


def test_linear_model_has_one_region_with_the_closed_form_fixed_point():
    rng = np.random.RandomState(0)
    A, W, h = rng.uniform(0.2, 0.6, 4), 0.2 * rng.randn(4, 4), rng.randn(4)
    points = fixed_points(Handmade(A, W, h, n_nonlinear=0))
    J = np.diag(A) + W
    assert points.index.tolist() == [0] and points.loc[0, "pattern"] == ""
    np.testing.assert_allclose(points.loc[0, "fixed_point"], np.linalg.solve(np.eye(4) - J, h))
    radius = np.abs(np.linalg.eigvals(J)).max()
    assert points.loc[0, "real"]
    assert points.loc[0, "spectral_radius"] == pytest.approx(radius)
    assert points.loc[0, "stable"] == (radius < 1)


def test_constant_input_shifts_the_bias():
    A, W, h, C = np.array([0.5, 0.2]), np.array([[0, 0.1], [0.3, 0]]), np.ones(2), np.eye(2)
    model = Handmade(A, W, h, n_nonlinear=0, C=C)
    s = np.array([1.0, -2.0])
    point = fixed_points(model, inputs=s).loc[0, "fixed_point"]
    np.testing.assert_allclose(point, np.linalg.solve(np.eye(2) - np.diag(A) - W, h + C @ s))
    with pytest.raises(ValueError, match="one real number per input channel of Handmade, 2 in all"):
        fixed_points(model, inputs=[1.0, 2.0, 3.0])


def test_linear_forecaster_fixed_point_is_invariant_under_its_free_run():
    # With input drive the free run has a W with a diagonal: the closed form still holds.
    X, y = make_windows(np.sin(0.5 * np.arange(40)), window=5, horizon=1)
    est = ALRNNForecaster(n_units=3, n_nonlinear=0, max_epochs=1, random_state=0).fit(X, y)
    dyn = est._dynamics()
    assert np.any(np.diag(dyn["W"]) != 0)
    point = fixed_points(est).loc[0, "fixed_point"]
    J = np.diag(dyn["A"]) + dyn["W"]
    np.testing.assert_allclose(point, np.linalg.solve(np.eye(3) - J, dyn["h"]))
    A, W, h = est.net_.module_.autonomous_parameters()
    one_step = scan(torch.tensor(point)[None], A, W, h, 0, 1)[0, 0].numpy()
    np.testing.assert_allclose(one_step, point, atol=1e-10)


def test_two_unit_model_has_one_real_and_one_virtual_fixed_point(two_unit_forecaster):
    A, W, h = [0.5, 0.5], [[0.0, 0.4], [0.2, 0.0]], [1.0, 0.2]
    est = set_parameters(two_unit_forecaster, A, W, h)
    points = fixed_points(est)
    # Region 0 (z_2 <= 0): J = [[.5, 0], [.2, .5]] gives z* = (2, 1.2), which has z_2 > 0.
    np.testing.assert_allclose(points.loc[0, "fixed_point"], [2.0, 1.2])
    # Region 1: J = [[.5, .4], [.2, .5]] gives z* = (58, 30) / 17, in region 1 itself.
    np.testing.assert_allclose(points.loc[1, "fixed_point"], [58 / 17, 30 / 17])
    assert points["real"].tolist() == [False, True]
    assert points["pattern"].tolist() == ["0", "1"]
    assert points.loc[1, "spectral_radius"] == pytest.approx(0.5 + np.sqrt(0.08))
    assert points["stable"].tolist() == [True, True]
    real = points.loc[1, "fixed_point"]
    np.testing.assert_allclose(step(real, np.array(A), np.array(W), np.array(h), 1), real)
    # The observed unit in data units: latent value times the scale plus the mean.
    expected = np.array([2.0, 58 / 17]) * est.scale_[0] + est.mean_[0]
    np.testing.assert_allclose(points["x*[0]"], expected)


@pytest.mark.parametrize("w, radius", [(-2.0, 0.75), (-3.5, 1.5)])
def test_a_known_two_cycle_is_found_with_its_stability(w, radius):
    # z -> 0.5 z + 1 for z <= 0, z -> (0.5 + w) z + 1 for z > 0.
    model = Handmade(A=[0.5], W=[[w]], h=[1.0], n_nonlinear=1)
    found = cycles(model, order=2)
    slope = 0.5 + w
    high = 1.5 / (1 - 0.5 * slope)  # z_2 = 0.5 z_1 + 1 and z_1 = slope z_2 + 1
    assert len(found) == 1
    assert found.loc[0, "regions"] == (0, 1) and found.loc[0, "patterns"] == ("0", "1")
    np.testing.assert_allclose(found.loc[0, "points"], [[slope * high + 1], [high]])
    assert found.loc[0, "spectral_radius"] == pytest.approx(radius)
    assert found.loc[0, "stable"] == (radius < 1)
    orbit = found.loc[0, "points"]
    np.testing.assert_allclose(step(orbit[0], 0.5, np.array([[w]]), 1.0, 1), orbit[1])


def test_cycles_keep_only_self_consistent_orbits():
    # Both regions contract towards 1 (a real fixed point): no 2- or 3-cycle exists.
    model = Handmade(A=[0.5], W=[[0.1]], h=[0.5], n_nonlinear=1)
    assert fixed_points(model)["real"].tolist() == [False, True]
    assert cycles(model, order=2).empty and cycles(model, order=3).empty
    assert "points" in cycles(model, order=3).columns


def test_a_two_cycle_of_non_commuting_maps_in_two_dimensions():
    # Region 0 then region 1 of z -> A z + W phi(z) + h; solved by hand (J_1 J_0 != J_0 J_1).
    A, W, h = np.array([0.3, 0.5]), np.array([[0.0, 1.0], [0.0, -2.0]]), np.array([0.0, 1.0])
    found = cycles(Handmade(A, W, h, 1), order=2)
    assert found["regions"].tolist() == [(0, 1)]
    np.testing.assert_allclose(found.loc[0, "points"],
                               [[600 / 637, -2 / 7], [180 / 637, 6 / 7]], rtol=1e-12)
    assert found.loc[0, "spectral_radius"] == pytest.approx(0.75)


def test_every_cycle_found_is_a_periodic_orbit_of_the_full_map():
    rng = np.random.RandomState(0)
    for _ in range(20):
        A, W, h = rng.uniform(-1, 1, 3), rng.randn(3, 3), rng.randn(3)
        for order in (2, 3):
            for points in cycles(Handmade(A, W, h, 2), order=order)["points"]:
                for i in range(order):
                    np.testing.assert_allclose(step(points[i], A, W, h, 2),
                                               points[(i + 1) % order], atol=1e-9)


def test_eigenvalues_are_complex_in_every_row():
    # Region 0: J = diag(0.5, 0.3), real eigenvalues; region 1 rotates: complex ones.
    model = Handmade([0.5, 0.3], [[0.0, 1.0], [-2.0, 0.0]], [0.0, 1.0], 1)
    spectra = fixed_points(model)["eigenvalues"]
    assert [e.dtype for e in spectra] == [np.complex128, np.complex128]
    np.testing.assert_allclose(spectra[0], [0.5, 0.3])
    assert np.iscomplex(spectra[1]).all()


def test_a_singular_region_has_no_fixed_point():
    # Unit 0 has self-coupling 1 and no bias: I - J is singular in both regions.
    points = fixed_points(Handmade([1.0, 0.5], np.zeros((2, 2)), [0.0, 1.0], 1))
    assert np.isnan(np.stack(points["fixed_point"])).all()
    assert not points["real"].any()


def test_cycles_try_each_rotation_class_once():
    from sklearn_alrnn.inspection import _lyndon_words, _n_lyndon_words

    for letters, length in [(2, 2), (3, 2), (2, 4), (4, 3), (3, 6)]:
        words = list(_lyndon_words(letters, length))
        assert len(words) == len(set(words)) == _n_lyndon_words(letters, length)
        for word in words:
            rotations = {word[i:] + word[:i] for i in range(length)}
            assert len(rotations) == length and min(rotations) == word


# -- regions along a trajectory -------------------------------------------------------


def test_region_codes_read_the_last_units_bit_k_for_unit_k(sine_windows):
    X, y, _, _ = sine_windows
    est = ALRNNForecaster(n_units=5, n_nonlinear=2, max_epochs=3, random_state=0).fit(X, y)
    states, _ = est._latent_states(X[:20])
    codes = region_codes(est, X[:20])
    expected = (states[..., 3] > 0) * 1 + (states[..., 4] > 0) * 2
    np.testing.assert_array_equal(codes, expected)
    assert codes.shape == (20, X.shape[1]) and codes.dtype == np.int64
    # A 1-D series is one case.
    assert region_codes(est, X[0]).shape == (1, X.shape[1])


def test_a_relu_unit_at_exactly_zero_is_off():
    states = np.array([[[5.0, 0.0, 1.0], [5.0, 1.0, 0.0]]])  # (case, step, unit)
    model = Handmade(np.full(3, 0.5), np.zeros((3, 3)), np.zeros(3), 2, states=states)
    np.testing.assert_array_equal(region_codes(model, None), [[2, 1]])


def test_regions_are_those_of_the_fitted_model_after_set_params(sine_windows):
    X, y, _, _ = sine_windows
    est = ALRNNForecaster(n_units=5, n_nonlinear=2, max_epochs=2, random_state=0).fit(X, y)
    codes = region_codes(est, X[:5])
    est.set_params(n_nonlinear=1, scaling="window")  # no effect until the next fit
    np.testing.assert_array_equal(region_codes(est, X[:5]), codes)


def test_region_codes_of_a_free_run_follow_the_forecast(sine_windows):
    """n_steps: the codes of the states that produce forecast(), after those of the read."""
    X, y, _, _ = sine_windows
    est = ALRNNForecaster(n_units=5, n_nonlinear=2, max_epochs=3, random_state=0).fit(X, y)
    codes = region_codes(est, X[0], n_steps=30)
    assert codes.shape == (1, X.shape[1] + 30)
    np.testing.assert_array_equal(codes[:, : X.shape[1]], region_codes(est, X[0]))
    states, _ = est._latent_states(X[:1], n_steps=30)
    # The free run's observed unit is the forecast (in the model's scaled units).
    forecast = (est.forecast(X[0], steps=30) - est.mean_[0]) / est.scale_[0]
    np.testing.assert_allclose(states[0, X.shape[1] :, 0], forecast, atol=1e-10)
    free = states[0, X.shape[1] :]
    np.testing.assert_array_equal(codes[0, X.shape[1] :], (free[:, 3] > 0) + 2 * (free[:, 4] > 0))


def test_a_forecaster_reads_a_frame_as_one_multichannel_series():
    series = np.column_stack([np.sin(0.3 * np.arange(60)), np.cos(0.3 * np.arange(60))])
    est = ALRNNForecaster(n_units=5, n_nonlinear=2, max_epochs=1, random_state=0)
    est.fit(*make_windows(series, window=8, horizon=1))
    frame = pd.DataFrame(series, columns=["sin", "cos"])
    np.testing.assert_array_equal(region_codes(est, frame), region_codes(est, series.T[None]))
    # A frame with a column per step of a window is windows, as predict reads it.
    one = ALRNNForecaster(n_units=4, n_nonlinear=1, max_epochs=1, random_state=0)
    X, y = make_windows(series[:, 0], window=8, horizon=1)
    one.fit(pd.DataFrame(X), y)
    np.testing.assert_array_equal(region_codes(one, pd.DataFrame(X)), region_codes(one, X))
    with pytest.raises(ValueError, match=r"A series of several channels is one case: "
                                         r"series.T\[None\], or a DataFrame"):
        region_codes(est, series)  # numpy (60, 2) are 60 windows of 2 steps


def test_window_scaling_warns_when_a_sequence_is_not_a_window(sine_windows):
    X, y, _, _ = sine_windows
    est = ALRNNForecaster(n_units=4, n_nonlinear=1, max_epochs=1, scaling="window",
                          random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        region_codes(est, X)  # windows: read as in training
    with pytest.warns(UserWarning, match="scaling='window': each window of 16 steps is read "
                                         "around its own mean. A sequence of 40 steps"):
        region_codes(est, np.sin(0.3 * np.arange(40)))


def test_padding_is_minus_one_and_counts_nowhere():
    # Units: (linear, relu_0, relu_1); case 0 has 4 steps, case 1 has 2 then padding.
    states = np.zeros((2, 4, 3))
    states[0, :, 1:] = [[1, -1], [1, -1], [-1, 1], [1, 1]]  # codes 1, 1, 2, 3
    states[1, :, 1:] = [[-1, -1], [1, -1], [1, 1], [1, 1]]  # codes 0, 1, pad, pad
    valid = np.array([[True] * 4, [True, True, False, False]])
    model = Handmade(A=np.full(3, 0.5), W=np.zeros((3, 3)), h=np.zeros(3), n_nonlinear=2,
                     states=states, valid=valid)
    np.testing.assert_array_equal(region_codes(model, None), [[1, 1, 2, 3], [0, 1, -1, -1]])

    counts = transition_matrix(model, None)
    assert counts.index.tolist() == counts.columns.tolist() == [0, 1, 2, 3]
    assert counts.to_numpy().sum() == 4  # 3 moves in case 0, 1 in case 1
    assert counts.loc[1, 1] == 1 and counts.loc[1, 2] == 1 and counts.loc[0, 1] == 1
    assert transition_matrix(model, None, normalize=True).loc[1].tolist() == [0, 0.5, 0.5, 0]

    summary = region_summary(model, None)
    assert summary.index.tolist() == [1, 0, 2, 3]  # most occupied first
    assert summary.loc[1, "occupancy"] == pytest.approx(3 / 6)
    assert summary.loc[1, "mean_dwell"] == pytest.approx(1.5)  # runs of 2 and 1 steps
    assert summary.loc[1, "pattern"] == "10" and summary.loc[2, "pattern"] == "01"
    assert {"real", "stable", "spectral_radius"} <= set(summary.columns)
    assert fixed_points(model, "visited", X=np.zeros((2, 4))).index.tolist() == [0, 1, 2, 3]


def test_classifier_pads_with_minus_one_and_rests_at_its_input_fixed_point():
    rng = np.random.RandomState(0)
    X = [rng.randn(1, 6), rng.randn(1, 4), rng.randn(1, 6), rng.randn(1, 4)]
    clf = ALRNNClassifier(n_units=4, n_nonlinear=0, max_epochs=1, random_state=0)
    clf.fit(X, [0, 1, 0, 1])
    codes = region_codes(clf, X)
    np.testing.assert_array_equal(codes[1], [0, 0, 0, 0, -1, -1])
    # Held at a constant input s (units of X), the linear model settles at its fixed point.
    point = fixed_points(clf, inputs=[0.7]).loc[0, "fixed_point"]
    states, _ = clf._latent_states(np.full((1, 1, 400), 0.7))
    np.testing.assert_allclose(states[0, -1], point, atol=1e-8)


# -- bad arguments --------------------------------------------------------------------


@pytest.fixture
def thirteen_relus():
    M = 14
    return Handmade(A=np.full(M, 0.5), W=np.zeros((M, M)), h=np.zeros(M), n_nonlinear=13,
                    states=np.ones((1, 3, M)))


def test_all_regions_are_refused_above_twelve_nonlinear_units(thirteen_relus):
    match = r"2\*\*13 = 8,192 regions.*regions='visited' with X"
    with pytest.raises(ValueError, match=match):
        fixed_points(thirteen_relus)
    assert fixed_points(thirteen_relus, "visited", X=[0]).index.tolist() == [2**13 - 1]


def test_region_arguments_are_checked(thirteen_relus):
    with pytest.raises(ValueError, match="regions='visited' needs the sequences X"):
        fixed_points(thirteen_relus, "visited")
    with pytest.raises(ValueError, match="X is only read with regions='visited'"):
        fixed_points(thirteen_relus, [0], X=[0])
    with pytest.raises(ValueError, match=r"region codes must be ints in \[0, 8192\)"):
        fixed_points(thirteen_relus, [0, 8192])
    with pytest.raises(ValueError, match="fixed_points: regions must be 'all', 'visited' or a "
                                         r"list of region codes. Got 'some' instead\.$"):
        fixed_points(thirteen_relus, "some")


def test_cycle_search_size_is_limited(thirteen_relus):
    with pytest.raises(ValueError, match=r"order=2 over 1,000 regions means solving 499,500"):
        cycles(thirteen_relus, order=2, regions=list(range(1000)))
    with pytest.raises(ValueError, match=r"The 'order' parameter of cycles must be an int in the "
                                         r"range \[2, inf\) \(cycles of order 1 are fixed points"):
        cycles(thirteen_relus, order=1, regions=[0, 1])


def test_free_run_steps_are_checked(two_unit_forecaster):
    with pytest.raises(ValueError, match=r"The 'n_steps' parameter of region_codes must be an int "
                                         r"in the range \[0, inf\)\. Got -1 instead"):
        region_codes(two_unit_forecaster, np.zeros(5), n_steps=-1)
    driven = Handmade(A=np.full(3, 0.5), W=np.zeros((3, 3)), h=np.zeros(3), n_nonlinear=1,
                      C=np.ones((3, 1)))
    with pytest.raises(ValueError, match="Handmade is driven by its input and has no free run"):
        region_codes(driven, np.zeros((1, 1, 4)), n_steps=3)


def test_forecaster_takes_no_inputs(two_unit_forecaster):
    with pytest.raises(ValueError, match="inputs were given, but ALRNNForecaster runs"):
        fixed_points(two_unit_forecaster, inputs=[1.0])


# -- nonlinearity profile -------------------------------------------------------------


def test_profile_applies_the_one_standard_error_rule():
    scores = [[0.86, 0.90], [0.84, 0.90], [0.50, 0.60], [0.80, 0.90]]
    profile = NonlinearityProfile([4, 2, 0, 1], scores, fit_time=[4, 3, 2, 1])
    table = profile.table_
    assert table["n_nonlinear"].tolist() == [0, 1, 2, 4]
    np.testing.assert_allclose(table["mean_score"], [0.55, 0.85, 0.87, 0.88])
    np.testing.assert_allclose(table["std_error"], np.array([0.05, 0.05, 0.03, 0.02]) / np.sqrt(2))
    assert table["fit_time"].tolist() == [2, 1, 3, 4]
    # Threshold 0.88 - 0.0141 = 0.866: P = 1 (0.85) misses it, P = 2 (0.87) is within.
    assert profile.best_ == 4 and profile.selected_ == 2
    text = repr(profile)
    assert "mean_score" in text and "selected_ = 2" in text and "best_ = 4" in text
    with pytest.raises(ValueError, match=r"scores must have shape \(n_candidates, n_splits\)"):
        NonlinearityProfile([0, 1], [0.5, 0.6])


def test_default_splits_are_time_ordered_for_forecasters():
    series = np.sin(0.5 * np.arange(40))
    _, y = make_windows(series, window=5, horizon=3)
    cv = _default_cv(ALRNNForecaster(), y, None)
    assert isinstance(cv, TimeSeriesSplit) and cv.gap == 2 and cv.n_splits == 5
    _, y_stride2 = make_windows(series, window=5, horizon=3, stride=2)
    assert _default_cv(ALRNNForecaster(), y_stride2, 3).gap == 1  # (3 - 1) // 2
    assert _default_cv(ALRNNForecaster(), y[:, 0], 3).gap == 0
    # The default test size, 37 // 4 = 9 windows, would leave none to train on after a
    # gap of 10; the 27 windows past the gap give test folds of 6 instead.
    _, y_long = make_windows(np.sin(0.5 * np.arange(52)), window=5, horizon=11)
    cv = _default_cv(ALRNNForecaster(), y_long, 3)
    folds = [(len(train), len(test)) for train, test in cv.split(y_long)]
    assert len(y_long) == 37 and cv.gap == 10 and folds == [(9, 6), (15, 6), (21, 6)]
    for train, test in cv.split(y_long):
        assert test[0] - train[-1] == 11  # the gap of 10 windows left out between them
    # Where even one window per fold does not fit, TimeSeriesSplit's own error stands.
    _, y_short = make_windows(np.sin(0.5 * np.arange(28)), window=5, horizon=11)  # 13
    with pytest.raises(ValueError, match="Too many splits=3 for number of samples=13"):
        next(_default_cv(ALRNNForecaster(), y_short, 3).split(y_short))
    # A splitter passed in that lets training targets overlap the test ones is flagged.
    with pytest.warns(UserWarning, match=r"overlap those of the 2 window\(s\) before it, but "
                                         r"cv=TimeSeriesSplit\(gap=0\) .* Use "
                                         r"TimeSeriesSplit\(gap=2\)"):
        _default_cv(ALRNNForecaster(), y, TimeSeriesSplit(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _default_cv(ALRNNForecaster(), y, TimeSeriesSplit(3, gap=2))

    class Classifier(ALRNNForecaster):
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.estimator_type = "classifier"
            return tags

    assert isinstance(_default_cv(Classifier(), np.zeros(10), 4), StratifiedKFold)


def test_profile_reports_a_p_the_estimator_does_not_allow():
    X, y = make_windows(np.sin(0.5 * np.arange(40)), window=5, horizon=1)
    est = ALRNNForecaster(n_units=3, max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match="n_units - n_nonlinear must be >= 1"):
        nonlinearity_profile(est, X, y, n_nonlinear=[0, 3], cv=2)


def test_default_profile_leaves_a_forecaster_a_linear_unit_per_channel():
    X, y = np.random.RandomState(0).randn(40, 4, 6), np.random.RandomState(1).randn(40)
    est = ALRNNForecaster(n_units=6, max_epochs=1, random_state=0)
    profile = nonlinearity_profile(est, X, y, cv=2)  # 4 would leave 2 linear units for 4
    assert profile.table_["n_nonlinear"].tolist() == [0, 1, 2]


def test_profile_of_a_pipeline_varies_its_last_step():
    rng = np.random.RandomState(0)
    y = np.arange(30) % 2
    X = rng.randn(30, 2, 8) + y[:, None, None]
    clf = ALRNNClassifier(n_units=3, max_epochs=1, random_state=0)
    alone = nonlinearity_profile(clf, X, y, n_nonlinear=[0, 1], cv=2)
    piped = nonlinearity_profile(make_pipeline(FunctionTransformer(), clf), X, y,
                                 n_nonlinear=[0, 1], cv=2)
    pd.testing.assert_frame_equal(piped.table_.drop(columns="fit_time"),
                                  alone.table_.drop(columns="fit_time"))


def test_profile_reports_progress_as_grid_search_does(capsys):
    X, y = make_windows(np.sin(0.5 * np.arange(40)), window=5, horizon=1)
    est = ALRNNForecaster(n_units=3, max_epochs=1, random_state=0)
    nonlinearity_profile(est, X, y, n_nonlinear=[0, 1], cv=2)
    assert capsys.readouterr().out == ""
    nonlinearity_profile(est, X, y, n_nonlinear=[0, 1], cv=2, verbose=3)
    out = capsys.readouterr().out
    assert "Fitting 2 folds for each of 2 candidates, totalling 4 fits" in out
    assert len(re.findall(r"\[CV \d/2\] END .*n_nonlinear=\d;, score=", out)) == 4


# The data are seeded, the fit is bitwise reproducible: these checks are deterministic. How
# robust the answers are across seeds is measured by test_profile_over_seeds (slow) and
# benchmarks/bench_nonlinearity_profile.py, with the same settings.
# One batch per epoch: on small data the same learning for a fraction of the steps.
PROFILE = {"n_units": 8, "max_epochs": 300, "lr": 0.1, "lr_final": 0.01, "batch_size": 512,
           "gradient_clip": 1.0}


def profile_of(make_series, seed):
    series = make_series(300, random_state=seed)
    X, y = make_windows(series, window=4, horizon=1)
    est = ALRNNForecaster(**PROFILE, random_state=seed)
    return nonlinearity_profile(est, X, y, n_nonlinear=[0, 4], cv=3), series, X, y


def test_profile_selects_no_nonlinearity_for_a_linear_series():
    profile, _, _, _ = profile_of(make_linear_ar, seed=0)
    assert profile.selected_ == 0


def test_profile_selects_nonlinearity_for_a_switching_series():
    profile, series, X, y = profile_of(make_switching_linear, seed=0)
    assert profile.selected_ >= 1
    est = ALRNNForecaster(**PROFILE, n_nonlinear=profile.selected_, random_state=0).fit(X, y)
    assert len(np.unique(region_codes(est, series))) >= 2


@pytest.mark.slow
def test_profile_over_seeds():
    seeds = range(10)
    linear = [profile_of(make_linear_ar, seed)[0].selected_ for seed in seeds]
    switching = [profile_of(make_switching_linear, seed)[0].selected_ for seed in seeds]
    assert linear == [0] * 10
    assert sum(P >= 1 for P in switching) >= 9  # 10 of 10 when measured


# -- plots ----------------------------------------------------------------------------


def test_plots_return_their_axes(two_unit_forecaster):
    import matplotlib.pyplot as plt

    series = np.sin(0.5 * np.arange(40))
    ax = plot_regions(two_unit_forecaster, series)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    visited = np.unique(region_codes(two_unit_forecaster, series))
    assert labels == [f"region {r} ({r})" for r in visited]
    assert len(ax.lines) == 1 and len(ax.images) == 1
    assert ax.get_xlabel() == "time step"
    # A pandas series' dates label the steps, as coarse as they allow.
    monthly = pd.Series(series, index=pd.date_range("1949-01", periods=40, freq="MS",
                                                    name="month"))
    ax = plot_regions(two_unit_forecaster, monthly)
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ax.get_xlabel() == "month" and ticks[0] == "1949-01" and len(ticks) >= 3
    hourly = pd.Series(series, index=pd.date_range("2020-01-01 10:00", periods=40, freq="h"))
    ax = plot_regions(two_unit_forecaster, hourly)
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels() if t.get_text()][0] == "2020-01-01 10:00"
    # Read newest first, the series' labels run backwards with its values.
    newest = ALRNNForecaster(n_units=2, n_nonlinear=1, time_order="newest_first", max_epochs=1)
    newest.fit(*make_windows(series, window=5, horizon=1))
    ax = plot_regions(newest, monthly[:5])
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels() if t.get_text()][0] == "1949-05"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), series[:5][::-1])
    # A list of one case, and a series on a RangeIndex, are steps.
    assert plot_regions(two_unit_forecaster, [series]).get_xlabel() == "time step"
    assert plot_regions(two_unit_forecaster, pd.Series(series)).get_xlabel() == "time step"
    # Several channels: told apart by line style, named in a legend of their own.
    frame = pd.DataFrame({"sales": series, "price": np.cos(series)})
    two = ALRNNForecaster(n_units=3, n_nonlinear=1, max_epochs=1)
    ax = plot_regions(two.fit(*make_windows(frame.to_numpy(), window=5, horizon=1)), frame)
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--"]
    for line in ax.lines:  # each channel standardised, so that both show on one axis
        assert abs(line.get_ydata().mean()) < 1e-12 and line.get_ydata().std() == pytest.approx(1)
    assert ax.get_ylabel() == "value (standardised per channel)"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["sales", "price"] and texts[2].startswith("region ")
    ax = plot_regions(two, frame.to_numpy().T[None])
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["channel 0", "channel 1"]
    profile = NonlinearityProfile([0, 1], [[0.5, 0.6], [0.8, 0.9]])
    ax = profile.plot(ax=plt.figure().gca())
    assert ax.get_xlabel() == "nonlinear units (n_nonlinear)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "best mean - 1 s.e.", "best mean: 1", "selected: 1"]
    plt.close("all")


def test_plot_forecast_draws_history_truth_and_the_forecast(two_unit_forecaster):
    import matplotlib.pyplot as plt

    est = two_unit_forecaster
    series = np.sin(0.5 * np.arange(50))
    ax = plot_forecast(est, series[:40], series[40:])
    history, truth, forecast = ax.lines[:3]
    np.testing.assert_array_equal(history.get_ydata(), series[:40])
    # Truth and forecast continue from the last value seen, at steps 39 .. 49.
    np.testing.assert_array_equal(truth.get_xdata(), np.arange(39, 50))
    np.testing.assert_array_equal(truth.get_ydata(), series[39:])
    np.testing.assert_allclose(forecast.get_ydata()[1:], est.forecast(series[:40], 10))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["series", "series, forecast"]

    index = pd.date_range("2020-01-01", periods=50, freq="MS")
    frame = pd.Series(series, index=index, name="sales")
    ax = plot_forecast(est, frame[:40], steps=3)  # no truth: history and forecast
    assert len(ax.get_lines()) == 3  # with the line where the forecast begins
    assert list(ax.lines[1].get_xdata()) == list(index[39:43])
    assert ax.get_legend().get_texts()[1].get_text() == "sales, forecast"
    with pytest.raises(ValueError, match=r"plot_forecast: truth must hold 10 steps of 1 "
                                         r"target channel\(s\). Got an array of shape \(10, 2\)"):
        plot_forecast(est, series[:40], np.zeros((10, 2)))

    two = np.column_stack([series, np.cos(0.5 * np.arange(50))])
    both = ALRNNForecaster(n_units=4, max_epochs=1, random_state=0)
    both.fit(*make_windows(two[:40], window=5, horizon=2))
    labels = [t.get_text() for t in plot_forecast(both, two[:40]).get_legend().get_texts()]
    assert labels[:2] == ["channel 0", "channel 0, forecast"] and "channel 1" in labels
    plt.close("all")


def test_plots_without_matplotlib_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    profile = NonlinearityProfile([0, 1], [[0.5, 0.6], [0.8, 0.9]])
    with pytest.raises(ImportError, match=r"pip install sklearn-alrnn\[plot\]"):
        profile.plot()
