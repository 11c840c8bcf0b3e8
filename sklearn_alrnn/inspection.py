"""Read a fitted AL-RNN: its linear regions, their fixed points and cycles.

A fitted AL-RNN is a handful of linear dynamical systems glued together
where its ReLU units switch on or off. The functions here name those
systems, say which one is active at every time step, and solve each for its
fixed point and low-order cycles; :func:`nonlinearity_profile` answers how
many nonlinear units a task needs at all.

Glossary (the paper's letters live here and in ``_module.py`` only):

======  ===============================================================
M       latent units (``n_units``)
P       nonlinear (ReLU) units (``n_nonlinear``): the LAST P of the M
N       observed channels of a forecaster: latent units ``[:N]``
K       input channels of a model driven through C (a classifier)
A       diagonal self-coupling, shape (M,)
W       coupling, shape (M, M); may carry a diagonal, the map below
        holds either way
h       bias, shape (M,)
C       input matrix, shape (M, K), or None for an autonomous model
s       a constant input in the units of X, shape (K,): the bias
        becomes h + C s (the estimator's C and h absorb its input scaling)
d       a region: which of the P nonlinear units are positive
D_d     diag(1, ..., 1, d): identity on the linear units, d on the rest
J_d     diag(A) + W D_d, the linear map of region d
z*      a fixed point, (I - J_d)^-1 (h + C s)
======  ===============================================================

**Region codes.** Nonlinear unit k (latent unit M - P + k, k = 0..P-1) is
bit k of a region's integer code: the code is ``sum_k 2**k [z_{M-P+k} > 0]``.
A region's *pattern* is the string of its P bits in unit order, unit
M - P first, so pattern ``"10"`` is code 1 (the first nonlinear unit on,
the second off). P = 0 has the single region 0 with pattern ``""``.

In region d the model is the affine map z -> J_d z + h + C s. Its fixed
point z* is *real* when it lies in region d itself -- a state the model can
hold, if it is also stable -- and *virtual* otherwise: it shapes the flow
inside d (drawing the state towards it, or pushing it away) but the state
leaves d before it gets there. It is *stable* when the spectral radius of
J_d (the largest eigenvalue modulus) is below 1. A k-cycle visits regions
d_1, ..., d_k in turn; it is found by solving z = J_{d_k} ... J_{d_1} z +
(the accumulated bias) and kept only when every point of the orbit lies in
the region assumed for it; its stability is that of the product.

Latent states, fixed points and orbits are in the model's internal (scaled)
units. For a forecaster whose scaling has a fixed offset
(``scaling="global"`` or None), the observed channels of fixed points and
cycles are also given in data units, in the columns ``x*[0]``, ``x*[1]``, ...

References
----------
.. [1] M. Brenner, C. J. Hemmer, Z. Monfared, D. Durstewitz, "Almost-Linear
   RNNs Yield Highly Interpretable Symbolic Codes in Dynamical Systems
   Reconstruction", NeurIPS 2024. arXiv:2410.14240.
"""

from collections.abc import Iterator
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import InvalidParameterError

from ._profile import NonlinearityProfile, nonlinearity_profile
from ._validation import check_fitted_alrnn, check_int
from ._windows import channel_mean_std

__all__ = [
    "NonlinearityProfile",
    "cycles",
    "fixed_points",
    "nonlinearity_profile",
    "plot_forecast",
    "plot_regions",
    "region_codes",
    "region_summary",
    "transition_matrix",
]

# regions="all" solves one M x M system per region: 2**12 = 4096 take about a
# second at M = 16; beyond that only the regions a model visits are worth solving.
_MAX_ALL_NONLINEAR = 12
# Candidate region sequences cycles() may solve (about 6 s at M = 16).
_MAX_CYCLE_SEQUENCES = 50_000
# I - J_d with a larger condition number has no isolated fixed point.
_MAX_CONDITION = 1e12


# -- regions along a trajectory ----------------------------------------------------


