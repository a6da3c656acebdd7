"""Tests of eightschools.runs: the shared Metropolis runs of chapters 4 to 7.

Independent truths: the exact posterior means of mu and log tau, computed here by 2-D
quadrature of the post's log-posterior formula (written out in this file, not taken from
the package), and the post's printed acceptance rate 0.3288. Monte Carlo numbers are
compared with them in units of the Monte Carlo standard error from ArviZ, at 4 MCSE (a
correct run fails with probability about 6e-5 per quantity; the seeds are fixed, so the
outcome is deterministic). R-hat from ArviZ checks the multi-chain run's convergence.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from eightschools.data import SchoolData, eight_schools
from eightschools.laplace import laplace_fit
from eightschools.runs import (
    MULTI_SEED,
    POST_SEED,
    MultiChainRun,
    PostRun,
    multi_chain_run,
    post_run,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # ArviZ's notice of its coming refactor
    import arviz as az

Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def exact_means() -> tuple[float, float]:
    """E[mu | y] and E[log tau | y] by quadrature on a fine grid.

    The post's formula: log p = sum_j [-log(s_j^2 + e^{2 l2}) / 2 - (l1 - y_j)^2 /
    (2 (s_j^2 + e^{2 l2}))] + l2. The grid covers mu in [-60, 80] and log tau in [-14, 9]:
    the density is below e^-14 of its peak outside in log tau and the tails in mu fall like
    |mu|^-7, so truncation and the trapezoid rule on steps of 0.05 and 0.01 are accurate
    to about 1e-4, far below the Monte Carlo errors (0.1 and more) compared with it.
    """
    mu = np.arange(-60.0, 80.0, 0.05)
    l2 = np.arange(-14.0, 9.0, 0.01)
    v = SIGMA**2 + np.exp(2.0 * l2)[:, None]  # (n_l2, J)
    log_p = (
        l2[:, None]
        - 0.5 * np.log(v).sum(axis=1)[:, None]
        - 0.5 * (((mu[None, :, None] - Y) ** 2) / v[:, None, :]).sum(axis=2)
    )  # (n_l2, n_mu)
    p = np.exp(log_p - log_p.max())
    mass = np.trapezoid(np.trapezoid(p, mu, axis=1), l2)
    e_mu = np.trapezoid(np.trapezoid(p * mu, mu, axis=1), l2) / mass
    e_l2 = np.trapezoid(np.trapezoid(p, mu, axis=1) * l2, l2) / mass
    return float(e_mu), float(e_l2)


@pytest.fixture(scope="module")
def truth() -> tuple[float, float]:
    return exact_means()


# ---------------------------------------------------------------------------------------
# The post's run
# ---------------------------------------------------------------------------------------


def test_post_run_uses_the_posts_settings() -> None:
    """Settings of the post: start at the mode, Laplace covariance, scale 2, 10,000 / 5,000.

    Truth: the post's text, and laplace_fit for the mode and covariance.
    """
    run = post_run()
    fit = laplace_fit(Y, SIGMA)
    assert isinstance(run, PostRun)
    assert run.seed == POST_SEED == 11
    assert (run.result.n_iter, run.burn_in, run.result.scale) == (10_000, 5_000, 2.0)
    np.testing.assert_array_equal(run.result.start, fit.mode[None, :])
    np.testing.assert_array_equal(run.result.cov, fit.cov)
    np.testing.assert_array_equal(run.kept, run.result.draws[0, 5_000:, :])
    np.testing.assert_array_equal(run.mu, run.kept[:, 0])
    np.testing.assert_array_equal(run.tau, np.exp(run.kept[:, 1]))


def test_post_run_is_deterministic_and_cached() -> None:
    """The cached run, a fresh uncached run and another fresh run hold identical draws."""
    cached = post_run()
    assert post_run() is cached
    fresh = post_run(eight_schools())
    again = post_run(eight_schools())
    assert fresh is not cached and again is not fresh
    np.testing.assert_array_equal(fresh.result.draws, cached.result.draws)
    np.testing.assert_array_equal(again.kept, cached.kept)
    np.testing.assert_array_equal(fresh.result.accept_rate, cached.result.accept_rate)
    other = post_run(seed=POST_SEED + 1)
    assert not np.array_equal(other.kept, cached.kept)


def test_post_run_is_read_only() -> None:
    """Shared by four chapters, the arrays must not be changeable by any of them."""
    run = post_run()
    for arr in (run.kept, run.result.draws, run.result.accept_rate):
        with pytest.raises(ValueError, match="read-only"):
            arr.flat[0] = 0.0


def test_post_run_acceptance_matches_the_post() -> None:
    """Acceptance against the post's printed 0.3288, within 4 combined standard errors.

    The post's rate comes from another random stream, so the two rates differ by Monte
    Carlo error from both runs: the MCSE of our acceptance indicator series (ArviZ,
    which accounts for its autocorrelation) times sqrt(2).
    """
    run = post_run()
    path = np.concatenate([run.result.start, run.result.draws[0]])
    moved = np.any(path[1:] != path[:-1], axis=1).astype(float)
    assert moved.mean() == run.result.accept_rate[0]
    se = float(az.mcse(moved))
    assert 0.002 < se < 0.01
    assert abs(moved.mean() - 0.3288) < 4 * math.sqrt(2) * se


def test_post_run_means_match_quadrature(truth: tuple[float, float]) -> None:
    """Kept means of mu and log tau within 4 MCSE of the exact posterior means."""
    run = post_run()
    for k, exact in enumerate(truth):
        x = run.kept[:, k]
        mcse = float(az.mcse(x))
        assert abs(x.mean() - exact) < 4 * mcse, (k, x.mean(), exact, mcse)


def test_exact_means_are_sensible(truth: tuple[float, float]) -> None:
    """The quadrature itself: E[mu | y] lies near the pooled mean 7.69 and the posterior
    mode's 7.92, and E[log tau] below the mode's 1.84 (the marginal of log tau has a long
    left tail). Loose bounds: this only guards against a broken grid. (Refining the grid to
    twice as fine and twice as wide moves both means by less than 2e-5.)
    """
    e_mu, e_l2 = truth
    assert 7.0 < e_mu < 9.0
    assert 0.5 < e_l2 < 1.84


# ---------------------------------------------------------------------------------------
# The multi-chain run
# ---------------------------------------------------------------------------------------


def test_multi_chain_run_starts_are_widened_laplace_draws() -> None:
    """Starts are mode + widen * (draw - mode) with the draws from the same seeded rng.

    Truth: the documented construction, reproduced with LaplaceFit.sample.
    """
    run = multi_chain_run()
    assert isinstance(run, MultiChainRun)
    fit = laplace_fit(Y, SIGMA)
    rng = np.random.default_rng(MULTI_SEED)
    expected = fit.mode + 3.0 * (fit.sample(4, rng) - fit.mode)
    np.testing.assert_allclose(run.result.start, expected, rtol=1e-14)
    assert run.result.draws.shape == (4, 10_000, 2)
    assert run.kept.shape == (4, 5_000, 2)
    # Over-dispersed: the starts spread wider than the posterior itself in log tau.
    assert run.result.start[:, 1].std() > run.kept[..., 1].std()


def test_multi_chain_run_is_deterministic_and_cached() -> None:
    """Cached object reused; a fresh uncached run gives identical draws."""
    cached = multi_chain_run()
    assert multi_chain_run() is cached
    fresh = multi_chain_run(eight_schools())
    np.testing.assert_array_equal(fresh.result.draws, cached.result.draws)
    np.testing.assert_array_equal(fresh.result.start, cached.result.start)


def test_multi_chain_run_converges(truth: tuple[float, float]) -> None:
    """After burn-in the four chains agree (ArviZ rank R-hat < 1.01, the threshold of
    Vehtari et al. 2021) and their pooled means lie within 4 MCSE of the exact means.
    """
    run = multi_chain_run()
    for k, exact in enumerate(truth):
        x = run.kept[..., k]
        assert float(az.rhat(x)) < 1.01
        mcse = float(az.mcse(x))
        assert abs(x.mean() - exact) < 4 * mcse, (k, x.mean(), exact, mcse)


def test_other_data_runs_uncached() -> None:
    """Another data set goes through the same code, without the cache."""
    data = SchoolData(("a", "b", "c", "d"), [1.0, 5.0, -2.0, 3.0], [2.0, 3.0, 2.5, 4.0])
    first = post_run(data, n_iter=400, burn_in=100)
    second = post_run(data, n_iter=400, burn_in=100)
    assert first is not second
    np.testing.assert_array_equal(first.kept, second.kept)
    assert first.kept.shape == (300, 2)
    multi = multi_chain_run(data, chains=3, n_iter=300, burn_in=50)
    assert multi.kept.shape == (3, 250, 2)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"burn_in": 10_000}, r"burn_in must satisfy 0 <= burn_in < n_iter = 10000; got 10000"),
        ({"burn_in": -1}, r"burn_in must satisfy 0 <= burn_in < n_iter"),
        ({"n_iter": 0, "burn_in": 0}, "n_iter must be an integer >= 1; got 0"),
        ({"seed": -5}, "seed must be a non-negative integer; got -5"),
        ({"seed": 1.5}, "seed must be a non-negative integer; got 1.5"),
        ({"burn_in": 2.5}, "burn_in must satisfy"),
        ({"scale": 0.0}, "scale must be a positive finite number"),
    ],
)
def test_post_run_invalid_settings(kw: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        post_run(**kw)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"chains": 1}, "chains must be an integer >= 2; got 1"),
        ({"chains": 2.5}, "chains must be an integer >= 2"),
        ({"widen": 0.0}, "widen must be a positive finite number; got 0.0"),
        ({"widen": math.inf}, "widen must be a positive finite number; got inf"),
        ({"burn_in": 20_000}, "burn_in must satisfy"),
    ],
)
def test_multi_chain_run_invalid_settings(kw: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        multi_chain_run(**kw)
