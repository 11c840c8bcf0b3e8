"""Machinery shared by the AL-RNN estimators.

The estimators are plain ``BaseEstimator`` subclasses whose ``fit`` builds a
skorch ``NeuralNet`` (``net_``) around a fresh module: skorch is the training
engine (batches, callbacks, early stopping, LR schedule, clipping, device),
scikit-learn owns the parameters and the input checks. This module holds what
both estimators need from that arrangement:

* ``_BaseALRNN``: the shared hyperparameters, their validation, the device
  check, building and running the seeded skorch nets (``n_init`` of them, the
  best kept), batched inference.
* ``_TailSplit``: a skorch ``train_split`` validating on the LAST windows,
  because skorch's default split would validate on a random (for time series:
  leaky) fifth of the data.
* ``_StopOnDivergence``: a callback that restores the best finite weights
  when the loss becomes NaN/inf, or raises with a hint. It keeps its warning
  instead of issuing it, and ``_fit_net`` issues the kept fit's: with
  ``n_init > 1`` the starts not kept stay silent without touching the global
  warnings state (``warnings.catch_warnings``), which other threads share.
"""

import copy
import functools
import math
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping
from torch.utils.data import Subset

# Windows per forward pass at inference: large enough to amortise the time loop,
# small enough to bound memory on 10^5+ windows.
_PREDICT_BATCH = 4096


def _silent(*args, **kwargs):
    """A sink for skorch callbacks when ``verbose=0`` (picklable, unlike a lambda)."""


class _TailSplit:
    """skorch ``train_split`` that validates on the last ``fraction`` of the windows.

    The ``gap`` windows before those are left out of both parts: with a horizon
    of H and windows one step apart, the last H - 1 training windows' targets
    would otherwise overlap the first validation window's.
    """

    def __init__(self, fraction, estimator_name, gap=0):
        self.fraction = fraction
        self.estimator_name = estimator_name
        self.gap = gap

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = math.ceil(self.fraction * n)
        n_train = n - n_valid - self.gap
        if n_train < 1:
            gap = f" and the {self.gap} before them, whose targets overlap" if self.gap else ""
            raise ValueError(
                f"{self.estimator_name} with early_stopping=True holds out the last "
                f"validation_fraction={self.fraction} of the windows for validation{gap}, "
                f"which leaves no training windows out of {n}. Pass more windows, lower "
                "validation_fraction, or set early_stopping=False."
            )
        return Subset(dataset, range(n_train)), Subset(dataset, range(n - n_valid, n))


def keeps_fitted_model_on_error(fit):
    """Decorate ``fit`` so that a warm-started fit that fails (refused, diverged)
    leaves the fitted model as it was, as a refused warm fit of scikit-learn's
    MLPRegressor does; other fits leave what they leave."""

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        before = dict(vars(self)) if self._is_warm() else None
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            if before is not None:
                vars(self).clear()
                vars(self).update(before)
            raise

    return wrapper


class _DivergedError(ValueError):
    """A fit diverged in its first epoch, so it has no weights worth keeping."""


