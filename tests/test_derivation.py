"""Tests of eightschools.derivation: each step of the completed square, checked exactly.

Independent truths used here, each named at its test:
- SymPy exact algebra (expand / cancel / simplify reaching 0), on expressions typed here from
  BDA3 section 5.4 and the brief, not taken from the module;
- sympy.stats' own normal density, for the densities the module writes by hand;
- scipy quadrature of the joint density over theta_j, as a floating-point cross-check of the
  symbolic integral;
- the blog post's printed posterior mode and covariance of (lambda1, lambda2);
- direct numpy evaluation of the log-posterior formula;
- 30-digit evaluation at random points (seeded), to confirm every verdict on the post's lines
  by a method that shares no code with the module's exact checker.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import sympy.stats as sps
from scipy import integrate, optimize

from eightschools import derivation as d
from eightschools.derivation import lambda1, lambda2, mu, sigma_j, tau, theta_j, y_j

Y8 = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
S8 = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
# The symbol the post writes where it means sigma_j (same name and assumptions as the module's).
SIGMA_BARE = sp.Symbol("sigma", positive=True)


def is_zero(expr: sp.Expr) -> bool:
    """Exact: cancellation first (fast), then simplify."""
    fast = sp.cancel(sp.together(sp.expand(expr)))
    return fast == 0 or sp.simplify(fast) == 0


def stats_normal(x: sp.Expr, mean: sp.Expr, sd: sp.Expr) -> sp.Expr:
    """The normal density from sympy.stats, parametrised by its standard deviation."""
    return sps.density(sps.Normal("Z", mean, sd))(x)


# ------------------------------------------------------------------------ the symbols
def test_symbol_assumptions():
    # Truth: the brief. Positivity is what lets SymPy take sqrt(sigma_j^2) = sigma_j and
    # split logs; real means the exponents are real so log(exp(x)) = x.
    for s in (sigma_j, tau, d.V_j):
        assert s.is_positive
    for s in (y_j, mu, theta_j, lambda1, lambda2, d.theta_hat_j):
        assert s.is_real and s.is_positive is None


# --------------------------------------------------------------------- step 1: joint
def test_joint_density_is_the_model():
    # Truth: sympy.stats' normal densities N(theta | mu, tau) N(y | theta, sigma_j); exact.
    want = stats_normal(theta_j, mu, tau) * stats_normal(y_j, theta_j, sigma_j)
    assert sp.simplify(d.joint_density() / want) == 1


def test_normal_pdf_is_sympy_stats_normal():
    # Truth: sympy.stats with sd = sqrt(variance); exact.
    v = sp.Symbol("v", positive=True)
    assert sp.simplify(d.normal_pdf(y_j, mu, v) / stats_normal(y_j, mu, sp.sqrt(v))) == 1


# ----------------------------------------------------------- step 2: quadratic, square
def test_quadratic_coefficients():
    # Truth: the coefficients over the common denominator tau^2 sigma_j^2, typed from the
    # correct expansion: theta^2 (sigma^2 + tau^2) - 2 theta (mu sigma^2 + y tau^2)
    # + sigma^2 mu^2 + tau^2 y^2. Exact.
    q = d.quadratic_in_theta()
    den = tau**2 * sigma_j**2
    assert is_zero(q.precision * den - (sigma_j**2 + tau**2))
    assert is_zero(q.linear * den - (mu * sigma_j**2 + y_j * tau**2))
    assert is_zero(q.constant * den - (sigma_j**2 * mu**2 + tau**2 * y_j**2))
    # and the pieces reassemble the exponent, collected or not
    rebuilt = -(q.precision * theta_j**2 - 2 * q.linear * theta_j + q.constant) / 2
    assert is_zero(rebuilt - q.exponent)
    assert is_zero(q.collected - q.exponent)
    # the exponent is the log of the joint density less its normalising constant
    assert is_zero(
        sp.expand_log(sp.log(d.joint_density() * 2 * sp.pi * sigma_j * tau), force=True)
        - q.exponent
    )


def test_completed_square_matches_bda3():
    # Truth: BDA3 eq. 5.17's theta_hat and V_j, typed here, and the remainder
    # (y - mu)^2 / (sigma^2 + tau^2); the completed form equals the original exponent. Exact.
    c = d.completed_square()
    bda_hat = (y_j / sigma_j**2 + mu / tau**2) / (1 / sigma_j**2 + 1 / tau**2)
    bda_v = 1 / (1 / sigma_j**2 + 1 / tau**2)
    assert is_zero(c.theta_hat - bda_hat)
    assert is_zero(c.V - bda_v)
    assert is_zero(c.remainder - (y_j - mu) ** 2 / (sigma_j**2 + tau**2))
    assert not c.remainder.has(theta_j)
    assert is_zero(c.exponent - d.quadratic_in_theta().exponent)


# --------------------------------------------------------------- step 3: factorisation
def test_factorisation_log_difference_is_zero():
    # Truth: exact. The module's difference is 0, and recomputed here as a ratio of the
    # densities (not logs), with the normal densities of sympy.stats, it simplifies to 1.
    f = d.factorisation()
    assert f.log_difference == 0
    c = d.completed_square()
    cond = stats_normal(theta_j, c.theta_hat, sp.sqrt(c.V))
    marg = stats_normal(y_j, mu, sp.sqrt(sigma_j**2 + tau**2))
    assert sp.simplify(sp.powsimp(d.joint_density() / (cond * marg))) == 1
    assert sp.simplify(f.marginal / marg) == 1


def test_conditional_is_a_density_in_theta():
    # Truth: exact integral; a conditional posterior of theta_j integrates to 1 over theta_j.
    assert sp.simplify(sp.integrate(d.factorisation().conditional, (theta_j, -sp.oo, sp.oo))) == 1


def test_integral_over_theta_is_the_marginal():
    # Truth: exact. sympy.integrate of the joint over theta_j equals N(y | mu, sigma^2 + tau^2).
    m = d.marginal_by_integration()
    want = stats_normal(y_j, mu, sp.sqrt(sigma_j**2 + tau**2))
    assert sp.simplify(m / want) == 1
    assert not m.has(sp.erf)


@pytest.mark.parametrize(
    "point", [(28.0, 15.0, 7.9, 6.3), (-3.0, 16.0, 0.0, 0.5), (1.0, 0.2, -4.0, 40.0)]
)
def test_integral_over_theta_by_quadrature(point):
    # Truth: scipy.integrate.quad of the joint over theta (a different, numerical method).
    # quad's error estimate is ~1e-10 relative here; 1e-8 is safely above it and far below
    # any error of the closed form (a wrong variance changes the value by percents).
    yv, sv, mv, tv = point
    joint = sp.lambdify(theta_j, d.joint_density().subs({y_j: yv, sigma_j: sv, mu: mv, tau: tv}))
    got, _ = integrate.quad(joint, -np.inf, np.inf, epsabs=0.0, epsrel=1e-11)
    var = sv**2 + tv**2
    want = math.exp(-((yv - mv) ** 2) / (2 * var)) / math.sqrt(2 * math.pi * var)
    assert got == pytest.approx(want, rel=1e-8)


# ------------------------------------------------------------------ step 4: shrinkage
def test_shrinkage_form_equals_theta_hat():
    # Truth: exact algebra on the brief's form (1 - B) y + B mu with
    # B = tau^-2 / (tau^-2 + sigma_j^-2), typed here; and B = sigma^2 / (sigma^2 + tau^2).
    s = d.shrinkage()
    assert s.difference == 0
    b = tau**-2 / (tau**-2 + sigma_j**-2)
    assert is_zero(s.B - b)
    assert is_zero(s.B - sigma_j**2 / (sigma_j**2 + tau**2))
    assert is_zero((1 - b) * y_j + b * mu - d.completed_square().theta_hat)
    # V_j = (1 - B_j) sigma_j^2: the posterior variance shrinks by the same factor
    assert is_zero(d.completed_square().V - (1 - b) * sigma_j**2)


# --------------------------------------------------------------------- step 5: limits
def test_pooling_limits():
    # Truth: exact limits, typed here: complete pooling (theta_hat -> mu, V -> 0) as
    # tau -> 0 and no pooling (theta_hat -> y_j, V -> sigma_j^2) as tau -> oo; and the
    # shrinkage factor goes from 1 to 0.
    lim = d.pooling_limits()
    assert lim.theta_hat_tau_to_zero == mu
    assert lim.theta_hat_tau_to_infinity == y_j
    assert lim.V_tau_to_zero == 0
    assert lim.V_tau_to_infinity == sigma_j**2
    b = d.shrinkage().B
    assert sp.limit(b, tau, 0, "+") == 1
    assert sp.limit(b, tau, sp.oo) == 0


# ---------------------------------------------------------- step 6: (mu, log tau) scale
def test_jacobian_of_log_tau():
    # Truth: tau = exp(lambda2) has d tau / d lambda2 = exp(lambda2) > 0; its log is lambda2.
    jac = d.log_tau_jacobian()
    assert is_zero(jac - sp.exp(lambda2))
    assert sp.expand_log(sp.log(jac), force=True) == lambda2


def test_generic_log_posterior_differs_from_model_by_a_constant():
    # Truth: exact. The model's log density log N(y_j | lambda1, sigma_j^2 + e^(2 lambda2)),
    # typed here, minus the post's term is -log(2 pi)/2, free of every symbol.
    g = d.log_posterior_lambda_generic()
    v = sigma_j**2 + sp.exp(2 * lambda2)
    model = -sp.log(2 * sp.pi * v) / 2 - (y_j - lambda1) ** 2 / (2 * v)
    assert sp.simplify(sp.expand_log(model, force=True) - g.term + sp.log(2 * sp.pi) / 2) == 0
    assert sp.simplify(g.dropped + sp.log(2 * sp.pi) / 2) == 0
    assert g.dropped.free_symbols == set()
    assert is_zero(g.from_model - sp.expand_log(model, force=True))


def test_generic_sum_gives_the_concrete_expression():
    # Truth: exact. The generic sum at J = 8 with the eight schools' numbers substituted is
    # the expression log_posterior_lambda builds (two routes to the same formula).
    g = d.log_posterior_lambda_generic()
    J = next(s for s in g.total.free_symbols if s.name == "J")
    total = g.total.subs(J, 8).doit()
    values = {}
    for ind in total.atoms(sp.Indexed):
        k = int(ind.indices[0]) - 1
        values[ind] = int(Y8[k]) if ind.base.label.name == "y" else int(S8[k])
    expr, _, _ = d.log_posterior_lambda(Y8, S8)
    assert is_zero(total.subs(values) - expr)


def test_log_posterior_lambda_from_the_model_exactly():
    # Truth: exact. From the factorisation's marginal density N(y_j | mu, sigma_j^2 + tau^2)
    # (step 3), at mu = lambda1, tau = exp(lambda2), times the Jacobian: its log minus the
    # contract expression is the constant -J log(2 pi)/2, nothing else.
    expr, l1, l2 = d.log_posterior_lambda(Y8, S8)
    assert (l1, l2) == (lambda1, lambda2)
    assert expr.free_symbols == {lambda1, lambda2}
    marg = d.factorisation().marginal
    logp = l2
    for yv, sv in zip(Y8, S8, strict=True):
        dens = marg.subs({y_j: int(yv), sigma_j: int(sv), mu: l1, tau: sp.exp(l2)})
        logp += sp.expand_log(sp.log(dens), force=True)
    assert sp.simplify(logp - expr + 4 * sp.log(2 * sp.pi)) == 0


def numpy_log_posterior(l1: np.ndarray, l2: np.ndarray, y: np.ndarray, s: np.ndarray):
    """The post's formula, typed directly in numpy."""
    v = s[:, None] ** 2 + np.exp(2 * l2)[None, :]
    return np.sum(-0.5 * np.log(v) - (l1[None, :] - y[:, None]) ** 2 / (2 * v), axis=0) + l2


