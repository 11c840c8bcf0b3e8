"""Windows of a series, and per-channel scaling of sequence collections (numpy only).

Layouts, as in aeon/sktime:

* a single series is ``(n_timepoints,)`` or ``(n_timepoints, n_channels)``
  (time along rows, like a pandas Series/DataFrame);
* a collection of sequences is ``(n_cases, n_channels, n_timepoints)``, or
  ``(n_cases, n_timepoints)`` for one channel.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils._set_output import _wrap_data_with_container
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import as_case_array, as_fitted_rank, check_real_array, check_sequence_shape


def _series_values(series, name, argument="series"):
    """A numeric numpy view of a 1-D or 2-D series (no copy for numpy/single-dtype pandas)."""
    values = series.to_numpy() if hasattr(series, "to_numpy") else series
    values = check_real_array(values, argument, name)
    if values.ndim not in (1, 2):
        raise ValueError(
            f"{name}: {argument} must be 1-D (n_timepoints,) or 2-D (n_timepoints, "
            f"n_channels). Got an array of shape {values.shape} instead."
        )
    if values.size == 0 or values.shape[0] == 0:
        raise ValueError(f"{name}: {argument} is empty. Got shape {values.shape}.")
    return values


@validate_params(
    {
        "series": ["array-like"],
        "window": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "n_targets": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def make_windows(series, window, horizon, stride=1, *, n_targets=None):
    """Cut a series into (context window, next values) pairs, without copying it.

    Parameters
    ----------
    series : array-like of shape (n_timepoints,) or (n_timepoints, n_channels)
        The series, oldest first: numpy array, pandas Series or DataFrame.
    window : int
        Length of each context window.
    horizon : int
        Number of values to forecast after each window.
    stride : int, default=1
        Step between the starts of consecutive windows.
    n_targets : int, default=None
        For a 2-D series, how many leading channels are targets in ``y``
        (the rest are covariates). ``None`` means all channels.

    Returns
    -------
    X : ndarray of shape (n_windows, window) or (n_windows, n_channels, window)
        Context windows in time order: 2-D for a 1-D series, 3-D otherwise.
    y : ndarray of shape (n_windows, horizon) or (n_windows, n_targets, horizon)
        The ``horizon`` values after each window.

    Notes
    -----
    ``X`` and ``y`` are read-only strided views into the series: memory does
    not grow with the number of windows. ``n_windows = (n_timepoints - window
    - horizon) // stride + 1``. Consecutive windows overlap, so cross-validate
    with ``TimeSeriesSplit(gap=(horizon - 1) // stride)`` (``horizon - 1`` at
    stride 1) to keep test targets out of the training targets.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import make_windows
    >>> X, y = make_windows(np.arange(10.0), window=4, horizon=2)
    >>> X.shape, y.shape
    ((5, 4), (5, 2))
    >>> X[1], y[1]
    (array([1., 2., 3., 4.]), array([5., 6.]))
    """
    values = _series_values(series, "make_windows")
    n_timepoints = values.shape[0]
    if n_timepoints < window + horizon:
        raise ValueError(
            f"make_windows: series has {n_timepoints} time points, but window + horizon "
            f"= {window} + {horizon} = {window + horizon} are needed for one window."
        )
    views = np.lib.stride_tricks.sliding_window_view(values, window + horizon, axis=0)
    views = views[::stride]  # (n_windows, [n_channels,] window + horizon)
    X, y = views[..., :window], views[..., window:]
    if values.ndim == 1 and n_targets not in (None, 1):
        raise ValueError(
            f"make_windows: n_targets={n_targets} needs a 2-D series with that many "
            "channels; this series is 1-D, one channel."
        )
    if values.ndim == 2:
        n_channels = values.shape[1]
        if n_targets is not None and n_targets > n_channels:
            raise ValueError(
                f"make_windows: n_targets must be <= the number of channels "
                f"({n_channels}). Got {n_targets} instead."
            )
        y = y[:, :n_targets]
    return X, y


def target_overlap(y3: np.ndarray) -> int:
    """How many windows before a window have targets that overlap its own.

    Read from the targets (n, n_targets, H): windows ``stride`` steps apart
    share H - stride targets, so (H - 1) // stride windows before each one
    overlap it, the gap a time-ordered split must leave; 0 when the targets
    share no step (stride >= H, or windows not cut from one series). The
    stride is the smallest that fits up to 100 pairs of neighbours spread
    over y3, so a run of equal windows (a series starting flat) is not
    mistaken for overlap unless every pair looks so.
    """
    n, H = len(y3), y3.shape[2]
    if n < 2:
        return 0
    first = np.unique(np.linspace(0, n - 2, min(n - 1, 100)).astype(int))
    earlier, later = y3[first], y3[first + 1]
    for stride in range(1, H):
        if np.array_equal(earlier[..., stride:], later[..., : H - stride]):
            return (H - 1) // stride
    return 0


def channel_mean_std(X3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each channel's mean and standard deviation over (n, C, T), NaN ignored: (C,), (C,).

    An all-NaN channel gets 0 and 0, so that scaling leaves it as it is.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's "Mean of empty slice"
        mean, std = np.nanmean(X3, axis=(0, 2)), np.nanstd(X3, axis=(0, 2))
    return np.nan_to_num(mean), np.nan_to_num(std)


class SequenceScaler(
    OneToOneFeatureMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Standardise each channel of a collection of sequences.

    The mean and standard deviation of each channel are taken over all cases
    and time points, so the shape of every sequence is kept. NaN (padding of
    unequal-length sequences) is ignored when fitting and kept when
    transforming; a list of unequal-length cases comes back NaN-padded, of
    shape (n_cases, n_channels, longest), which :class:`ALRNNClassifier`
    reads as it reads the list.

    ``set_output(transform="pandas")`` (or the global ``transform_output``)
    applies to 2-D output only: a DataFrame cannot hold 3-D output, which
    stays a numpy array.

    It is meant for the classifier. :class:`ALRNNForecaster` scales its data
    itself (its ``scaling`` parameter): in a Pipeline in front of it, this
    scaler would scale the windows X but not their targets y.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each channel's mean.
    with_std : bool, default=True
        Divide by each channel's standard deviation (1 where it is 0).

    Attributes
    ----------
    mean_ : ndarray of shape (n_channels,)
    scale_ : ndarray of shape (n_channels,)
    n_features_in_ : int
        Number of columns of 2-D X, or channels of 3-D X.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import SequenceScaler
    >>> X = np.array([[[0.0, 2.0], [10.0, 30.0]]])  # 1 case, 2 channels, 2 steps
    >>> SequenceScaler().fit_transform(X)
    array([[[-1.,  1.],
            [-1.,  1.]]])
    """

    _parameter_constraints: dict = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        return tags

    def _validate(self, X, reset):
        """X as a float array of 2 or 3 dimensions, and the shape it came in."""
        # A list of unequal-length cases, as ALRNNClassifier takes it, comes back padded.
        X = check_real_array(as_case_array(X, "SequenceScaler"), "X", "SequenceScaler",
                             allow_nan=True)
        shape = np.shape(X)
        check_sequence_shape(
            X, "SequenceScaler", "(n_cases, n_timepoints) or (n_cases, n_channels, n_timepoints)"
        )
        if reset:
            self._x_ndim = np.ndim(X)
        else:
            X = as_fitted_rank(X, self._x_ndim, self.n_features_in_, "SequenceScaler")
        X = validate_data(
            self, X, reset=reset, allow_nd=True, dtype=np.float64, ensure_all_finite="allow-nan"
        )
        return X, shape

    def fit(self, X, y=None):
        """Learn each channel's mean and standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_timepoints) or (n_cases, n_channels, n_timepoints)
        y : ignored

        Returns
        -------
        self : SequenceScaler
        """
        self._validate_params()
        X, _ = self._validate(X, reset=True)
        mean, std = channel_mean_std(X.reshape(len(X), -1, X.shape[-1]))
        self.mean_ = mean if self.with_mean else np.zeros_like(mean)
        self.scale_ = np.where(std > 0, std, 1.0) if self.with_std else np.ones_like(std)
        return self

    def transform(self, X):
        """Standardise X with the fitted per-channel statistics.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_timepoints) or (n_cases, n_channels, n_timepoints)

        Returns
        -------
        X_scaled : ndarray of the same shape as X
            A DataFrame for 2-D X under ``set_output(transform="pandas")``.
        """
        X3, shape = self._validate_3d(X)
        out = ((X3 - self.mean_[:, None]) / self.scale_[:, None]).reshape(shape)
        if out.ndim == 2 and self._x_ndim == 2:  # columns: the features fit saw
            return _wrap_data_with_container("transform", out, X, self)
        return out

    def fit_transform(self, X, y=None):
        """Fit to X, then transform it.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_timepoints) or (n_cases, n_channels, n_timepoints)
        y : ignored

        Returns
        -------
        X_scaled : ndarray of the same shape as X
            A DataFrame for 2-D X under ``set_output(transform="pandas")``.
        """
        # Not TransformerMixin's: that one is wrapped for set_output, which fails on 3-D.
        return self.fit(X, y).transform(X)

    def inverse_transform(self, X):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_timepoints) or (n_cases, n_channels, n_timepoints)

        Returns
        -------
        X_original : ndarray of the same shape as X
        """
        X3, shape = self._validate_3d(X)
        return (X3 * self.scale_[:, None] + self.mean_[:, None]).reshape(shape)

    def _validate_3d(self, X):
        """X as (n_cases, n_channels_fitted, n_timepoints), and the shape X came in."""
        check_is_fitted(self)
        X, shape = self._validate(X, reset=False)
        X3 = X.reshape(len(X), -1, X.shape[-1])
        if X3.shape[1] != self.mean_.shape[0]:
            raise ValueError(
                f"X has {X3.shape[1]} channels, but SequenceScaler was fitted with "
                f"{self.mean_.shape[0]} channels."
            )
        return X3, shape


# Opted out of scikit-learn's automatic wrapping above, which would fail on 3-D
# output; transform wraps 2-D output itself, and set_output stays available. (A
# subclass that defines transform gets the automatic wrapping back.)
SequenceScaler._sklearn_auto_wrap_output_keys = {"transform"}