class _StopOnDivergence(Callback):
    """Stop a diverging fit and restore the weights of its best epoch.

    The fit has diverged when the loss or a weight is NaN/inf, or when the loss has
    grown ``blowup`` times above the best seen: a run heading to overflow passes
    through finite but useless weights (losses of 1e21 were seen), so the last
    finite weights are not worth keeping; those of the lowest loss are. The
    warning for the user is left in ``warning_``, for the estimator to issue.
    """

    blowup = 1e6

    def __init__(self, estimator_name, start_state=None):
        self.estimator_name = estimator_name
        self.start_state = start_state  # a warm start's weights: epoch 0, kept if all else fails

    def initialize(self):
        self.best_state_, self.best_epoch_, self.best_loss_ = self.start_state, 0, math.inf
        self.warning_ = None  # the message to warn with once the fit is chosen
        return self

    def on_epoch_end(self, net, **kwargs):
        epoch = net.history[-1]
        loss = epoch["valid_loss"] if "valid_loss" in epoch else epoch["train_loss"]
        finite = math.isfinite(epoch["train_loss"]) and math.isfinite(loss) and all(
            torch.isfinite(p).all() for p in net.module_.parameters()
        )
        if finite and loss <= self.blowup * self.best_loss_:
            if loss < self.best_loss_:
                self.best_state_ = copy.deepcopy(net.module_.state_dict())
                self.best_epoch_, self.best_loss_ = epoch["epoch"], loss
            return
        name, lr = self.estimator_name, net.lr
        clip = dict(net.callbacks_).get("gradient_clip")
        now = "none" if clip is None else f"{clip.gradient_clip_value:g}"
        hint = f"Lower lr (now {lr:g}) or gradient_clip (now {now}; 1.0 is a tight clip)."
        if self.best_state_ is None:
            raise _DivergedError(
                f"{name} diverged in the first epoch: the training loss is "
                f"{epoch['train_loss']}. {hint}"
            )
        net.module_.load_state_dict(self.best_state_)
        restored = (
            f"the weights of epoch {self.best_epoch_}, the lowest loss ({self.best_loss_:.3g})"
            if self.best_epoch_ else "the weights it started from (warm_start)"
        )
        self.warning_ = (
            f"{name} diverged at epoch {epoch['epoch']} (loss {loss:.3g}); restored "
            f"{restored}, and stopped training. {hint}"
        )
        raise KeyboardInterrupt  # skorch's way to end training early

    def on_train_end(self, net, **kwargs):
        # The copy lives on the training device: kept in a pickle, it would make a
        # CUDA-fitted model unloadable on a CPU-only machine (skorch maps only its own
        # attributes to the CPU), and it would store the weights twice.
        self.best_state_ = self.start_state = None


class _ExponentialDecay(Callback):
    """Multiply the learning rate by ``gamma`` after every epoch.

    skorch's LRScheduler would do, but it keeps a reference to the optimizer, and
    through it to the parameters, outside skorch's device-mapped state: a pickle
    of a CUDA-fitted net would then not load without CUDA.
    """

    def __init__(self, gamma):
        self.gamma = gamma

    def on_epoch_end(self, net, **kwargs):
        for group in net.optimizer_.param_groups:
            group["lr"] *= self.gamma


@contextmanager
def _seeded(seed, device):
    """Seed torch inside the block without disturbing the caller's RNG state."""
    cuda = device.type == "cuda"
    with torch.random.fork_rng(devices=[device] if cuda else [], device_type="cuda"):
        torch.manual_seed(seed)
        yield