@pytest.mark.parametrize(
    "data",
    [(Y8, S8), (np.array([-2.5, 0.75, 3.1, 9.4, 1.0]), np.array([0.8, 2.5, 1.3, 4.2, 3.3]))],
    ids=["eight_schools", "decimals"],
)
def test_log_posterior_lambda_numerically(data):
    # Truth: the formula evaluated directly with numpy at random points (seeded). Both are
    # float64 evaluations of the same sum of ~17 terms of size <= 1e3: they agree to ~1e-13
    # relative; 1e-11 leaves room yet catches any wrong term or constant.
    y, s = data
    expr, l1, l2 = d.log_posterior_lambda(y, s)
    f = sp.lambdify([l1, l2], expr, "numpy")
    rng = np.random.default_rng(20261124)
    a = rng.uniform(-30.0, 30.0, 25)
    b = rng.uniform(-4.0, 4.0, 25)
    np.testing.assert_allclose(f(a, b), numpy_log_posterior(a, b, y, s), rtol=1e-11, atol=0.0)


def test_log_posterior_lambda_numbers_are_exact():
    # Truth: the contract: each float becomes the exact rational of its shortest decimal, so
    # 0.1 is 1/10 and reading the rationals back as floats returns the data exactly.
    expr, _, _ = d.log_posterior_lambda([0.1, 2.0, 1 / 3], [1.5, 2.0, 0.7])
    assert expr.atoms(sp.Float) == set()
    ys = [sp.Rational(1, 10), 2, sp.Rational(3333333333333333, 10**16)]
    ss = [sp.Rational(3, 2), 2, sp.Rational(7, 10)]
    own = lambda2
    for yv, sv in zip(ys, ss, strict=True):
        v = sv**2 + sp.exp(2 * lambda2)
        own += -sp.log(v) / 2 - (lambda1 - yv) ** 2 / (2 * v)
    assert is_zero(expr - own)
    assert float(ys[2]) == 1 / 3


