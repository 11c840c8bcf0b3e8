"""ALRNNClassifier: inputs, labels, learning, sklearn tooling, errors."""

import pickle

import numpy as np
import pytest
from scipy.signal import lfilter
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_alrnn import ALRNNClassifier, SequenceScaler

FAST = {"n_units": 8, "n_nonlinear": 2, "max_epochs": 3, "random_state": 0}


@pytest.fixture
def shifted():
    """Two classes told apart by their level: (X, y) with X (40, 2, 12)."""
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 20)
    X = rng.randn(40, 2, 12) + 1.5 * y[:, None, None]
    return X, y


def test_learns_which_regime_made_a_sequence():
    """Two AR(1) regimes with opposite drift, buried in noise: one step says little
    (about 60 % right), the whole sequence almost everything -- the state must
    accumulate evidence over time."""
    rng = np.random.RandomState(0)
    y = rng.randint(2, size=300)
    drive = rng.randn(300, 30) + np.where(y == 1, 0.4, -0.4)[:, None]
    X = lfilter([1.0], [1.0, -0.6], drive, axis=1)[:, None, :]
    clf = ALRNNClassifier(n_units=8, n_nonlinear=2, max_epochs=15, random_state=0)
    clf.fit(X[:200], y[:200])
    assert clf.score(X[200:], y[200:]) >= 0.95
    loss = clf.net_.history[:, "train_loss"]
    assert loss[-1] < 0.5 * loss[0]


def test_max_readout_finds_a_brief_event_in_a_long_sequence():
    """Class 1 has one 3-step bump at a random place in 120 noisy steps: the
    max over time sees it wherever it is, the last state has long forgotten it."""
    rng = np.random.RandomState(0)
    y = rng.randint(2, size=160)
    X = 0.5 * rng.randn(160, 1, 120)
    for i in np.flatnonzero(y):
        start = rng.randint(0, 80)
        X[i, 0, start : start + 3] += 3.0
    params = {"n_units": 8, "n_nonlinear": 2, "max_epochs": 15, "random_state": 0}
    pooled = ALRNNClassifier(**params, readout="max").fit(X[:100], y[:100])
    assert pooled.score(X[100:], y[100:]) >= 0.95
    assert ALRNNClassifier(**params).fit(X[:100], y[:100]).score(X[100:], y[100:]) <= 0.75


def test_init_self_coupling():
    """A float draws each A_ii from [init_self_coupling, 1); None keeps the reference."""
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 1, 5), np.arange(20) % 2
    one_epoch = {**FAST, "max_epochs": 1, "lr": 1e-12, "lr_final": None}
    A = ALRNNClassifier(**one_epoch, init_self_coupling=0.9).fit(X, y).net_.module_.cell.A
    assert ((A >= 0.9 - 1e-6) & (A < 1.0)).all() and A.std() > 0
    A = ALRNNClassifier(**one_epoch).fit(X, y).net_.module_.cell.A
    assert (A < 0.9).all()


@pytest.mark.parametrize("labels", [["cat", "dog"], [True, False], [3, 7], ["a", "b", "c"]])
def test_labels_of_any_type(labels):
    rng = np.random.RandomState(0)
    y = np.array(labels * 10, dtype=object if isinstance(labels[0], str) else None)
    X = rng.randn(len(y), 6)
    clf = ALRNNClassifier(**FAST).fit(X, y)
    assert sorted(clf.classes_.tolist()) == sorted(set(labels))
    assert set(clf.predict(X)) <= set(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), len(labels))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-12)
    expected_decision = (len(y),) if len(labels) == 2 else (len(y), len(labels))
    assert clf.decision_function(X).shape == expected_decision


def test_unequal_lengths_as_padded_array_and_as_list(shifted):
    X, y = shifted
    lengths = np.random.RandomState(1).randint(4, 13, size=len(X))
    padded = X.copy()
    for i, n in enumerate(lengths):
        padded[i, :, n:] = np.nan
    cases = [X[i, :, :n] for i, n in enumerate(lengths)]
    a = ALRNNClassifier(**FAST).fit(padded, y)
    b = ALRNNClassifier(**FAST).fit(cases, y)
    np.testing.assert_array_equal(a.predict_proba(padded), b.predict_proba(cases))
    # A scaler in front reads the list too, and hands the classifier the padded array.
    scaled = SequenceScaler().fit_transform(cases)
    np.testing.assert_array_equal(scaled, SequenceScaler().fit_transform(padded))
    pipe = make_pipeline(SequenceScaler(), ALRNNClassifier(**FAST)).fit(cases, y)
    assert pipe.predict_proba(cases).shape == (40, 2)


def test_one_channel_layouts_mix_between_fit_and_predict(shifted):
    X, y = shifted
    one = X[:, 0]  # (40, 12): 2-D, one channel
    clf = ALRNNClassifier(**FAST).fit(list(one[:, None, :]), y)  # a list of (1, 12) cases
    expected = clf.predict_proba(one[:, None, :])
    np.testing.assert_array_equal(clf.predict_proba(one), expected)
    assert clf.predict_proba(one[:, :7]).shape == (40, 2)  # a 3-D fit reads any length

    clf = ALRNNClassifier(**FAST).fit(one, y)
    np.testing.assert_array_equal(clf.predict_proba(one[:, None, :]), clf.predict_proba(one))
    # A 2-D fit fixes the columns, as any scikit-learn estimator's; the error says why.
    with pytest.raises(ValueError, match=r"X has 7 features, but ALRNNClassifier is expecting "
                                         r"12 features as input. Fitted on 2-D X, .* fit it on "
                                         r"3-D X of shape \(n_cases, 1, n_timepoints\)"):
        clf.predict(one[:, :7])


