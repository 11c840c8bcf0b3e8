"""scikit-learn's own estimator checks, on small configurations."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_alrnn import ALRNNClassifier, ALRNNForecaster, SequenceScaler

ESTIMATORS = [
    # sklearn's regression check is a memory task (the target is one of ten
    # steps back) that the recurrent net needs ~100 epochs at a high lr to learn.
    ALRNNForecaster(n_units=6, max_epochs=100, lr=3e-2, lr_final=None, random_state=0),
    ALRNNClassifier(n_units=8, n_nonlinear=2, max_epochs=30, random_state=0),
    SequenceScaler(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