def _as_cases(X: object, estimator, caller: str) -> object:
    """A series becomes one case, as ``forecast`` reads it: a 1-D array, or for a
    forecaster a DataFrame of one column per channel. For a one-channel
    forecaster a DataFrame of more columns holds windows, one step a column,
    as ``predict`` reads them. Anything else goes to the estimator as it is."""
    if isinstance(X, (list, tuple)):
        return X
    if hasattr(X, "columns") and hasattr(estimator, "forecast"):
        width, C = X.shape[1], estimator.n_channels_
        if width == C:
            return X.to_numpy(dtype=np.float64).T[None]
        if C > 1:  # 2-D windows are one channel's
            raise ValueError(
                f"{caller}: X is a DataFrame of {width} columns, but "
                f"{type(estimator).__name__} reads a DataFrame as one series of its "
                f"{C} channels, a column each in the order fitted."
            )
    values = np.asarray(X)
    return values[None] if values.ndim == 1 else X


def _codes_of(z: np.ndarray, n_nonlinear: int) -> np.ndarray:
    """Region code of each state: (..., M) -> (...,) int64."""
    M = z.shape[-1]
    active = z[..., M - n_nonlinear :] > 0
    return active @ (1 << np.arange(n_nonlinear, dtype=np.int64))


def _pattern(code: int, n_nonlinear: int) -> str:
    """The bits of a region code in unit order: bit 0 (unit M - P) first."""
    return "".join("1" if code >> k & 1 else "0" for k in range(n_nonlinear))


def region_codes(estimator, X, *, n_steps=0):
    """The linear region the latent state is in at every time step.

    Parameters
    ----------
    estimator : fitted ALRNNForecaster or ALRNNClassifier
        The model to read.
    X : array-like of shape (n_cases, n_timepoints) or \
            (n_cases, n_channels, n_timepoints), or a 1-D series
        Sequences as the estimator takes them; any length is accepted, so a
        forecaster can read a whole series as one case. A 1-D array is one
        single-channel case, and so is a pandas Series; for a forecaster, a
        DataFrame with one column per channel is one case of shape
        (n_timepoints, n_channels), as ``forecast`` takes it (one with a
        column per step of a window is windows, as ``predict`` takes it).
    n_steps : int, default=0
        Forecasters only: after reading each sequence, run free this many
        steps (as ``forecast`` does) and give their regions too: the
        symbolic code of a generated trajectory.

    Returns
    -------
    codes : ndarray of shape (n_cases, n_timepoints + n_steps), dtype int64
        The region code (see the module docstring: bit k is nonlinear unit
        k) of the state after each step; -1 at the padding steps of
        unequal-length sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.inspection import region_codes
    >>> series = np.sin(0.3 * np.arange(100))
    >>> X, y = make_windows(series, window=10, horizon=1)
    >>> est = ALRNNForecaster(n_units=4, n_nonlinear=2, max_epochs=2, random_state=0)
    >>> codes = region_codes(est.fit(X, y), series)
    >>> codes.shape, int(codes.min()) >= 0, int(codes.max()) < 2**2
    ((1, 100), True, True)
    """
    return _region_codes(estimator, X, n_steps, "region_codes")


def _region_codes(estimator, X, n_steps, caller):
    """:func:`region_codes`, its errors naming ``caller``."""
    check_fitted_alrnn(estimator, caller)
    n_steps = check_int(n_steps, "n_steps", caller, low=0)
    dynamics = estimator._dynamics()
    if n_steps and dynamics["C"] is not None:
        raise ValueError(
            f"{caller}: n_steps runs a forecaster free after each sequence; "
            f"{type(estimator).__name__} is driven by its input and has no free run. "
            f"Got n_steps={n_steps}."
        )
    cases = _as_cases(X, estimator, caller)
    # Only a forecaster's hook takes n_steps.
    states, valid = (estimator._latent_states(cases, n_steps) if n_steps
                     else estimator._latent_states(cases))
    codes = _codes_of(states, dynamics["n_nonlinear"])
    return np.where(valid, codes, -1)


