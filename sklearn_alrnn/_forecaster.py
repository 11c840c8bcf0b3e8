"""ALRNNForecaster: multi-step forecasting of windows with an AL-RNN."""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from torch import nn

from ._base import _BaseALRNN, _TailSplit, keeps_fitted_model_on_error
from ._module import ForecastModule
from ._validation import check_channels, check_int, check_real_array, check_sequence_shape
from ._windows import _series_values, target_overlap

_FLOAT = (np.float64, np.float32)
# A free run whose forecasts grow this many times larger than the windows it read (in
# the model's scaled units) has unstable dynamics: no trend continued for any sensible
# number of steps gets there, while an exponential divergence soon passes it.
_DIVERGED = 1e6
# Ridge penalty per equation on the lag coefficients of _autoregression (the lags
# are standardised by the estimator's scaling, so they have about unit variance).
_AR_RIDGE = 1e-8


def _autoregression(sequences: np.ndarray, n_lags: int, chunk: int = 4096) -> np.ndarray:
    """Least-squares VAR of ``n_lags`` lags (fewer for short sequences) with intercept.

    ``sequences`` has shape (n, S, C); every step after the first ``n_lags`` of
    each sequence is one equation. Returns the (lags * C + 1, C) coefficients:
    the lag-1 to lag-L matrices (transposed), then the intercept. The normal
    equations are summed over ``chunk`` sequences at a time, so memory does not
    grow with the (n * S, L * C) design matrix.

    The lag coefficients carry a ridge penalty of ``_AR_RIDGE`` per equation.
    On a smooth, finely sampled series the lags are nearly collinear and plain
    least squares returns coefficients near a thousand that cancel each other
    (Lorenz-63's x at dt = 0.02, 16 lags: about 900): a float32 recurrence
    cannot roll them out, and training diverges at once. The penalty brings
    those to single digits (7) and leaves well-conditioned fits as they were
    (a sine's AR(2) and the airline series' AR(12) move by less than 1e-6).
    """
    n, S, C = sequences.shape
    n_lags = min(n_lags, S - 1)
    k = n_lags * C + 1
    gram, cross = np.zeros((k, k)), np.zeros((k, C))
    for start in range(0, n, chunk):
        part = np.asarray(sequences[start : start + chunk], dtype=np.float64)
        lagged = [part[:, n_lags - j : S - j] for j in range(1, n_lags + 1)]
        design = np.concatenate(lagged + [np.ones((len(part), S - n_lags, 1))], axis=2)
        design = design.reshape(-1, k)
        gram += design.T @ design
        cross += design.T @ part[:, n_lags:].reshape(-1, C)
    # The intercept (last coefficient) is not penalised.
    gram[:-1, :-1] += _AR_RIDGE * n * (S - n_lags) * np.eye(k - 1)
    return np.linalg.solve(gram, cross)


