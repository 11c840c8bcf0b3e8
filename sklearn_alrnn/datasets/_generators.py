"""Synthetic time series with known dynamics, for tests, examples and benchmarks.

Conventions shared by every generator in this module:

* **Layout.** One multichannel series is ``(n_timepoints, n_channels)`` (rows are time, as in a
  DataFrame); a univariate series is ``(n_timepoints,)``; a collection of sequences for
  classification or regression is ``(n_cases, n_channels, n_timepoints)``, the aeon/sktime
  layout the estimators take. Values are float64, labels int64.
* **Randomness.** ``random_state`` is None, an int, a :class:`numpy.random.Generator` or a
  :class:`numpy.random.RandomState`. An int seeds a fresh ``np.random.default_rng(seed)``, so
  the same int always gives the same data. A Generator is used, and advanced, as it is. None and
  a RandomState follow scikit-learn: a seed is drawn from NumPy's global state (None) or from the
  RandomState, so ``np.random.seed`` makes calls with ``random_state=None`` repeatable.
* **Transients.** Continuous-time systems are integrated with a fixed-step fourth-order
  Runge-Kutta scheme from a random initial condition, and the first ``burn_in`` steps are
  discarded so that the series starts on the attractor. Discrete-time processes start from zero
  and discard an internal burn-in, so that they start in their stationary regime.
* **Noise.** ``noise`` is always the standard deviation of Gaussian noise. Each function states
  what it is relative to: observation noise as a fraction of each channel's standard deviation
  (flows, classification task), or innovations in the units of the series (AR processes).
"""

import numbers
from collections.abc import Callable

import numpy as np
from scipy.signal import lfilter

from .._validation import check_int

# Regime-wise AR(2) coefficients (intercept, lag-1, lag-2) of make_switching_linear. Regime 0
# applies when x[t-1] <= 0 and pulls towards its fixed point 1 / 0.3 = 3.33, regime 1 applies
# when x[t-1] > 0 and pulls towards -1 / 0.4 = -2.5: both fixed points lie in the other regime
# (they are virtual), so the series can never settle and keeps switching.
_SETAR_REGIMES = ((1.0, 1.5, -0.8), (-1.0, 1.2, -0.6))

# Discrete-time processes start from zeros; this many initial steps are thrown away.
_SETAR_BURN_IN = 100
_CLASSIFICATION_BURN_IN = 100

# make_sequence_classification: pole radius of every class's AR(2) process and the band of
# angular frequencies (radians per step) that the classes' frequencies are spread over.
_CLASSIFICATION_POLE_RADIUS = 0.5
_CLASSIFICATION_FREQUENCIES = (np.pi / 8, np.pi / 2)


def _describe_range(low: float | None, low_open: bool) -> str:
    if low is None:
        return "(-inf, inf)"
    return f"{'(' if low_open else '['}{low!r}, inf)"


def _check_float(
    value: object,
    name: str,
    caller: str,
    low: float | None = None,
    low_open: bool = False,
) -> float:
    expected = f"a float in the range {_describe_range(low, low_open)}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"The {name!r} parameter of {caller} must be {expected}. Got {value!r} instead."
        )
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    if not np.isfinite(value) or too_low:
        raise ValueError(
            f"The {name!r} parameter of {caller} must be {expected}. Got {value!r} instead."
        )
    return value


def _check_random_state(random_state: object, caller: str) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"The 'random_state' parameter of {caller} must be a non-negative int. "
                f"Got {random_state!r} instead."
            )
        return np.random.default_rng(int(random_state))
    if random_state is None:
        # NumPy's global RandomState, as in scikit-learn, so that np.random.seed applies.
        return np.random.default_rng(np.random.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        f"The 'random_state' parameter of {caller} must be None, an int, a "
        f"numpy.random.Generator or a numpy.random.RandomState. Got {random_state!r} instead."
    )


def _rk4(
    f: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, dt: float, n_steps: int
) -> np.ndarray:
    """Integrate ``dx/dt = f(x)`` with the classical fourth-order Runge-Kutta scheme.

    ``f`` maps a state of shape ``(n_dims,)`` to its time derivative, of the same shape.
    Returns the ``n_steps + 1`` states ``x(0), x(dt), ...``, shape ``(n_steps + 1, n_dims)``.
    """
    x = np.array(x0, dtype=np.float64)
    out = np.empty((n_steps + 1,) + x.shape)
    out[0] = x
    half_step = 0.5 * dt
    sixth_step = dt / 6.0
    for i in range(1, n_steps + 1):
        k1 = f(x)
        k2 = f(x + half_step * k1)
        k3 = f(x + half_step * k2)
        k4 = f(x + dt * k3)
        x = x + sixth_step * (k1 + 2.0 * (k2 + k3) + k4)
        out[i] = x
    return out