def _run_regions(codes: np.ndarray) -> np.ndarray:
    """The region of each maximal run of steps spent in one region, over all cases."""
    runs = []
    for case in codes:
        case = case[case >= 0]
        if len(case):
            runs.append(case[np.r_[True, case[1:] != case[:-1]]])
    return np.concatenate(runs) if runs else np.empty(0, np.int64)


def transition_matrix(estimator, X, *, normalize=False):
    """How often the model moves from each region to each other under X.

    Parameters
    ----------
    estimator : fitted ALRNNForecaster or ALRNNClassifier
        The model to read.
    X : array-like
        Sequences as for :func:`region_codes`.
    normalize : bool, default=False
        Divide each row by its sum: the probability of the next region
        given the current one.

    Returns
    -------
    transitions : DataFrame of shape (n_visited, n_visited)
        Row ``i``, column ``j``: steps from region ``i`` to region ``j``
        (the diagonal counts steps that stay), over consecutive valid steps
        within each case. Rows and columns are the visited region codes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.inspection import transition_matrix
    >>> series = np.sin(0.3 * np.arange(100))
    >>> X, y = make_windows(series, window=10, horizon=1)
    >>> est = ALRNNForecaster(n_units=4, n_nonlinear=2, max_epochs=2, random_state=0)
    >>> counts = transition_matrix(est.fit(X, y), series)
    >>> int(counts.to_numpy().sum())  # 100 steps, 99 transitions
    99
    """
    if not isinstance(normalize, (bool, np.bool_)):
        raise InvalidParameterError(
            f"The 'normalize' parameter of transition_matrix must be a bool. Got "
            f"{normalize!r} instead."
        )
    codes = _region_codes(estimator, X, 0, "transition_matrix")
    before, after = codes[:, :-1].ravel(), codes[:, 1:].ravel()
    both = (before >= 0) & (after >= 0)
    visited = np.unique(codes[codes >= 0])
    counts = pd.crosstab(
        pd.Categorical(before[both], categories=visited),
        pd.Categorical(after[both], categories=visited),
        dropna=False,
    )
    counts.index.name, counts.columns.name = "from", "to"
    if normalize:  # a region seen only at a case's last step keeps a row of zeros
        counts = counts.div(counts.sum(axis=1).replace(0, 1), axis=0)
    return counts


# -- the linear map of each region ----------------------------------------------------


def _region_maps(A: np.ndarray, W: np.ndarray, codes, n_nonlinear: int) -> np.ndarray:
    """J_d = diag(A) + W D_d for each region code: (R, M, M)."""
    M = len(A)
    bits = (np.asarray(codes, dtype=np.int64)[:, None] >> np.arange(n_nonlinear)) & 1
    D = np.concatenate([np.ones((len(bits), M - n_nonlinear)), bits], axis=1)  # (R, M)
    return np.diag(A) + W[None] * D[:, None, :]  # W D_d scales W's columns


def _spectrum(J: np.ndarray) -> np.ndarray:
    """Eigenvalues of J, largest modulus first, as complex numbers whether or not
    they are real (so that every row of a table holds the same type)."""
    eigenvalues = np.linalg.eigvals(J).astype(np.complex128)
    return eigenvalues[np.argsort(-np.abs(eigenvalues), kind="stable")]