def test_post_mode_and_covariance():
    # Truth: the post's optim() output: mode (7.926685, 1.841525) and covariance
    # [[22.3232882, 0.1935228], [0.1935228, 0.5352576]]. Maximising the exact expression
    # with its exact SymPy gradient lands within Nelder-Mead's accuracy of the post's mode
    # (R's reltol 1.5e-8 on a log density of ~ -21 moves the mode by ~ sd * 1e-3:
    # 5e-3 for lambda1, 1e-3 for lambda2), and minus the inverse exact Hessian there matches
    # the post's finite-difference covariance to 1% (optim's difference Hessian at a point
    # off the mode carries errors of that order, mostly in the small off-diagonal term).
    expr, l1, l2 = d.log_posterior_lambda(Y8, S8)
    f = sp.lambdify([(l1, l2)], -expr)
    grad = sp.lambdify([(l1, l2)], [-sp.diff(expr, v) for v in (l1, l2)])
    hess = sp.lambdify([(l1, l2)], sp.hessian(expr, (l1, l2)))
    res = optimize.minimize(f, [8.0, 2.0], jac=lambda x: np.array(grad(x)), method="BFGS",
                            options={"gtol": 1e-10})
    assert res.success
    np.testing.assert_allclose(res.x, [7.926685, 1.841525], atol=5e-3)
    assert abs(res.x[1] - 1.841525) < 1e-3
    cov = -np.linalg.inv(np.array(hess(res.x), dtype=float))
    post = np.array([[22.3232882, 0.1935228], [0.1935228, 0.5352576]])
    np.testing.assert_allclose(np.diag(cov), np.diag(post), rtol=1e-2)
    assert cov[0, 1] == pytest.approx(post[0, 1], abs=0.02)


