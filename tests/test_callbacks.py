import copy
import pickle

import numpy as np
import pytest
from skorch.callbacks import Callback

from sklearn_alrnn import ALRNNClassifier, ALRNNForecaster, make_windows
from sklearn_alrnn.callbacks import KeepBestReconstruction
from sklearn_alrnn.datasets import make_lorenz63
from sklearn_alrnn.metrics import state_space_divergence


def lorenz_windows():
    x = make_lorenz63(3000, random_state=0)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return make_windows(x, window=30, horizon=20, stride=10)


class Snapshots(Callback):
    """The module's weights at the end of every epoch (runs after the callbacks before it)."""

    def initialize(self):
        self.states = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.states.append(copy.deepcopy(net.module_.state_dict()))


def fit(best, max_epochs=10):
    X, y = lorenz_windows()
    snapshots = Snapshots()
    est = ALRNNForecaster(
        n_units=12, scaling=None, input_drive=False, forcing_interval=5, lr=0.3,
        max_epochs=max_epochs, callbacks=[("best", best), ("snapshots", snapshots)],
        random_state=0,
    )
    return est.fit(X, y), snapshots.states


def test_restores_the_weights_of_the_lowest_check():
    best = KeepBestReconstruction(every=1, n_steps=1500, transient=200)
    est, states = fit(best)
    scores = [row["train_dstsp"] for row in est.net_.history]
    assert best.best_score_ == min(scores)
    assert best.best_epoch_ == int(np.argmin(scores)) + 1
    assert best.best_epoch_ < 10  # else restoring would change nothing here
    restored = est.net_.module_.state_dict()
    for name, value in states[best.best_epoch_ - 1].items():
        assert restored[name].equal(value), name
    assert not restored["cell.A"].equal(states[-1]["cell.A"])


def test_checks_every_few_epochs_and_scores_free_runs_against_the_training_windows():
    best = KeepBestReconstruction(every=4, n_steps=900, transient=100, n_starts=3)
    est, _ = fit(best, max_epochs=9)
    checked = [row["epoch"] for row in est.net_.history if "train_dstsp" in row]
    assert checked == [4, 8]
    # The restored model's check, done again by hand: free runs from 3 evenly spaced windows.
    X, _ = lorenz_windows()
    # The callback reads the windows as the network trains on them: float32, which a
    # chaotic 400-step run can tell from float64 (here by 1e-4, enough to move a point
    # to another bin). scaling=None, so no other transform; (windows, time, channels).
    windows = X.astype(np.float32).astype(np.float64).transpose(0, 2, 1)
    contexts = windows[np.linspace(0, len(windows) - 1, 3).astype(int)]
    runs = np.stack([est.forecast(c, steps=400)[100:] for c in contexts])
    expected = state_space_divergence(windows.reshape(-1, 3), runs.reshape(-1, 3))
    assert best.best_score_ == pytest.approx(expected, rel=1e-9)


def test_a_diverging_free_run_scores_inf():
    best = KeepBestReconstruction(every=1, n_steps=3000, transient=0)
    est, _ = fit(best, max_epochs=1)
    X, _ = lorenz_windows()
    best.on_train_begin(est.net_, X=X.transpose(0, 2, 1))
    est.net_.module_.cell.A.data.fill_(100.0)  # overflows float64 within 160 steps
    assert best.score(est.net_) == np.inf


def test_a_fitted_estimator_holds_its_weights_once():
    best = KeepBestReconstruction(every=1, n_steps=300, transient=0)
    est, _ = fit(best, max_epochs=2)
    assert best.best_state_ is None and best.reference_ is None
    assert pickle.loads(pickle.dumps(est)).predict(lorenz_windows()[0][:2]).shape == (2, 3, 20)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"every": 0}, "The 'every' parameter of KeepBestReconstruction must be an int in the "
                       r"range \[1, inf\). Got 0 instead."),
        ({"transient": -1}, "The 'transient' parameter of KeepBestReconstruction must be an "
                            r"int in the range \[0, inf\). Got -1 instead."),
        ({"n_steps": 2.5}, "The 'n_steps' parameter of KeepBestReconstruction must be an int "
                           r"in the range \[1, inf\). Got 2.5 instead."),
    ],
)
def test_bad_parameters_raise_at_fit(params, message):
    with pytest.raises(ValueError, match=message):
        fit(KeepBestReconstruction(**params), max_epochs=1)


def test_a_classifier_is_refused():
    rng = np.random.RandomState(0)
    clf = ALRNNClassifier(n_units=4, max_epochs=1, callbacks=[KeepBestReconstruction()])
    with pytest.raises(TypeError, match="only ALRNNForecaster's network makes; got a net "
                                        "around ClassifierModule"):
        clf.fit(rng.randn(8, 10), [0, 1] * 4)
