"""Seed every random source before each test, so failures reproduce."""

import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def _seed_everything():
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture
def sine_windows():
    """Windows of a noisy sine: (X_train, y_train, X_test, y_test), horizon 4."""
    from sklearn_alrnn import make_windows

    rng = np.random.RandomState(0)
    series = np.sin(0.3 * np.arange(320)) + 0.05 * rng.randn(320)
    X, y = make_windows(series, window=16, horizon=4)
    return X[:220], y[:220], X[224:], y[224:]


@pytest.fixture
def nth_start():
    """``nth_start(k, random_state)``: a RandomState giving the seed of fit k of ``n_init``
    fits from ``random_state`` (each fit draws one seed in turn)."""

    def nth_start(k, random_state=0):
        rng = np.random.RandomState(random_state)
        for _ in range(k):
            rng.randint(np.iinfo(np.int32).max)
        return rng

    return nth_start