@pytest.mark.parametrize(
    ("y", "sigma", "message"),
    [
        ([1.0, 2.0], [1.0, 1.0], "at least 3 groups"),
        ([1.0, 2.0, 3.0], [1.0, 0.0, 1.0], "sigma must be > 0"),
        ([1.0, np.nan, 3.0], [1.0, 1.0, 1.0], "y must be finite"),
        ([1.0, 2.0, 3.0], [1.0, 1.0], "same length"),
        ([[1.0, 2.0, 3.0]], [[1.0, 1.0, 1.0]], "one-dimensional"),
    ],
)
def test_log_posterior_lambda_validates(y, sigma, message):
    # Truth: the package's boundary rule (check_y_sigma with min_groups=3).
    with pytest.raises(ValueError, match=message):
        d.log_posterior_lambda(y, sigma)


# ------------------------------------------------------------ step 7: the post, audited
EXPECTED_FAILURES = {
    "completing the square, line 4: quadratic in θ_j",
    "completing the square, line 6: regrouped and cancelled",
    "completing the square, line 7: split into two normal kernels",
    "the second factor called the marginal posterior",
    "shrinkage factor B_j",
    "log posterior of (λ_1, λ_2), J = 3",
}


def records() -> dict[str, d.PostLine]:
    return {r.label: r for r in d.post_lines()}


