"""ALRNNClassifier: sequence classification with an input-driven AL-RNN.

Unequal-length sequences arrive either as a list of (n_channels, n_timepoints_i)
arrays (aeon's layout) or as one array padded with trailing NaN. Both become a
NaN-padded float array plus the length of each case; the padding is zeroed
before it reaches torch and masked out of the readout.
"""

from numbers import Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
from skorch.dataset import ValidSplit
from torch import nn

from ._base import _BaseALRNN, keeps_fitted_model_on_error
from ._module import ClassifierModule
from ._validation import (
    as_case_array,
    as_fitted_rank,
    check_channels,
    check_real_array,
    check_sequence_shape,
)
from ._windows import channel_mean_std

_FLOAT = (np.float64, np.float32)


class ALRNNClassifier(ClassifierMixin, _BaseALRNN):
    """Almost-Linear RNN classifier for (multichannel, unequal-length) sequences.

    Each sequence drives the latent state through an input matrix C; a linear
    readout of the final state (or of its average or maximum over time) gives
    the class logits, trained with cross-entropy. Of the ``n_units`` latent units only
    the last ``n_nonlinear`` are ReLU.

    Parameters
    ----------
    n_units : int, default=32
        Number of latent units M.
    n_nonlinear : int, default=4
        Number of ReLU units P (the rest are linear); at most ``n_units``.
    readout : {"last", "mean", "max"}, default="last"
        Classify from the state at each sequence's own last step, from the
        state averaged over the sequence's steps, or from each unit's maximum
        over the steps (max-pooling: evidence seen anywhere in a long
        sequence reaches the readout without having to be held to the end).
    scaling : {"global"} or None, default="global"
        Standardise each channel with its mean and standard deviation over
        the training sequences.
    init_self_coupling : float in [0, 1) or None, default=None
        None initialises the diagonal self-coupling A as the reference work
        does (entries around 0.3-0.7: a state forgets its input within a few
        steps). A float draws each entry uniformly from
        ``[init_self_coupling, 1)`` instead: slowly decaying memory, which
        helps on long sequences (hundreds of steps). Pair it with a lower
        ``lr`` or a tighter ``gradient_clip`` (1.0), as the state then grows
        over time.
    max_epochs : int, default=100
        Passes over the training sequences.
    lr : float, default=1e-2
        Initial learning rate of the RAdam optimiser.
    lr_final : float or None, default=1e-3
        Learning rate after the last epoch: the rate is multiplied by the
        same factor after every epoch, so epoch k of E trains at
        ``lr * (lr_final / lr) ** ((k - 1) / E)``. None, or a value not below
        ``lr``, keeps ``lr`` constant. The reference work decays from
        1e-3 to 1e-5 over thousands of epochs; at the default ``max_epochs``
        that under-trains (bench_defaults in ``benchmarks/README.md``).
    batch_size : int, default=16
        Sequences per gradient step.
    weight_decay : float, default=0.0
        L2 penalty of the optimiser.
    gradient_clip : float or None, default=10.0
        Clip the gradient norm to this value; None does not clip. The default
        binds only when a fit starts to run away (bench_defaults in
        ``benchmarks/README.md``); 1.0 is the ``alrnn`` command's.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the (scaled) training
        inputs.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training cases,
        stop when their loss has not improved for ``n_iter_no_change`` epochs,
        and keep the best weights.
    validation_fraction : float, default=0.1
        Fraction of cases held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra callbacks for the skorch net. The net reads scaled, zero-padded
        inputs and returns logits: skorch's ``EpochScoring`` with a scikit-learn
        scorer name does not apply to it; the losses are in the net's history.
    n_init : int, default=1
        Number of fits, each from its own random start (the seeds are drawn in
        turn from ``random_state``, the first being that of ``n_init=1``). The
        fit with the lowest final training loss (with ``early_stopping``: the
        lowest validation loss of the epoch it restores) is kept, as in
        :class:`~sklearn.cluster.KMeans`.
        On a few dozen training cases a start that trains poorly shows in a
        training loss many times higher than the others' (bench_classify in
        ``benchmarks/README.md``). Each fit gets its own deep copies of
        ``callbacks``; the kept fit's are in ``net_.callbacks_``. A start that
        is not kept does not warn when it diverges.
    warm_start : bool, default=False
        When the estimator is fitted, ``fit`` trains on from the fitted
        weights for ``max_epochs`` more epochs (a new optimizer, the learning
        rate again from ``lr``; ``n_init`` does not apply), keeping the
        scaling of the first fit. The data must have the same channels,
        classes and ``scaling``; a fit that is refused or fails leaves the
        fitted model as it was. ``net_`` and its history are those of the
        last fit; early stopping restores that fit's best epoch, a diverging
        one the weights it started from. False fits anew.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, batch order, noise and the validation split: a
        fixed int makes ``fit`` bitwise reproducible on one machine.
    device : str or torch.device, default="cpu"
        Torch device to train and predict on, for example "cuda".
    verbose : int, default=0
        Print one line per epoch when positive (with ``n_init > 1``, also each
        start's final loss and which start is kept).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the torch module and
        ``net_.history_`` the per-epoch losses.
    n_channels_ : int
        Channels of the input sequences.
    mean_, scale_ : ndarray of shape (n_channels_,)
        Per-channel statistics used for scaling.
    n_features_in_ : int
        Time points of 2-D X, channels of 3-D X or a list (scikit-learn's convention).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X is a DataFrame with string column names.

    Notes
    -----
    The latent state evolves from :math:`z_0 = 0` as

    .. math:: z_t = A z_{t-1} + W \\phi(z_{t-1}) + h + C s_t

    with A diagonal, W of zero diagonal, :math:`s_t` the (scaled) input at
    step t, and :math:`\\phi` the identity on the first M - P units and ReLU
    on the last P. The logits are :math:`V z_T + b` (``readout="last"``),
    :math:`V \\bar z + b` (``readout="mean"``) or :math:`V \\max_t z_t + b`
    (``readout="max"``, the maximum taken per unit).

    After a fit on 3-D X or a list of unequal-length cases, ``predict`` reads
    sequences of any length, and 2-D X as one channel. A fit on 2-D X fixes
    the number of columns, as for any scikit-learn estimator, and so does a
    list of 1-D cases that are all one length, which is 2-D X to scikit-learn;
    fit on ``X[:, None, :]`` to predict other lengths.

    References
    ----------
    .. [1] M. Brenner, G. Koppe, "Uncovering the Computational Roles of
       Nonlinearity in Sequence Modeling Using Almost-Linear RNNs", TMLR 2026.
       arXiv:2506.07919.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> y = rng.randint(2, size=60)
    >>> X = rng.randn(60, 1, 20) + 2.0 * y[:, None, None]  # class 1 sits higher
    >>> clf = ALRNNClassifier(n_units=8, n_nonlinear=2, max_epochs=20, random_state=0)
    >>> clf.fit(X, y).predict(X[:4]).tolist() == y[:4].tolist()
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        **_BaseALRNN._parameter_constraints,
        "readout": [StrOptions({"last", "mean", "max"})],
        "scaling": [StrOptions({"global"}), None],
        "init_self_coupling": [Interval(Real, 0, 1, closed="left"), None],
    }

    # The module parameters that fix the shapes of its weights (for warm_start).
    _weight_shape = ("n_channels", "n_classes", "n_units", "n_nonlinear")

    def __init__(
        self,
        *,
        n_units=32,
        n_nonlinear=4,
        readout="last",
        scaling="global",
        init_self_coupling=None,
        max_epochs=100,
        lr=1e-2,
        lr_final=1e-3,
        batch_size=16,
        weight_decay=0.0,
        gradient_clip=10.0,
        noise=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        callbacks=None,
        n_init=1,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.n_units = n_units
        self.n_nonlinear = n_nonlinear
        self.readout = readout
        self.scaling = scaling
        self.init_self_coupling = init_self_coupling
        self.max_epochs = max_epochs
        self.lr = lr
        self.lr_final = lr_final
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.gradient_clip = gradient_clip
        self.noise = noise
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.callbacks = callbacks
        self.n_init = n_init
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # -- data -----------------------------------------------------------------------

    def _padded(self, X, reset):
        """X as a NaN-padded float array (n, C, T) and the length of each case (n,)."""
        name = type(self).__name__
        X = check_real_array(as_case_array(X, name), "X", name, allow_nan=True)
        check_sequence_shape(X, name, "(n_cases, n_timepoints) or (n_cases, n_channels, "
                                      "n_timepoints), or a list of (n_channels, n_timepoints) "
                                      "arrays")
        if reset:
            self._x_ndim = np.ndim(X)
        else:
            X = as_fitted_rank(X, self._x_ndim, self.n_features_in_, name)
            if np.ndim(X) == 3:
                check_channels(np.shape(X)[1], self.n_channels_, name,
                               "(n_cases, n_channels, n_timepoints)")
        X = validate_data(
            self, X, reset=reset, allow_nd=True, dtype=_FLOAT, ensure_all_finite="allow-nan"
        )
        X3 = X[:, None, :] if X.ndim == 2 else X
        observed = ~np.isnan(X3).all(axis=1)  # (n, T): steps with any value
        lengths = observed.sum(axis=1)
        is_prefix = observed == (np.arange(X3.shape[2]) < lengths[:, None])
        gaps = ~is_prefix.all(axis=1) | (np.isnan(X3).any(axis=1) & observed).any(axis=1)
        if gaps.any():
            case = int(np.flatnonzero(gaps)[0])
            raise ValueError(
                f"Input X contains NaN inside case {case}. {name} reads NaN only as trailing "
                "padding of unequal-length sequences (all channels NaN from some step on); "
                "impute missing values inside a sequence first."
            )
        if (lengths == 0).any():
            case = int(np.flatnonzero(lengths == 0)[0])
            raise ValueError(f"{name}: case {case} of X is empty (all NaN).")
        return X3, lengths

    def _to_torch_inputs(self, X3, lengths, dtype=np.float32):
        """Scaled (n, T, C) with zeros for padding, and int64 lengths."""
        scaled = (X3 - self.mean_[:, None]) / self.scale_[:, None]
        x = np.nan_to_num(scaled.transpose(0, 2, 1), nan=0.0).astype(dtype)
        return {"x": x, "lengths": lengths.astype(np.int64)}

    def _validation_split(self, seed):
        """skorch ``train_split`` for early stopping: stratified and seeded."""
        return _StratifiedSplit(self.validation_fraction, seed, type(self).__name__)

    # -- estimator API --------------------------------------------------------------

    @keeps_fitted_model_on_error
    def fit(self, X, y):
        """Fit the AL-RNN classifier.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_timepoints) or (n_cases, n_channels, \
                n_timepoints), or list of arrays of shape (n_channels, n_timepoints_i)
            Sequences; trailing NaN marks the end of a shorter sequence.
        y : array-like of shape (n_cases,)
            Class labels of any type.

        Returns
        -------
        self : ALRNNClassifier
            The fitted estimator.
        """
        self._validate_params()  # each parameter alone, before the data are read
        name = type(self).__name__
        if y is None:
            raise ValueError(
                f"This {name} estimator requires y to be passed, but the target y is None."
            )
        X3, lengths = self._padded(X, reset=True)
        y = np.asarray(y)
        if y.ndim != 1 and y.shape[1:] != (1,):
            raise ValueError(
                f"{name} expects y of shape (n_cases,). Got y of shape {y.shape} instead."
            )
        y = column_or_1d(y, warn=True)
        if y.dtype.kind == "f":  # NaN is no label (and scikit-learn's own check warns on it)
            check_real_array(y, "y", name)
        if len(y) != len(X3):
            raise ValueError(
                f"{name}: X and y must hold the same number of cases. Got {len(X3)} in X "
                f"and {len(y)} in y."
            )
        try:
            check_classification_targets(y)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{name} needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {encoder.classes_.tolist()[0]!r}."
            )
        device = self._check_params()
        module_params = {
            "n_channels": X3.shape[1],
            "n_classes": len(encoder.classes_),
            "n_units": self.n_units,
            "n_nonlinear": self.n_nonlinear,
            "readout": self.readout,
            "noise": self.noise,
            "init_self_coupling": self.init_self_coupling,
        }
        if self._is_warm() and not np.array_equal(encoder.classes_, self.classes_):
            raise ValueError(
                f"{name} with warm_start=True continues training the fitted model, whose "
                f"classes are {self.classes_.tolist()}; y has {encoder.classes_.tolist()}. "
                "Set warm_start=False to fit anew."
            )
        continues = self._continues(module_params)
        self.classes_ = encoder.classes_
        self.n_channels_ = X3.shape[1]
        if not continues:  # the fitted weights read data on the scale they were fitted on
            self._fit_scaling(X3)

        inputs = self._to_torch_inputs(X3, lengths)
        y_codes = encoder.transform(y)
        return self._fit_net(
            ClassifierModule, module_params, nn.CrossEntropyLoss, inputs, y_codes, device
        )

    def _fit_scaling(self, X3):
        """Set ``mean_`` and ``scale_`` over all cases and steps, (C,) each, and
        ``_fitted_scaling``, the ``scaling`` they are for."""
        C = X3.shape[1]
        if self.scaling is None:
            self.mean_, self.scale_, self._fitted_scaling = np.zeros(C), np.ones(C), None
            return
        mean, std = channel_mean_std(X3)
        self.mean_, self.scale_ = mean, np.where(std > 0, std, 1.0)
        self._fitted_scaling = self.scaling

    def _logits(self, X):
        check_is_fitted(self, "net_")
        inputs = self._to_torch_inputs(*self._padded(X, reset=False), np.float64)
        return self._infer(lambda m, x, n: m(x, n), inputs["x"], inputs["lengths"])

    def decision_function(self, X):
        """Class logits of each sequence.

        Parameters
        ----------
        X : array-like or list of arrays, as in :meth:`fit`

        Returns
        -------
        scores : ndarray of shape (n_cases,) or (n_cases, n_classes)
            The logits; for two classes, as scikit-learn expects, the logit of
            ``classes_[1]`` minus that of ``classes_[0]``.
        """
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if len(self.classes_) == 2 else logits

    def predict_proba(self, X):
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : array-like or list of arrays, as in :meth:`fit`

        Returns
        -------
        proba : ndarray of shape (n_cases, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        return torch.softmax(torch.from_numpy(self._logits(X)), dim=1).numpy()

    def predict_log_proba(self, X):
        """Log of the class probabilities, from the logits (finite where a probability
        rounds to 0).

        Parameters
        ----------
        X : array-like or list of arrays, as in :meth:`fit`

        Returns
        -------
        log_proba : ndarray of shape (n_cases, n_classes)
        """
        return torch.log_softmax(torch.from_numpy(self._logits(X)), dim=1).numpy()

    def predict(self, X):
        """Most probable class of each sequence.

        Parameters
        ----------
        X : array-like or list of arrays, as in :meth:`fit`

        Returns
        -------
        y_pred : ndarray of shape (n_cases,)
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    # -- hooks for sklearn_alrnn.inspection -------------------------------------------

    def _latent_states(self, X):
        """Latent states z_1..z_T of each case: float64 (n, T, M), and the valid mask."""
        check_is_fitted(self, "net_")
        X3, lengths = self._padded(X, reset=False)
        inputs = self._to_torch_inputs(X3, lengths, np.float64)
        states = self._infer(lambda m, x: m.trajectory(x), inputs["x"])
        return states, np.arange(X3.shape[2]) < lengths[:, None]

    def _dynamics(self):
        """The AL-RNN with inputs in data units: float64 A, W, h, C, P.

        C and h absorb the input scaling, so a constant input s in the units of
        X contributes h + C s.
        """
        check_is_fitted(self, "net_")
        cell = self.net_.module_.cell
        params = (cell.A, cell.coupling(), cell.h, cell.C)
        A, W, h, C = (t.detach().double().cpu().numpy() for t in params)
        C = C / self.scale_
        P = self.net_.module_.cell.n_nonlinear  # as fitted, whatever set_params did since
        return {"A": A, "W": W, "h": h - C @ self.mean_, "C": C, "n_nonlinear": P}


class _StratifiedSplit(ValidSplit):
    """skorch's stratified ``ValidSplit``, whose errors say which estimator split and why."""

    def __init__(self, fraction, seed, estimator_name):
        super().__init__(fraction, stratified=True, random_state=seed)
        self.estimator_name = estimator_name

    def __call__(self, dataset, y=None, groups=None):
        try:
            return super().__call__(dataset, y, groups)
        except ValueError as exc:  # too few cases, or a class with one case
            raise ValueError(
                f"{self.estimator_name} with early_stopping=True holds out a stratified "
                f"validation_fraction={self.cv} of the cases, which these labels do not "
                "allow. Pass more cases of each class, change validation_fraction, or set "
                f"early_stopping=False. (scikit-learn: {exc})"
            ) from None
