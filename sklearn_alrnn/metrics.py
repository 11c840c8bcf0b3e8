"""Measures of how well a model reproduces the long-term behaviour of a dynamical system.

A forecaster can score well one step ahead and still generate trajectories with the wrong
geometry or the wrong rhythm, and on chaotic systems any long free-running forecast drifts
away from the truth point by point. Dynamical-systems reconstruction therefore compares
long generated trajectories with the data statistically:

* :func:`state_space_divergence` (:math:`D_{stsp}`): does the model visit the same regions
  of state space as often as the data?
* :func:`power_spectrum_distance` (:math:`D_H`): does it oscillate with the same
  frequencies?

:func:`prediction_error` complements them with the short-term view: how far off is a fitted
forecaster a fixed number of steps ahead?

Conventions, shared by the two trajectory measures:

* Arguments come as ``(x_true, x_gen)``, like ``(y_true, y_pred)`` in scikit-learn: the
  observed trajectory first, the generated one second.
* A trajectory is an array-like of shape ``(n_timepoints, n_dims)`` (rows are time) or
  ``(n_timepoints,)`` for one dimension. Both must have the same number of dimensions; they
  may differ in length.
* Smaller is better, 0 means identical inputs; NaN or infinite values raise a
  ``ValueError`` (a trajectory that diverged has no finite distance to the truth).
"""

import numbers

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.spatial.distance import cdist
from scipy.special import logsumexp

from ._base import _PREDICT_BATCH
from ._validation import check_fitted_alrnn, check_int
from ._windows import _series_values, make_windows

__all__ = ["power_spectrum_distance", "prediction_error", "state_space_divergence"]

# Pseudo-count added to every bin of the state-space grid (Laplace smoothing). Small, so that
# it only keeps the KL divergence finite where the model never goes; published reconstruction
# code uses the same value.
_LAPLACE_ALPHA = 1e-5

# Largest number of dimensions binned by method="auto". Beyond it the pseudo-counts of the
# n_bins**n_dims grid outweigh the data (0.42 of the mass for 6 dimensions, 30 bins and
# 10 000 points, against 0.024 for 5), and the Gaussian-mixture estimate is used instead.
_MAX_BINNED_DIMS = 5

# Gaussian-mixture estimate: mixture components per trajectory, and held-out points of the
# true trajectory at which the two mixtures are compared.
_GMM_N_COMPONENTS = 2000
_GMM_N_EVALUATION = 2000


def _check_trajectory(
    x: object, name: str, caller: str, min_timepoints: int
) -> np.ndarray:
    expected = "an array-like of real numbers of shape (n_timepoints,) or (n_timepoints, n_dims)"
    if x is None:
        raise ValueError(f"{caller}: {name} must be {expected}. Got None instead.")
    try:
        complex_values = np.iscomplexobj(x)
        array = None if complex_values else np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:  # strings, ragged lists
        raise ValueError(
            f"{caller}: {name} must be {expected}. Got a {type(x).__name__} that numpy cannot "
            f"read as real numbers ({exc})."
        ) from None
    if complex_values:
        raise ValueError(f"{caller}: {name} must be {expected}. Got complex values instead.")
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(
            f"{caller}: {name} must be {expected}. Got an array of shape {array.shape} "
            "instead."
        )
    if array.shape[0] < min_timepoints:
        raise ValueError(
            f"{caller}: {name} must have at least {min_timepoints} time point"
            f"{'s' if min_timepoints > 1 else ''}. Got {array.shape[0]} instead."
        )
    if array.shape[1] == 0:
        raise ValueError(f"{caller}: {name} must have at least one dimension. Got 0 instead.")
    n_bad = int(np.count_nonzero(~np.isfinite(array)))
    if n_bad:
        raise ValueError(
            f"{caller}: {name} must contain only finite values. Got {n_bad} NaN or "
            "infinite values instead."
        )
    return array