@pytest.mark.parametrize("readout", ["last", "mean", "max"])
def test_padding_never_reaches_the_readout(shifted, readout):
    """A case padded with NaN gets the same probabilities as the case cut short."""
    X, y = shifted
    clf = ALRNNClassifier(**FAST, readout=readout).fit(X, y)
    short = X[:1, :, :7]
    padded = np.concatenate([short, np.full((1, 2, 5), np.nan)], axis=2)
    np.testing.assert_allclose(clf.predict_proba(padded), clf.predict_proba(short), atol=1e-12)
    assert not np.allclose(clf.predict_proba(X[:1]), clf.predict_proba(short))


def test_warm_start_trains_on_from_the_fitted_weights(shifted):
    X, y = shifted
    clf = ALRNNClassifier(**FAST, warm_start=True).fit(X, y)
    before = clf.predict_proba(X)
    clf.set_params(lr=1e-12, lr_final=None).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), before, atol=1e-6)
    with pytest.raises(ValueError, match=r"ALRNNClassifier with warm_start=True continues "
                                         r"training the fitted model, whose classes are \[0, 1\]; "
                                         r"y has \[1, 2\]"):
        clf.fit(X, y + 1)
    with pytest.raises(ValueError, match="which has n_channels=2; this fit needs n_channels=1"):
        clf.fit(X[:, :1], y)
    np.testing.assert_allclose(clf.predict_proba(X), before, atol=1e-6)  # as it was


def test_sklearn_tooling(shifted):
    X, y = shifted
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    search = GridSearchCV(ALRNNClassifier(**FAST), {"n_nonlinear": [0, 2]}, cv=cv).fit(X, y)
    assert search.cv_results_["mean_test_score"].shape == (2,)
    pipe = make_pipeline(SequenceScaler(), ALRNNClassifier(**FAST)).fit(X, y)
    assert pipe.predict(X).shape == (40,)
    assert cross_val_score(ALRNNClassifier(**FAST), X, y, cv=cv).shape == (3,)


def test_refit_clone_and_pickle_give_identical_predictions(shifted):
    X, y = shifted
    clf = ALRNNClassifier(**FAST, noise=0.1, early_stopping=True, validation_fraction=0.25)
    clf.fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clone(clf).fit(X, y).predict_proba(X), proba)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), proba)
    assert "valid_loss" in clf.net_.history[-1]


def test_n_init_keeps_the_fit_with_the_lowest_final_loss(shifted, nth_start):
    X, y = shifted
    alone = [ALRNNClassifier(**{**FAST, "random_state": nth_start(k)}).fit(X, y)
             for k in range(3)]
    losses = [clf.net_.history[-1, "train_loss"] for clf in alone]
    best = alone[int(np.argmin(losses))]
    clf = ALRNNClassifier(**FAST, n_init=3).fit(X, y)
    assert clf.net_.history[-1, "train_loss"] == min(losses)
    np.testing.assert_array_equal(clf.predict_proba(X), best.predict_proba(X))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros((6, 5)), np.zeros(6), "needs samples of at least 2 classes in the data, but "
                                        "the data contains only one class: 0.0"),
        (np.where(np.eye(6, 5) > 0, np.nan, 1.0), np.arange(6) % 2,
         "Input X contains NaN inside case 0. ALRNNClassifier reads NaN only as trailing"),
        (np.full((6, 5), np.inf), np.arange(6) % 2, "Input X contains infinity"),
        (np.zeros((6, 5)), np.arange(5) % 2,
         "ALRNNClassifier: X and y must hold the same number of cases. Got 6 in X and 5"),
        ([np.zeros((2, 5)), np.zeros((3, 5))], [0, 1],
         r"all cases of a list X must have the same number of channels. Got \[2, 3\]"),
        (np.concatenate([np.ones((2, 5)), np.full((1, 5), np.nan)]), [0, 1, 0],
         "ALRNNClassifier: case 2 of X is empty"),
        (np.zeros((6, 1, 2, 5)), np.arange(6) % 2, r"Got X of shape \(6, 1, 2, 5\) instead"),
    ],
)
def test_fit_rejects_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        ALRNNClassifier(**FAST).fit(X, y)


def test_bad_parameters_and_predict_input(shifted):
    X, y = shifted
    with pytest.raises(ValueError, match="The 'readout' parameter of ALRNNClassifier must be a "
                                         "str among"):
        ALRNNClassifier(**FAST, readout="median").fit(X, y)
    with pytest.raises(ValueError, match=r"The 'init_self_coupling' parameter of "
                                         r"ALRNNClassifier must be a float in the range "
                                         r"\[0.0, 1.0\) or None. Got 1.0"):
        ALRNNClassifier(**FAST, init_self_coupling=1.0).fit(X, y)
    with pytest.raises(ValueError, match="'n_nonlinear' parameter of ALRNNClassifier must be <= "
                                         "n_units=8. Got 9"):
        ALRNNClassifier(**{**FAST, "n_nonlinear": 9}).fit(X, y)
    clf = ALRNNClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 3 channel\(s\), but ALRNNClassifier was fitted "
                                         "with 2"):
        clf.predict(np.zeros((2, 3, 12)))
    with pytest.raises(ValueError, match=r"X has 3 channel\(s\), but ALRNNClassifier was fitted "
                                         "with 2"):
        clf.predict([np.zeros((3, 4)), np.zeros((3, 6))])
    with pytest.raises(ValueError, match=r"X has 1 channel\(s\), but ALRNNClassifier was fitted "
                                         "with 2"):
        clf.predict(np.zeros((2, 12)))  # after a 3-D fit, 2-D X is one channel