def _lorenz63_field(
    sigma: float, rho: float, beta: float
) -> Callable[[np.ndarray], np.ndarray]:
    def field(state: np.ndarray) -> np.ndarray:
        # Python floats: arithmetic on NumPy scalars would make integration 1.6x slower.
        x, y, z = state.tolist()
        return np.array([sigma * (y - x), x * (rho - z) - y, x * y - beta * z])

    return field


def _rossler_field(a: float, b: float, c: float) -> Callable[[np.ndarray], np.ndarray]:
    def field(state: np.ndarray) -> np.ndarray:
        x, y, z = state.tolist()
        return np.array([-y - z, x + a * y, b + z * (x - c)])

    return field


def _add_observation_noise(
    x: np.ndarray, noise: float, rng: np.random.Generator
) -> np.ndarray:
    if noise == 0.0:
        return x
    return x + noise * x.std(axis=0) * rng.standard_normal(x.shape)


def _simulate_flow(
    field: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    dt: float,
    n_timepoints: int,
    burn_in: int,
    caller: str,
) -> np.ndarray:
    # Overflow is reported below as a clear error instead of as NumPy warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        trajectory = _rk4(field, x0, dt, burn_in + n_timepoints - 1)[burn_in:]
    if not np.all(np.isfinite(trajectory)):
        raise ValueError(
            f"{caller}: the trajectory diverged to infinity. Use a smaller 'dt' (got {dt!r}) "
            "or parameters for which the system stays bounded."
        )
    return trajectory


def make_lorenz63(
    n_timepoints=10_000,
    dt=0.01,
    sigma=10.0,
    rho=28.0,
    beta=8 / 3,
    burn_in=1000,
    noise=0.0,
    random_state=None,
):
    """Generate a trajectory of the Lorenz-63 system.

    The classic chaotic benchmark of dynamical-systems reconstruction, integrated with a
    fixed-step fourth-order Runge-Kutta scheme from a random initial condition.

    Parameters
    ----------
    n_timepoints : int, default=10_000
        Number of time points returned, spaced ``dt`` apart.

    dt : float, default=0.01
        Integration and sampling step.

    sigma : float, default=10.0
        Prandtl number.

    rho : float, default=28.0
        Rayleigh number; the default gives the chaotic "butterfly" attractor.

    beta : float, default=8/3
        Geometric factor.

    burn_in : int, default=1000
        Number of initial integration steps discarded so that the series starts on the
        attractor.

    noise : float, default=0.0
        Standard deviation of additive Gaussian observation noise, as a fraction of each
        channel's standard deviation (``noise=0.1`` is 10 % noise). The dynamics themselves
        are noise-free.

    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, \
            default=None
        Seeds the initial condition and the observation noise. Pass an int for
        reproducible output.

    Returns
    -------
    X : ndarray of shape (n_timepoints, 3)
        The trajectory; columns are x, y and z.

    Notes
    -----
    The system is

    .. math::

        \\dot x = \\sigma (y - x), \\quad \\dot y = x (\\rho - z) - y, \\quad
        \\dot z = x y - \\beta z.

    The initial condition is drawn uniformly from :math:`[-10, 10]^2 \\times [10, 40]`, a box
    around the attractor. With the default parameters the attractor spans about
    :math:`|x| < 20`, :math:`|y| < 28` and :math:`0 < z < 50`, and one time unit is 100 steps.
    Integrating 100 000 steps takes under a second.

    References
    ----------
    .. [1] E. N. Lorenz, "Deterministic nonperiodic flow", Journal of the Atmospheric
       Sciences, 20(2), 130-141, 1963.

    Examples
    --------
    >>> from sklearn_alrnn.datasets import make_lorenz63
    >>> X = make_lorenz63(n_timepoints=500, random_state=0)
    >>> X.shape
    (500, 3)
    >>> bool(abs(X[:, 0]).max() < 25)
    True
    """
    caller = "make_lorenz63"
    n_timepoints = check_int(n_timepoints, "n_timepoints", caller, low=1)
    dt = _check_float(dt, "dt", caller, low=0.0, low_open=True)
    sigma = _check_float(sigma, "sigma", caller)
    rho = _check_float(rho, "rho", caller)
    beta = _check_float(beta, "beta", caller)
    burn_in = check_int(burn_in, "burn_in", caller, low=0)
    noise = _check_float(noise, "noise", caller, low=0.0)
    rng = _check_random_state(random_state, caller)

    x0 = rng.uniform([-10.0, -10.0, 10.0], [10.0, 10.0, 40.0])
    field = _lorenz63_field(sigma, rho, beta)
    X = _simulate_flow(field, x0, dt, n_timepoints, burn_in, caller)
    return _add_observation_noise(X, noise, rng)