def _solve_affine(J: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The z with z = J z + b, or NaNs when I - J is (numerically) singular."""
    I_minus_J = np.eye(len(J)) - J
    if np.linalg.cond(I_minus_J) > _MAX_CONDITION:
        return np.full(len(J), np.nan)
    return np.linalg.solve(I_minus_J, b)


def _bias(estimator, dynamics, inputs, caller):
    """h + C s for a constant input s (h when inputs is None)."""
    h, C = dynamics["h"], dynamics["C"]
    if inputs is None:
        return h
    name = type(estimator).__name__
    if C is None:
        raise ValueError(
            f"{caller}: inputs were given, but {name} runs autonomously once it forecasts "
            "(it has no input matrix C). Leave inputs=None."
        )
    expected = f"one real number per input channel of {name}, {C.shape[1]} in all"
    try:
        s = np.asarray(inputs, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{caller}: inputs must hold {expected} ({exc}).") from None
    if s.shape != (C.shape[1],):
        raise ValueError(
            f"{caller}: inputs must hold {expected}. Got inputs of shape "
            f"{np.shape(inputs)} instead."
        )
    if not np.isfinite(s).all():
        raise ValueError(f"{caller}: inputs must be finite. Got {inputs!r} instead.")
    return h + C @ s


def _regions(estimator, regions, X, n_nonlinear, caller):
    """Resolve the ``regions`` argument to a sorted array of region codes."""
    keyword = regions if isinstance(regions, str) else None
    if X is not None and keyword != "visited":
        raise ValueError(
            f"{caller}: X is only read with regions='visited'; got regions={regions!r}. "
            "Pass regions='visited' or drop X."
        )
    n_regions = 2**n_nonlinear
    if keyword == "all":
        if n_nonlinear > _MAX_ALL_NONLINEAR:
            raise ValueError(
                f"{caller}: regions='all' means all 2**{n_nonlinear} = {n_regions:,} regions "
                f"of this model (n_nonlinear={n_nonlinear}); the limit is "
                f"2**{_MAX_ALL_NONLINEAR} = {2**_MAX_ALL_NONLINEAR:,}. Pass "
                "regions='visited' with X to analyse the regions the data reach, or a "
                "list of region codes."
            )
        return np.arange(n_regions)
    if keyword == "visited":
        if X is None:
            raise ValueError(
                f"{caller}: regions='visited' needs the sequences X that visit them. "
                "Pass X=..., or use regions='all' or a list of region codes."
            )
        codes = _region_codes(estimator, X, 0, caller)
        return np.unique(codes[codes >= 0])
    if keyword is not None or not np.iterable(regions):
        raise ValueError(
            f"{caller}: regions must be 'all', 'visited' or a list of region codes. "
            f"Got {regions!r} instead."
        )
    codes = list(regions)
    valid = [
        isinstance(r, Integral) and not isinstance(r, bool) and 0 <= r < n_regions
        for r in codes
    ]
    if not codes or not all(valid):
        raise ValueError(
            f"{caller}: region codes must be ints in [0, {n_regions}) for this model "
            f"(n_nonlinear={n_nonlinear}). Got {regions!r} instead."
        )
    return np.unique(np.asarray(codes, dtype=np.int64))


def _observed_columns(estimator, points):
    """{"x*[c]": values in data units} for the observed channels of ``points`` (..., M)."""
    hook = getattr(estimator, "_data_units", None)
    units = hook() if hook is not None else None
    if units is None:
        return {}
    mean, scale = units
    return {f"x*[{c}]": points[..., c] * scale[c] + mean[c] for c in range(len(mean))}


def fixed_points(estimator, regions="all", *, X=None, inputs=None):
    """The fixed point of each region's linear map, whether it is real, and its stability.

    Parameters
    ----------
    estimator : fitted ALRNNForecaster or ALRNNClassifier
        The model to read.
    regions : {"all", "visited"} or list of int, default="all"
        Which regions to solve: all ``2**n_nonlinear`` (refused for more
        than 12 nonlinear units), those the state visits while reading X,
        or the given region codes.
    X : array-like, default=None
        Sequences as for :func:`region_codes`; only with ``regions="visited"``.
    inputs : array-like of shape (n_channels,), default=None
        A constant input s, in the units of X, for a model driven by its
        sequence through C (a classifier): the bias becomes h + C s. None
        means s = 0. A forecaster runs autonomously and takes no inputs.

    Returns
    -------
    points : DataFrame
        One row per region, indexed by region code, with columns:

        - ``pattern``: the region's bits in unit order (module docstring);
        - ``real``: the fixed point lies in its own region;
        - ``stable``: ``spectral_radius < 1``;
        - ``spectral_radius``: the largest eigenvalue modulus of J_d;
        - ``x*[c]``: observed channel c of the fixed point in data units
          (forecasters with ``scaling="global"`` or None only);
        - ``eigenvalues``: all eigenvalues of J_d (complex), largest modulus first;
        - ``fixed_point``: the latent fixed point, shape (n_units,), in the
          model's units; NaN when I - J_d is singular (no isolated point).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.inspection import fixed_points
    >>> series = np.sin(0.3 * np.arange(100))
    >>> X, y = make_windows(series, window=10, horizon=1)
    >>> est = ALRNNForecaster(n_units=4, n_nonlinear=2, max_epochs=2, random_state=0)
    >>> points = fixed_points(est.fit(X, y))
    >>> points.index.tolist(), points["pattern"].tolist()
    ([0, 1, 2, 3], ['00', '10', '01', '11'])
    """
    return _fixed_points(estimator, regions, X, inputs, "fixed_points")


def _fixed_points(estimator, regions, X, inputs, caller):
    """:func:`fixed_points`, its messages naming ``caller``."""
    check_fitted_alrnn(estimator, caller)
    dynamics = estimator._dynamics()
    A, W, P = dynamics["A"], dynamics["W"], dynamics["n_nonlinear"]
    b = _bias(estimator, dynamics, inputs, caller)
    codes = _regions(estimator, regions, X, P, caller)
    maps = _region_maps(A, W, codes, P)
    points = np.array([_solve_affine(J, b) for J in maps]).reshape(len(codes), len(A))
    spectra = [_spectrum(J) for J in maps]
    radius = np.array([np.abs(e).max(initial=0.0) for e in spectra])
    # A NaN point compares as all units off; the isnan mask keeps it from passing as real.
    real = (_codes_of(points, P) == codes) & ~np.isnan(points).any(axis=1)
    return pd.DataFrame(
        {
            "pattern": [_pattern(c, P) for c in codes],
            "real": real,
            "stable": radius < 1,
            "spectral_radius": radius,
            **_observed_columns(estimator, points),
            "eigenvalues": spectra,
            "fixed_point": list(points),
        },
        index=pd.Index(codes, name="region"),
    )


def region_summary(estimator, X, *, inputs=None):
    """What each region the model visits under X is, and how long it stays there.

    Parameters
    ----------
    estimator : fitted ALRNNForecaster or ALRNNClassifier
        The model to read.
    X : array-like
        Sequences as for :func:`region_codes`.
    inputs : array-like of shape (n_channels,), default=None
        Constant input for the fixed points, as in :func:`fixed_points`.

    Returns
    -------
    summary : DataFrame
        One row per visited region, most occupied first, indexed by region
        code, with the columns ``pattern``; ``occupancy`` (fraction of the
        valid steps spent in the region); ``mean_dwell`` (average number of
        consecutive steps per visit); and ``real``, ``stable``,
        ``spectral_radius`` and ``x*[c]`` of the region's fixed point as in
        :func:`fixed_points`. Join ``fixed_points(estimator, "visited", X=X)``
        on the index for the eigenvalues and latent fixed points; see
        :func:`transition_matrix` for the moves between regions.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.inspection import region_summary
    >>> series = np.sin(0.3 * np.arange(100))
    >>> X, y = make_windows(series, window=10, horizon=1)
    >>> est = ALRNNForecaster(n_units=4, n_nonlinear=2, max_epochs=2, random_state=0)
    >>> summary = region_summary(est.fit(X, y), series)
    >>> float(summary["occupancy"].sum())
    1.0
    """
    codes = _region_codes(estimator, X, 0, "region_summary")
    visited, counts = np.unique(codes[codes >= 0], return_counts=True)
    _, visits = np.unique(_run_regions(codes), return_counts=True)
    points = _fixed_points(estimator, visited.tolist(), None, inputs, "region_summary")
    summary = pd.DataFrame(
        {"occupancy": counts / counts.sum(), "mean_dwell": counts / visits},
        index=pd.Index(visited, name="region"),
    )
    summary = points[["pattern"]].join(summary).join(
        points.drop(columns=["pattern", "eigenvalues", "fixed_point"])
    )
    return summary.sort_values("occupancy", ascending=False, kind="stable")


# -- cycles ---------------------------------------------------------------------------


def _n_lyndon_words(n_letters: int, length: int) -> int:
    """How many aperiodic sequences of ``length`` letters there are up to rotation.

    Moebius inversion: (1/n) sum over divisors d of n of mu(d) * letters**(n/d).
    """
    total = 0
    for d in range(1, length + 1):
        if length % d == 0:
            total += _moebius(d) * n_letters ** (length // d)
    return total // length


def _moebius(n: int) -> int:
    """The Moebius function: 0 if n has a squared prime factor, else (-1)**(prime factors)."""
    sign, p = 1, 2
    while p * p <= n:
        if n % p == 0:
            n //= p
            if n % p == 0:
                return 0
            sign = -sign
        p += 1
    return -sign if n > 1 else sign


def _lyndon_words(n_letters: int, length: int) -> Iterator[tuple[int, ...]]:
    """Each aperiodic sequence of ``length`` letters once per rotation class.

    Duval's algorithm yields the Lyndon words (sequences strictly smaller than
    all their rotations) in lexicographic order; those of full length are one
    representative of every rotation class that is not a repeat of a shorter
    sequence.
    """
    word = [-1]
    while word:
        word[-1] += 1
        if len(word) == length:
            yield tuple(word)
        period = len(word)
        while len(word) < length:
            word.append(word[len(word) - period])
        while word and word[-1] == n_letters - 1:
            word.pop()


def _orbit(maps: np.ndarray, b: np.ndarray, letters) -> tuple[np.ndarray, np.ndarray]:
    """The periodic orbit through ``maps[letters[0]], maps[letters[1]], ...`` and their product.

    Returns the orbit (k, M), z_1 .. z_k with z_{i+1} = J_{d_i} z_i + b
    (NaN when the product leaves no isolated solution), and the product
    J_{d_k} ... J_{d_1} (M, M).
    """
    product, offset = np.eye(len(b)), np.zeros(len(b))
    for i in letters:  # compose z -> J z + b in the order of the visits
        product, offset = maps[i] @ product, maps[i] @ offset + b
    orbit = [_solve_affine(product, offset)]
    for i in letters[:-1]:
        orbit.append(maps[i] @ orbit[-1] + b)
    return np.array(orbit), product


def cycles(estimator, order=2, regions="all", *, X=None, inputs=None):
    """The self-consistent cycles of a given period and their stability.

    For every sequence of ``order`` regions (each rotation class once;
    sequences that repeat a shorter one are cycles of lower order and are
    skipped, so constant ones -- fixed points -- never appear) the orbit is
    solved from the product of the region maps, and kept only when each of
    its points lies in the region assumed for it.

    Parameters
    ----------
    estimator : fitted ALRNNForecaster or ALRNNClassifier
        The model to read.
    order : int, default=2
        The period k >= 2 of the cycles.
    regions : {"all", "visited"} or list of int, default="all"
        The regions the cycles may pass through, as in :func:`fixed_points`.
        The search solves about ``n_regions**order / order`` sequences and
        refuses more than 50,000.
    X : array-like, default=None
        Sequences as for :func:`region_codes`; only with ``regions="visited"``.
    inputs : array-like of shape (n_channels,), default=None
        Constant input, as in :func:`fixed_points`.

    Returns
    -------
    cycles : DataFrame
        One row per cycle found, with columns ``regions`` (tuple of the
        region codes visited in turn), ``patterns`` (their bit patterns),
        ``stable`` (``spectral_radius < 1``), ``spectral_radius`` (of the
        product J_{d_k} ... J_{d_1}), ``x*[c]`` (forecasters with a fixed
        scaling offset: observed channel c along the cycle in data units),
        ``eigenvalues`` (of the product, largest modulus first) and
        ``points`` (the orbit, shape (order, n_units), in model units).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.inspection import cycles
    >>> series = np.sin(0.3 * np.arange(100))
    >>> X, y = make_windows(series, window=10, horizon=1)
    >>> est = ALRNNForecaster(n_units=4, n_nonlinear=2, max_epochs=2, random_state=0)
    >>> found = cycles(est.fit(X, y), order=2)
    >>> list(found.columns[:4])
    ['regions', 'patterns', 'stable', 'spectral_radius']
    """
    caller = "cycles"
    check_fitted_alrnn(estimator, caller)
    order = check_int(order, "order", caller, low=2,
                      hint=" (cycles of order 1 are fixed points: see fixed_points)")
    dynamics = estimator._dynamics()
    A, W, P = dynamics["A"], dynamics["W"], dynamics["n_nonlinear"]
    b = _bias(estimator, dynamics, inputs, caller)
    codes = _regions(estimator, regions, X, P, caller)
    n_sequences = _n_lyndon_words(len(codes), order)
    if n_sequences > _MAX_CYCLE_SEQUENCES:
        raise ValueError(
            f"{caller}: order={order} over {len(codes):,} regions means solving "
            f"{n_sequences:,} region sequences; the limit is {_MAX_CYCLE_SEQUENCES:,}. "
            "Lower order, or pass regions='visited' with X or a shorter list of regions."
        )
    maps = _region_maps(A, W, codes, P)
    rows = []
    for letters in _lyndon_words(len(codes), order):
        orbit, product = _orbit(maps, b, letters)
        sequence = codes[list(letters)]
        if np.isnan(orbit).any() or not np.array_equal(_codes_of(orbit, P), sequence):
            continue
        spectrum = _spectrum(product)
        rows.append(
            {
                "regions": tuple(sequence.tolist()),
                "patterns": tuple(_pattern(c, P) for c in sequence),
                "stable": bool(np.abs(spectrum[0]) < 1),
                "spectral_radius": float(np.abs(spectrum[0])),
                **_observed_columns(estimator, orbit),
                "eigenvalues": spectrum,
                "points": orbit,
            }
        )
    columns = ["regions", "patterns", "stable", "spectral_radius"]
    columns += list(_observed_columns(estimator, np.empty((0, len(A)))))
    columns += ["eigenvalues", "points"]
    return pd.DataFrame(rows, columns=columns).rename_axis("cycle")


# -- plots ----------------------------------------------------------------------------


def plot_forecast(estimator, series, truth=None, *, steps=None, ax=None):
    """Plot a series, a forecaster's continuation of it, and what really followed.

    Parameters
    ----------
    estimator : fitted ALRNNForecaster
        The model that forecasts.
    series : array-like of shape (n_timepoints,) or (n_timepoints, n_channels)
        The history the forecast continues, as for ``estimator.forecast``;
        a pandas Series or DataFrame puts its time index on the x axis.
    truth : array-like of shape (steps,) or (steps, n_targets_), default=None
        The target values that followed ``series``, drawn over the forecast.
    steps : int, default=None
        Steps to forecast: ``len(truth)`` when truth is given, else
        ``estimator.horizon_``.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes
        Each target channel's history and truth as solid lines, its forecast
        dashed in the same colour, and a dotted line where the forecast begins.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.inspection import plot_forecast
    >>> series = np.sin(0.3 * np.arange(100))
    >>> X, y = make_windows(series[:80], window=10, horizon=5)
    >>> est = ALRNNForecaster(n_units=4, max_epochs=2, random_state=0).fit(X, y)
    >>> ax = plot_forecast(est, series[:80], series[80:])
    """
    from ._plotting import draw_forecast

    check_fitted_alrnn(estimator, "plot_forecast", forecaster=True)
    if steps is None:
        steps = estimator.horizon_ if truth is None else len(truth)
    forecast = estimator.forecast(series, steps)
    n_targets = estimator.n_targets_
    history = np.asarray(series, dtype=np.float64).reshape(len(series), -1)[:, :n_targets]
    if hasattr(forecast, "index"):  # pandas in, pandas out: plot against the time index
        x_history, x_future = series.index, forecast.index
        names = list(series.columns[:n_targets]) if hasattr(series, "columns") else [series.name]
    else:
        x_history = np.arange(len(series))
        x_future = np.arange(len(series), len(series) + steps)
        names = [None] if n_targets == 1 else [f"channel {c}" for c in range(n_targets)]
    forecast = np.asarray(forecast, dtype=np.float64).reshape(steps, -1)
    if truth is not None:
        truth = np.asarray(truth, dtype=np.float64).reshape(len(truth), -1)
        if truth.shape != forecast.shape:
            raise ValueError(
                f"plot_forecast: truth must hold {steps} steps of {n_targets} target "
                f"channel(s). Got an array of shape {truth.shape} instead."
            )
    return draw_forecast(x_history, history, x_future, forecast, truth, names, ax=ax)


def plot_regions(estimator, X, *, case=0, ax=None):
    """Plot a sequence with the background coloured by the model's active region.

    Parameters
    ----------
    estimator : fitted ALRNNForecaster or ALRNNClassifier
        The model to read.
    X : array-like
        Sequences as for :func:`region_codes`; a 1-D series is one case. The
        time index of a pandas series (not a RangeIndex) labels the x axis.
    case : int, default=0
        Which case of X to draw.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on: each channel of the case against the time step (in
        the order the model reads it), over bands coloured by region, with a
        legend of region patterns. Several channels are each standardised,
        drawn in line styles of their own and named in the legend (a
        DataFrame's column names, else "channel k").

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.inspection import plot_regions
    >>> series = np.sin(0.3 * np.arange(100))
    >>> X, y = make_windows(series, window=10, horizon=1)
    >>> est = ALRNNForecaster(n_units=4, n_nonlinear=2, max_epochs=2, random_state=0)
    >>> ax = plot_regions(est.fit(X, y), series)
    """
    from ._plotting import draw_regions

    check_fitted_alrnn(estimator, "plot_regions")
    # A pandas series' time index labels the x axis; steps need no labels of their own.
    index = X.index if isinstance(X, (pd.Series, pd.DataFrame)) else None
    if isinstance(index, pd.RangeIndex):
        index = None
    names = list(X.columns) if isinstance(X, pd.DataFrame) else None
    X = _as_cases(X, estimator, "plot_regions")
    codes = _region_codes(estimator, X, 0, "plot_regions")
    n_cases = len(codes)
    if isinstance(case, bool) or not isinstance(case, Integral) or not -n_cases <= case < n_cases:
        raise ValueError(
            f"plot_regions: case must be an int that indexes the {n_cases} case(s) of X. "
            f"Got {case!r} instead."
        )
    codes = codes[case]
    values = np.asarray(X[case] if isinstance(X, (list, tuple)) else np.asarray(X)[case], float)
    values = values[None] if values.ndim == 1 else values  # (n_channels, n_timepoints)
    if getattr(estimator, "time_order", None) == "newest_first":
        values = values[:, ::-1]  # in the order the model reads it, as the codes are
        index = None if index is None else index[::-1]
    P = estimator._dynamics()["n_nonlinear"]
    labels = {c: _pattern(c, P) for c in np.unique(codes[codes >= 0]).tolist()}
    if index is not None and (n_cases != 1 or len(index) != len(codes)):  # rows of cases
        index, names = None, None
    if names is not None and len(names) != len(values):  # a DataFrame of windows
        names = None
    ylabel = "value"
    if len(values) > 1:  # on one axis, a 0/1 covariate would be flat beside sales in the 100s
        mean, std = channel_mean_std(values[None])
        values = (values - mean[:, None]) / np.where(std > 0, std, 1.0)[:, None]
        ylabel = "value (standardised per channel)"
    return draw_regions(values, codes, labels, time_index=index, names=names, ylabel=ylabel,
                        ax=ax)
