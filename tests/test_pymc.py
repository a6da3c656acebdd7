"""PyMC's NUTS on the eight schools against the exact posterior: chapter 9's claims, tested.

Chapter 9's PyMC cells are exempt from nbval's comparison (PyMC compiles its log density to C
for the machine it runs on, so the draws differ between CPUs). This test reruns the same two
models with the chapter's settings and checks what the chapter says of them, in units of the
Monte Carlo standard error, against the exact posterior (one-dimensional quadrature).
"""

from __future__ import annotations

import logging

import numpy as np
import pymc as pm
import pytest

from eightschools import diagnostics as dg
from eightschools import exact
from eightschools.data import eight_schools

DATA = eight_schools()
Y, SIGMA = DATA.y, DATA.sigma
J = len(Y)
POST = exact.exact_posterior(Y, SIGMA)
TRUTH = POST.summary()
P_SMALL = float(POST.tau_cdf(1.0))


def _fit(centred: bool, seed: int):
    logging.getLogger("pymc").setLevel(logging.ERROR)
    with pm.Model():
        mu = pm.Flat("mu")
        tau = pm.HalfFlat("tau")
        if centred:
            theta = pm.Normal("theta", mu=mu, sigma=tau, shape=J)
        else:
            z = pm.Normal("z", mu=0.0, sigma=1.0, shape=J)
            theta = pm.Deterministic("theta", mu + tau * z)
        pm.Normal("y", mu=theta, sigma=SIGMA, observed=Y)
        return pm.sample(draws=2_000, tune=1_000, chains=4, cores=1, random_seed=seed,
                         progressbar=False, compute_convergence_checks=False)


@pytest.fixture(scope="module")
def fits():
    return {"centred": _fit(True, 1), "non-centred": _fit(False, 2)}


def _z(draws: np.ndarray, truth: float) -> float:
    return (draws.mean() - truth) / dg.mcse(draws, "mean")


def test_noncentred_nuts_agrees_with_the_exact_posterior(fits):
    post = fits["non-centred"].posterior
    tau = post["tau"].values
    assert abs(_z(post["mu"].values, TRUTH.mu.mean)) < 4
    assert abs(_z(tau, TRUTH.tau.mean)) < 4
    assert abs(_z(post["theta"].values[..., 0], TRUTH.theta.mean[0])) < 4
    assert abs(_z((tau < 1.0).astype(float), P_SMALL)) < 4
    assert int(fits["non-centred"].sample_stats.diverging.sum()) <= 80  # at most 1%


def test_centred_nuts_diverges_and_misses_small_tau(fits):
    """The chapter: many divergences, at small tau, and far too few draws below tau = 1."""
    fit = fits["centred"]
    divergent = fit.sample_stats.diverging.values
    tau = fit.posterior["tau"].values
    assert divergent.sum() >= 20
    assert np.median(tau[divergent]) < np.median(tau)
    assert np.mean(tau < 1.0) < P_SMALL / 2


def test_centred_nuts_tail_ess_is_flagged(fits):
    """The chapter: ArviZ's summary flags tau in the centred fit, a tail ESS below 400."""
    assert dg.ess(fits["centred"].posterior["tau"].values, "tail") < 400