def make_rossler(
    n_timepoints=10_000,
    dt=0.05,
    a=0.2,
    b=0.2,
    c=5.7,
    burn_in=1000,
    noise=0.0,
    random_state=None,
):
    """Generate a trajectory of the Rössler system.

    A chaotic flow whose attractor is a single folded band: most of the time it rotates
    almost linearly in the x-y plane, with rare spikes in z. Integrated with a fixed-step
    fourth-order Runge-Kutta scheme from a random initial condition.

    Parameters
    ----------
    n_timepoints : int, default=10_000
        Number of time points returned, spaced ``dt`` apart.

    dt : float, default=0.05
        Integration and sampling step.

    a : float, default=0.2
        Growth rate of the rotation in the x-y plane.

    b : float, default=0.2
        Constant drive of z.

    c : float, default=5.7
        Threshold of x above which z grows; the default gives the chaotic attractor.

    burn_in : int, default=1000
        Number of initial integration steps discarded so that the series starts on the
        attractor.

    noise : float, default=0.0
        Standard deviation of additive Gaussian observation noise, as a fraction of each
        channel's standard deviation.

    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, \
            default=None
        Seeds the initial condition and the observation noise. Pass an int for
        reproducible output.

    Returns
    -------
    X : ndarray of shape (n_timepoints, 3)
        The trajectory; columns are x, y and z.

    Notes
    -----
    The system is

    .. math::

        \\dot x = -y - z, \\quad \\dot y = x + a y, \\quad \\dot z = b + z (x - c).

    The initial condition is drawn uniformly from :math:`[-5, 5]^2 \\times [0, 1]`, near the
    base of the attractor; starting far from it (large positive x with large z) can make the
    trajectory escape to infinity, which raises a ``ValueError``. One rotation takes about
    6 time units, i.e. 120 steps at the default ``dt``.

    References
    ----------
    .. [1] O. E. Rössler, "An equation for continuous chaos", Physics Letters A, 57(5),
       397-398, 1976.

    Examples
    --------
    >>> from sklearn_alrnn.datasets import make_rossler
    >>> X = make_rossler(n_timepoints=500, random_state=0)
    >>> X.shape
    (500, 3)
    """
    caller = "make_rossler"
    n_timepoints = check_int(n_timepoints, "n_timepoints", caller, low=1)
    dt = _check_float(dt, "dt", caller, low=0.0, low_open=True)
    a = _check_float(a, "a", caller)
    b = _check_float(b, "b", caller)
    c = _check_float(c, "c", caller)
    burn_in = check_int(burn_in, "burn_in", caller, low=0)
    noise = _check_float(noise, "noise", caller, low=0.0)
    rng = _check_random_state(random_state, caller)

    x0 = rng.uniform([-5.0, -5.0, 0.0], [5.0, 5.0, 1.0])
    field = _rossler_field(a, b, c)
    X = _simulate_flow(field, x0, dt, n_timepoints, burn_in, caller)
    return _add_observation_noise(X, noise, rng)