def test_which_post_lines_hold():
    # Truth: my reading of the post against BDA3 section 5.4 (the errata listed in
    # EXPECTED_FAILURES); every line that fails has a correction that holds.
    recs = records()
    assert len(recs) == 16
    assert {k for k, r in recs.items() if not r.holds} == EXPECTED_FAILURES
    for r in recs.values():
        if r.holds:
            assert r.corrected is None and r.corrected_holds is None
        else:
            assert r.corrected is not None and r.corrected_holds is True
            assert r.reason.startswith("Fails")


def random_values(expr: sp.Expr, rng: np.random.Generator) -> dict:
    """Random exact values for every symbol and indexed object in ``expr``."""
    out = {}
    for s in sorted(expr.free_symbols | expr.atoms(sp.Indexed), key=str):
        if isinstance(s, sp.Indexed) or s.is_positive:
            out[s] = sp.Rational(repr(round(float(rng.uniform(0.5, 3.0)), 6)))
        else:
            out[s] = sp.Rational(repr(round(float(rng.uniform(-3.0, 3.0)), 6)))
    return out


def numeric_verdict(line: sp.Expr, reference: sp.Expr, relation: str, seed: int) -> bool:
    """Decide a relation by 30-digit evaluation: data fixed, parameters drawn at random.

    For "=" the difference must vanish at each point; for "∝" (ratio) and "+const"
    (difference) it must not change from point to point. A true identity gives a spread of
    ~1e-28; every false one here gives more than 1e-6, so 1e-15 separates them with room.
    """
    rng = np.random.default_rng(seed)
    line, reference = line.doit(), reference.doit()
    data = random_values(line + reference, rng)
    params = [s for s in data if s in d.PARAMETERS]
    values = []
    for _ in range(4):
        point = {**data, **random_values(sp.Add(*params), rng)} if params else data
        a = sp.N(line.subs(point), 30)
        b = sp.N(reference.subs(point), 30)
        if relation == "=":
            values.append(a - b)
        elif relation == "∝":
            values.append(a / b)
        else:
            values.append(a - b)
    if any(not v.is_finite for v in values):
        return False
    if relation == "=":
        return bool(max(abs(v) for v in values) < 1e-15)
    spread = max(values) - min(values)
    return bool(abs(spread) < 1e-15 * (1 + max(abs(v) for v in values)))


@pytest.mark.parametrize("label", sorted(records()))
def test_post_line_verdict_by_numbers(label):
    # Truth: 30-digit evaluation at random points (seed fixed per line), which shares no
    # code with the module's exact checker: it must reach the same verdict on the post's
    # line and on its correction.
    r = records()[label]
    seed = sum(map(ord, label))
    assert numeric_verdict(r.post_line, r.reference, r.relation, seed) is r.holds
    if r.corrected is not None:
        assert numeric_verdict(r.corrected, r.reference, r.corrected_relation, seed + 1)


def test_erratum_linear_coefficient():
    # Truth: exact expansion of the post's own line 3. The coefficient of theta_j in
    # sigma^2 (theta - mu)^2 + tau^2 (y - theta)^2 is -2 (mu sigma^2 + y tau^2), not the
    # printed -2 (mu sigma^2 + y^2).
    expanded = sp.expand(sigma_j**2 * (theta_j - mu) ** 2 + tau**2 * (y_j - theta_j) ** 2)
    coef = expanded.coeff(theta_j, 1)
    assert is_zero(coef + 2 * (mu * sigma_j**2 + y_j * tau**2))
    assert not is_zero(coef + 2 * (mu * sigma_j**2 + y_j**2))
    r = records()["completing the square, line 4: quadratic in θ_j"]
    assert not r.holds and r.corrected_holds


