"""Data sets for examples, tests and benchmarks: seeded synthetic generators and small real
series shipped inside the package. Nothing here downloads anything."""

from ._generators import (
    make_addition_problem,
    make_linear_ar,
    make_lorenz63,
    make_rossler,
    make_sequence_classification,
    make_switching_linear,
)
from ._real import load_airline, load_sunspots

__all__ = [
    "load_airline",
    "load_sunspots",
    "make_addition_problem",
    "make_linear_ar",
    "make_lorenz63",
    "make_rossler",
    "make_sequence_classification",
    "make_switching_linear",
]
