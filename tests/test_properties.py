"""Property tests: the model's location-scale equivariance, on data drawn by hypothesis.

The model y_j ~ N(theta_j, sigma_j^2), theta_j ~ N(mu, tau^2), p(mu, tau) flat, is
equivariant: for data (a + k y, k sigma) with k > 0 the posterior of (a + k mu, k tau,
a + k theta) is that of (mu, tau, theta) for data (y, sigma). So every summary must move
exactly so: means and quantiles of mu and theta by x -> a + k x, sds and tau by x -> k x,
log tau by + log k; shrinkage E(B_j | y), P(best) and P(theta_j > a + k c) must not move; the
posterior mode and its covariance follow (mu, log tau) -> (a + k mu, log tau + log k); the
pooled estimate and its variance follow x -> a + k x and v -> k^2 v, Cochran's Q does not
move; and log p(tau | y) only gains the constant -(J - 1) log k.

Truth: the same numbers computed for the untransformed data (the eight-schools-sized case,
itself tested against quadrature and closed forms in the other test files). Data are small
integers, shifted by integers up to 1e12 times their spread and scaled by powers of two from
2^-332 to 2^332 (about 1e-100 to 1e100), so the transformed data are exact in float64 and any
difference is the code's. A second property scales by powers of ten, whose data round, and
holds too. Tolerance 1e-9 relative (to the value, or to the posterior scale where the value
is near 0): the computations agree to about 1e-13 (the grid and the mode search move with
log k only to rounding), so a wrong map, a lost digit or an overflow cannot hide.
Reproducible: derandomize=True, no example database.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from eightschools.classical import homogeneity_test, pooled_estimate
from eightschools.exact import ExactPosterior, exact_posterior
from eightschools.laplace import laplace_fit
from eightschools.posterior import log_p_tau

RTOL = 1e-9
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None)


@st.composite
def data_sets(draw) -> tuple[np.ndarray, np.ndarray]:
    """J = 3 to 10 integer estimates in [-60, 60], standard errors 1 to 40 (not all equal y)."""
    J = draw(st.integers(3, 10))
    y = np.array(draw(st.lists(st.integers(-60, 60), min_size=J, max_size=J)), dtype=float)
    sigma = np.array(draw(st.lists(st.integers(1, 40), min_size=J, max_size=J)), dtype=float)
    return y, sigma


@st.composite
def transforms(draw, y: np.ndarray) -> tuple[float, float]:
    """A shift a (an integer, up to 1e12 times the spread of y) and a power of two k."""
    spread = max(float(np.ptp(y)), 1.0)
    a = float(draw(st.integers(-int(1e12 * spread), int(1e12 * spread))))
    k = 2.0 ** draw(st.integers(-332, 332))
    return a, k


def close(got, want, scale: float) -> bool:
    """|got - want| <= RTOL max(|want|, scale), elementwise."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return bool(np.all(np.abs(got - want) <= RTOL * np.maximum(np.abs(want), scale)))


def summary_of(post: ExactPosterior, c: float) -> dict[str, np.ndarray]:
    s = post.summary()
    theta = s.theta
    return {
        "location": np.array([s.mu.q025, s.mu.q50, s.mu.q975, *theta.mean, *theta.q025,
                              *theta.q50, *theta.q975]),
        "spread": np.array([s.tau.q025, s.tau.q50, s.tau.q975, *theta.sd]),
        "log_tau": np.array([s.log_tau.mean, s.log_tau.q50]),
        "moments": np.array([v for v in (s.mu.mean, s.mu.sd, s.tau.mean, s.tau.sd)
                             if v is not None]),
        "free": np.array([*theta.shrinkage, *post.prob_best(), *post.prob_above(c)]),
    }


def check_exact(y: np.ndarray, sigma: np.ndarray, a: float, k: float) -> None:
    base = summary_of(exact_posterior(y, sigma), c=float(np.median(y)))
    moved = summary_of(exact_posterior(a + k * y, k * sigma), c=a + k * float(np.median(y)))
    scale = float(base["spread"][1])  # the posterior median of tau: the effects' scale
    assert close(moved["location"], a + k * base["location"], k * scale)
    assert close(moved["spread"], k * base["spread"], 0.0)
    assert close(moved["log_tau"], base["log_tau"] + math.log(k), 1.0)
    assert moved["moments"].size == base["moments"].size
    if base["moments"].size:  # J >= 4: E(mu), then sd(mu), E(tau), sd(tau) as they exist
        assert close(moved["moments"][:1], a + k * base["moments"][:1], k * scale)
        assert close(moved["moments"][1:], k * base["moments"][1:], 0.0)
    assert close(moved["free"], base["free"], 1.0)


@SETTINGS
@given(st.data())
def test_exact_posterior_is_equivariant(data) -> None:
    y, sigma = data.draw(data_sets())
    a, k = data.draw(transforms(y))
    check_exact(y, sigma, a * k, k)  # data (y + a) k, exact as a and y are integers


@SETTINGS
@given(data_sets(), st.integers(-100, 100))
def test_exact_posterior_is_equivariant_under_decimal_scales(data, power) -> None:
    # 10^m is not a power of two: the transformed data round (relative 1e-16), the grid and
    # the standard units no longer line up, and the equivariance must still hold to 1e-9.
    y, sigma = data
    check_exact(y, sigma, 0.0, 10.0**power)


@SETTINGS
@given(st.data())
def test_mode_pooled_estimate_and_p_tau_are_equivariant(data) -> None:
    y, sigma = data.draw(data_sets())
    a, k = data.draw(transforms(y))
    shift = a * k  # data (y + a) k: exact, as a and y are integers
    moved_y, moved_sigma = (y + a) * k, sigma * k
    base, moved = laplace_fit(y, sigma), laplace_fit(moved_y, moved_sigma)
    sd_mu = math.sqrt(base.cov[0, 0])
    assert close(moved.mode[0], shift + k * base.mode[0], k * sd_mu)
    assert close(moved.mode[1], base.mode[1] + math.log(k), 1.0)
    units = np.diag([k, 1.0])
    assert close(moved.cov, units @ base.cov @ units, k * k * float(np.abs(base.cov).max()))
    pooled, pooled_moved = pooled_estimate(y, sigma), pooled_estimate(moved_y, moved_sigma)
    assert close(pooled_moved.mean, shift + k * pooled.mean, k * math.sqrt(pooled.variance))
    assert close(pooled_moved.variance, k * k * pooled.variance, 0.0)
    q, q_moved = homogeneity_test(y, sigma), homogeneity_test(moved_y, moved_sigma)
    assert close(q_moved.statistic, q.statistic, 1.0) and q_moved.df == q.df
    taus = np.array([0.0, 0.5, 3.0, 40.0, 1e6])
    want = log_p_tau(taus, y, sigma) - (y.size - 1) * math.log(k)
    assert close(log_p_tau(k * taus, moved_y, moved_sigma), want, 1.0)
