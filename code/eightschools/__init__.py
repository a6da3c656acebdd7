r"""The package behind the book *Bayesian hierarchical modeling, learned from the eight schools*.

Each module does one step of the book's argument over plain numpy arrays: ``data`` reads and
validates the data, ``posterior`` holds the model's formulas, ``classical``, ``laplace``,
``metropolis``, ``diagnostics``, ``effects``, ``exact`` and ``joint`` compute, ``tables`` and
``figures`` show; ``rstream``, ``runs``, ``derivation``, ``check``, ``editions``, ``student``
and ``assignments`` serve the book. The README's layout section says how they fit together.
"""

from eightschools.data import SchoolData, eight_schools, load_csv

__all__ = ["SchoolData", "eight_schools", "load_csv"]
__version__ = "0.1.0"
