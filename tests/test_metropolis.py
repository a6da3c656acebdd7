"""Tests of eightschools.metropolis: the random-walk Metropolis sampler.

The independent truths are closed forms: the moments of a correlated bivariate normal
target, and the stationary acceptance rate of random-walk Metropolis on a standard normal
target with a normal proposal of scale s, which is (2 / pi) arctan(2 / s) (checked here
against scipy quadrature). Monte Carlo estimates are compared with the truth in units of
an honestly estimated Monte Carlo standard error (batch means over independent chains, or
the spread of independent chains), at 4 standard errors: a correct sampler fails such a
check with probability about 6e-5 per quantity, and every random test is seeded.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate, stats

from eightschools.metropolis import MetropolisResult, mean_squared_jump, rwmetrop

# A correlated bivariate normal target: mean M, covariance S (correlation 0.6).
M = np.array([1.0, -2.0])
S = np.array([[4.0, 1.2], [1.2, 1.0]])
P = np.linalg.inv(S)


class Gaussian2:
    """log N(x | M, S) up to a constant, for points of shape (chains, 2)."""

    def __init__(self) -> None:
        self.a = float(P[0, 0])
        self.b = float(2.0 * P[0, 1])
        self.c = float(P[1, 1])
        self.m0 = float(M[0])
        self.m1 = float(M[1])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        u = x[:, 0] - self.m0
        v = x[:, 1] - self.m1
        return -0.5 * (self.a * u * u + self.b * u * v + self.c * v * v)

def std_normal_1d(x: np.ndarray) -> np.ndarray:
    return -0.5 * x[:, 0] ** 2


def batch_means_mcse(f: np.ndarray, n_batches: int = 40) -> tuple[float, float]:
    """Mean and its MCSE for f of shape (chains, n) by non-overlapping batch means.

    Each chain is cut into ``n_batches`` batches; batches much longer than the
    autocorrelation time have nearly independent means, so the spread of the
    chains * n_batches batch means gives the standard error of the grand mean.
    """
    chains, n = f.shape
    b = n // n_batches
    means = f[:, : b * n_batches].reshape(chains, n_batches, b).mean(axis=2).ravel()
    return float(f.mean()), float(means.std(ddof=1) / math.sqrt(means.size))


# ---------------------------------------------------------------------------------------
# Correctness against closed forms
# ---------------------------------------------------------------------------------------


def test_correlated_gaussian_moments_within_4_mcse() -> None:
    """Mean, variances and covariance of N(M, S) recovered within 4 MCSE.

    Truth: the closed-form moments M and S. The chains start from exact draws of the
    target, so no burn-in is needed. MCSE: batch means, 8 chains x 40 batches of 1,000
    draws; with proposal scale 1.7 the integrated autocorrelation time is about 6 to 8
    (ArviZ's ESS agrees), so batches of 1,000 are nearly independent and the MCSE is
    honest (it matches arviz.mcse within 6% on this run). The MCSE is itself
    checked to be small (below 2% of the scale of each quantity), so the test has power.
    """
    rng = np.random.default_rng(20240501)
    start = rng.multivariate_normal(M, S, size=8)
    fit = rwmetrop(Gaussian2(), start, S, 1.7, 40_000, rng)
    x = fit.draws
    cases = {
        "mean mu0": (x[..., 0], M[0], math.sqrt(S[0, 0])),
        "mean mu1": (x[..., 1], M[1], math.sqrt(S[1, 1])),
        "var 0": ((x[..., 0] - M[0]) ** 2, S[0, 0], S[0, 0]),
        "var 1": ((x[..., 1] - M[1]) ** 2, S[1, 1], S[1, 1]),
        "cov 01": ((x[..., 0] - M[0]) * (x[..., 1] - M[1]), S[0, 1], S[0, 0]),
    }
    for name, (f, truth, size) in cases.items():
        est, mcse = batch_means_mcse(f)
        assert mcse < 0.02 * size, f"{name}: MCSE {mcse} too large to test anything"
        assert abs(est - truth) < 4 * mcse, f"{name}: {est} vs {truth}, MCSE {mcse}"


def test_acceptance_closed_form_matches_quadrature() -> None:
    """The closed form used below, (2/pi) arctan(2/s), against direct quadrature.

    Truth: the stationary acceptance is E[min(1, p(x + s z) / p(x))] with x, z iid N(0, 1);
    integrating over x in closed form for fixed z leaves a 1-D integral over z that scipy's
    quad computes to ~1e-10, so a 1e-8 tolerance is generous but still decisive.
    """

    def given_z(z: float, s: float) -> float:
        # With k = s|z| (the sign of z does not matter by the symmetry x -> -x), the move is
        # accepted surely when x < -k/2 and otherwise with probability exp(-k x - k^2/2);
        # phi(x) exp(-k x - k^2/2) = phi(x + k), so the second piece integrates to
        # P(X > k/2). Both pieces equal Phi(-k/2), so the acceptance given z is 2 Phi(-k/2).
        return stats.norm.pdf(z) * 2.0 * stats.norm.cdf(-s * abs(z) / 2.0)

    for s in (0.5, 2.4, 5.0):
        value, _ = integrate.quad(given_z, -12.0, 12.0, args=(s,), epsabs=1e-12)
        assert value == pytest.approx(2.0 / math.pi * math.atan(2.0 / s), abs=1e-8)


@pytest.mark.parametrize("scale", [0.5, 2.4, 5.0])
def test_acceptance_rate_matches_closed_form(scale: float) -> None:
    """The 1-D standard normal target: acceptance rate (2/pi) arctan(2/s) within 4 SE.

    Truth: the closed form (checked by quadrature above). The 400 chains start from exact
    N(0, 1) draws, so every step is at stationarity; they are independent, so the spread
    of their 400 acceptance rates gives an honest standard error of the mean rate.
    """
    rng = np.random.default_rng(7)
    fit = rwmetrop(std_normal_1d, rng.standard_normal((400, 1)), [[1.0]], scale, 1_000, rng)
    rate = fit.accept_rate
    se = rate.std(ddof=1) / math.sqrt(rate.size)
    truth = 2.0 / math.pi * math.atan(2.0 / scale)
    assert se < 0.005
    assert abs(rate.mean() - truth) < 4 * se


def test_acceptance_tends_to_one_as_scale_tends_to_zero() -> None:
    """With scale s -> 0 the acceptance rate tends to 1.

    Truth: the closed form 1 - (2/pi) arctan(2/s) ~ s/pi, so at s = 1e-3 the rejection
    rate is 3.2e-4 and at s = 1e-6 it is 3.2e-7: 2,000 steps on each of 50 chains see
    about 32 and 0.03 rejections. The bounds (rate > 0.999, then > 0.99999) leave a wide
    margin. The rate also increases as the scale shrinks (on the correlated target).
    """
    rng = np.random.default_rng(3)
    for s, lower in ((1e-3, 0.999), (1e-6, 0.99999)):
        fit = rwmetrop(std_normal_1d, rng.standard_normal((50, 1)), [[1.0]], s, 2_000, rng)
        assert fit.accept_rate.mean() > lower
    rates = [
        rwmetrop(Gaussian2(), np.tile(M, (20, 1)), S, s, 2_000, rng).accept_rate.mean()
        for s in (3.0, 1.0, 0.1, 0.01)
    ]
    assert all(a < b for a, b in zip(rates, rates[1:], strict=False)), rates
    assert rates[-1] > 0.99


def test_accept_rate_counts_moves() -> None:
    """accept_rate is the fraction of steps on which the chain moved.

    Truth: the definition; with continuous proposals a proposal equals the current point
    with probability zero, so a step moved exactly when it was accepted.
    """
    rng = np.random.default_rng(11)
    fit = rwmetrop(Gaussian2(), np.tile(M, (5, 1)), S, 2.0, 3_000, rng)
    path = np.concatenate([fit.start[:, None, :], fit.draws], axis=1)
    moved = np.any(path[:, 1:] != path[:, :-1], axis=2).mean(axis=1)
    np.testing.assert_array_equal(fit.accept_rate, moved)


def test_log_density_is_logpdf_at_draws() -> None:
    """log_density[c, t] equals logpdf(draws[c, t]) exactly (same function, same points)."""
    rng = np.random.default_rng(12)
    g = Gaussian2()
    fit = rwmetrop(g, np.tile(M, (3, 1)), S, 2.0, 500, rng)
    again = g(fit.draws.reshape(-1, 2)).reshape(3, 500)
    np.testing.assert_array_equal(fit.log_density, again)


# ---------------------------------------------------------------------------------------
# Reproducibility and the random-number contract
# ---------------------------------------------------------------------------------------


def test_same_seed_same_draws_and_different_seed_different_draws() -> None:
    """Determinism: all randomness comes from the Generator passed in."""
    runs = [
        rwmetrop(Gaussian2(), np.tile(M, (4, 1)), S, 2.0, 1_000, np.random.default_rng(s))
        for s in (5, 5, 6)
    ]
    np.testing.assert_array_equal(runs[0].draws, runs[1].draws)
    np.testing.assert_array_equal(runs[0].accept_rate, runs[1].accept_rate)
    assert not np.array_equal(runs[0].draws, runs[2].draws)


class Recorder:
    """A generator that records every call, to check the order the sampler draws in."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.calls: list[tuple[str, object]] = []

    def standard_normal(self, size: object = None) -> np.ndarray:
        self.calls.append(("standard_normal", size))
        return self.rng.standard_normal(size)

    def random(self, size: object = None) -> np.ndarray:
        self.calls.append(("random", size))
        return self.rng.random(size)


@pytest.mark.parametrize("chains", [1, 3])
def test_each_iteration_draws_z_then_u(chains: int) -> None:
    """The documented contract: iteration t draws z of shape (chains, d), then u of shape
    (chains,), and nothing else; and the draws are those of a direct transcription.

    Truth: a loop-by-loop transcription of the algorithm with scipy's normal density, fed
    the same random numbers. Tolerance 1e-12 relative: the sampler forms the steps with a
    matrix product, which may round differently in the last bit.
    """
    n, d, scale = 400, 2, 1.5
    start = np.tile(M, (chains, 1)) + 0.5
    rec = Recorder(99)
    fit = rwmetrop(Gaussian2(), start, S, scale, n, rec)
    assert rec.calls == [("standard_normal", (chains, d)), ("random", chains)] * n

    rng = np.random.default_rng(99)
    chol = np.linalg.cholesky(S)
    dens = stats.multivariate_normal(M, S)
    x = start.copy()
    expected = np.empty((chains, n, d))
    for t in range(n):
        z = rng.standard_normal((chains, d))
        u = rng.random(chains)
        for c in range(chains):
            prop = x[c] + scale * chol @ z[c]
            if u[c] < dens.pdf(prop) / dens.pdf(x[c]):
                x[c] = prop
        expected[:, t] = x
    np.testing.assert_allclose(fit.draws, expected, rtol=1e-12, atol=1e-12)
    assert 0.2 < fit.accept_rate.mean() < 0.8  # the chains moved: the comparison has power


def test_a_run_is_the_start_of_a_longer_run() -> None:
    """Same seed, more iterations: the first n_iter draws are unchanged."""
    start = np.tile(M, (5, 1))
    short = rwmetrop(Gaussian2(), start, S, 2.0, 700, np.random.default_rng(3))
    long = rwmetrop(Gaussian2(), start, S, 2.0, 1_500, np.random.default_rng(3))
    np.testing.assert_array_equal(short.draws, long.draws[:, :700])


def test_chains_run_together_as_they_would_alone_given_their_numbers() -> None:
    """One chain with a 1-D start is the same algorithm as many: with one chain, the
    caller's start is not written to, and the draws match the transcription above."""
    start = np.array([3.0, 0.5])
    start_copy = start.copy()
    one = rwmetrop(Gaussian2(), start, S, 2.0, 500, np.random.default_rng(42))
    two = rwmetrop(Gaussian2(), start[np.newaxis], S, 2.0, 500, np.random.default_rng(42))
    np.testing.assert_array_equal(one.draws, two.draws)
    np.testing.assert_array_equal(start, start_copy)


def test_one_chain_shapes_and_frozen_result() -> None:
    """A 1-D start gives one chain with a leading axis; the result is immutable."""
    fit = rwmetrop(Gaussian2(), M, S, 2.0, 50, np.random.default_rng(1))
    assert isinstance(fit, MetropolisResult)
    assert fit.draws.shape == (1, 50, 2)
    assert fit.log_density.shape == (1, 50)
    assert fit.accept_rate.shape == (1,)
    assert fit.start.shape == (1, 2)
    assert (fit.n_chains, fit.dim, fit.n_iter, fit.scale) == (1, 2, 50, 2.0)
    np.testing.assert_array_equal(fit.cov, S)
    with pytest.raises(dataclasses.FrozenInstanceError):
        name = "scale"
        setattr(fit, name, 1.0)
    with pytest.raises(ValueError, match="read-only"):
        fit.draws[0, 0, 0] = 0.0


# ---------------------------------------------------------------------------------------
# Proposals with -inf, NaN or +inf log density are never accepted
# ---------------------------------------------------------------------------------------


class Awkward:
    """N(0, I) restricted to x0 > -1, with NaN for x1 > 1 and +inf for x1 < -1.5.

    It counts the non-finite values it returns, so the test can confirm that such
    proposals were actually made (otherwise a sampler that accepted them could pass).
    """

    def __init__(self) -> None:
        self.bad = 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = -0.5 * np.sum(x**2, axis=1)
        out = np.where(x[:, 0] <= -1.0, -np.inf, out)
        out = np.where(x[:, 1] > 1.0, np.nan, out)
        out = np.where(x[:, 1] < -1.5, np.inf, out)
        self.bad += int(np.sum(~np.isfinite(out)))
        return out

@pytest.mark.parametrize("chains", [1, 6])
def test_non_finite_proposals_never_accepted(chains: int) -> None:
    """Truth: the rule itself; every draw must lie where the log density is finite."""
    target = Awkward()
    fit = rwmetrop(target, np.zeros((chains, 2)), np.eye(2), 2.0, 2_000, np.random.default_rng(8))
    x = fit.draws
    assert target.bad > 500  # many proposals landed in the bad regions
    assert np.all(x[..., 0] > -1.0)
    assert np.all((x[..., 1] <= 1.0) & (x[..., 1] >= -1.5))
    assert np.all(np.isfinite(fit.log_density))
    assert np.all(fit.accept_rate > 0.05)  # and the chains still moved


# ---------------------------------------------------------------------------------------
# Validation at the boundary
# ---------------------------------------------------------------------------------------


def _run(**kw: object) -> MetropolisResult:
    args: dict[str, object] = {
        "logpdf": Gaussian2(),
        "start": M,
        "cov": S,
        "scale": 1.0,
        "n_iter": 10,
        "rng": np.random.default_rng(0),
    }
    args.update(kw)
    return rwmetrop(**args)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"cov": np.ones((2, 3))}, r"cov must be a square \(d, d\) matrix; it has shape \(2, 3\)"),
        ({"cov": np.ones(2)}, r"cov must be a square .* shape \(2,\)"),
        ({"cov": [[1.0, 0.5], [0.4, 1.0]]}, "cov must be symmetric"),
        ({"cov": [[1.0, 2.0], [2.0, 1.0]]}, "cov must be positive definite"),
        ({"cov": [[1.0, 0.0], [0.0, 0.0]]}, "cov must be positive definite"),
        ({"cov": [[1.0, np.nan], [np.nan, 1.0]]}, r"cov must be finite \(no NaN"),
        ({"cov": np.eye(3)}, r"start must have shape .* with d = 3 as in cov; .* \(2,\)"),
        ({"scale": 0.0}, "scale must be a positive finite number; got 0.0"),
        ({"scale": -1.0}, "scale must be a positive finite number; got -1.0"),
        ({"scale": np.inf}, "scale must be a positive finite number; got inf"),
        ({"scale": np.nan}, "scale must be a positive finite number; got nan"),
        ({"scale": "big"}, "scale must be a positive finite number"),
        ({"n_iter": 0}, "n_iter must be an integer >= 1; got 0"),
        ({"n_iter": -3}, "n_iter must be an integer >= 1; got -3"),
        ({"n_iter": 2.5}, "n_iter must be an integer >= 1; got 2.5"),
        ({"start": np.zeros((2, 2, 2))}, r"start must have shape \(d,\) .* \(2, 2, 2\)"),
        ({"start": np.zeros((0, 2))}, r"start must have shape .* \(0, 2\)"),
        ({"start": [1.0, np.nan]}, r"start must be finite \(no NaN"),
        ({"start": [1.0, 2.0, 3.0]}, r"start must have shape .* with d = 2 as in cov"),
    ],
)
def test_invalid_settings_raise(kw: dict[str, object], message: str) -> None:
    """Each broken rule gives a ValueError naming the argument and the rule."""
    with pytest.raises(ValueError, match=message):
        _run(**kw)


