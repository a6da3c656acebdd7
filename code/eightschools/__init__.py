"""The package behind the book *Bayesian hierarchical modeling, learned from the eight schools*.

Each module does one step of the book's argument over plain numpy arrays:

- :mod:`eightschools.data`: the data set type, its validation and the eight schools;
- :mod:`eightschools.classical`: separate estimates, the pooled estimate and the
  homogeneity test.

Later chapters add the hierarchical model's posterior, its normal approximation, a
Metropolis sampler, convergence diagnostics and the exact posterior by quadrature.
"""

from eightschools.data import SchoolData, eight_schools, load_csv

__all__ = ["SchoolData", "eight_schools", "load_csv"]
__version__ = "0.1.0"
