"""Tests of eightschools.laplace: the posterior mode and the normal approximation.

Independent truths, each named at its test:
- the blog post's printed optim() results, mode (7.926685, 1.841525) and covariance
  [[22.3232882, 0.1935228], [0.1935228, 0.5352576]];
- the closed-form conditions of a stationary point: at the mode mu equals the
  precision-weighted mean mu_hat(tau) of BDA3 eq. 5.20;
- a brute-force grid over (mu, log tau) (no optimiser), for the global maximum;
- central finite differences of the log posterior, for the covariance;
- the exact equivariance of the model under y -> a + c y, sigma -> c sigma;
- scipy.stats.multivariate_normal, for the normal approximation's density and moments.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from eightschools.laplace import (
    LaplaceFit,
    _covariance,
    laplace_fit,
    nelder_mead_fit,
)
from eightschools.posterior import LogPosterior, log_posterior, log_posterior_grad, mu_given_tau

Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
POST_MODE = np.array([7.926685, 1.841525])
POST_COV = np.array([[22.3232882, 0.1935228], [0.1935228, 0.5352576]])


@pytest.fixture(scope="module")
def fit() -> LaplaceFit:
    return laplace_fit(Y, SIGMA)


def test_gradient_vanishes_at_the_mode(fit):
    # Truth: a maximum is a stationary point. The brief asks for full double precision,
    # |grad| < 1e-8; rounding alone leaves ~1e-15 here.
    assert fit.grad_norm < 1e-8
    assert np.linalg.norm(log_posterior_grad(fit.mode, Y, SIGMA)) < 1e-8


def test_mode_satisfies_the_closed_form_for_mu(fit):
    # Truth: d log p / d mu = 0 means mu = sum_j y_j / v_j / sum_j 1 / v_j, which is mu_hat(tau)
    # of BDA3 eq. 5.20 at tau = exp(log tau); an exact identity, so 1e-12 relative.
    mu_hat, _ = mu_given_tau(math.exp(fit.mode[1]), Y, SIGMA)
    assert fit.mode[0] == pytest.approx(float(mu_hat), rel=1e-12)


def test_mode_is_the_global_maximum_on_a_grid(fit):
    # Truth: brute force. No point of a 401 x 401 grid over mu in [-30, 50], log tau in
    # [-6, 5] (the post's contour window, widened) has a higher log density; the grid point
    # nearest the mode is within a grid step of it.
    mu = np.linspace(-30.0, 50.0, 401)
    l2 = np.linspace(-6.0, 5.0, 401)
    grid = np.stack(np.meshgrid(mu, l2, indexing="ij"), axis=-1)
    values = log_posterior(grid, Y, SIGMA)
    assert values.max() <= fit.log_density
    i, j = np.unravel_index(np.argmax(values), values.shape)
    assert abs(mu[i] - fit.mode[0]) <= mu[1] - mu[0]
    assert abs(l2[j] - fit.mode[1]) <= l2[1] - l2[0]


def test_mode_against_the_post_to_the_digits_justified(fit):
    # Truth: the post's printed mode, found by Nelder-Mead, which stops when the simplex's
    # log densities agree within reltol |f| ~ 1.5e-8 * 21 ~ 3e-7. A point whose log density
    # is within delta of the maximum can lie sqrt(2 delta Sigma_ii) from the mode: with
    # delta = 1e-6 that is 6.7e-3 in mu and 1.0e-3 in log tau. So only ~3 significant
    # digits of mu (7.92) and 4 of log tau (1.841) are justified, and the post's point is
    # indeed within delta of the maximum in log density.
    delta = fit.log_density - LogPosterior(Y, SIGMA).scalar(POST_MODE)
    assert 0.0 <= delta < 1e-6
    bound = np.sqrt(2.0 * 1e-6 * np.diag(fit.cov))
    assert np.all(np.abs(fit.mode - POST_MODE) <= bound)
    assert round(fit.mode[0], 2) == 7.92 and round(fit.mode[1], 3) == 1.841
    # ...and no more: the seventh printed digit of mu is not real (off by ~2e-3).
    assert abs(fit.mode[0] - POST_MODE[0]) > 1e-3


def test_covariance_is_the_inverse_negative_hessian(fit):
    # Truth: second central differences (h = 1e-3) of the log posterior itself, independent
    # of the analytic Hessian; their error here is ~1e-7 relative, so 1e-5 relative.
    lp = LogPosterior(Y, SIGMA)
    h = 1e-3
    fd = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            x = fit.mode
            fd[i, j] = (
                lp.scalar(x + ei + ej)
                - lp.scalar(x + ei - ej)
                - lp.scalar(x - ei + ej)
                + lp.scalar(x - ei - ej)
            ) / (4 * h * h)
    np.testing.assert_allclose(fit.cov, np.linalg.inv(-fd), rtol=1e-5)
    np.testing.assert_array_equal(fit.cov, fit.cov.T)
    assert np.all(np.linalg.eigvalsh(fit.cov) > 0)


def test_covariance_against_the_post(fit):
    # Truth: the post's printed covariance. It was taken at the Nelder-Mead point, not at the
    # mode, so it differs from ours by about the change of the Hessian over that distance:
    # 1e-4 relative on the variances and 3e-3 on the small covariance; tolerance 5e-3
    # relative. nelder_mead_fit (below) reproduces the post's digits from the same point.
    np.testing.assert_allclose(fit.cov, POST_COV, rtol=5e-3)


def test_nelder_mead_reproduces_the_posts_printed_numbers():
    # Truth: the post's printed optim() output. The R-like settings (same start, simplex,
    # relative stopping rule, optimHess step 1e-3) must give the same point to the printed
    # 7 significant digits (half a unit: 5e-7). The covariance needs a looser bound on its
    # largest entry: finite differences of finite differences with step 1e-3 carry rounding
    # ~eps |f| / h^2 ~ 5e-9 in the Hessian, amplified by cov^2 ~ 500 to ~2e-6 in cov[0, 0].
    nm = nelder_mead_fit(Y, SIGMA)
    np.testing.assert_allclose(nm.mode, POST_MODE, rtol=0, atol=5e-7)
    np.testing.assert_allclose(nm.cov, POST_COV, rtol=0, atol=2e-6)
    assert np.all(np.abs(nm.cov - POST_COV)[[0, 1, 1], [1, 0, 1]] <= 5e-8)
    assert nm.start == (8.0, 2.0) and 0 < nm.n_evaluations <= 500
    assert nm.log_density == pytest.approx(LogPosterior(Y, SIGMA).scalar(nm.mode), rel=1e-15)


def test_nelder_mead_bad_start_is_refused():
    # Truth: the contract, start is two finite numbers.
    with pytest.raises(ValueError, match="start must be two finite numbers"):
        nelder_mead_fit(Y, SIGMA, start=(8.0, np.nan))
    with pytest.raises(ValueError, match="start must be two finite numbers"):
        nelder_mead_fit(Y, SIGMA, start=(8.0, 2.0, 1.0))


def test_equivariance_under_location_and_scale():
    # Truth: exact invariance of the model. With y' = a + c y and sigma' = c sigma the
    # posterior of (a + c mu, log tau + log c) is that of (mu, log tau), so the mode moves
    # the same way and cov' = D cov D with D = diag(c, 1). Two independent Newton runs
    # converge to rounding, so 1e-9 relative (absolute on log tau).
    a, c = -40.0, 3.7
    base = laplace_fit(Y, SIGMA)
    moved = laplace_fit(a + c * Y, c * SIGMA)
    assert moved.mode[0] == pytest.approx(a + c * base.mode[0], rel=1e-9)
    assert moved.mode[1] == pytest.approx(base.mode[1] + math.log(c), abs=1e-9)
    d = np.diag([c, 1.0])
    np.testing.assert_allclose(moved.cov, d @ base.cov @ d, rtol=1e-9)
    # The log density shifts by -J log c (from log v_j) + log c (the Jacobian term).
    assert moved.log_density == pytest.approx(base.log_density - 7 * math.log(c), abs=1e-9)


@pytest.mark.parametrize(("shift", "power"), [(1e12, 0), (0.0, 400), (0.0, -400),
                                              (2.0**52, 448), (-(2.0**40), -300)])
def test_equivariance_at_extreme_scales_and_offsets(shift, power):
    # Truth: the same exact equivariance, with y -> (y + a) 2^m and sigma -> sigma 2^m (exact in
    # float64), at scales where the Hessian in the data's units, ~2^(-2m), or the covariance
    # would leave the float64 range without the standard units (the issue: sigma below 1e-154
    # or above 1e154 failed), and at offsets where mu_hat cancels digits. Two runs of one
    # iteration on the same standard data: 1e-12 relative.
    base = laplace_fit(Y, SIGMA)
    k = 2.0**power
    moved = laplace_fit((Y + shift) * k, SIGMA * k)
    assert moved.mode[0] == pytest.approx((base.mode[0] + shift) * k, rel=1e-12)
    assert moved.mode[1] == pytest.approx(base.mode[1] + power * math.log(2.0), abs=1e-12)
    d = np.diag([k, 1.0])
    np.testing.assert_allclose(moved.cov, d @ base.cov @ d, rtol=1e-12)
    assert moved.log_density == pytest.approx(base.log_density - 7 * power * math.log(2.0),
                                              rel=1e-12)


def test_covariance_beyond_the_float64_range_is_refused():
    # Truth: Sigma_11 = var(mu) ~ 22 k^2 is 0 or inf in float64 for k = 1e-200 or 1e200; the
    # fit must say so (the command then prints null), not return a wrong covariance.
    for k in (1e-200, 1e200):
        with pytest.raises(ValueError, match="outside the float64 range"):
            laplace_fit(Y * k, SIGMA * k)


def test_widely_spread_estimates_converge_to_the_mode():
    # Truth: the stationary conditions. Five estimates of +-1e154 with sigma = 1 put the mode
    # at tau ~ 1e154, where the curvature in mu is ~1e-308 next to ~1 in log tau: the
    # fallback step must be scale-free to get there. At the mode mu = mu_hat(tau) (BDA3 eq.
    # 5.20; here the plain mean), and d log p / d log tau = 0 (both to rounding).
    y = np.array([1e154, -1e154, 1e154, -1e154, 1e154])
    sigma = np.ones(5)
    fit = laplace_fit(y, sigma)
    mu_hat, _ = mu_given_tau(math.exp(fit.mode[1]), y, sigma)
    assert fit.mode[0] == pytest.approx(float(mu_hat), rel=1e-12)
    assert abs(log_posterior_grad(fit.mode, y, sigma)[1]) < 1e-10


@pytest.mark.parametrize(
    "y, sigma",
    [
        ([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]),  # identical estimates
        ([0.0, 0.0, 100.0, 100.0], [1.0, 1.0, 1.0, 1.0]),  # two far clusters
        ([1000.0, 1001.0, 999.0, 1000.5], [0.1, 0.1, 0.2, 0.3]),  # large mean, small errors
        (list(1e-6 * Y), list(1e-6 * SIGMA)),  # tiny units
    ],
)
def test_other_data_converge_to_a_stationary_maximum(y, sigma):
    # Truth: the definition of a maximum: the gradient, in units of the posterior sd
    # (|g_i| sd_i, scale-free), is at rounding level and the negative Hessian is positive
    # definite. With identical estimates the d/d log tau condition reduces to
    # sum_j tau^2 / (sigma_j^2 + tau^2) = 1 (exact), checked too.
    f = laplace_fit(y, sigma)
    g = log_posterior_grad(f.mode, y, sigma)
    assert np.all(np.abs(g) * f.sd < 1e-10)
    assert np.all(np.linalg.eigvalsh(f.cov) > 0)
    if len(set(y)) == 1:
        t2 = math.exp(2 * f.mode[1])
        assert sum(t2 / (s**2 + t2) for s in sigma) == pytest.approx(1.0, rel=1e-12)


def test_refusals():
    # Truth: the contracts. Fewer than 3 groups give an improper posterior; a Newton run cut
    # short must say it did not converge; a non-positive-definite negative Hessian is no mode.
    with pytest.raises(ValueError, match="improper"):
        laplace_fit([1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="did not converge"):
        laplace_fit(Y, SIGMA, max_iter=1)
    with pytest.raises(ValueError, match="max_iter"):
        laplace_fit(Y, SIGMA, max_iter=0)
    with pytest.raises(ValueError, match="not positive definite"):
        _covariance(np.array([[-1.0, 0.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="cov must be positive definite"):
        LaplaceFit(np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]), 0.0, 0.0, 1)


def test_logpdf_matches_scipy(fit):
    # Truth: scipy.stats.multivariate_normal with the same mean and covariance; the same
    # quantity by a different route, so rounding-level 1e-12 relative.
    rng = np.random.default_rng(21)
    lam = fit.mode + rng.normal(scale=3.0, size=(50, 2))
    want = stats.multivariate_normal(fit.mode, fit.cov).logpdf(lam)
    np.testing.assert_allclose(fit.logpdf(lam), want, rtol=1e-12)
    assert fit.logpdf(lam.reshape(5, 10, 2)).shape == (5, 10)
    # At the mode the density is the closed form 1 / (2 pi sqrt(det cov)).
    peak = -math.log(2 * math.pi) - 0.5 * math.log(np.linalg.det(fit.cov))
    assert float(fit.logpdf(fit.mode)) == pytest.approx(peak, rel=1e-12)


def test_sample_moments_and_reproducibility(fit):
    # Truth: the normal approximation's own mean and covariance. With n = 100,000 draws the
    # sample mean has standard error sd / sqrt(n) and the sample covariance entry (i, j) has
    # standard error sqrt((S_ii S_jj + S_ij^2) / n) (normal theory); 4 standard errors.
    n = 100_000
    draws = fit.sample(n, np.random.default_rng(2024))
    assert draws.shape == (n, 2)
    se_mean = fit.sd / math.sqrt(n)
    assert np.all(np.abs(draws.mean(axis=0) - fit.mode) <= 4 * se_mean)
    s = fit.cov
    se_cov = np.sqrt((np.outer(np.diag(s), np.diag(s)) + s**2) / n)
    assert np.all(np.abs(np.cov(draws.T) - s) <= 4 * se_cov)
    again = fit.sample(n, np.random.default_rng(2024))
    np.testing.assert_array_equal(draws, again)
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator"):
        fit.sample(10, 2024)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        fit.sample(0, np.random.default_rng(1))


def test_fit_is_frozen(fit):
    # Truth: the package's rule that results are immutable.
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.mode = np.zeros(2)
    with pytest.raises(ValueError, match="read-only"):
        fit.cov[0, 0] = 1.0
