"""How much nonlinearity does a task need? Cross-validated score against n_nonlinear.

The answer follows the one-standard-error rule: among the numbers of
nonlinear units tried, take the smallest whose mean score is within one
standard error of the best mean, since fewer ReLU units mean fewer linear
regions to read and less room to overfit.
"""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from ._windows import target_overlap


class NonlinearityProfile:
    """Cross-validated score for each number of nonlinear units, and the one to pick.

    Usually made by :func:`nonlinearity_profile`; build one by hand from
    per-split scores to apply the same rule to results obtained elsewhere.

    Parameters
    ----------
    n_nonlinear : array-like of shape (n_candidates,)
        The numbers of nonlinear units tried.
    scores : array-like of shape (n_candidates, n_splits)
        Test score of each candidate on each split; greater is better.
    fit_time : array-like of shape (n_candidates,), default=None
        Mean fit time of each candidate in seconds.
    scoring : str, default="score"
        Name of the score, for printing.

    Attributes
    ----------
    table_ : DataFrame of shape (n_candidates, 4)
        Columns ``n_nonlinear``, ``mean_score``, ``std_error`` (the standard
        deviation of the split scores over ``sqrt(n_splits)``, with
        scikit-learn's ``std_test_score`` convention of ddof=0) and
        ``fit_time``, sorted by ``n_nonlinear``.
    scores_ : ndarray of shape (n_candidates, n_splits)
        The split scores, rows in the order of ``table_``.
    best_ : int
        The number of nonlinear units with the best mean score.
    selected_ : int
        The smallest number of nonlinear units whose mean score is at least
        the best mean minus its standard error.

    Examples
    --------
    >>> from sklearn_alrnn.inspection import NonlinearityProfile
    >>> profile = NonlinearityProfile([0, 1, 2], [[0.5, 0.6], [0.8, 0.9], [0.84, 0.9]])
    >>> profile.best_, profile.selected_
    (2, 1)
    """

    def __init__(self, n_nonlinear, scores, fit_time=None, *, scoring="score"):
        n_nonlinear = np.asarray(n_nonlinear, dtype=np.int64)
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim != 2 or scores.shape[0] != len(n_nonlinear) or scores.shape[1] < 1:
            raise ValueError(
                "NonlinearityProfile: scores must have shape (n_candidates, n_splits) = "
                f"({len(n_nonlinear)}, n_splits). Got shape {scores.shape} instead."
            )
        order = np.argsort(n_nonlinear, kind="stable")
        fit_time = np.full(len(order), np.nan) if fit_time is None else np.asarray(fit_time)
        self.scoring = scoring
        self.scores_ = scores[order]
        mean = self.scores_.mean(axis=1)
        std_error = self.scores_.std(axis=1) / np.sqrt(scores.shape[1])
        self.table_ = pd.DataFrame(
            {
                "n_nonlinear": n_nonlinear[order],
                "mean_score": mean,
                "std_error": std_error,
                "fit_time": fit_time[order].astype(np.float64),
            }
        )
        best = int(np.nanargmax(mean))
        self.best_ = int(n_nonlinear[order][best])
        within = mean >= mean[best] - std_error[best]
        self.selected_ = int(n_nonlinear[order][np.flatnonzero(within)[0]])

    def __repr__(self):
        n_splits = self.scores_.shape[1]
        table = self.table_.to_string(index=False, float_format="{:.4f}".format)
        return (
            f"NonlinearityProfile({self.scoring}, {n_splits} splits)\n{table}\n"
            f"selected_ = {self.selected_}: the fewest nonlinear units within one standard "
            f"error of the best mean score (best_ = {self.best_})"
        )

    def plot(self, ax=None):
        """Plot the mean score against n_nonlinear with standard-error bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure's when None.

        Returns
        -------
        ax : matplotlib Axes
            The axes drawn on, marking ``best_``, ``selected_`` and the
            one-standard-error threshold.
        """
        from ._plotting import draw_profile

        return draw_profile(self.table_, self.best_, self.selected_, self.scoring, ax=ax)


def _overlap(y: object) -> int:
    """How many windows before a window have targets that overlap its own (0 if unreadable)."""
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):  # the estimator's own check will say what is wrong
        return 0
    return target_overlap(y.reshape(len(y), 1, -1) if y.ndim < 3 else y) if y.ndim else 0


