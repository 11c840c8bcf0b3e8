"""skorch callbacks for training an AL-RNN as a model of a dynamical system.

A model trained to predict a few steps ahead (``forcing_interval``) is judged
by its long free runs: whether they trace the data's attractor. The training
loss does not track that (on Lorenz-63 the loss keeps falling while the
attractor of the free run improves and degrades from one check to the next),
so reconstruction work keeps the weights whose free run looks most like the
data, as the reference implementation of the AL-RNN does. Pass a callback to
an estimator with ``callbacks=[...]``.
"""

import copy

import numpy as np
import torch
from skorch.callbacks import Callback

from ._validation import check_int
from .metrics import state_space_divergence

# Training points scored against at each check, at most (whole windows, evenly spaced).
_MAX_REFERENCE_POINTS = 200_000


class KeepBestReconstruction(Callback):
    """Keep the weights whose free runs best match the training data (lowest D_stsp).

    For :class:`~sklearn_alrnn.ALRNNForecaster`. Every ``every`` epochs the
    network reads ``n_starts`` training windows spread over the training set,
    runs free for ``transient`` steps and then ``n_steps // n_starts`` more
    from each, and scores those runs together by
    :func:`~sklearn_alrnn.metrics.state_space_divergence` against the points
    of the training windows. Scoring the runs from several starts together
    penalises a model whose attractor depends on where it starts. At the end
    of training the weights of the best check are restored.

    Everything happens in the units the network sees, so the scaled training
    windows serve as they are: use it with ``scaling=None`` or ``"global"``
    (D_stsp does not change when each channel is shifted and scaled by a
    positive factor), not with ``"window"``, where each window has an offset
    of its own.

    Parameters
    ----------
    every : int, default=10
        Epochs between checks.
    n_steps : int, default=20_000
        Free-running steps scored at each check, over all starts.
    transient : int, default=1_000
        Steps run and discarded after each start, before the scored ones.
    n_starts : int, default=3
        Training windows the free runs start from, evenly spaced.

    Attributes
    ----------
    best_score_ : float
        The lowest D_stsp of the checks (inf if every free run diverged).
    best_epoch_ : int
        The epoch of that check; 0 if no check ran or every run diverged.

    Notes
    -----
    Each check is recorded in the net's history as ``train_dstsp``. The
    reference points are the training windows' values (duplicates included
    where windows overlap), at most 200 000 of them, taken from whole windows
    spread evenly over the training set. The weights of the best check are
    held during training and dropped once restored, so a pickled estimator
    holds its weights once.

    With ``n_init > 1`` each start trains with its own copy of the callback
    (in ``net_.callbacks_``), and the starts are compared by their final
    training loss, not by this score: to choose among seeds by D_stsp, fit
    one estimator per ``random_state`` and compare their ``best_score_``.

    Examples
    --------
    >>> from sklearn_alrnn import ALRNNForecaster, make_windows
    >>> from sklearn_alrnn.callbacks import KeepBestReconstruction
    >>> from sklearn_alrnn.datasets import make_lorenz63
    >>> X, y = make_windows(make_lorenz63(1000, random_state=0), window=40, horizon=20, stride=10)
    >>> best = KeepBestReconstruction(every=1, n_steps=600, transient=100)
    >>> est = ALRNNForecaster(n_units=10, forcing_interval=5, max_epochs=2,
    ...                       callbacks=[("best", best)], random_state=0).fit(X, y)
    >>> best.best_epoch_ in (1, 2)
    True
    """

    def __init__(self, every=10, n_steps=20_000, transient=1_000, n_starts=3):
        self.every = every
        self.n_steps = n_steps
        self.transient = transient
        self.n_starts = n_starts

    def initialize(self):
        for name, low in (("every", 1), ("n_steps", 1), ("transient", 0), ("n_starts", 1)):
            check_int(getattr(self, name), name, "KeepBestReconstruction", low)
        self.best_score_, self.best_epoch_, self.best_state_ = np.inf, 0, None
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if not hasattr(net.module_, "rollout"):
            raise TypeError(
                "KeepBestReconstruction scores free runs, which only ALRNNForecaster's "
                f"network makes; got a net around {type(net.module_).__name__}."
            )
        # Forecasters hand skorch (windows, time, channels); with forcing_interval,
        # a dict whose "x" holds them.
        windows = np.asarray(X["x"] if isinstance(X, dict) else X, dtype=np.float64)
        n_windows, window = windows.shape[:2]
        starts = np.linspace(0, n_windows - 1, min(self.n_starts, n_windows)).astype(int)
        self.contexts_ = torch.as_tensor(windows[starts])
        keep = max(1, min(n_windows, _MAX_REFERENCE_POINTS // window))
        reference = windows[np.linspace(0, n_windows - 1, keep).astype(int)]
        self.reference_ = reference.reshape(-1, windows.shape[2])

    def score(self, net):
        """D_stsp of the network's free runs against the reference points (inf if they diverge)."""
        module = copy.deepcopy(net.module_).double().eval()
        steps = self.transient + max(1, self.n_steps // len(self.contexts_))
        with torch.inference_mode():
            contexts = self.contexts_.to(net.device)
            runs = module.rollout(contexts, steps)[:, self.transient :].cpu().numpy()
        run = runs.reshape(-1, runs.shape[2])
        return state_space_divergence(self.reference_, run) if np.isfinite(run).all() else np.inf

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch % self.every:
            return
        score = self.score(net)
        net.history.record("train_dstsp", score)
        if score < self.best_score_:
            self.best_score_, self.best_epoch_ = score, epoch
            self.best_state_ = copy.deepcopy(net.module_.state_dict())

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)
        # Kept in a pickle, the copy would store the weights twice (on the training device).
        self.best_state_ = None
        self.contexts_ = self.reference_ = None