def make_switching_linear(
    n_timepoints=1000, noise=0.1, random_state=None, return_regimes=False
):
    """Generate a univariate series that switches between two linear regimes.

    A self-exciting threshold autoregressive (SETAR) process: the sign of the previous value
    selects which of two stable AR(2) models produces the next value. Each regime alone
    would settle at a fixed point that lies in the other regime, so the series keeps
    switching (about every two steps). It is the smallest case of what an AL-RNN represents
    exactly, and a global linear AR model fits it clearly worse than a two-regime one.

    Parameters
    ----------
    n_timepoints : int, default=1000
        Length of the series.

    noise : float, default=0.1
        Standard deviation of the Gaussian innovations, in the units of the series (its
        standard deviation is about 0.7 at the default).

    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, \
            default=None
        Seeds the innovations. Pass an int for reproducible output.

    return_regimes : bool, default=False
        If True, also return which regime produced each value.

    Returns
    -------
    x : ndarray of shape (n_timepoints,)
        The series.

    regimes : ndarray of shape (n_timepoints,), dtype int64
        Only if ``return_regimes`` is True: ``regimes[t]`` is 1 if ``x[t-1] > 0`` (regime 1
        produced ``x[t]``) and 0 otherwise.

    Notes
    -----
    The process is

    .. math::

        x_t = \\begin{cases}
            1.0 + 1.5 x_{t-1} - 0.8 x_{t-2} + \\varepsilon_t & x_{t-1} \\le 0
            \\quad \\text{(regime 0)} \\\\
            -1.0 + 1.2 x_{t-1} - 0.6 x_{t-2} + \\varepsilon_t & x_{t-1} > 0
            \\quad \\text{(regime 1)}
        \\end{cases}

    with :math:`\\varepsilon_t \\sim N(0, \\text{noise}^2)`. Both regimes are damped
    oscillators (pole moduli 0.89 and 0.77); their fixed points :math:`10/3` and
    :math:`-2.5` are virtual. Without noise the series runs into a cycle of period 4. The
    series starts from zeros and its first 100 values are discarded.

    References
    ----------
    .. [1] H. Tong and K. S. Lim, "Threshold autoregression, limit cycles and cyclical data",
       Journal of the Royal Statistical Society, Series B, 42(3), 245-292, 1980.

    Examples
    --------
    >>> from sklearn_alrnn.datasets import make_switching_linear
    >>> x, regimes = make_switching_linear(200, random_state=0, return_regimes=True)
    >>> x.shape, regimes.shape
    ((200,), (200,))
    >>> sorted(set(regimes.tolist()))
    [0, 1]
    """
    caller = "make_switching_linear"
    n_timepoints = check_int(n_timepoints, "n_timepoints", caller, low=1)
    noise = _check_float(noise, "noise", caller, low=0.0)
    rng = _check_random_state(random_state, caller)

    n_total = _SETAR_BURN_IN + n_timepoints
    # Plain Python floats: far faster than NumPy scalars in a sequential loop.
    innovations = (noise * rng.standard_normal(n_total)).tolist()
    x = [0.0] * n_total
    regimes = [0] * n_total
    previous, before_previous = 0.0, 0.0
    for t in range(n_total):
        regime = 1 if previous > 0.0 else 0
        intercept, lag1, lag2 = _SETAR_REGIMES[regime]
        value = intercept + lag1 * previous + lag2 * before_previous + innovations[t]
        x[t], regimes[t] = value, regime
        previous, before_previous = value, previous

    x = np.asarray(x[_SETAR_BURN_IN:], dtype=np.float64)
    if return_regimes:
        return x, np.asarray(regimes[_SETAR_BURN_IN:], dtype=np.int64)
    return x


