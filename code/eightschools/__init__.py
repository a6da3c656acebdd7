r"""The package behind the book *Bayesian hierarchical modeling, learned from the eight schools*.

Each module does one step of the book's argument over plain numpy arrays:

- :mod:`eightschools.data`: the data set type, its validation and the eight schools;
- :mod:`eightschools.classical`: separate estimates, the pooled estimate and the
  homogeneity test;
- :mod:`eightschools.derivation`: the blog post's derivation, transcribed and checked with
  SymPy (chapter 2 derives the model in its cells);
- :mod:`eightschools.posterior`: the log posterior of :math:`(\mu, \log\tau)`, its gradient
  and Hessian, and the conditional posteriors;
- :mod:`eightschools.laplace`: the normal (Laplace) approximation;
- :mod:`eightschools.metropolis`: random-walk Metropolis, one chain or many;
- :mod:`eightschools.rstream`: R's default random numbers, replayed on numpy's Mersenne
  Twister;
- :mod:`eightschools.runs`: the sampler runs that several chapters share;
- :mod:`eightschools.diagnostics`: autocorrelation, effective sample size, R-hat, MCSE;
- :mod:`eightschools.effects`: school effects, probabilities and shrinkage from draws;
- :mod:`eightschools.exact`: the exact posterior by one-dimensional quadrature;
- :mod:`eightschools.meta`: log relative risks from 2x2 counts, and the BCG trials;
- :mod:`eightschools.check`: self-checks for students' answers;
- :mod:`eightschools.student`: the student edition of the chapters;
- :mod:`eightschools.joint`: the joint posterior of all parameters, by Gibbs and HMC;
- :mod:`eightschools.tables` and :mod:`eightschools.figures`: the book's tables and figures.
"""

from eightschools.data import SchoolData, eight_schools, load_csv

__all__ = ["SchoolData", "eight_schools", "load_csv"]
__version__ = "0.1.0"
