"""Tests of eightschools.posterior: the log posterior of (mu, log tau) and its closed forms.

Independent truths used here, each named at its test:
- the brief's formula evaluated term by term in 50-digit arithmetic (mpmath), which shares
  no code with the package's overflow-safe numpy and math forms;
- central finite differences for the gradient and Hessian;
- scipy quadrature over mu of exp(log posterior) for mu | tau, y (BDA3 eqs. 5.19-5.20) and
  for the normalising relation with log p(tau | y) (BDA3 eq. 5.21);
- scipy quadrature over theta of N(theta | mu, tau^2) N(y | theta, sigma^2) for the
  conditional posterior of theta (BDA3 eq. 5.17), and its precision-weighted closed form;
- the pooled mean and variance printed in the blog post (tau = 0 is complete pooling);
- the tail rate p(tau | y) ~ tau^(1 - J) stated in BDA3 section 5.4.
SymPy checks live in tests/test_posterior_sympy.py.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import mpmath
import numpy as np
import pytest
from scipy import integrate

from eightschools.posterior import (
    LogPosterior,
    conditional_theta,
    log_p_tau,
    log_posterior,
    log_posterior_grad,
    log_posterior_hessian,
    mu_given_tau,
    shrinkage_factor,
    standardise,
)

Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def random_points(seed: int, n: int = 100) -> np.ndarray:
    """n points with mu uniform on [-50, 50] and log tau uniform on [-5, 5]."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-50.0, 50.0, n), rng.uniform(-5.0, 5.0, n)])


def mp_log_posterior(l1: float, l2: float, y=Y, sigma=SIGMA) -> mpmath.mpf:
    """The brief's formula, term by term, in 50-digit arithmetic."""
    with mpmath.workdps(50):
        l1m, l2m = mpmath.mpf(l1), mpmath.mpf(l2)
        t = mpmath.exp(2 * l2m)
        total = l2m
        for yj, sj in zip(y, sigma, strict=True):
            v = mpmath.mpf(float(sj)) ** 2 + t
            total += -mpmath.log(v) / 2 - (l1m - float(yj)) ** 2 / (2 * v)
        return +total


# --------------------------------------------------------------------------- the value
def test_log_posterior_matches_high_precision_formula():
    # Truth: 50-digit evaluation of the formula. Float64 rounding of a sum of 17 terms of
    # size up to ~1e3 gives relative errors ~1e-14, so 1e-12 leaves room and still catches
    # any wrong term, factor or constant.
    lam = random_points(1)
    got = log_posterior(lam, Y, SIGMA)
    want = np.array([float(mp_log_posterior(a, b)) for a, b in lam])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0.0)


def test_known_value_at_post_start():
    # Truth: the formula at the post's starting point (8, 2), evaluated with mpmath.
    assert float(log_posterior([8.0, 2.0], Y, SIGMA)) == pytest.approx(
        float(mp_log_posterior(8.0, 2.0)), rel=1e-14
    )


def test_shapes_broadcast_over_leading_axes():
    # Truth: the value at each point alone. Any leading shape must give the same numbers.
    lam = random_points(2, 24).reshape(2, 3, 4, 2)
    got = log_posterior(lam, Y, SIGMA)
    assert got.shape == (2, 3, 4)
    flat = np.array([float(log_posterior(p, Y, SIGMA)) for p in lam.reshape(-1, 2)])
    np.testing.assert_allclose(got.ravel(), flat, rtol=1e-14)
    assert log_posterior_grad(lam, Y, SIGMA).shape == (2, 3, 4, 2)
    assert log_posterior_hessian(lam, Y, SIGMA).shape == (2, 3, 4, 2, 2)
    assert log_posterior(np.empty((0, 2)), Y, SIGMA).shape == (0,)


