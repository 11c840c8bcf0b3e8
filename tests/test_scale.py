"""Scaling out: the same search on a real Dask cluster, and pickles across processes."""

import io
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sklearn_alrnn import ALRNNClassifier, ALRNNForecaster, make_windows


def test_grid_search_on_a_dask_cluster_equals_the_local_search():
    distributed = pytest.importorskip("distributed")
    horizon = 2
    X, y = make_windows(np.sin(0.3 * np.arange(90)), window=8, horizon=horizon)

    def search(n_jobs):
        est = ALRNNForecaster(n_units=5, max_epochs=3, random_state=0)
        cv = TimeSeriesSplit(n_splits=2, gap=horizon - 1)
        return GridSearchCV(est, {"n_nonlinear": [0, 1, 2]}, cv=cv, n_jobs=n_jobs)

    local = search(1).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # distributed's own start-up chatter
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster, distributed.Client(cluster), parallel_backend("dask"):
            remote = search(-1).fit(X, y)
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    np.testing.assert_array_equal(remote.predict(X), local.predict(X))


UNPICKLE_AND_PREDICT = """
import pickle, sys
import numpy as np
est, X = pickle.loads(sys.stdin.buffer.read())
sys.stdout.write(est.predict_proba(X).tobytes().hex() if hasattr(est, "classes_") else
                 est.predict(X).tobytes().hex())
"""


@pytest.mark.parametrize("fitted", [False, True])
def test_estimators_pickle_across_processes(fitted):
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 2, 6), np.arange(20) % 2
    clf = ALRNNClassifier(n_units=6, n_nonlinear=2, max_epochs=2, random_state=0)
    if not fitted:
        clone = pickle.loads(pickle.dumps(clf))
        assert clone.get_params() == clf.get_params()
        return
    clf.fit(X, y)
    out = subprocess.run([sys.executable, "-c", UNPICKLE_AND_PREDICT],
                         input=pickle.dumps((clf, X)), capture_output=True, check=True).stdout
    assert bytes.fromhex(out.decode()) == clf.predict_proba(X).tobytes()


def test_a_pickle_holds_the_weights_once():
    """Training-time copies of the weights stay out of pickles: on a GPU they are CUDA
    tensors that skorch does not map to the CPU, so a model fitted with device="cuda"
    would not load on a CPU-only machine (seen on an H200 before this was fixed)."""
    X, y = make_windows(np.sin(0.3 * np.arange(60)), window=8, horizon=2)
    est = ALRNNForecaster(n_units=5, max_epochs=2, random_state=0, early_stopping=True)
    est.fit(X, y)
    weights = est.net_.module_.cell.W.detach().numpy().tobytes()
    assert pickle.dumps(est).count(weights) == 1


class _NoRawTensors(pickle.Pickler):
    """A pickler that refuses torch tensors: skorch saves its module, optimizer and
    criterion with torch.save into bytes and maps those to the CPU when it loads them
    without CUDA; a tensor pickled anywhere else would keep its CUDA device. (Its
    output is thrown away: generators are only checked, not saved.)"""

    def reducer_override(self, obj):
        if isinstance(obj, torch.Generator):  # the batch shuffler's, always on the CPU
            assert obj.device.type == "cpu"
            return object, ()
        if isinstance(obj, (torch.Tensor, torch.UntypedStorage)):
            pytest.fail(f"a raw {type(obj).__name__} of shape "
                        f"{tuple(getattr(obj, 'shape', ()))} is pickled")
        return NotImplemented


@pytest.mark.parametrize("early_stopping", [False, True])
def test_only_device_mapped_tensors_are_pickled(early_stopping):
    """What makes a model fitted with device="cuda" load on a CPU-only machine."""
    X, y = make_windows(np.sin(0.3 * np.arange(60)), window=8, horizon=2)
    est = ALRNNForecaster(n_units=5, max_epochs=2, random_state=0,
                          early_stopping=early_stopping).fit(X, y)
    clf = ALRNNClassifier(n_units=5, max_epochs=2, random_state=0).fit(X, y[:, 0] > 0)
    for fitted in (est, clf):
        _NoRawTensors(io.BytesIO()).dump(fitted)