def test_erratum_cancelled_term():
    # Truth: exact expansion. -(mu s^2 + y t^2)^2 + (s^2 mu^2 + t^2 y^2)(s^2 + t^2) is
    # s^2 t^2 (mu - y)^2; the post's seven terms give it only with sigma^4 mu^2, not mu^4.
    s, t, y, m = sigma_j, tau, y_j, mu
    true = sp.expand(-((m * s**2 + y * t**2) ** 2) + (s**2 * m**2 + t**2 * y**2) * (s**2 + t**2))
    assert is_zero(true - s**2 * t**2 * (m - y) ** 2)

    def post(power):
        return (-(m**2) * s**4 - 2 * m * s**2 * y * t**2 - y**2 * t**4 + s**4 * m**power
                + s**2 * m**2 * t**2 + t**2 * y**2 * s**2 + t**4 * y**2)

    assert not is_zero(post(4) - true)
    assert is_zero(post(2) - true)


def test_erratum_line_6_needs_both_fixes():
    # Truth: exact, via the module's checker on the post's line 6 with one typo fixed at a
    # time (substituting in the transcription): each typo alone breaks the line.
    r = records()["completing the square, line 6: regrouped and cancelled"]
    ref = r.reference
    sigma_fixed = r.post_line.subs(SIGMA_BARE, sigma_j)
    mu_fixed = r.post_line.subs(mu**4, mu**2)
    assert r.post_line.has(SIGMA_BARE) and r.post_line.has(mu**4)
    assert not d.relation_holds(sigma_fixed, ref, "∝")
    assert not d.relation_holds(mu_fixed, ref, "∝")
    assert d.relation_holds(mu_fixed.subs(SIGMA_BARE, sigma_j), ref, "∝")


def test_erratum_bare_sigma_in_theta_hat():
    # Truth: exact. The post's centre (mu/tau^2 + y/sigma_j^2) / (1/tau^2 + 1/sigma^2)
    # equals theta_hat only when sigma = sigma_j (SymPy's solve finds that one root).
    post = (mu / tau**2 + y_j / sigma_j**2) / (1 / tau**2 + 1 / SIGMA_BARE**2)
    diff = sp.cancel(post - d.completed_square().theta_hat)
    assert diff != 0
    assert sp.solve(diff, SIGMA_BARE) == [sigma_j]
    r = records()["completing the square, line 7: split into two normal kernels"]
    assert r.post_line.has(SIGMA_BARE) and not r.corrected.has(SIGMA_BARE)


def test_erratum_marginal_posterior_is_a_likelihood():
    # Truth: exact integrals. N(y_j | mu, sigma_j^2 + tau^2) integrates to 1 over y_j (a
    # density of the data: the marginal likelihood) but diverges over (mu, tau), so it is
    # not a posterior density of (mu, tau) on its own.
    m = stats_normal(y_j, mu, sp.sqrt(sigma_j**2 + tau**2))
    assert sp.simplify(sp.integrate(m, (y_j, -sp.oo, sp.oo))) == 1
    assert sp.integrate(m, (mu, -sp.oo, sp.oo), (tau, 0, sp.oo)) == sp.oo
    r = records()["the second factor called the marginal posterior"]
    assert not r.holds and r.corrected_holds


def test_erratum_shrinkage_bare_sigma():
    # Truth: exact. With sigma^-2 (no subscript) (1 - B) y + B mu is not theta_hat; with
    # sigma_j^-2 it is.
    r = records()["shrinkage factor B_j"]
    assert r.post_line.has(SIGMA_BARE)
    assert not is_zero(r.post_line - d.completed_square().theta_hat)
    assert is_zero(r.corrected - d.completed_square().theta_hat)


def test_erratum_log_scale_proportionality():
    # Truth: exact. The post's log posterior differs from the model's (normal constants
    # kept) by a constant, so "= ... + const" holds and "∝" (a constant factor) does not.
    r = records()["log posterior of (λ_1, λ_2), J = 3"]
    assert r.relation == "∝" and not r.holds
    assert r.corrected_relation == "+const" and r.corrected_holds
    diff = sp.expand(r.reference - r.post_line)
    assert sp.simplify(diff + sp.Rational(3, 2) * sp.log(2 * sp.pi)) == 0


def test_relation_holds_rejects_unknown_relation():
    # Truth: the package's boundary rule: an unknown relation is a ValueError naming it.
    with pytest.raises(ValueError, match="relation must be one of"):
        d.relation_holds(mu, mu, "<")