def _default_cv(estimator, y, cv):
    """Time-ordered splits for forecasters, stratified folds for classifiers.

    A forecaster's splits leave out the windows whose targets overlap the
    test windows' (``(horizon - 1) // stride``); a TimeSeriesSplit
    passed in with a smaller gap gets a warning. TimeSeriesSplit's default
    test size, ``n_windows // (n_splits + 1)``, ignores the gap: where it
    would leave no window to train on, the windows past the gap are shared
    out instead, ``(n_windows - gap) // (n_splits + 1)`` per test fold.
    """
    n_splits = 5 if cv is None else cv
    integral = isinstance(n_splits, Integral) and not isinstance(n_splits, bool)
    if is_classifier(estimator):
        return StratifiedKFold(n_splits) if integral else cv
    overlap = _overlap(y)
    if integral:
        n_windows, test_size = len(y), None
        if n_windows - overlap - n_splits * (n_windows // (n_splits + 1)) <= 0:
            # 0 when even one window per fold does not fit: TimeSeriesSplit says so.
            test_size = (n_windows - overlap) // (n_splits + 1) or None
        return TimeSeriesSplit(n_splits, gap=overlap, test_size=test_size)
    if isinstance(cv, TimeSeriesSplit) and cv.gap < overlap:
        warnings.warn(
            f"nonlinearity_profile: each window's targets overlap those of the "
            f"{overlap} window(s) before it, but cv=TimeSeriesSplit(gap={cv.gap}) leaves "
            f"only {cv.gap} out between training and test, so the last training targets "
            f"are test values. Use TimeSeriesSplit(gap={overlap}).",
            UserWarning,
            stacklevel=3,
        )
    return cv


def nonlinearity_profile(
    estimator, X, y, *, n_nonlinear=None, cv=None, scoring=None, n_jobs=None, verbose=0
):
    """Cross-validate an AL-RNN for each number of nonlinear units.

    The package's answer to "how much nonlinearity does this task need?":
    the smallest ``n_nonlinear`` whose cross-validated score is within one
    standard error of the best. It runs a :class:`~sklearn.model_selection.GridSearchCV`
    over ``n_nonlinear`` (all other parameters as set on ``estimator``),
    so candidates and splits run in parallel with ``n_jobs``.

    Parameters
    ----------
    estimator : ALRNNForecaster or ALRNNClassifier, or a Pipeline ending in one
        The model to profile; it is cloned, never fitted in place.
    X, y : array-like
        Training data as the estimator's ``fit`` takes them.
    n_nonlinear : list of int, default=None
        Numbers of nonlinear units to try. None tries 0 and the powers of
        two below ``estimator.n_units`` that leave a forecaster one linear
        unit per channel. Values the estimator does not allow
        (above ``n_units``, or leaving fewer linear units than a forecaster
        has channels) make it raise its own error.
    cv : int, cross-validation generator or iterable, default=None
        Splitting strategy. None or an int (5 when None) gives, for a
        forecaster, ``TimeSeriesSplit(n_splits, gap=...)`` with the gap
        that keeps overlapping windows from leaking test targets into
        training: ``(horizon - 1) // stride`` (read from y), ``horizon - 1``
        for windows one step apart (where the gap leaves too few windows for
        TimeSeriesSplit's default test size, the test folds share the
        windows past the gap);
        for a classifier ``StratifiedKFold(n_splits)``. Anything else is used
        as given; a TimeSeriesSplit with a smaller gap gets a warning.
    scoring : str or callable, default=None
        A scikit-learn scorer; None uses the estimator's ``score`` (R^2 for a
        forecaster, accuracy for a classifier).
    n_jobs : int, default=None
        Fits to run in parallel (``-1``: all processors).
    verbose : int, default=0
        Progress, as :class:`~sklearn.model_selection.GridSearchCV` prints
        it: 2 and above give a line per fit (3 adds its score).

    Returns
    -------
    profile : NonlinearityProfile
        ``table_`` holds the mean score, standard error and fit time of
        each candidate; ``best_`` and ``selected_`` the answers.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.inspection import nonlinearity_profile
    >>> X, y = make_windows(np.sin(0.3 * np.arange(80)), window=8, horizon=2)
    >>> est = ALRNNForecaster(n_units=4, max_epochs=2, random_state=0)
    >>> profile = nonlinearity_profile(est, X, y, n_nonlinear=[0, 1], cv=2)
    >>> profile.table_.columns.tolist()
    ['n_nonlinear', 'mean_score', 'std_error', 'fit_time']
    """
    model, param = estimator, "n_nonlinear"
    if isinstance(estimator, Pipeline):  # the parameter of its last step
        name, model = estimator.steps[-1]
        param = f"{name}__n_nonlinear"
    if n_nonlinear is None:
        # Powers of two that leave a linear unit (for a forecaster, one per channel).
        try:
            n_linear = np.shape(X)[1] if hasattr(model, "forecast") and np.ndim(X) == 3 else 1
        except ValueError:  # a ragged X: the estimator's own check will say so
            n_linear = 1
        most = model.n_units - n_linear
        n_nonlinear = [0] + [2**i for i in range(max(most, 0).bit_length()) if 2**i <= most]
    candidates = list(n_nonlinear) if np.ndim(n_nonlinear) == 1 else []
    if not candidates or len(set(candidates)) != len(candidates):
        raise ValueError(
            "nonlinearity_profile: n_nonlinear must be a non-empty list of distinct "
            f"ints. Got {n_nonlinear!r} instead."
        )
    search = GridSearchCV(
        estimator,
        {param: candidates},
        scoring=scoring,
        cv=_default_cv(estimator, y, cv),
        n_jobs=n_jobs,
        verbose=verbose,
        refit=False,
        error_score="raise",
    )
    search.fit(X, y)
    results = search.cv_results_
    splits = [results[f"split{i}_test_score"] for i in range(search.n_splits_)]
    if scoring is None:  # the estimator's own score method
        name = "accuracy" if is_classifier(estimator) else "R^2"
    else:
        name = scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "score")
    return NonlinearityProfile(
        results[f"param_{param}"].tolist(),
        np.column_stack(splits),
        results["mean_fit_time"],
        scoring=name,
    )