def _check_trajectories(
    x_true: object, x_gen: object, caller: str, min_timepoints: int
) -> tuple[np.ndarray, np.ndarray]:
    x_true = _check_trajectory(x_true, "x_true", caller, min_timepoints)
    x_gen = _check_trajectory(x_gen, "x_gen", caller, min_timepoints)
    if x_gen.shape[1] != x_true.shape[1]:
        raise ValueError(
            f"{caller}: x_gen must have the same number of dimensions as x_true "
            f"({x_true.shape[1]}). Got {x_gen.shape[1]} instead."
        )
    return x_true, x_gen


def _seed_from(random_state: object, caller: str) -> int:
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"The 'random_state' parameter of {caller} must be a non-negative int. "
                f"Got {random_state!r} instead."
            )
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int32).max))
    if random_state is None:
        return int(np.random.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        f"The 'random_state' parameter of {caller} must be None, an int, a "
        f"numpy.random.Generator or a numpy.random.RandomState. Got {random_state!r} instead."
    )


def _bin_codes(x: np.ndarray, low: np.ndarray, span: np.ndarray, n_bins: int) -> np.ndarray:
    # Far-away generated points may overflow to inf, which the clipping handles.
    with np.errstate(over="ignore"):
        codes = np.floor((x - low) / span * n_bins)
    # Points outside the true range go to the edge bins (see state_space_divergence Notes).
    return np.clip(codes, 0, n_bins - 1).astype(np.int64)


