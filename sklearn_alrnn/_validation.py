"""Input checks whose messages name the estimator or function that received the input.

scikit-learn's ``check_array`` rejects sparse, complex, string, object and
non-finite input, but several of its messages do not say which estimator
objected; these checks run first and do.
"""

import numpy as np
import scipy.sparse as sp


def check_real_array(data, argument: str, owner: str, allow_nan: bool = False):
    """``data`` as a real numpy array; pandas objects pass through (for their column names).

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
        return data
    array = np.asarray(data)
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
