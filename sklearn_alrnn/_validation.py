"""Input checks whose messages name the estimator or function that received the input.

scikit-learn's ``check_array`` rejects sparse, complex, string, object and
non-finite input, but several of its messages do not say which estimator
objected; these checks run first and do. The same goes for integer arguments
(``check_int``), for the estimator an inspection function is given
(``check_fitted_alrnn``), and for the layouts of sequences: lists of cases
(``as_case_array``), ranks (``as_fitted_rank``) and channels (``check_channels``).
"""

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted


def check_real_array(data, argument: str, owner: str, allow_nan: bool = False):
    """``data`` as a real numpy array, or a pandas object checked and returned as it is.

    A pandas object is returned for its column names, which ``validate_data`` records.

    Parameters
    ----------
    data : array-like
    argument : str
        The argument's name in messages ("X", "y", "series").
    owner : str
        The estimator or function named in messages.
    allow_nan : bool, default=False
        Let NaN through (padding); infinity is always rejected.
    """
    if sp.issparse(data):
        raise TypeError(
            f"{owner} does not accept sparse {argument}: Sparse data was passed for "
            f"{argument} ({type(data).__name__}), but dense data is required. Use "
            f"{argument}.toarray() to convert it to a dense numpy array."
        )
    if hasattr(data, "iloc"):
        # The checks below run on a float copy; the pandas object itself is returned.
        check_real_array(_frame_values(data, argument, owner), argument, owner, allow_nan)
        return data
    try:
        array = np.asarray(data)
    except ValueError as exc:  # a ragged list
        raise ValueError(
            f"{owner} expects {argument} as a rectangular array. Got rows of different "
            f"lengths: {exc}"
        ) from None
    kind = array.dtype.kind
    if kind == "c":
        raise ValueError(
            f"Complex data not supported: {owner} expects real-valued {argument}. Got "
            f"dtype {array.dtype} instead."
        )
    if kind in "USVMm":
        raise ValueError(
            f"{owner} expects {argument} of real numbers. Got an array of dtype "
            f"{array.dtype} instead."
        )
    if kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"{owner} expects {argument} of real numbers, but a value could not be "
                f"converted: {exc}"
            ) from None
    if array.dtype.kind == "f":
        if np.isinf(array).any():
            raise ValueError(
                f"Input {argument} contains infinity. {owner} needs finite values."
            )
        if not allow_nan and np.isnan(array).any():
            raise ValueError(
                f"Input {argument} contains NaN. {owner} does not accept missing values "
                "encoded as NaN; impute or drop them first."
            )
    return array


def _frame_values(data, argument: str, owner: str) -> np.ndarray:
    """A pandas Series or DataFrame as float64 (missing values as NaN), or a ValueError
    that names the first column that is not numbers: text, dates, durations, complex."""
    frame = data.to_frame() if data.ndim == 1 else data

    def refuse(i):
        where = f"column {frame.columns[i]!r} of dtype" if data.ndim == 2 else "dtype"
        raise ValueError(
            f"{owner} expects {argument} of real numbers. Got {where} {frame.dtypes.iloc[i]} "
            "instead."
        )

    for i, dtype in enumerate(frame.dtypes):
        if getattr(dtype, "kind", "O") in "mMc":  # numpy takes them as numbers; they are not
            refuse(i)
    try:
        return frame.to_numpy(np.float64, na_value=np.nan)
    except (TypeError, ValueError):  # text somewhere: find its column
        for i in range(frame.shape[1]):
            try:
                frame.iloc[:, i].to_numpy(np.float64, na_value=np.nan)
            except (TypeError, ValueError):
                refuse(i)
        raise


def check_sequence_shape(X, owner: str, layouts: str, case: str = "sequence"):
    """Raise a ValueError unless X is 2-D, or 3-D with at least one channel and step.

    ``layouts`` names the accepted shapes in the message, e.g. "(n_cases,
    n_timepoints) or (n_cases, n_channels, n_timepoints)"; ``case`` what a row
    of X is, for the hint (scikit-learn's "Reshape your data") that follows.
    A 2-D X without columns is left to ``validate_data``, whose message
    scikit-learn's estimator checks expect.
    """
    shape = np.shape(X)
    if len(shape) not in (2, 3):
        raise ValueError(
            f"{owner} expects X of shape {layouts}. Got X of shape {shape} instead. "
            f"Reshape your data, for example X.reshape(1, -1) for a single {case}."
        )
    if len(shape) == 3 and 0 in shape[1:]:
        raise ValueError(
            f"{owner} needs X with at least 1 channel and 1 time step. Got X of shape "
            f"{shape} instead."
        )