def _binned_counts(
    x_true: np.ndarray, x_gen: np.ndarray, n_bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """Counts of ``x_true`` and of ``x_gen`` in each bin that either visits (same order).

    The bins split the range of ``x_true`` into ``n_bins`` per dimension; the
    cells visited by neither trajectory are not enumerated.
    """
    low = x_true.min(axis=0)
    span = x_true.max(axis=0) - low
    # A constant true dimension has no range to divide; any positive width keeps its points
    # in one bin.
    span[span == 0.0] = 1.0
    codes = np.concatenate(
        [_bin_codes(x_true, low, span, n_bins), _bin_codes(x_gen, low, span, n_bins)]
    )
    # Only visited bins are enumerated, so the grid's n_bins**n_dims cells never exist in
    # memory.
    occupied, cell = np.unique(codes, axis=0, return_inverse=True)
    cell = cell.reshape(-1)
    n_true = len(x_true)
    counts_true = np.bincount(cell[:n_true], minlength=len(occupied))
    counts_gen = np.bincount(cell[n_true:], minlength=len(occupied))
    return counts_true, counts_gen


def _binned_kl(x_true: np.ndarray, x_gen: np.ndarray, n_bins: int) -> float:
    counts_true, counts_gen = _binned_counts(x_true, x_gen, n_bins)
    n_true, n_gen = len(x_true), len(x_gen)
    n_cells = float(n_bins) ** x_true.shape[1]
    total_true = n_true + _LAPLACE_ALPHA * n_cells
    total_gen = n_gen + _LAPLACE_ALPHA * n_cells
    p = (counts_true + _LAPLACE_ALPHA) / total_true
    q = (counts_gen + _LAPLACE_ALPHA) / total_gen
    divergence = float(np.sum(p * (np.log(p) - np.log(q))))
    # The cells visited by neither trajectory, in closed form.
    n_unvisited = n_cells - len(counts_true)
    divergence += n_unvisited * _LAPLACE_ALPHA / total_true * np.log(total_gen / total_true)
    return float(divergence)


def _gmm_kl(x_true: np.ndarray, x_gen: np.ndarray, seed: int) -> float:
    n_dims = x_true.shape[1]
    centre = x_true.mean(axis=0)
    scale = x_true.std(axis=0)
    scale[scale == 0.0] = 1.0
    z_true = (x_true - centre) / scale
    z_gen = (x_gen - centre) / scale

    # Equal component counts, and evaluation points of x_true that are not components:
    # then two samples of the same distribution score 0 on average, not a positive bias.
    n_components = min(_GMM_N_COMPONENTS, len(z_true) // 2, len(z_gen))
    n_evaluation = min(_GMM_N_EVALUATION, len(z_true) - n_components)
    width = n_components ** (-1.0 / (n_dims + 4))
    # The same seed orders both trajectories, so equal inputs give equal mixtures.
    order_true = np.random.default_rng(seed).permutation(len(z_true))
    order_gen = np.random.default_rng(seed).permutation(len(z_gen))
    means_true = z_true[order_true[:n_components]]
    means_gen = z_gen[order_gen[:n_components]]
    evaluation = z_true[order_true[n_components : n_components + n_evaluation]]

    def log_density(means: np.ndarray) -> np.ndarray:
        # The Gaussian normalising constant is the same for both mixtures and cancels.
        squared = cdist(evaluation, means, "sqeuclidean")
        return logsumexp(-squared / (2.0 * width**2), axis=1)

    divergence = float(np.mean(log_density(means_true) - log_density(means_gen)))
    # A negative estimate means "indistinguishable at this sample size".
    return max(divergence, 0.0)


def state_space_divergence(x_true, x_gen, n_bins=30, *, method="auto", random_state=0):
    """Kullback-Leibler divergence between the state-space occupancies of two trajectories.

    :math:`D_{stsp}` measures whether a generated trajectory visits the same regions of
    state space, equally often, as the observed one: the geometry of the attractor, with
    the time order ignored. It is the KL divergence
    :math:`\\mathrm{KL}(p_{true} \\| p_{gen})`, in nats, between the two occupancy
    distributions.

    Parameters
    ----------
    x_true : array-like of shape (n_timepoints, n_dims) or (n_timepoints,)
        Observed trajectory; it defines the region compared.

    x_gen : array-like of shape (n_timepoints_gen, n_dims) or (n_timepoints_gen,)
        Generated trajectory, for example a long free-running forecast. Its length may
        differ from that of ``x_true``.

    n_bins : int, default=30
        Number of bins per dimension of the state-space grid. Used only by the binned
        estimate.

    method : {"auto", "bins", "gmm"}, default="auto"
        Estimate of the occupancy distributions. ``"bins"``: histograms on a grid.
        ``"gmm"``: Gaussian mixtures, for high dimensions. ``"auto"``: ``"bins"`` for up to
        5 dimensions, ``"gmm"`` above.

    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=0
        Seeds the subsampling of the Gaussian-mixture estimate; the binned estimate is
        deterministic. The default is fixed so that the metric gives
        the same value every time it is called on the same data.

    Returns
    -------
    divergence : float
        Non-negative; 0 for identical trajectories (and for any two trajectories with the
        same bin counts), larger for more different occupancies. Not symmetric in its
        arguments.

    Notes
    -----
    **Binned estimate.** Each dimension's range ``[min, max]`` in ``x_true`` is split into
    ``n_bins`` equal bins (the last bin is closed). Points of ``x_gen`` outside that range
    are clipped into the edge bins rather than dropped: time the model spends outside the
    true range then counts as time not spent where the data live, which raises the
    divergence. Dropping those points instead would renormalise the generated histogram
    over the points left and could hide a model that escapes the attractor most of the
    time. With :math:`n_c` points of a trajectory in bin :math:`c`, :math:`N` points in all
    and :math:`B = \\text{n\\_bins}^{\\text{n\\_dims}}` bins, the occupancy is Laplace
    smoothed:

    .. math::

        p(c) = \\frac{n_c + \\alpha}{N + \\alpha B}, \\quad \\alpha = 10^{-5},

    and the divergence is :math:`\\sum_c p_{true}(c) \\log(p_{true}(c) / p_{gen}(c))` over
    all :math:`B` bins. Only visited bins are stored, so memory grows with the data, not
    with :math:`B`. The smoothing mass :math:`\\alpha B` must stay small against
    :math:`N`, which is why ``"auto"`` stops binning above 5 dimensions. Published code for
    [2]_ uses the same :math:`\\alpha` but bins over :math:`\\pm 2` standard deviations of
    the true data and drops the points outside; published AL-RNN code bins over
    ``[min - 0.1 sd, max + 0.1 sd]``, also dropping them. On a Lorenz-63 reconstruction
    scoring about 1.5 the three conventions differed by 0.04-0.06 (bench_dsr in
    ``benchmarks/README.md``).

    **Gaussian-mixture estimate.** Both trajectories are standardised with the mean and
    standard deviation of ``x_true``. Each is represented by an equally weighted mixture of
    :math:`n` isotropic Gaussians centred on :math:`n` of its points, drawn at random
    without replacement, with standard deviation
    :math:`\\sigma = n^{-1/(\\text{n\\_dims} + 4)}` (Scott's rule; 0.58 for
    :math:`n = 2000` points in 10 dimensions). Here
    :math:`n = \\min(2000, \\lfloor N_{true}/2 \\rfloor, N_{gen})`, the same for both, and
    both draws use the same seed, so equal inputs give equal mixtures. The divergence is
    estimated as the mean of :math:`\\log \\hat p_{true}(x) - \\log \\hat p_{gen}(x)` over
    up to 2 000 further points :math:`x` of ``x_true`` that are not mixture centres, and
    clipped at 0. Evaluating at held-out points, rather than at samples of
    :math:`\\hat p_{true}` itself, removes the large upward bias of the latter in high
    dimensions: two samples of the same distribution score close to 0.

    References
    ----------
    .. [1] G. Koppe, H. Toutounji, P. Kirsch, S. Lis and D. Durstewitz, "Identifying
       nonlinear dynamical systems via generative recurrent neural networks with
       applications to fMRI", PLOS Computational Biology, 15(8), e1007263, 2019.
    .. [2] M. Brenner, F. Hess, J. M. Mikhaeil, L. Bereska, Z. Monfared, P.-C. Kuo and
       D. Durstewitz, "Tractable dendritic RNNs for reconstructing nonlinear dynamical
       systems", ICML 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn.metrics import state_space_divergence
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(2000, 2))
    >>> state_space_divergence(x, x, n_bins=10)
    0.0
    >>> near = state_space_divergence(x, rng.normal(size=(2000, 2)), n_bins=10)
    >>> far = state_space_divergence(x, rng.normal(3.0, 1.0, size=(2000, 2)), n_bins=10)
    >>> bool(near < 0.1 < 1.0 < far)
    True
    """
    caller = "state_space_divergence"
    x_true, x_gen = _check_trajectories(x_true, x_gen, caller, min_timepoints=1)
    n_bins = check_int(n_bins, "n_bins", caller, low=1)
    if not isinstance(method, str) or method not in ("auto", "bins", "gmm"):
        raise ValueError(
            f"The 'method' parameter of {caller} must be a str among "
            f"{{'auto', 'bins', 'gmm'}}. Got {method!r} instead."
        )
    seed = _seed_from(random_state, caller)

    if method == "auto":
        method = "bins" if x_true.shape[1] <= _MAX_BINNED_DIMS else "gmm"
    if method == "bins":
        return _binned_kl(x_true, x_gen, int(n_bins))
    if len(x_true) < 2:
        raise ValueError(
            f"{caller}: x_true must have at least 2 time points for method='gmm'. "
            f"Got {len(x_true)} instead."
        )
    return _gmm_kl(x_true, x_gen, seed)


def _normalised_spectra(x: np.ndarray, smoothing: float) -> tuple[np.ndarray, np.ndarray]:
    # Exactly constant channels (a model stuck at a fixed point) have no spectrum; np.ptp
    # rather than std == 0, because rounding in the mean leaves a tiny nonzero std.
    constant = np.ptp(x, axis=0) == 0.0
    centred = x - x.mean(axis=0)
    std = centred.std(axis=0)
    z = centred / np.where(constant, 1.0, std)
    power = np.abs(np.fft.rfft(z, axis=0)) ** 2
    if smoothing > 0.0:
        power = gaussian_filter1d(power, sigma=smoothing, axis=0)
    total = power.sum(axis=0)
    return power / np.where(constant, 1.0, total), constant


def power_spectrum_distance(x_true, x_gen, smoothing=20):
    """Hellinger distance between the power spectra of two trajectories.

    :math:`D_H` measures whether a generated trajectory oscillates at the same frequencies,
    in the same proportions, as the observed one, whatever their phases. It complements
    :func:`state_space_divergence`, which ignores time order.

    Parameters
    ----------
    x_true : array-like of shape (n_timepoints, n_dims) or (n_timepoints,)
        Observed trajectory; at least 2 time points.

    x_gen : array-like of shape (n_timepoints_gen, n_dims) or (n_timepoints_gen,)
        Generated trajectory with the same number of dimensions; at least 2 time points.

    smoothing : float, default=20
        Standard deviation, in frequency bins, of the Gaussian kernel that smooths each
        power spectrum. 0 disables smoothing.

    Returns
    -------
    distance : float
        Mean over dimensions of the per-dimension Hellinger distances; in [0, 1], 0 for
        identical spectra, 1 for spectra with disjoint support. Symmetric in its arguments
        when both have the same length.

    Notes
    -----
    Both trajectories are truncated to their common length (their first
    ``min(n_timepoints, n_timepoints_gen)`` points), so that their spectra share one
    frequency grid. Then, for each dimension: z-score; take the power spectrum
    :math:`|\\mathrm{rFFT}|^2`; smooth it with :func:`scipy.ndimage.gaussian_filter1d`
    (``sigma=smoothing``, scipy's default ``"reflect"`` boundary); normalise it to sum 1,
    giving :math:`p` (true) and :math:`q` (generated); and compute

    .. math::

        H(p, q) = \\sqrt{1 - \\sum_f \\sqrt{p_f q_f}}
                = \\sqrt{\\tfrac{1}{2} \\sum_f (\\sqrt{p_f} - \\sqrt{q_f})^2},

    evaluated in the second form, which is exactly 0 for equal spectra. A dimension that is
    constant in one trajectory only (say, a model stuck at a fixed point) has no spectrum to
    compare and counts as distance 1; constant in both, as 0.

    References
    ----------
    .. [1] J. M. Mikhaeil, Z. Monfared and D. Durstewitz, "On the difficulty of learning
       chaotic dynamics with RNNs", NeurIPS 2022.
    .. [2] M. Brenner, F. Hess, J. M. Mikhaeil, L. Bereska, Z. Monfared, P.-C. Kuo and
       D. Durstewitz, "Tractable dendritic RNNs for reconstructing nonlinear dynamical
       systems", ICML 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn.metrics import power_spectrum_distance
    >>> t = np.arange(2000)
    >>> slow, shifted = np.sin(2 * np.pi * t / 100), np.cos(2 * np.pi * t / 100)
    >>> fast = np.sin(2 * np.pi * t / 10)
    >>> bool(power_spectrum_distance(slow, shifted) < 0.05)
    True
    >>> bool(power_spectrum_distance(slow, fast) > 0.9)
    True
    """
    caller = "power_spectrum_distance"
    x_true, x_gen = _check_trajectories(x_true, x_gen, caller, min_timepoints=2)
    if isinstance(smoothing, bool) or not isinstance(smoothing, numbers.Real):
        raise TypeError(
            f"The 'smoothing' parameter of {caller} must be a float in the range "
            f"[0.0, inf). Got {smoothing!r} instead."
        )
    if not np.isfinite(smoothing) or smoothing < 0:
        raise ValueError(
            f"The 'smoothing' parameter of {caller} must be a float in the range "
            f"[0.0, inf). Got {smoothing!r} instead."
        )

    n_timepoints = min(len(x_true), len(x_gen))
    p, constant_true = _normalised_spectra(x_true[:n_timepoints], float(smoothing))
    q, constant_gen = _normalised_spectra(x_gen[:n_timepoints], float(smoothing))
    distances = np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2, axis=0))
    distances = np.where(constant_true | constant_gen, 1.0, distances)
    distances = np.where(constant_true & constant_gen, 0.0, distances)
    return float(np.mean(distances))