class _BaseALRNN(BaseEstimator):
    """Hyperparameters and training machinery shared by the AL-RNN estimators."""

    _parameter_constraints: dict = {
        "n_units": [Interval(Integral, 1, None, closed="left")],
        "n_nonlinear": [Interval(Integral, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "lr_final": [Interval(Real, 0, None, closed="neither"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "noise": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [list, None],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # -- checks -------------------------------------------------------------------

    def _check_params(self, n_linear_needed=0):
        """Check the hyperparameters against each other and the data, and return the
        torch device; ``fit`` has checked each one alone (``_validate_params``) first."""
        name = type(self).__name__
        if self.n_nonlinear > self.n_units:
            raise ValueError(
                f"The 'n_nonlinear' parameter of {name} must be <= n_units={self.n_units}. "
                f"Got {self.n_nonlinear} instead."
            )
        if self.n_units - self.n_nonlinear < n_linear_needed:
            raise ValueError(
                f"{name} reads its {n_linear_needed} observed channel(s) from linear latent "
                f"units, so n_units - n_nonlinear must be >= {n_linear_needed}. Got "
                f"n_units={self.n_units}, n_nonlinear={self.n_nonlinear}. Raise n_units "
                "or lower n_nonlinear."
            )
        return self._check_device()

    def _check_device(self):
        name = type(self).__name__
        try:
            device = torch.device(self.device)
        except (RuntimeError, ValueError):
            raise ValueError(
                f"The 'device' parameter of {name} must be a torch device string such as "
                f"'cpu', 'cuda' or 'cuda:1'. Got {self.device!r} instead."
            ) from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"The 'device' parameter of {name} is {self.device!r}, but CUDA is not "
                f"available (torch {torch.__version__}). Use device='cpu' or install a "
                "CUDA build of PyTorch."
            )
        if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
            raise ValueError(
                f"The 'device' parameter of {name} is {self.device!r}, but this machine has "
                f"{torch.cuda.device_count()} CUDA device(s), numbered from 0."
            )
        if device.type not in ("cpu", "cuda"):
            raise ValueError(
                f"The 'device' parameter of {name} must be 'cpu' or a CUDA device. "
                f"Got {self.device!r} instead."
            )
        return device

    # -- training -------------------------------------------------------------------

    def _is_warm(self):
        """Whether ``fit`` would train on from a fitted model (``warm_start``)."""
        return self.warm_start and hasattr(self, "net_")

    def _continues(self, module_params):
        """Whether this fit continues training the fitted model (``warm_start``).

        Raises when the fitted model's weights cannot take ``module_params``:
        the parameters named in ``_weight_shape`` (channels, units, ...) must
        be those it was fitted with.
        """
        if not self._is_warm():
            return False
        name = type(self).__name__
        if self._fitted_scaling != self.scaling:
            raise ValueError(
                f"{name} with warm_start=True continues training the fitted model, which "
                f"read data with scaling={self._fitted_scaling!r}; this fit has "
                f"scaling={self.scaling!r}. Set warm_start=False to fit anew."
            )
        fitted = self.net_.get_params()
        for key in self._weight_shape:
            if fitted[f"module__{key}"] != module_params[key]:
                raise ValueError(
                    f"{name} with warm_start=True continues training the "
                    f"fitted model, which has {key}={fitted[f'module__{key}']!r}; this fit "
                    f"needs {key}={module_params[key]!r}. Set warm_start=False to fit anew."
                )
        return True

    def _fit_net(self, module, module_params, criterion, X, y, device):
        """Train ``n_init`` skorch nets on (X, y) and keep the best as ``net_``.

        Each fit draws everything random (initialisation, batch order, training
        noise) from one seed, the seeds drawn in turn from ``random_state``, so a
        refit is bitwise identical and the first fit is the one ``n_init=1``
        makes. The kept fit has the lowest :meth:`_final_loss`; only its
        divergence warning reaches the caller. A start that diverges in its
        first epoch has no weights to keep and is passed over; the error is
        raised only when every start does. With ``warm_start`` a fitted model
        is trained on from its weights instead, once.
        """
        rng = check_random_state(self.random_state)
        seeds = [int(rng.randint(np.iinfo(np.int32).max)) for _ in range(self.n_init)]
        fit_args = (module, module_params, criterion, X, y, device)
        if self._continues(module_params):
            weights = self.net_.module_.state_dict()
            best = self._train_net(*fit_args, seeds[0], self.callbacks or [], weights)
        elif self.n_init == 1:
            best = self._train_net(*fit_args, seeds[0], self.callbacks or [])
        else:
            best, best_loss, kept, diverged = None, math.inf, 0, None
            for start, seed in enumerate(seeds, 1):
                # One fit's callback state must not carry into the next.
                try:
                    net = self._train_net(*fit_args, seed, copy.deepcopy(self.callbacks or []))
                except _DivergedError as exc:  # another start may train
                    net, diverged = None, exc
                loss = math.inf if net is None else self._final_loss(net)
                if net is not None and (best is None or loss < best_loss):
                    best, best_loss, kept = net, loss, start
                if self.verbose:
                    print(f"start {start} of {self.n_init}: final loss {loss:.4g}")
            if best is None:
                raise diverged
            if self.verbose:
                print(f"kept start {kept} of {self.n_init}")
        message = dict(best.callbacks_)["divergence"].warning_
        if message is not None:  # point at the caller's fit: past fit and its wrapper
            warnings.warn(message, ConvergenceWarning, stacklevel=4)
        self.net_ = best
        return self

    def _final_loss(self, net):
        """The loss a fit ends on: its last training loss or, with early stopping,
        the validation loss of the epoch whose weights it restored; inf when not finite."""
        loss = net.history[-1, "train_loss"]
        if self.early_stopping:
            # skorch's choice, not the lowest loss: an epoch that improves by less
            # than its threshold is not the one restored.
            best_epoch = dict(net.callbacks_)["early_stopping"].best_epoch_
            loss = net.history[best_epoch - 1, "valid_loss"] if best_epoch else math.inf
        return loss if math.isfinite(loss) else math.inf

    def _train_net(
        self, module, module_params, criterion, X, y, device, seed, callbacks, weights=None
    ):
        """One skorch ``NeuralNet`` with ``module(**module_params)``, trained from ``seed``
        (or, given ``weights``, from that state dict of the module).

        skorch builds the module itself (from the class and ``module__`` params),
        so the net's pickle holds the weights once, in skorch's device-mapped part:
        a model fitted on CUDA then loads on a CPU-only machine.
        """
        name = type(self).__name__
        own = []
        if self.lr_final is not None and self.lr_final < self.lr:
            gamma = (self.lr_final / self.lr) ** (1.0 / self.max_epochs)
            own.append(("lr_decay", _ExponentialDecay(gamma)))
        if self.gradient_clip is not None:
            own.append(("gradient_clip", GradientNormClipping(self.gradient_clip)))
        if self.early_stopping:
            sink = print if self.verbose else _silent
            stop = EarlyStopping(patience=self.n_iter_no_change, load_best=True, sink=sink)
            own.append(("early_stopping", stop))
        own.append(("divergence", _StopOnDivergence(name, weights)))

        with _seeded(seed, device):  # skorch initialises the module inside fit
            net = NeuralNet(
                module,
                **{f"module__{key}": value for key, value in module_params.items()},
                criterion=criterion,
                optimizer=torch.optim.RAdam,
                lr=self.lr,
                optimizer__weight_decay=self.weight_decay,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                train_split=self._validation_split(seed) if self.early_stopping else None,
                iterator_train__shuffle=True,
                iterator_train__generator=torch.Generator().manual_seed(seed),
                callbacks=own + list(callbacks),
                device=device,
                verbose=self.verbose,
            )
            if weights is None:
                return net.fit(X, y)
            # A new optimizer and schedule; only the weights carry over.
            net.initialize()
            net.module_.load_state_dict(weights)
            return net.partial_fit(X, y)

    def _infer(self, fn, *arrays, prepare=None):
        """Apply ``fn(module, *batches)`` to float64 arrays in bounded batches.

        ``prepare(*batches)``, when given, turns each batch of ``arrays`` into
        the float64 arrays ``fn`` takes (scaling, say), so that no transformed
        copy of the whole input is ever held. Inference runs on a float64 copy
        of the module: results then do not depend on how windows are batched
        (scikit-learn's subset-invariance contract), and the latency-bound
        recurrence barely slows down.
        """
        check_is_fitted(self, "net_")
        module = copy.deepcopy(self.net_.module_).double().eval()
        device = self.net_.device
        out = []
        with torch.inference_mode():
            for start in range(0, len(arrays[0]), _PREDICT_BATCH):
                batch = [a[start : start + _PREDICT_BATCH] for a in arrays]
                if prepare is not None:
                    batch = prepare(*batch)
                batch = [torch.as_tensor(b, device=device) for b in batch]
                # A copy, not a view: views of the latent trajectory would keep
                # every batch's full (B, T, M) states alive.
                out.append(fn(module, *batch).cpu().numpy().copy())
        return np.concatenate(out)