class ALRNNForecaster(RegressorMixin, _BaseALRNN):
    """Almost-Linear RNN forecaster: the next ``horizon`` values after each window.

    Each window is read into the latent state with every step teacher-forced,
    then the model runs free for ``horizon`` steps; the first ``n_channels``
    latent units are the observed channels (identity readout). Of the
    ``n_units`` latent units only the last ``n_nonlinear`` are ReLU, so the
    fitted model is a set of at most ``2**n_nonlinear`` linear systems.

    Parameters
    ----------
    n_units : int, default=16
        Number of latent units M. Must be at least ``n_nonlinear`` plus the
        number of channels of X.
    n_nonlinear : int, default=2
        Number of ReLU units P (the rest are linear). 0 gives a linear RNN,
        ``n_units - n_channels`` the most nonlinear model possible here.
    input_drive : bool, default=True
        Also feed each observation (running free: each forecast) to the
        hidden units through a learned matrix, so the ReLU units respond to
        x_t in the same step instead of one step later. False gives the pure
        identity-forced AL-RNN of the reference work.
    scaling : {"global", "window"} or None, default="global"
        Internal standardisation of each channel, undone on predictions.
        "global" uses the mean and standard deviation over all training
        windows; "window" subtracts each window's own mean (for series with
        a changing level) and divides by the global standard deviation.
    time_order : {"oldest_first", "newest_first"}, default="oldest_first"
        Order of the steps along the last axis of X. "newest_first" is the
        layout of a lag matrix whose first column is lag 1, the most recent
        value: the one skforecast's forecasters pass. Either way the model
        reads each window from its oldest step to its newest; y and
        :meth:`forecast`'s series are always oldest first.
    forcing_interval : int or None, default=None
        Train with sparse teacher forcing, the reference method for chaotic
        series [1]_, [3]_: each window and its horizon are one training
        sequence. The window is read fully forced, as :meth:`predict` reads
        it; over the horizon the model runs free and has its observed units
        reset to the data every ``forcing_interval`` steps. Every step's
        prediction is scored: one step ahead in the window, up to
        ``forcing_interval`` steps ahead (made before the reset) in the
        horizon. Windows of one step give the reference's scheme, sparse
        forcing from the first value on. None trains the forecast of the
        horizon after a fully forced window.
    init : {"reference", "autoregressive"}, default="reference"
        Starting weights. "reference" is the reference work's random
        initialisation [1]_. "autoregressive" starts the linear units as the
        least-squares vector autoregression (a ridge of 1e-8 keeps nearly
        collinear lags finite) of the scaled training sequences, with
        L = min((n_units - n_nonlinear) // n_channels, window) lags held in
        a delay line of linear units: training then
        begins from the least-squares one-step forecaster among
        autoregressions of L lags, and the ReLU units (reference
        initialisation) learn what it misses. The input drive starts at zero.
    max_epochs : int, default=100
        Passes over the training windows.
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
        Windows per gradient step.
    weight_decay : float, default=0.0
        L2 penalty of the optimiser.
    gradient_clip : float or None, default=10.0
        Clip the gradient norm to this value; None does not clip. The default
        binds only when a fit starts to run away: on a few dozen training
        windows an unclipped fit can diverge, which it prevents without the
        cost of a tight clip (1.0, the ``alrnn`` command's) on other series
        (bench_defaults in ``benchmarks/README.md``).
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the (scaled) training
        windows, a regulariser for short noisy series.
    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the windows (the most
        recent, never a random subset), stop when their loss has not improved
        for ``n_iter_no_change`` epochs, and keep the best weights. The windows
        before the held-out ones whose targets overlap theirs (``horizon - 1``
        of them for windows one step apart, as y shows) are left out of
        training.
    validation_fraction : float, default=0.1
        Fraction of windows held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra callbacks for the skorch net (checkpointing, progress bars, ...).
        The net trains on scaled arrays of shape (n_windows, window, n_channels)
        and (n_windows, horizon, n_targets): skorch's ``EpochScoring`` with a
        scikit-learn scorer name does not apply to them; the losses are in the
        net's history.
    n_init : int, default=1
        Number of fits, each from its own random start (the seeds are drawn in
        turn from ``random_state``, the first being that of ``n_init=1``). The
        fit with the lowest final training loss (with ``early_stopping``: the
        lowest validation loss of the epoch it restores) is kept, as in
        :class:`~sklearn.cluster.KMeans`.
        A lower loss over one horizon need not make a better long free run: on
        three origins in the airline training part it did not improve 36-month
        forecasts (bench_forecast in ``benchmarks/README.md``). Each fit gets
        its own deep copies of ``callbacks``; the kept fit's are in
        ``net_.callbacks_``. A start that is not kept does not warn when it
        diverges.
    warm_start : bool, default=False
        When the estimator is fitted, ``fit`` trains on from the fitted
        weights for ``max_epochs`` more epochs (a new optimizer, the learning
        rate again from ``lr``; ``n_init`` and ``init`` do not apply), keeping
        the scaling of the first fit. The data may have another window or
        horizon, but the same channels, targets and ``scaling``; a fit that
        is refused or fails leaves the fitted model as it was. ``net_`` and
        its history are those of the last fit; early stopping restores that
        fit's best epoch, a diverging one the weights it started from. False
        fits anew.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, batch order and noise: a fixed int makes
        ``fit`` bitwise reproducible on one machine.
    device : str or torch.device, default="cpu"
        Torch device to train and predict on, for example "cuda".
    verbose : int, default=0
        Print one line per epoch when positive (with ``n_init > 1``, also each
        start's final loss and which start is kept).

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the torch module and
        ``net_.history_`` the per-epoch losses.
    n_channels_ : int
        Channels of X: the first ``n_targets_`` are targets, the rest covariates.
    n_targets_ : int
        Channels forecast in y.
    window_ : int
        Length of the context windows.
    horizon_ : int
        Steps forecast by :meth:`predict`.
    mean_ : ndarray of shape (n_channels_,)
        Per-channel mean of the training windows.
    scale_ : ndarray of shape (n_channels_,)
        Per-channel standard deviation used for scaling.
    n_features_in_ : int
        ``window_`` for 2-D X, ``n_channels_`` for 3-D X (scikit-learn's convention).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X is a DataFrame with string column names.

    Notes
    -----
    The latent state z (``n_units`` values) evolves as

    .. math:: z_t = A z_{t-1} + W \\phi(z_{t-1}) + h

    with A diagonal, W of zero diagonal, and :math:`\\phi` the identity on
    the first M - P units and ReLU on the last P. During the window,
    :math:`z_{1:N,t}` is replaced by the observation (teacher forcing);
    afterwards :math:`\\hat x_t = z_{1:N,t}`. Covariate channels are read
    and rolled out like targets but do not enter the loss: past the window
    the model runs them free, and their future values cannot be supplied.

    With ``forcing_interval`` set, training follows [3]_: forcing only every
    tau-th step keeps gradients through chaotic dynamics from exploding,
    while the free stretches in between teach the model its own long-term
    behaviour. In the horizon only the target channels are known, so only
    they are reset there. The window is read fully forced first, so that
    the hidden units, which forcing never resets, are in step with the data
    when the free stretches begin: on Lorenz-63 (``benchmarks/bench_dsr.py``,
    P = 2, three seeds) this lowered the state-space divergence from
    2.86 +- 0.47, forcing sparsely from the first value on, to 1.77 +- 0.34
    (1.86 +- 0.29 in a rerun).
    With ``input_drive`` the hidden units see the model's own prediction at
    unforced steps, as when it runs free.

    A fitted model generates long trajectories with :meth:`forecast`, for
    example the 10^5 steps compared with the data by
    :func:`~sklearn_alrnn.metrics.state_space_divergence`: the free run is
    computed in float64 under ``torch.inference_mode``, 10 000 steps at a
    time, keeping only the observed channels, so memory grows only with the
    values returned (10^6 steps of 3 channels: about 100 MB at peak).

    Overlapping windows leak across a plain K-fold split: cross-validate
    with ``TimeSeriesSplit(gap=horizon - 1)``.

    References
    ----------
    .. [1] M. Brenner, C. J. Hemmer, Z. Monfared, D. Durstewitz, "Almost-Linear
       RNNs Yield Highly Interpretable Symbolic Codes in Dynamical Systems
       Reconstruction", NeurIPS 2024. arXiv:2410.14240.
    .. [2] M. Brenner, G. Koppe, "Uncovering the Computational Roles of
       Nonlinearity in Sequence Modeling Using Almost-Linear RNNs", TMLR 2026.
       arXiv:2506.07919.
    .. [3] J. M. Mikhaeil, Z. Monfared, D. Durstewitz, "On the difficulty of
       learning chaotic dynamics with RNNs", NeurIPS 2022. arXiv:2110.07238.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> series = np.sin(np.arange(200) * 0.3)
    >>> X, y = make_windows(series, window=12, horizon=3)
    >>> est = ALRNNForecaster(n_units=8, n_nonlinear=1, max_epochs=30, random_state=0)
    >>> est.fit(X, y).predict(X[-2:]).shape
    (2, 3)
    >>> est.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_BaseALRNN._parameter_constraints,
        "input_drive": ["boolean"],
        "scaling": [StrOptions({"global", "window"}), None],
        "time_order": [StrOptions({"oldest_first", "newest_first"})],
        "forcing_interval": [Interval(Integral, 1, None, closed="left"), None],
        "init": [StrOptions({"reference", "autoregressive"})],
    }

    # The module parameters that fix the shapes of its weights (for warm_start).
    _weight_shape = ("n_channels", "n_targets", "n_units", "n_nonlinear", "input_drive")

    def __init__(
        self,
        *,
        n_units=16,
        n_nonlinear=2,
        input_drive=True,
        scaling="global",
        time_order="oldest_first",
        forcing_interval=None,
        init="reference",
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
        self.input_drive = input_drive
        self.scaling = scaling
        self.time_order = time_order
        self.forcing_interval = forcing_interval
        self.init = init
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # y is (n_windows, horizon)
        return tags

    # -- data -----------------------------------------------------------------------

    def _check_X(self, X):
        """X as an array (or DataFrame) of 2 or 3 dimensions."""
        X = check_real_array(X, "X", type(self).__name__)
        check_sequence_shape(
            X, type(self).__name__, "(n_windows, window) or (n_windows, n_channels, window)",
            case="window",
        )
        return X

    def _in_time_order(self, X3):
        """Windows (n, C, T) with their steps oldest first, as the recurrence reads them."""
        return X3[..., ::-1] if self.time_order == "newest_first" else X3

    def _validate_X(self, X):
        """Predict-time X as float (n_windows, n_channels_, window_)."""
        check_is_fitted(self, "net_")
        name = type(self).__name__
        X = self._check_X(X)
        if self._x_ndim == 2 and np.ndim(X) == 3 and np.shape(X)[1] == 1:
            X = np.asarray(X)[:, 0]  # one channel either way
        elif self._x_ndim == 3 and np.ndim(X) == 2 and self.n_channels_ == 1:
            X = np.asarray(X)[:, None]
        if np.ndim(X) != self._x_ndim:
            raise ValueError(
                f"{name} was fitted on {self._x_ndim}-D X; got {np.ndim(X)}-D X of shape "
                f"{np.shape(X)} instead."
            )
        if np.ndim(X) == 3:
            check_channels(np.shape(X)[1], self.n_channels_, name,
                           "(n_windows, n_channels, window)")
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=_FLOAT)
        X3 = self._in_time_order(X[:, None, :] if X.ndim == 2 else X)
        if X3.shape[2] != self.window_:
            raise ValueError(
                f"{type(self).__name__} was fitted on windows of length {self.window_}; "
                f"got windows of length {X3.shape[2]}. Use forecast() for a series of "
                "another length."
            )
        return X3

    def _validate_Xy(self, X, y):
        """Fit-time (X, y) as float (n, C, T) and (n, n_targets, H)."""
        name = type(self).__name__
        X = self._check_X(X)
        if y is not None:
            y = check_real_array(y, "y", name)
        X, y = validate_data(
            self,
            X,
            y,
            validate_separately=(
                {"allow_nd": True, "dtype": _FLOAT},
                # A horizon of 0 gets its own message below.
                {"ensure_2d": False, "allow_nd": True, "dtype": _FLOAT, "ensure_min_features": 0},
            ),
        )
        if y.ndim > 3:
            raise ValueError(
                f"{name} expects y of shape (n_windows,), (n_windows, horizon) or "
                f"(n_windows, n_targets, horizon). Got y of shape {y.shape} instead."
            )
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                f"{name}: X and y must hold the same number of windows. Got "
                f"{X.shape[0]} in X and {y.shape[0]} in y."
            )
        X3 = self._in_time_order(X[:, None, :] if X.ndim == 2 else X)
        y3 = y.reshape(len(y), 1, -1) if y.ndim < 3 else y
        if y3.shape[1] > X3.shape[1]:
            raise ValueError(
                f"{name}: y has {y3.shape[1]} target channels, but X has only "
                f"{X3.shape[1]}; targets are the first channels of X."
            )
        if y3.shape[2] == 0:
            raise ValueError(f"{name}: y has a horizon of 0 steps; at least 1 is needed.")
        self._x_ndim, self._y_ndim = X.ndim, y.ndim
        return X3, y3

    def _fit_scaling(self, X3, y3):
        """Set ``mean_`` and ``scale_``, (C,) each, and ``_fitted_scaling``, the
        ``scaling`` they are for (what _offset and predict read, whatever
        set_params changes later).

        A target channel's values are those in its windows AND in y, so a y on
        another scale than X (a client passing differenced targets, say) still
        maps to unit-scale values rather than huge ones.
        """
        C, n_targets = X3.shape[1], y3.shape[1]
        if self.scaling is None:
            self.mean_, self.scale_, self._fitted_scaling = np.zeros(C), np.ones(C), None
            return
        # With scaling="window" the model sees values around each window's level.
        level = X3.mean(axis=2, keepdims=True) if self.scaling == "window" else np.zeros((1, C, 1))
        mean, std = np.empty(C), np.empty(C)
        for c in range(C):
            parts = [X3[:, c], y3[:, c]] if c < n_targets else [X3[:, c]]
            mean[c] = np.concatenate([p.ravel() for p in parts]).mean()
            std[c] = np.concatenate([(p - level[:, c]).ravel() for p in parts]).std()
        self.mean_, self.scale_ = mean, np.where(std > 0, std, 1.0)
        self._fitted_scaling = self.scaling

    def _offset(self, X3):
        """Per-window, per-channel value subtracted before scaling: (n, C)."""
        if self._fitted_scaling == "window":
            return X3.mean(axis=2)
        return np.broadcast_to(self.mean_, X3.shape[:2])

    def _scale(self, values, offset, dtype=np.float32):
        """(n, C', T) -> (n, T, C') standardised, time along axis 1."""
        C = values.shape[1]
        scaled = (values - offset[:, :C, None]) / self.scale_[:C, None]
        return np.ascontiguousarray(scaled.transpose(0, 2, 1), dtype=dtype)

    def _unscale(self, out, offset):
        """float (n, T, C') model output -> (n, C', T) in data units."""
        C = out.shape[2]
        return out.transpose(0, 2, 1) * self.scale_[:C, None] + offset[:, :C, None]

    def _validation_split(self, seed):
        """skorch ``train_split`` for early stopping: the last windows, in time order."""
        return _TailSplit(self.validation_fraction, type(self).__name__, gap=self._target_overlap)

    # -- estimator API --------------------------------------------------------------

    @keeps_fitted_model_on_error
    def fit(self, X, y):
        """Fit the AL-RNN to forecast y from the windows X.

        Parameters
        ----------
        X : array-like of shape (n_windows, window) or (n_windows, n_channels, window)
            Context windows, oldest step first unless ``time_order="newest_first"``.
            Channels beyond those in y are covariates.
        y : array-like of shape (n_windows,), (n_windows, horizon) or \
                (n_windows, n_targets, horizon)
            The values after each window of the first ``n_targets`` channels.

        Returns
        -------
        self : ALRNNForecaster
            The fitted estimator.
        """
        self._validate_params()  # each parameter alone, before the data are read
        X3, y3 = self._validate_Xy(X, y)
        n, C, T = X3.shape  # windows, channels, window length
        device = self._check_params(n_linear_needed=C)
        module_params = {
            "n_channels": C,
            "n_targets": y3.shape[1],
            "horizon": y3.shape[2],
            "n_units": self.n_units,
            "n_nonlinear": self.n_nonlinear,
            "input_drive": self.input_drive,
            "noise": self.noise,
            "forcing_interval": self.forcing_interval,
        }
        continues = self._continues(module_params)
        self.n_channels_, self.n_targets_, self.horizon_ = C, y3.shape[1], y3.shape[2]
        self.window_ = T
        self._target_overlap = target_overlap(y3)
        if not continues:  # the fitted weights read data on the scale they were fitted on
            self._fit_scaling(X3, y3)
        offset = self._offset(X3)
        Xs, ys = self._scale(X3, offset), self._scale(y3, offset)

        if self.init == "autoregressive" and not continues:
            # Targets continue their windows; covariates are only known in the windows.
            sequences = np.concatenate([Xs, ys], axis=1) if self.n_targets_ == C else Xs
            if sequences.shape[1] < 2:
                raise ValueError(
                    f"{type(self).__name__}: init='autoregressive' fits an autoregression to "
                    "the windows, which needs windows of at least 2 steps when X has "
                    "covariates (y, which has no covariates, is then left out of it). Got "
                    "windows of 1 step. Use a longer window or init='reference'."
                )
            n_lags = min((self.n_units - self.n_nonlinear) // C, T)
            module_params["autoregression"] = _autoregression(sequences, n_lags)
        if self.forcing_interval is not None:
            # The window and its horizon are one training sequence: the model
            # is scored on every step after the first.
            Xs, ys = {"x": Xs, "future": ys}, np.concatenate([Xs[:, 1:, : ys.shape[2]], ys], 1)
        return self._fit_net(ForecastModule, module_params, nn.MSELoss, Xs, ys, device)

    def predict(self, X):
        """Forecast the ``horizon_`` values after each window.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_) or (n_windows, n_channels_, window_)
            Context windows, with their steps in the order set by ``time_order``.

        Returns
        -------
        y_pred : ndarray, the shape of y in fit
            ``(n_windows,)``, ``(n_windows, horizon_)`` or
            ``(n_windows, n_targets_, horizon_)``.
        """
        y3 = self._rollout(self._validate_X(X), self.horizon_)
        return {1: y3[:, 0, 0], 2: y3[:, 0, :], 3: y3}[self._y_ndim]

    def score(self, X, y, sample_weight=None):
        """R^2 of the forecasts, averaged over targets and horizon steps.

        Parameters
        ----------
        X : array-like of shape (n_windows, window_) or (n_windows, n_channels_, window_)
        y : array-like, the shape of y in fit
        sample_weight : array-like of shape (n_windows,), default=None

        Returns
        -------
        score : float
        """
        y_pred = self.predict(X)
        y = check_array(
            check_real_array(y, "y", type(self).__name__),
            ensure_2d=False, allow_nd=True, dtype=_FLOAT, input_name="y",
        )
        if len(y) != len(y_pred) or y.size != y_pred.size:
            raise ValueError(
                f"{type(self).__name__}.score: y must hold the forecasts' shape "
                f"{y_pred.shape} (n_windows of X, then the horizon). Got y of shape "
                f"{y.shape} instead."
            )
        return r2_score(
            y.reshape(len(y), -1), y_pred.reshape(len(y), -1), sample_weight=sample_weight
        )

    def _rollout(self, X3, steps):
        """Free-running forecasts of the targets after each window, in data units.

        X3 is float (n, n_channels_, window_); returns float64 (n, n_targets_, steps).
        """
        offset = self._offset(X3)
        nt = self.n_targets_
        out = self._infer(
            lambda m, x: m.rollout(x, steps)[..., :nt], X3, offset, prepare=self._scaled_batch
        )
        self._warn_if_diverged(out, X3, offset, steps)
        return self._unscale(out, offset)

    def _warn_if_diverged(self, out, X3, offset, steps):
        """Warn when scaled forecasts ``out`` are non-finite or over ``_DIVERGED`` times
        the windows read. Reductions only: no copy of X3 or out (predict's memory)."""
        largest = np.maximum(out.max(initial=0.0), -out.min(initial=0.0))  # NaN propagates
        # Relative to the windows read, so that data on any scale (scaling=None too)
        # meet the same threshold; a bound on |X3 - offset| / scale_ per channel.
        spread = np.maximum(X3.max(axis=(0, 2)) - offset.min(axis=0),
                            offset.max(axis=0) - X3.min(axis=(0, 2)))
        read = (spread / self.scale_).max(initial=0.0)
        finite = np.isfinite(largest)
        if not finite or largest > _DIVERGED * (1.0 + read):
            reach = "non-finite values" if not finite else (
                f"{largest:.2g} in the model's scaled units, over a million times the "
                f"windows read ({read:.2g})")
            warnings.warn(
                f"{type(self).__name__}: the free run diverges: within {steps} steps the "
                f"forecasts reach {reach}. The fitted dynamics are unstable past the "
                f"training horizon ({self.horizon_} steps); train on a longer horizon or "
                "with forcing_interval, or forecast fewer steps.",
                RuntimeWarning,
                stacklevel=4,
            )

    def _scaled_batch(self, X3, offset):
        """One batch of windows and their offsets -> the float64 model input, [(n, T, C)]."""
        return [self._scale(X3, offset, np.float64)]

    # -- hooks for sklearn_alrnn.inspection -------------------------------------------

    def _latent_states(self, X, n_steps=0):
        """Latent states while reading each window: float64 (n, T, M), and a valid mask.

        Unlike predict, any window length is accepted (a whole series as one window).
        With ``n_steps``, the states of that many free-running steps after each
        window follow: (n, T + n_steps, M).
        """
        check_is_fitted(self, "net_")
        X = check_array(self._check_X(X), allow_nd=True, dtype=_FLOAT, estimator=self)
        X3 = self._in_time_order(X[:, None, :] if X.ndim == 2 else X)
        check_channels(X3.shape[1], self.n_channels_, type(self).__name__,
                       "(n_cases, n_channels, n_timepoints)", hint=" A series of several "
                       "channels is one case: series.T[None], or a DataFrame.")
        if self._fitted_scaling == "window" and X3.shape[2] != self.window_:
            warnings.warn(
                f"{type(self).__name__} was fitted with scaling='window': each window of "
                f"{self.window_} steps is read around its own mean. A sequence of "
                f"{X3.shape[2]} steps is read around its whole mean instead, so these states "
                "are not those of forecasting; read windows of window_ steps (make_windows).",
                UserWarning,
                stacklevel=3,
            )
        offset = self._offset(X3)
        states = self._infer(
            lambda m, x: m.trajectory(x, n_steps), X3, offset, prepare=self._scaled_batch
        )
        return states, np.ones(states.shape[:2], dtype=bool)

    def _dynamics(self):
        """The free-running AL-RNN in scaled units: dict of float64 A, W, h, C=None, P."""
        check_is_fitted(self, "net_")
        A, W, h = (t.cpu().numpy() for t in self.net_.module_.autonomous_parameters())
        P = self.net_.module_.cell.n_nonlinear  # as fitted, whatever set_params did since
        return {"A": A, "W": W, "h": h, "C": None, "n_nonlinear": P}

    def _data_units(self):
        """(mean, scale) of each channel: latent unit c reads v * scale[c] + mean[c] in data units.

        None with scaling="window", where the offset is each window's own level.
        """
        check_is_fitted(self, "net_")
        return None if self._fitted_scaling == "window" else (self.mean_, self.scale_)

    def forecast(self, series, steps):
        """Roll the model out ``steps`` ahead from the end of a series.

        The last ``window_`` points are the context; the model then runs free,
        so ``steps`` may exceed the training horizon by far: this is also how
        to generate a long trajectory of the fitted dynamical system.

        Channels are matched by position, in the order of the windows ``fit``
        saw; a DataFrame's column names are not checked (windows cut by
        ``make_windows`` carry none). Covariate channels are not given for the
        future: the model runs them free with the targets, although they never
        entered the training loss, so a covariate known in advance (a
        calendar, a promotion plan) is not used as known. To use it, lead it
        by the horizon in the windows and in ``series``, so that the window
        read holds its values for the next ``horizon_`` steps; past them it
        runs free (the README's Forecasting section).

        Parameters
        ----------
        series : array-like of shape (n_timepoints,) or (n_timepoints, n_channels_)
            numpy array, pandas Series or DataFrame, oldest first.
        steps : int
            Number of future values.

        Returns
        -------
        forecast : ndarray or pandas object of shape (steps,) or (steps, n_targets_)
            A Series/DataFrame whose index continues the input's index (at its
            frequency) when pandas is passed in.

        Warns
        -----
        RuntimeWarning
            When the free run diverges: forecasts over a million times larger
            than the window read (both scaled as in training), or non-finite.
        """
        check_is_fitted(self, "net_")
        name = f"{type(self).__name__}.forecast"
        steps = check_int(steps, "steps", name, low=1)
        values = _series_values(series, name)
        values2 = values.reshape(len(values), -1).astype(np.float64)
        if values2.shape[1] != self.n_channels_:
            raise ValueError(
                f"{name}: series has {values2.shape[1]} channel(s), but the model was "
                f"fitted with {self.n_channels_}. A series is laid out (n_timepoints, "
                "n_channels), oldest first."
            )
        if len(values2) < self.window_:
            raise ValueError(
                f"{name}: series has {len(values2)} time points, but the model reads "
                f"windows of window_={self.window_}; pass at least {self.window_}."
            )
        context = values2[-self.window_ :].T[None]  # (1, C, window)
        result = self._rollout(context, steps)[0].T  # (steps, n_targets)
        nt = self.n_targets_
        if values.ndim == 1:
            result = result[:, 0]
        if isinstance(series, (pd.Series, pd.DataFrame)):
            index = _extend_index(series.index, steps, name)
            if isinstance(series, pd.Series):
                return pd.Series(result, index=index, name=series.name)
            return pd.DataFrame(result, index=index, columns=series.columns[:nt])
        return result


def _extend_index(index: pd.Index, steps: int, name: str) -> pd.Index:
    """The ``steps`` index labels that follow ``index`` at its frequency."""
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=steps, freq=index.freq, name=index.name)
    if isinstance(index, pd.DatetimeIndex):
        # None below 3 dates; pd.infer_freq would warn of its return type on pandas 3.
        freq = index.freq or pd.DatetimeIndex(index, freq="infer").freq
        if freq is None:
            raise ValueError(
                f"{name}: cannot continue the series' DatetimeIndex: it has no regular "
                "frequency. Set one (series.asfreq(...)) or pass a numpy array."
            )
        return pd.date_range(index[-1], periods=steps + 1, freq=freq, name=index.name)[1:]
    if isinstance(index, pd.RangeIndex):
        stop = index.stop + steps * index.step
        return pd.RangeIndex(index.stop, stop, index.step, name=index.name)
    if pd.api.types.is_integer_dtype(index) and len(index) >= 2:
        step = np.diff(index.to_numpy())
        if (step == step[0]).all() and step[0] > 0:
            return pd.Index(index[-1] + step[0] * np.arange(1, steps + 1), name=index.name)
    raise ValueError(
        f"{name}: cannot continue an index of type {type(index).__name__} that is not "
        "evenly spaced. Use a DatetimeIndex/PeriodIndex with a frequency or a RangeIndex."
    )
