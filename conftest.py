"""Collection settings for the whole repository (tests and doctests)."""

try:
    import numba  # noqa: F401
except ImportError:
    # The compiled step loops are an optional extra: without numba their
    # module cannot be imported for doctest collection, and the package
    # never imports it either.
    collect_ignore = ["sklearn_alrnn/_scan_numba.py"]
