"""Collection settings for the whole repository (tests and doctests)."""

import os

# The test models are tiny: one thread beats two, whose synchronisation costs
# more than the work (the suite ran 2x faster). Set before torch is imported,
# and inherited by the CLI and README examples run in subprocesses.
os.environ.setdefault("OMP_NUM_THREADS", "1")

try:
    import numba  # noqa: F401
except ImportError:
    # The compiled step loops are an optional extra: without numba their
    # module cannot be imported for doctest collection, and the package
    # never imports it either.
    collect_ignore = ["sklearn_alrnn/_scan_numba.py"]