def make_linear_ar(n_timepoints=1000, coefs=(1.5, -0.75), noise=1.0, random_state=None):
    """Generate a stationary linear autoregressive AR(p) process.

    The purely linear baseline: a model with no nonlinear units (``n_nonlinear=0``) can
    represent it exactly. The default is a noisy damped oscillation with a period of 12
    steps.

    Parameters
    ----------
    n_timepoints : int, default=1000
        Length of the series.

    coefs : array-like of shape (p,), default=(1.5, -0.75)
        Autoregressive coefficients ``(a_1, ..., a_p)``. They must describe a stationary
        process.

    noise : float, default=1.0
        Standard deviation of the Gaussian innovations.

    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, \
            default=None
        Seeds the innovations. Pass an int for reproducible output.

    Returns
    -------
    x : ndarray of shape (n_timepoints,)
        The series, with mean zero.

    Notes
    -----
    The process is :math:`x_t = \\sum_{i=1}^p a_i x_{t-i} + \\varepsilon_t` with
    :math:`\\varepsilon_t \\sim N(0, \\text{noise}^2)`. It is stationary when every root of
    :math:`z^p - a_1 z^{p-1} - \\dots - a_p` lies strictly inside the unit circle; otherwise
    a ``ValueError`` is raised. The default's roots are :math:`0.866 e^{\\pm i \\pi / 6}`:
    damping 0.866 per step and a period of 12 steps. The series starts from zeros and a
    burn-in is discarded, long enough for the slowest mode to decay below :math:`10^{-6}`
    (at most 1 000 000 steps).

    Examples
    --------
    >>> from sklearn_alrnn.datasets import make_linear_ar
    >>> x = make_linear_ar(300, random_state=0)
    >>> x.shape
    (300,)
    """
    caller = "make_linear_ar"
    n_timepoints = check_int(n_timepoints, "n_timepoints", caller, low=1)
    try:
        coefs_array = np.asarray(coefs, dtype=np.float64)
    except (TypeError, ValueError):
        coefs_array = None
    if coefs_array is None or coefs_array.ndim != 1 or coefs_array.size == 0:
        raise ValueError(
            f"The 'coefs' parameter of {caller} must be a non-empty 1-D array-like of "
            f"floats. Got {coefs!r} instead."
        )
    if not np.all(np.isfinite(coefs_array)):
        raise ValueError(
            f"The 'coefs' parameter of {caller} must contain only finite values. "
            f"Got {coefs!r} instead."
        )
    noise = _check_float(noise, "noise", caller, low=0.0)
    rng = _check_random_state(random_state, caller)

    characteristic = np.concatenate([[1.0], -coefs_array])
    largest_root = float(np.max(np.abs(np.roots(characteristic)), initial=0.0))
    if largest_root >= 1.0:
        raise ValueError(
            f"The 'coefs' parameter of {caller} must describe a stationary process: every "
            "root of z**p - coefs[0] * z**(p-1) - ... - coefs[p-1] must lie strictly inside "
            f"the unit circle. Got {coefs!r}, whose largest root has modulus "
            f"{largest_root:.4g}, instead."
        )

    p = coefs_array.size
    if largest_root > 0.0:
        decay_steps = int(np.ceil(np.log(1e-6) / np.log(largest_root)))
    else:
        decay_steps = 0
    burn_in = p + min(decay_steps, 1_000_000)
    innovations = noise * rng.standard_normal(burn_in + n_timepoints)
    return lfilter([1.0], characteristic, innovations)[burn_in:]