def test_numerically_safe_over_the_promised_range():
    # Truth: mpmath at 50 digits. Over mu in [-1e6, 1e6] and log tau in [-30, 30] the value,
    # gradient and Hessian must be finite and raise no floating-point warning of any kind
    # (warnings are errors here, numpy's floating-point flags too, except underflow to 0,
    # which is the right limit and which numpy never reports by default); the value must
    # keep 1e-12 relative accuracy even where exp(2 log tau) = e^60 swamps sigma^2 or e^-60
    # vanishes beside it.
    mu = np.linspace(-1e6, 1e6, 9)
    l2 = np.linspace(-30.0, 30.0, 13)
    lam = np.stack(np.meshgrid(mu, l2, indexing="ij"), axis=-1).reshape(-1, 2)
    lp = LogPosterior(Y, SIGMA)
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        values = log_posterior(lam, Y, SIGMA)
        grads = log_posterior_grad(lam, Y, SIGMA)
        hessians = log_posterior_hessian(lam, Y, SIGMA)
        scalars = np.array([lp.scalar(p) for p in lam])
        far = log_posterior([[0.0, 400.0], [0.0, -400.0], [1e6, 1e4]], Y, SIGMA)
        far_scalar = [lp.scalar(p) for p in ([0.0, 400.0], [0.0, -400.0], [1e6, 1e4])]
    assert np.isfinite(values).all() and np.isfinite(grads).all()
    assert np.isfinite(hessians).all() and np.isfinite(far).all()
    want = np.array([float(mp_log_posterior(a, b)) for a, b in lam])
    np.testing.assert_allclose(values, want, rtol=1e-12)
    np.testing.assert_allclose(scalars, want, rtol=1e-12)
    # Beyond the range, where exp(2 log tau) overflows float64, the log-sum-exp path holds.
    want_far = [float(mp_log_posterior(a, b)) for a, b in ([0, 400], [0, -400], [1e6, 1e4])]
    np.testing.assert_allclose(far, want_far, rtol=1e-12)
    np.testing.assert_allclose(far_scalar, want_far, rtol=1e-12)


def test_non_finite_points_have_zero_density_and_no_warning():
    # Truth: the density tends to 0 as any coordinate runs to infinity (the Jacobian as
    # log tau -> -inf, tau^(1-J) as log tau -> +inf, the normal factor in mu), so -inf is the
    # limit; NaN is treated the same way so that a sampler always rejects it.
    lp = LogPosterior(Y, SIGMA)
    bad = np.array([[np.nan, 1.0], [1.0, np.nan], [np.inf, 1.0], [1.0, -np.inf], [1.0, np.inf]])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        values = log_posterior(np.vstack([bad, [[8.0, 2.0]]]), Y, SIGMA)
        scalars = [lp.scalar(p) for p in bad]
        grads = log_posterior_grad(bad, Y, SIGMA)
        hessians = log_posterior_hessian(bad, Y, SIGMA)
    assert (values[:-1] == -np.inf).all() and np.isfinite(values[-1])
    assert all(s == -math.inf for s in scalars)
    assert np.isnan(grads).all() and np.isnan(hessians).all()


def test_fewer_than_three_groups_is_refused():
    # Truth: with p(mu, tau) flat, p(tau | y) ~ tau^(1-J) is not integrable for J < 3
    # (BDA3 section 5.4); the message must say so.
    for fn in (
        lambda: log_posterior([0.0, 0.0], [1.0, 2.0], [1.0, 1.0]),
        lambda: log_posterior_grad([0.0, 0.0], [1.0, 2.0], [1.0, 1.0]),
        lambda: log_posterior_hessian([0.0, 0.0], [1.0, 2.0], [1.0, 1.0]),
        lambda: LogPosterior([1.0, 2.0], [1.0, 1.0]),
        lambda: log_p_tau(1.0, [1.0], [1.0]),
    ):
        with pytest.raises(ValueError, match="improper"):
            fn()


def test_bad_lam_shape_is_refused():
    # Truth: the contract, lam has (mu, log tau) in a last axis of length 2.
    for lam in (1.0, [1.0, 2.0, 3.0], np.zeros((4, 3))):
        with pytest.raises(ValueError, match=r"lam must have shape \(\.\.\., 2\)"):
            log_posterior(lam, Y, SIGMA)
        with pytest.raises(ValueError, match="lam must have shape"):
            LogPosterior(Y, SIGMA).grad(lam)


