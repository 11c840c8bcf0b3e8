"""Almost-Linear RNNs as scikit-learn estimators."""

from ._classifier import ALRNNClassifier
from ._forecaster import ALRNNForecaster
from ._windows import SequenceScaler, make_windows

__version__ = "0.1.0.dev0"

__all__ = ["ALRNNClassifier", "ALRNNForecaster", "SequenceScaler", "__version__", "make_windows"]