def make_addition_problem(n_cases=1000, n_timepoints=50, random_state=None):
    """Generate the addition problem, a long-memory regression benchmark for RNNs.

    Each sequence has two channels: random values, and a marker that is 1 at exactly two
    time points (one in each half of the sequence) and 0 elsewhere. The target is the sum of
    the two marked values, so a model must remember the first marked value until it sees the
    second.

    Parameters
    ----------
    n_cases : int, default=1000
        Number of sequences.

    n_timepoints : int, default=50
        Length of each sequence; at least 2. Longer sequences need longer memory.

    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, \
            default=None
        Seeds the values and the marker positions. Pass an int for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_cases, 2, n_timepoints)
        Channel 0 holds values drawn uniformly from [0, 1); channel 1 the markers.

    y : ndarray of shape (n_cases,)
        Sum of the two marked values, in [0, 2).

    Notes
    -----
    The first marker is drawn uniformly from the time points ``0, ..., n_timepoints // 2 - 1``,
    the second from ``n_timepoints // 2, ..., n_timepoints - 1``, as in [2]_. Predicting the
    constant 1 gives a mean squared error of 1/6, the baseline a model must beat.

    References
    ----------
    .. [1] S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural Computation,
       9(8), 1735-1780, 1997.
    .. [2] Q. V. Le, N. Jaitly and G. E. Hinton, "A simple way to initialize recurrent
       networks of rectified linear units", arXiv:1504.00941, 2015.

    Examples
    --------
    >>> from sklearn_alrnn.datasets import make_addition_problem
    >>> X, y = make_addition_problem(n_cases=4, n_timepoints=10, random_state=0)
    >>> X.shape, y.shape
    ((4, 2, 10), (4,))
    >>> X[:, 1].sum(axis=1).tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    caller = "make_addition_problem"
    n_cases = check_int(n_cases, "n_cases", caller, low=1)
    n_timepoints = check_int(n_timepoints, "n_timepoints", caller, low=2)
    rng = _check_random_state(random_state, caller)

    values = rng.uniform(0.0, 1.0, size=(n_cases, n_timepoints))
    half = n_timepoints // 2
    first = rng.integers(0, half, size=n_cases)
    second = rng.integers(half, n_timepoints, size=n_cases)
    cases = np.arange(n_cases)
    markers = np.zeros((n_cases, n_timepoints))
    markers[cases, first] = 1.0
    markers[cases, second] = 1.0
    X = np.stack([values, markers], axis=1)
    y = values[cases, first] + values[cases, second]
    return X, y


def make_sequence_classification(
    n_cases=200,
    n_timepoints=50,
    n_channels=1,
    n_classes=2,
    noise=0.5,
    random_state=None,
):
    """Generate a sequence-classification task: which linear dynamics made this series?

    Every class is a noisy damped oscillator, a stationary AR(2) process, with its own
    frequency. All classes have mean zero and unit variance, so no single value, amplitude
    or offset tells them apart: a model has to accumulate evidence about the dynamics over
    the sequence. A small RNN with ReLU units solves the default task (above 95 % accuracy
    when trained on 200 cases); a linear RNN with a linear readout stays near chance, since
    every class looks the same to a linear function of the values; and a 1-nearest-neighbour
    classifier on the raw values reaches only about 70 %.

    Parameters
    ----------
    n_cases : int, default=200
        Number of sequences; at least ``n_classes``. Classes are balanced: their sizes
        differ by at most one.

    n_timepoints : int, default=50
        Length of each sequence.

    n_channels : int, default=1
        Number of channels. Each channel is an independent realisation of the case's class
        dynamics, so more channels make the task easier.

    n_classes : int, default=2
        Number of classes. More classes have closer frequencies and are harder to separate.

    noise : float, default=0.5
        Standard deviation of additive Gaussian observation noise, relative to the unit
        standard deviation of the clean process.

    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, \
            default=None
        Seeds the labels, the innovations and the observation noise. Pass an int for
        reproducible output.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints)
        The sequences.

    y : ndarray of shape (n_cases,), dtype int64
        Class labels ``0, ..., n_classes - 1``, in random order.

    Notes
    -----
    Class :math:`k` follows

    .. math::

        s_t = 2 r \\cos(\\omega_k) s_{t-1} - r^2 s_{t-2} + c_k \\varepsilon_t, \\quad
        x_t = s_t + \\text{noise} \\cdot \\eta_t,

    with :math:`\\varepsilon_t, \\eta_t \\sim N(0, 1)`, pole radius :math:`r = 0.5`, the
    frequencies :math:`\\omega_k` evenly spaced from :math:`\\pi/8` (period 16) to
    :math:`\\pi/2` (period 4), and :math:`c_k` chosen so that :math:`s` has unit stationary
    variance. Each sequence starts in the stationary regime (the first 100 steps from zero
    are discarded). The lag-1 autocorrelation of the clean process is
    :math:`0.8 \\cos \\omega_k`: it separates the classes, but only when estimated over many
    steps.

    Examples
    --------
    >>> from sklearn_alrnn.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_cases=6, n_timepoints=20, random_state=0)
    >>> X.shape
    (6, 1, 20)
    >>> sorted(y.tolist())
    [0, 0, 0, 1, 1, 1]
    """
    caller = "make_sequence_classification"
    n_timepoints = check_int(n_timepoints, "n_timepoints", caller, low=1)
    n_channels = check_int(n_channels, "n_channels", caller, low=1)
    n_classes = check_int(n_classes, "n_classes", caller, low=2)
    n_cases = check_int(n_cases, "n_cases", caller, low=n_classes)
    noise = _check_float(noise, "noise", caller, low=0.0)
    rng = _check_random_state(random_state, caller)

    y = rng.permutation(np.arange(n_cases) % n_classes)
    frequencies = np.linspace(*_CLASSIFICATION_FREQUENCIES, n_classes)
    radius = _CLASSIFICATION_POLE_RADIUS
    X = np.empty((n_cases, n_channels, n_timepoints))
    n_steps = _CLASSIFICATION_BURN_IN + n_timepoints
    for label, frequency in enumerate(frequencies):
        lag1, lag2 = 2.0 * radius * np.cos(frequency), -(radius**2)
        # Stationary variance of an AR(2) process with unit innovations.
        variance = (1.0 - lag2) / ((1.0 + lag2) * ((1.0 - lag2) ** 2 - lag1**2))
        members = y == label
        innovations = rng.standard_normal((members.sum(), n_channels, n_steps))
        clean = lfilter([1.0], [1.0, -lag1, -lag2], innovations / np.sqrt(variance))
        X[members] = clean[..., _CLASSIFICATION_BURN_IN:]
    X += noise * rng.standard_normal(X.shape)
    return X, y.astype(np.int64)