def test_bad_data_is_refused():
    # Truth: the package's data rule (check_y_sigma): sigma > 0, finite, same length.
    with pytest.raises(ValueError, match="sigma must be > 0"):
        LogPosterior([1.0, 2.0, 3.0], [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        log_posterior([0.0, 0.0], [1.0, 2.0, 3.0], [1.0, 1.0])


# --------------------------------------------------------------------------- derivatives
def central_gradient(f, x: np.ndarray, h: float) -> np.ndarray:
    return np.array([(f(x + e) - f(x - e)) / (2.0 * h) for e in np.eye(2) * h])


def test_gradient_matches_central_differences():
    # Truth: central differences of log_posterior with h = 1e-5. Truncation error is
    # h^2 |f'''| / 6 <~ 1e-10 * 1e3 and rounding eps |f| / h <~ 1e-16 * 1e3 / 1e-5 = 1e-8 over
    # mu in [-50, 50], log tau in [-5, 5], so the brief's 1e-6 (1 + |g|) bound is safe for a
    # correct gradient and far below any error in a term.
    def f(x):
        return float(log_posterior(x, Y, SIGMA))

    lam = random_points(3)
    grads = log_posterior_grad(lam, Y, SIGMA)
    for x, g in zip(lam, grads, strict=True):
        fd = central_gradient(f, x, 1e-5)
        assert np.all(np.abs(g - fd) <= 1e-6 * (1.0 + np.abs(g))), (x, g, fd)


def test_hessian_matches_central_differences_of_the_value():
    # Truth: second central differences of log_posterior itself, not of our gradient, with
    # h = 1e-3. Their error is a truncation term of order h^2 times fourth derivatives plus
    # rounding ~ eps |f| / h^2 ~ 1e-16 * 1e2 / 1e-6 = 1e-8; over this box the worst case
    # is ~4e-6 (1 + |H|), so the bound is 2e-5 (1 + |H|). The brief's 1e-6 check is the
    # one against differences of the gradient, below.
    def f(x):
        return float(log_posterior(x, Y, SIGMA))

    lam = random_points(4)
    hess = log_posterior_hessian(lam, Y, SIGMA)
    h = 1e-3
    for x, hx in zip(lam, hess, strict=True):
        fd = np.empty((2, 2))
        for i in range(2):
            for j in range(2):
                ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
                fd[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                    4.0 * h * h
                )
        assert np.all(np.abs(hx - fd) <= 2e-5 * (1.0 + np.abs(hx))), (x, hx, fd)


def test_hessian_matches_central_differences_of_gradient():
    # Truth: central differences (h = 1e-5) of the gradient, which the test above checked
    # against the value. Error budget as for the gradient: below 1e-6 (1 + |H|). Symmetry is
    # exact by construction and checked too.
    lam = random_points(5)
    hess = log_posterior_hessian(lam, Y, SIGMA)
    assert np.array_equal(hess, np.swapaxes(hess, -1, -2))
    h = 1e-5
    for x, hx in zip(lam, hess, strict=True):
        fd = np.array(
            [
                (log_posterior_grad(x + e, Y, SIGMA) - log_posterior_grad(x - e, Y, SIGMA))
                / (2.0 * h)
                for e in np.eye(2) * h
            ]
        )
        assert np.all(np.abs(hx - fd) <= 1e-6 * (1.0 + np.abs(hx))), (x, hx, fd)


# --------------------------------------------------------------------------- LogPosterior
def test_scalar_equals_vectorised_value():
    # Truth: the vectorised log_posterior (itself checked against mpmath above). The scalar
    # path sums in a different order (one log of a product, math instead of numpy), so
    # agreement is to rounding, 1e-13 relative, not bitwise. Covers both of its branches
    # (|log tau| above 300 falls back on the vectorised value).
    lp = LogPosterior(Y, SIGMA)
    lam = np.vstack([random_points(6), [[8.0, 350.0], [-3.0, 600.0], [1e5, -700.0]]])
    want = log_posterior(lam, Y, SIGMA)
    got = np.array([lp.scalar(p) for p in lam])
    got_tuple = np.array([lp.scalar((float(a), float(b))) for a, b in lam])
    np.testing.assert_allclose(got, want, rtol=1e-13)
    np.testing.assert_array_equal(got, got_tuple)
    assert all(type(lp.scalar(p)) is float for p in lam[:3])


@pytest.mark.parametrize(
    ("sigma", "log_v"),
    [
        (1e4, None),  # v_j = 2e8: the product of the 100 overflows to inf
        (1e-4, None),  # v_j = 2e-8: the product underflows to 0
        (None, -3.25 * math.log(10.0)),  # v_j = 10^-3.25: the product, 1e-325, is 0
        (None, -3.2 * math.log(10.0)),  # v_j = 10^-3.2: the product, 1e-320, is subnormal
    ],
)
def test_scalar_value_when_the_product_of_variances_leaves_the_normal_range(sigma, log_v):
    # Truth: mpmath at 50 digits, term by term. The scalar path takes one log of the product
    # of the v_j = sigma_j^2 + tau^2 only while that product is a normal float; when it
    # overflows (J = 100, sigma = 1e4), underflows to 0, or is subnormal (the last few bits,
    # or all, lost), it must fall back on the sum of logs. Checking the bounds only against
    # 0 (or not at all) returns -inf, raises, or loses digits here; 1e-12 relative catches it.
    rng = np.random.default_rng(17)
    if sigma is None:
        sigma = math.sqrt(0.5 * math.exp(log_v))  # v_j = 2 sigma^2 at tau = sigma
    y = rng.normal(0.0, sigma, 100)
    s = np.full(100, sigma)
    lp = LogPosterior(y, s)
    point = (0.5 * sigma, math.log(sigma))
    want = float(mp_log_posterior(*point, y, s))
    assert lp.scalar(point) == pytest.approx(want, rel=1e-12)
    assert float(lp(point)) == pytest.approx(want, rel=1e-12)


def mp_log_p_tau(tau: float, y: np.ndarray, sigma: np.ndarray) -> float:
    """BDA3 eq. 5.21 term by term in 50-digit arithmetic, mu_hat and V_mu from eqs. 5.19-5.20."""
    with mpmath.workdps(50):
        v = [mpmath.mpf(float(sj)) ** 2 + mpmath.mpf(tau) ** 2 for sj in sigma]
        yy = [mpmath.mpf(float(yj)) for yj in y]
        precision = sum(1 / vj for vj in v)
        mu = sum(yj / vj for yj, vj in zip(yy, v, strict=True)) / precision
        total = -mpmath.log(precision) / 2
        for yj, vj in zip(yy, v, strict=True):
            total -= mpmath.log(vj) / 2 + (yj - mu) ** 2 / (2 * vj)
        return float(total)


def test_log_p_tau_is_finite_and_right_for_huge_tau():
    # Truth: mpmath at 50 digits. sigma^2 + tau^2 overflows float64 from tau ~ 1.3e154, and
    # V_mu ~ tau^2 / J with it: the value must stay finite and right to 1e-12 relative, for
    # data of ordinary size and of size 1e200.
    for scale in (1.0, 1e200):
        y, s = Y * scale, SIGMA * scale
        for tau in (1e100, 1e154, 1e155, 1e200, 1e300):
            got = float(log_p_tau(tau, y, s))
            assert math.isfinite(got)
            assert got == pytest.approx(mp_log_p_tau(tau, y, s), rel=1e-12)


def test_standard_units_move_with_the_data_and_keep_squares_in_range():
    # Truth: the definition, y' = (y - c)/k and sigma' = sigma/k with k a power of two, exact
    # in float64: data (y + a) 2^m give bitwise the same standard data, with c and k moved
    # by a and 2^m; and the promise that squares of the standard data are normal floats for
    # data whose scales span up to 2^880, here 1e-300 to 1e+250 in one data set.
    y_std, s_std, c, k = standardise(Y, SIGMA)
    assert math.frexp(k)[0] == 0.5
    np.testing.assert_array_equal(c + k * y_std, Y)
    for shift, m in [(1e12, 0), (0.0, 900), (0.0, -1000), (2.0**52, 448)]:
        moved = standardise((Y + shift) * 2.0**m, SIGMA * 2.0**m)
        np.testing.assert_array_equal(moved[0], y_std)
        np.testing.assert_array_equal(moved[1], s_std)
        assert moved[2:] == ((c + shift) * 2.0**m, k * 2.0**m)
    wide_y, wide_s, _, _ = standardise([0.0, 1e250, -3e249], [1e-300, 1.0, 1e200])
    squares = np.concatenate([wide_y[wide_y != 0] ** 2, wide_s**2])
    assert squares.min() >= np.finfo(float).tiny and squares.max() < np.inf
    with pytest.raises(ValueError, match="representable distance of its median"):
        standardise([-1.7e308, 1.7e308, 1.7e308], [1.0, 1.0, 1.0])


def test_log_posterior_object_matches_functions_and_is_frozen():
    # Truth: the module-level functions; the object only caches validated inputs.
    lp = LogPosterior(Y, SIGMA)
    lam = random_points(7, 10)
    np.testing.assert_array_equal(lp(lam), log_posterior(lam, Y, SIGMA))
    np.testing.assert_array_equal(lp.grad(lam), log_posterior_grad(lam, Y, SIGMA))
    np.testing.assert_array_equal(lp.hessian(lam), log_posterior_hessian(lam, Y, SIGMA))
    assert lp.J == 8
    with pytest.raises(dataclasses.FrozenInstanceError):
        lp.y = Y
    with pytest.raises(ValueError, match="read-only"):
        lp.sigma[0] = 1.0


def test_tiny_and_huge_sigma_use_the_safe_path():
    # Truth: mpmath at 50 digits. sigma = 1e-200 squares to 0 in float64 and sigma = 1e200
    # to inf, so log(sigma^2 + tau^2) must be formed from log sigma and (mu - y)^2 / v from
    # the scaled residual (mu - y) / sqrt(v); the value must stay finite and correct, with
    # no warning. (The Hessian there, ~1/sigma^2 = 1e400, is beyond float64: not checked.)
    for scale in (1e-200, 1e200):
        y, s = Y * scale, SIGMA * scale
        lp = LogPosterior(y, s)
        lam = np.array([[8.0 * scale, math.log(scale) + 2.0], [0.0, math.log(scale) - 3.0]])
        with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
            warnings.simplefilter("error")
            got = lp(lam)
            got_scalar = [lp.scalar(p) for p in lam]
        want = [float(mp_log_posterior(a, b, y, s)) for a, b in lam]
        np.testing.assert_allclose(got, want, rtol=1e-12)
        np.testing.assert_allclose(got_scalar, want, rtol=1e-12)


@pytest.mark.parametrize(
    ("scale", "groups"),
    [(1.0, 8), (1e-3, 8), (1e30, 8), (1e-30, 8), (1.0, 120)],
)
def test_value_at_extreme_scales_and_many_groups(scale, groups):
    # Truth: mpmath at 50 digits. sigma^2 ~ 1e60 or 1e-60 over eight groups, or 120 groups,
    # put the product of the v_j outside the float range (log tau = 25 gives v_j ~ e^50): a
    # value formed through that product would overflow or underflow; the scalar path must
    # notice and both must keep 1e-12.
    rng = np.random.default_rng(groups)
    y = rng.normal(0.0, 10.0, groups) * scale
    s = rng.uniform(5.0, 20.0, groups) * scale
    lp = LogPosterior(y, s)
    log_scale = math.log(scale)
    lam = np.column_stack(
        [rng.uniform(-30.0, 30.0, 12) * scale, log_scale + np.linspace(-4.0, 25.0, 12)]
    )
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        got = lp(lam)
        got_scalar = [lp.scalar(p) for p in lam]
    want = [float(mp_log_posterior(a, b, y, s)) for a, b in lam]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got_scalar, want, rtol=1e-12)


# --------------------------------------------------------------------------- theta | mu, tau
def test_conditional_theta_matches_precision_weighted_closed_form():
    # Truth: BDA3 eq. 5.17 as printed, theta_hat = (y/s^2 + mu/t^2) / (1/s^2 + 1/t^2),
    # V = 1 / (1/s^2 + 1/t^2); the package uses a rearranged, cancellation-free form, so
    # they agree to rounding (1e-12 relative).
    rng = np.random.default_rng(8)
    mu = rng.uniform(-30.0, 30.0, (5, 7))
    tau = rng.uniform(0.1, 40.0, (5, 7))
    mean, var = conditional_theta(mu, tau, Y, SIGMA)
    prec = 1.0 / SIGMA**2 + 1.0 / tau[..., None] ** 2
    want_mean = (Y / SIGMA**2 + mu[..., None] / tau[..., None] ** 2) / prec
    assert mean.shape == var.shape == (5, 7, 8)
    np.testing.assert_allclose(mean, want_mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(var, 1.0 / prec, rtol=1e-12)


def test_conditional_theta_matches_quadrature():
    # Truth: p(theta | mu, tau, y) proportional to N(theta | mu, tau^2) N(y | theta, s^2),
    # its mean and variance by adaptive quadrature (scipy.integrate.quad, relative error
    # ~1e-10), so 1e-8 relative is a fair tolerance.
    mu, tau = 4.0, 7.5
    mean, var = conditional_theta(mu, tau, Y, SIGMA)
    for j in (0, 2, 7):
        y, s = Y[j], SIGMA[j]

        def dens(th, y=y, s=s):
            return math.exp(-0.5 * ((th - mu) / tau) ** 2 - 0.5 * ((y - th) / s) ** 2)

        z = integrate.quad(dens, -np.inf, np.inf, epsabs=0, epsrel=1e-12)[0]
        m = integrate.quad(lambda th: th * dens(th), -np.inf, np.inf, epsrel=1e-12)[0] / z
        v = integrate.quad(lambda th, m=m: (th - m) ** 2 * dens(th), -np.inf, np.inf)[0] / z
        assert mean[j] == pytest.approx(m, rel=1e-8)
        assert var[j] == pytest.approx(v, rel=1e-8)


def test_conditional_theta_limits():
    # Truth: tau = 0 is complete pooling (theta_j = mu exactly, no variance); tau = inf is no
    # pooling (theta_j ~ N(y_j, s_j^2)); both exact.
    mean0, var0 = conditional_theta(3.0, 0.0, Y, SIGMA)
    np.testing.assert_array_equal(mean0, np.full(8, 3.0))
    np.testing.assert_array_equal(var0, np.zeros(8))
    mean_inf, var_inf = conditional_theta(3.0, np.inf, Y, SIGMA)
    np.testing.assert_array_equal(mean_inf, Y)
    np.testing.assert_array_equal(var_inf, SIGMA**2)
    with pytest.raises(ValueError, match="tau must be >= 0"):
        conditional_theta(0.0, -1.0, Y, SIGMA)
    with pytest.raises(ValueError, match="mu must be finite"):
        conditional_theta(np.nan, 1.0, Y, SIGMA)


def test_shrinkage_factor_two_forms_and_the_mean():
    # Truth: the post's form B = t^-2 / (t^-2 + s^-2) and BDA3's s^2 / (s^2 + t^2), and the
    # identity E(theta_j | mu, tau, y) = (1 - B_j) y_j + B_j mu; rounding-level tolerance.
    tau = np.array([0.5, 3.0, 10.0, 80.0])
    b = shrinkage_factor(tau, SIGMA)
    assert b.shape == (4, 8)
    post_form = tau[:, None] ** -2 / (tau[:, None] ** -2 + SIGMA**-2.0)
    np.testing.assert_allclose(b, post_form, rtol=1e-13)
    np.testing.assert_allclose(b, SIGMA**2 / (SIGMA**2 + tau[:, None] ** 2), rtol=1e-13)
    mean, _ = conditional_theta(5.0, tau, Y, SIGMA)
    np.testing.assert_allclose(mean, (1 - b) * Y + b * 5.0, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(shrinkage_factor(0.0, SIGMA), np.ones(8))
    # Larger sigma, more shrinkage: the post's observation that the ranks agree.
    order = np.argsort(SIGMA)
    assert np.all(np.diff(b[1][order]) >= 0)


# --------------------------------------------------------------------------- mu | tau, p(tau)
@pytest.mark.parametrize("tau", [0.3, 2.0, 6.3, 25.0, 400.0])
def test_mu_given_tau_and_log_p_tau_match_quadrature(tau):
    # Truth: quadrature over mu of exp(log_posterior(mu, log tau)). Normalised, its mean and
    # variance are mu_hat and V_mu (BDA3 eqs. 5.19-5.20); its integral is
    # sqrt(2 pi) tau exp(log p(tau | y)) (eq. 5.21 times the Jacobian tau). quad is asked
    # for 1e-12 relative on these smooth Gaussian-shaped integrands (it reaches ~1e-15), so
    # 1e-10 relative on the moments and 1e-11 absolute on the log density.
    l2 = math.log(tau)
    lp = LogPosterior(Y, SIGMA)
    peak = lp.scalar((float(mu_given_tau(tau, Y, SIGMA)[0]), l2))

    def dens(m):
        return math.exp(lp.scalar((m, l2)) - peak)

    z = integrate.quad(dens, -np.inf, np.inf, epsabs=0, epsrel=1e-12)[0]
    m1 = integrate.quad(lambda m: m * dens(m), -np.inf, np.inf, epsrel=1e-12)[0] / z
    m2 = integrate.quad(lambda m: (m - m1) ** 2 * dens(m), -np.inf, np.inf, epsrel=1e-12)[0] / z
    mu_hat, v_mu = mu_given_tau(tau, Y, SIGMA)
    assert mu_hat == pytest.approx(m1, rel=1e-10)
    assert v_mu == pytest.approx(m2, rel=1e-10)
    log_z = math.log(z) + peak
    want = log_z - 0.5 * math.log(2 * math.pi) - l2
    assert float(log_p_tau(tau, Y, SIGMA)) == pytest.approx(want, rel=0, abs=1e-11)


def test_tau_zero_is_the_pooled_estimate_of_the_post():
    # Truth: the post's printed pooled mean 7.68561672495604 (15 significant digits, so a
    # 1e-13 relative tolerance) and variance 16.58053 (7 digits, half a unit is 5e-6).
    mu_hat, v_mu = mu_given_tau(0.0, Y, SIGMA)
    assert mu_hat == pytest.approx(7.68561672495604, rel=1e-13)
    assert v_mu == pytest.approx(16.58053, abs=5e-6)


def test_mu_given_tau_vectorised_and_large_tau():
    # Truth: the scalar results at each tau; as tau -> inf the weights equalise and mu_hat
    # tends to the plain mean of y with V_mu ~ tau^2 / J (exact limit, rate 1/tau^2).
    tau = np.array([[0.0, 1.0], [10.0, 1e8]])
    mu_hat, v_mu = mu_given_tau(tau, Y, SIGMA)
    assert mu_hat.shape == v_mu.shape == (2, 2)
    for idx in np.ndindex(2, 2):
        m, v = mu_given_tau(tau[idx], Y, SIGMA)
        assert mu_hat[idx] == pytest.approx(m, rel=1e-14)
        assert v_mu[idx] == pytest.approx(v, rel=1e-14)
    assert mu_hat[1, 1] == pytest.approx(Y.mean(), rel=1e-12)
    assert v_mu[1, 1] == pytest.approx(1e16 / 8, rel=1e-12)
    with pytest.raises(ValueError, match="tau must be finite"):
        mu_given_tau(np.inf, Y, SIGMA)


def test_log_p_tau_tail_rate():
    # Truth: BDA3 section 5.4, p(tau | y) falls like tau^(1 - J) under the flat prior. The
    # local slope d log p / d log tau at tau = 1e6 differs from 1 - J by O(sigma^2 / tau^2),
    # so 1e-6 is generous; at tau = 0 the density is finite and positive.
    t1, t2 = 1e6, 2e6
    slope = (log_p_tau(t2, Y, SIGMA) - log_p_tau(t1, Y, SIGMA)) / math.log(t2 / t1)
    assert slope == pytest.approx(1 - 8, abs=1e-6)
    assert np.isfinite(log_p_tau(0.0, Y, SIGMA))