@pytest.mark.parametrize("chains", [1, 500])
def test_overflowing_steps_raise(chains: int) -> None:
    """scale * L z beyond the float range is refused before the run starts."""
    with pytest.raises(ValueError, match="proposals would overflow"):
        _run(start=np.zeros((chains, 2)), cov=np.eye(2), scale=1e308, n_iter=2_000)


def test_an_error_in_logpdf_mid_run_propagates() -> None:
    """An exception raised by logpdf after some steps reaches the caller unchanged."""

    class Fails(Gaussian2):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0

        def __call__(self, x: np.ndarray) -> np.ndarray:
            self.calls += 1
            if self.calls > 300:
                raise RuntimeError("model failed at call 301")
            return super().__call__(x)

    with pytest.raises(RuntimeError, match="model failed at call 301"):
        rwmetrop(Fails(), np.tile(M, (200, 1)), S, 2.0, 2_000, np.random.default_rng(0))


def test_start_with_non_finite_log_density_raises() -> None:
    """A start where the log density is -inf or NaN is refused, naming the chain."""
    starts = np.array([[0.0, 0.0], [-2.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"logpdf\(start\[1\]\) = -inf"):
        _run(logpdf=Awkward(), start=starts, cov=np.eye(2))
    with pytest.raises(ValueError, match=r"logpdf\(start\[0\]\) = nan"):
        _run(logpdf=Awkward(), start=[[0.0, 2.0]], cov=np.eye(2))
    with pytest.raises(ValueError, match="log density at start must be finite"):
        _run(logpdf=Awkward(), start=[0.0, 2.0], cov=np.eye(2))


@pytest.mark.parametrize(
    "logpdf",
    [
        lambda x: float(np.sum(x)),
        lambda x: np.zeros((x.shape[0], 1)),
        lambda x: np.zeros(x.shape[0] + 1),
    ],
)
def test_logpdf_wrong_shape_raises(logpdf: object) -> None:
    """logpdf must map (chains, d) to (chains,); anything else is refused."""
    with pytest.raises(ValueError, match=r"logpdf must return shape \(chains,\) = \(3,\)"):
        _run(logpdf=logpdf, start=np.zeros((3, 2)))


def test_rng_must_be_a_generator_object() -> None:
    """numpy's global random state (the module) and non-generators are refused."""
    for rng in (np.random, 0, None):
        with pytest.raises(ValueError, match="rng must have numpy's standard_normal and random"):
            _run(rng=rng)


# ---------------------------------------------------------------------------------------
# mean_squared_jump
# ---------------------------------------------------------------------------------------


def test_mean_squared_jump_of_independent_draws_is_2d() -> None:
    """Independent draws from N(M, S): E[(x - x')^T S^-1 (x - x')] = 2 d = 4.

    Truth: closed form (x - x' ~ N(0, 2 S)). The statistic is a mean of 40,000 squared
    whitened jumps with variance about 2 * 2 * 4 = 16 (their successive terms share one
    draw, so doubling as a bound): the standard error is below 0.03, and 0.15 is 5 of them.
    """
    rng = np.random.default_rng(31)
    x = rng.multivariate_normal(M, S, size=(4, 10_001))
    assert mean_squared_jump(x, S) == pytest.approx(4.0, abs=0.15)
    assert mean_squared_jump(x[0], S) == pytest.approx(4.0, abs=0.3)  # (n, d) is one chain


def test_mean_squared_jump_when_every_proposal_is_accepted() -> None:
    """A flat target accepts every proposal, so each jump is s L z and MSJD = s^2 |z|^2.

    Truth: with the whitened jump equal to s z exactly, the MSJD is s^2 times the mean of
    |z|^2 over the very z the sampler drew (reproduced from the documented rng order); the
    two agree to rounding (1e-12 relative).
    """

    def flat(x: np.ndarray) -> np.ndarray:
        return np.zeros(x.shape[0])

    fit = rwmetrop(flat, np.zeros((3, 2)), S, 0.7, 500, np.random.default_rng(4))
    assert np.all(fit.accept_rate == 1.0)
    rng = np.random.default_rng(4)
    z = np.empty((500, 3, 2))
    for t in range(500):  # per iteration: z for every chain, then u
        z[t] = rng.standard_normal((3, 2))
        rng.random(3)
    expected = 0.7**2 * np.mean(np.sum(z[1:] ** 2, axis=2))
    assert mean_squared_jump(fit.draws, S) == pytest.approx(expected, rel=1e-12)
    assert mean_squared_jump(np.ones((2, 7, 2)), S) == 0.0


@pytest.mark.parametrize(
    ("draws", "cov", "message"),
    [
        (np.zeros(5), np.eye(1), r"draws must have shape \(chains, n, d\) or \(n, d\)"),
        (np.zeros((2, 1, 2)), np.eye(2), "at least 2 iterations per chain; got 1"),
        (np.zeros((2, 5, 3)), np.eye(2), "draws and cov disagree on the dimension"),
        (np.full((2, 5, 2), np.nan), np.eye(2), "draws must be finite"),
        (np.zeros((2, 5, 2)), -np.eye(2), "cov must be positive definite"),
    ],
)
def test_mean_squared_jump_invalid(draws: np.ndarray, cov: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mean_squared_jump(draws, cov)