def as_fitted_rank(X, fitted_ndim: int, n_features_in: int, owner: str):
    """Predict-time sequences X in the rank that ``fit`` saw, where that is unambiguous.

    After a fit on 3-D X (or a list), 2-D X is read as one channel; after a fit
    on 2-D X, X of shape (n, 1, T) is read as (n, T). A 2-D fit fixes the number
    of time points, as it fixes any scikit-learn estimator's number of features,
    and the error says how to read other lengths.
    """
    ndim = np.ndim(X)
    if fitted_ndim == 3 and ndim == 2:
        return np.asarray(X)[:, None, :]
    if fitted_ndim == 2 and ndim == 3 and np.shape(X)[1] == 1:
        X = np.asarray(X)[:, 0, :]
    if fitted_ndim == 2 and np.ndim(X) == 2 and np.shape(X)[1] != n_features_in:
        raise ValueError(
            f"X has {np.shape(X)[1]} features, but {owner} is expecting {n_features_in} "
            f"features as input. Fitted on 2-D X, {owner} reads sequences of "
            f"{n_features_in} time points (NaN-padded); fit it on 3-D X of shape (n_cases, "
            "1, n_timepoints) or on a list of sequences to read other lengths."
        )
    return X


def check_int(value, name: str, caller: str, low: int, hint: str = "") -> int:
    """``value`` as an int >= low, else scikit-learn's error for a bad parameter.

    That error, ``InvalidParameterError``, is both a ValueError and a TypeError,
    as for an estimator's parameters; ``hint`` is added to its message.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low:
        return int(value)
    raise InvalidParameterError(
        f"The {name!r} parameter of {caller} must be an int in the range [{low}, inf)"
        f"{hint}. Got {value!r} instead."
    )


def check_fitted_alrnn(estimator, caller: str, forecaster: bool = False) -> None:
    """Raise unless ``estimator`` is a fitted ALRNNForecaster (or, unless
    ``forecaster``, ALRNNClassifier).

    The test is the hooks that ``inspection`` reads (``_dynamics``, and
    ``forecast`` for a forecaster), so a stand-in that has them passes: a
    TypeError for an object without them, scikit-learn's NotFittedError for an
    estimator not yet fitted.
    """
    hooks = ("_dynamics", "forecast") if forecaster else ("_dynamics",)
    if not all(hasattr(estimator, hook) for hook in hooks):
        expected = "ALRNNForecaster" if forecaster else "ALRNNForecaster or ALRNNClassifier"
        hint = ""
        if hasattr(estimator, "best_estimator_"):
            hint = " Pass the search's best_estimator_."
        elif hasattr(estimator, "steps"):
            hint = (" For a Pipeline, pass its last step and the data transformed by the "
                    "steps before it: pipe[-1], pipe[:-1].transform(X) (X itself when the "
                    "model is the only step).")
        raise TypeError(
            f"{caller} reads a fitted {expected}. Got {type(estimator).__name__} instead."
            f"{hint}"
        )
    if hasattr(estimator, "fit"):
        check_is_fitted(estimator, "net_")


def stack_cases(cases, name: str) -> np.ndarray:
    """A list of (n_channels, n_timepoints_i) or (n_timepoints_i,) arrays -> NaN-padded 3-D."""
    arrays = []
    for i, case in enumerate(cases):
        try:
            a = np.asarray(case, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}: case {i} of X is not a numeric array ({exc}).") from None
        if a.ndim not in (1, 2):
            raise ValueError(
                f"{name}: each case of a list X must be an array of shape (n_timepoints,) "
                f"or (n_channels, n_timepoints). Got shape {a.shape} for case {i}."
            )
        arrays.append(a.reshape(-1, a.shape[-1]) if a.ndim == 2 else a[None])
    if not arrays:
        return np.empty((0, 1, 0))
    channels = {a.shape[0] for a in arrays}
    if len(channels) > 1:
        raise ValueError(
            f"{name}: all cases of a list X must have the same number of channels. "
            f"Got {sorted(channels)}. Each case is (n_channels, n_timepoints), as aeon "
            "stores them: transpose tables of one row per time step."
        )
    out = np.full((len(arrays), arrays[0].shape[0], max(a.shape[1] for a in arrays)), np.nan)
    for i, a in enumerate(arrays):
        out[i, :, : a.shape[1]] = a
    return out


def as_case_array(X, owner: str):
    """A list of cases as one array; anything else as it is.

    Cases of one length become a 2-D or 3-D array, as scikit-learn reads a list
    of rows; cases of different lengths a NaN-padded 3-D array (``stack_cases``).
    """
    if not isinstance(X, (list, tuple)):
        return X
    try:
        return np.asarray(X)
    except ValueError:  # ragged: unequal-length cases
        return stack_cases(X, owner)


def check_channels(n_channels: int, fitted: int, owner: str, layout: str, hint: str = ""):
    """Raise a ValueError unless X has the ``fitted`` number of channels."""
    if n_channels != fitted:
        raise ValueError(
            f"X has {n_channels} channel(s), but {owner} was fitted with {fitted}: X is "
            f"{layout}.{hint}"
        )