def prediction_error(estimator, series, n_steps):
    """Mean squared error of a fitted forecaster ``n_steps`` ahead, from every start point.

    Every stretch of ``window_`` consecutive points of ``series`` is used as a context; the
    estimator runs free from it, and its prediction ``n_steps`` after the context is compared
    with the value observed there. This is the short-term complement of
    :func:`state_space_divergence` and :func:`power_spectrum_distance`: on a chaotic system a
    good reconstruction keeps it small for a few steps, however long-term statistics look.

    Parameters
    ----------
    estimator : ALRNNForecaster
        A fitted forecaster. Its ``window_`` sets the context length.

    series : array-like of shape (n_timepoints,) or (n_timepoints, n_channels)
        A series with the channels the estimator was fitted on, oldest first: numpy array,
        pandas Series or DataFrame. At least ``window_ + n_steps`` time points.

    n_steps : int
        How many steps ahead each prediction is; 1 is the one-step-ahead error.

    Returns
    -------
    error : float
        The squared difference between prediction and observation at step ``n_steps``,
        averaged over all ``n_timepoints - window_ - n_steps + 1`` start points and over the
        target channels, in the squared units of ``series``.

    Notes
    -----
    Only the ``n_steps``-th step of each forecast is scored, not the steps before it, as in
    the "n-step prediction error" of the reconstruction literature [1]_. The context windows
    are strided views of ``series`` and are forecast a few thousand at a time, so memory does
    not grow with the length of the series.

    References
    ----------
    .. [1] M. Brenner, F. Hess, J. M. Mikhaeil, L. Bereska, Z. Monfared, P.-C. Kuo and
       D. Durstewitz, "Tractable dendritic RNNs for reconstructing nonlinear dynamical
       systems", ICML 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.metrics import prediction_error
    >>> series = np.sin(0.3 * np.arange(200))
    >>> est = ALRNNForecaster(n_units=6, n_nonlinear=0, max_epochs=20, random_state=0)
    >>> est = est.fit(*make_windows(series[:150], window=10, horizon=3))
    >>> bool(prediction_error(est, series[150:], n_steps=1) < 0.01 * series.var())
    True
    """
    caller = "prediction_error"
    check_fitted_alrnn(estimator, caller, forecaster=True)
    n_steps = check_int(n_steps, "n_steps", caller, low=1)
    values = _series_values(series, caller)
    n_channels = 1 if values.ndim == 1 else values.shape[1]
    if n_channels != estimator.n_channels_:
        raise ValueError(
            f"{caller}: series has {n_channels} channel(s), but the estimator was fitted "
            f"with {estimator.n_channels_}. A series is laid out (n_timepoints, n_channels), "
            "oldest first."
        )
    window = estimator.window_
    if len(values) < window + n_steps:
        raise ValueError(
            f"{caller}: series has {len(values)} time points, but window_ + n_steps = "
            f"{window} + {n_steps} = {window + n_steps} are needed for one start point."
        )
    values = values.reshape(len(values), -1).astype(np.float64, copy=False)
    X, y = make_windows(values, window, n_steps, n_targets=estimator.n_targets_)
    total = 0.0
    for start in range(0, len(X), _PREDICT_BATCH):
        stop = start + _PREDICT_BATCH
        predicted = estimator._rollout(X[start:stop], n_steps)[:, :, -1]
        total += float(np.sum((predicted - y[start:stop, :, -1]) ** 2))
    return total / y[:, :, -1].size
