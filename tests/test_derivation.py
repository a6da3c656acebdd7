"""Tests of chapter 2's algebra, and of eightschools.derivation, the audit of the post.

Chapter 2 derives the model's algebra in its own cells. The fixture ``ch2`` runs every code
cell of the chapter, in order, in an IPython shell in this process, and the tests check the
SymPy expressions the cells leave behind (``joint``, ``theta_hat``, ``mu_hat``, ``p_tau``,
``log_post``, ...) against independent truths, each named at its test:
- SymPy exact algebra (expand / cancel / simplify reaching 0), on expressions typed here from
  BDA3 section 5.4 and the brief, not taken from the chapter;
- sympy.stats' own normal density, for the densities the chapter writes by hand;
- scipy quadrature over theta_j and over mu, as floating-point cross-checks of the integrals;
- the closed forms of eightschools.posterior (mu_given_tau, log_p_tau, log_posterior);
- the blog post's printed posterior mode and covariance of (lambda1, lambda2);
- direct numpy evaluation of the log-posterior formula;
- 30-digit evaluation at random points (seeded), to confirm every verdict on the post's lines
  by a method that shares no code with the module's exact checker.
"""

from __future__ import annotations

import builtins
import math
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
import sympy as sp
import sympy.stats as sps
from IPython.core.interactiveshell import InteractiveShell
from scipy import integrate, optimize
from traitlets.config import Config

from eightschools import derivation as d
from eightschools import posterior
from eightschools.derivation import lambda1, lambda2, mu, sigma_j, tau, theta_j, y_j

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "02_hierarchical_model.ipynb"
Y8 = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
S8 = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
# The symbol the post writes where it means sigma_j (same name and assumptions as the module's).
SIGMA_BARE = sp.Symbol("sigma", positive=True)
# BDA3 eq. 5.17, typed here.
THETA_HAT = (y_j / sigma_j**2 + mu / tau**2) / (1 / sigma_j**2 + 1 / tau**2)
V_THETA = 1 / (1 / sigma_j**2 + 1 / tau**2)


def is_zero(expr: sp.Expr) -> bool:
    """Exact: cancellation first (fast), then simplify."""
    fast = sp.cancel(sp.together(sp.expand(expr)))
    return fast == 0 or sp.simplify(fast) == 0


def stats_normal(x: sp.Expr, mean: sp.Expr, sd: sp.Expr) -> sp.Expr:
    """The normal density from sympy.stats, parametrised by its standard deviation."""
    return sps.density(sps.Normal("Z", mean, sd))(x)


@pytest.fixture(scope="module")
def ch2():
    """The names left by running every code cell of chapter 2, in order.

    IPython runs the cells, so that the chapter's code is run as written; only the line
    ``%matplotlib inline``, which needs a notebook, is left out.
    """
    nb = nbformat.read(CHAPTER, as_version=4)
    had_display = hasattr(builtins, "display")
    config = Config()
    config.HistoryManager.enabled = False  # write no history file
    shell = InteractiveShell.instance(config=config)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = [ln for ln in cell.source.splitlines() if not ln.startswith("%matplotlib")]
        result = shell.run_cell("\n".join(lines), silent=True)
        assert result.success, f"cell {i} ({cell.id}) failed: {result.error_in_exec!r}"
    names = dict(shell.user_ns)
    plt.close("all")
    yield names
    InteractiveShell.clear_instance()
    if not had_display:  # IPython adds display() to the builtins
        del builtins.display


# ------------------------------------------------------------------------ the symbols
def test_symbol_assumptions(ch2):
    # Truth: the brief. Positivity is what lets SymPy take sqrt(sigma_j^2) = sigma_j and
    # split logs; real means the exponents are real so log(exp(x)) = x. The chapter's symbols
    # are the module's (SymPy identifies symbols by name and assumptions), which is what lets
    # the chapter substitute into the module's transcription of the post.
    for s in (sigma_j, tau):
        assert s.is_positive
    for s in (y_j, mu, theta_j, lambda1, lambda2):
        assert s.is_real and s.is_positive is None
    for name in ("y_j", "sigma_j", "theta_j", "mu", "tau", "lambda1", "lambda2"):
        assert ch2[name] == getattr(d, name)


# --------------------------------------------------------------------- step 1: joint
def test_normal_densities_are_sympy_stats_normal(ch2):
    # Truth: sympy.stats with sd = sqrt(variance); exact. Both the chapter's density and
    # the module's (which the audit's truth is built from).
    v = sp.Symbol("v", positive=True)
    want = stats_normal(y_j, mu, sp.sqrt(v))
    assert sp.simplify(ch2["normal"](y_j, mu, v) / want) == 1
    assert sp.simplify(d.normal_pdf(y_j, mu, v) / want) == 1


def test_joint_density_is_the_model(ch2):
    # Truth: sympy.stats' normal densities N(theta | mu, tau) N(y | theta, sigma_j); exact.
    want = stats_normal(theta_j, mu, tau) * stats_normal(y_j, theta_j, sigma_j)
    assert sp.simplify(ch2["joint"] / want) == 1


# ----------------------------------------------------------- step 2: quadratic, square
def test_quadratic_coefficients(ch2):
    # Truth: the coefficients over the common denominator tau^2 sigma_j^2, typed from the
    # correct expansion: theta^2 (sigma^2 + tau^2) - 2 theta (mu sigma^2 + y tau^2)
    # + sigma^2 mu^2 + tau^2 y^2. Exact.
    P, L, K = ch2["P"], ch2["L"], ch2["K"]
    den = tau**2 * sigma_j**2
    assert is_zero(P * den - (sigma_j**2 + tau**2))
    assert is_zero(L * den - (mu * sigma_j**2 + y_j * tau**2))
    assert is_zero(K * den - (sigma_j**2 * mu**2 + tau**2 * y_j**2))
    # the pieces reassemble Q_j, collected or not
    Q = ch2["Q"]
    assert is_zero(P * theta_j**2 - 2 * L * theta_j + K - Q)
    assert is_zero(ch2["collected"] - Q)
    # and -Q_j/2 is the log of the joint density less its normalising constant
    log_joint = sp.log(ch2["joint"] * 2 * sp.pi * sigma_j * tau)
    assert is_zero(sp.expand_log(log_joint, force=True) + Q / 2)


def test_completed_square_matches_bda3(ch2):
    # Truth: BDA3 eq. 5.17's theta_hat and V_j, typed here, and the remainder
    # (y - mu)^2 / (sigma^2 + tau^2); the completed square equals Q_j. Exact.
    assert is_zero(ch2["theta_hat"] - THETA_HAT)
    assert is_zero(ch2["V"] - V_THETA)
    remainder = ch2["remainder"]
    assert is_zero(remainder - (y_j - mu) ** 2 / (sigma_j**2 + tau**2))
    assert not remainder.has(theta_j)
    assert is_zero(ch2["completed"] - ch2["Q"])


# --------------------------------------------------------------- step 3: factorisation
def test_factorisation(ch2):
    # Truth: exact. The joint density over the two normal densities of sympy.stats, with
    # the mean and variance typed from BDA3 eq. 5.17, simplifies to 1; the chapter's two
    # factors are those densities.
    cond = stats_normal(theta_j, THETA_HAT, sp.sqrt(V_THETA))
    marg = stats_normal(y_j, mu, sp.sqrt(sigma_j**2 + tau**2))
    assert sp.simplify(sp.powsimp(ch2["joint"] / (cond * marg))) == 1
    assert sp.simplify(sp.powsimp(ch2["conditional"] / cond)) == 1
    assert sp.simplify(ch2["marginal"] / marg) == 1


def test_conditional_is_a_density_in_theta(ch2):
    # Truth: exact integral; a conditional posterior of theta_j integrates to 1 over theta_j.
    total = sp.integrate(ch2["conditional"], (theta_j, -sp.oo, sp.oo))
    assert sp.simplify(total) == 1


def test_integral_over_theta_is_the_marginal(ch2):
    # Truth: exact. The chapter's integral of the joint over theta_j is N(y | mu,
    # sigma^2 + tau^2) of sympy.stats, with its error functions gone.
    m = ch2["integral"]
    want = stats_normal(y_j, mu, sp.sqrt(sigma_j**2 + tau**2))
    assert sp.simplify(m / want) == 1
    assert not m.has(sp.erf)


@pytest.mark.parametrize(
    "point", [(28.0, 15.0, 7.9, 6.3), (-3.0, 16.0, 0.0, 0.5), (1.0, 0.2, -4.0, 40.0)]
)
def test_integral_over_theta_by_quadrature(ch2, point):
    # Truth: scipy.integrate.quad of the joint over theta (a different, numerical method).
    # quad's error estimate is ~1e-10 relative here; 1e-8 is safely above it and far below
    # any error of the closed form (a wrong variance changes the value by percents).
    yv, sv, mv, tv = point
    at = {y_j: yv, sigma_j: sv, mu: mv, tau: tv}
    joint = sp.lambdify(theta_j, ch2["joint"].subs(at))
    got, _ = integrate.quad(joint, -np.inf, np.inf, epsabs=0.0, epsrel=1e-11)
    var = sv**2 + tv**2
    want = math.exp(-((yv - mv) ** 2) / (2 * var)) / math.sqrt(2 * math.pi * var)
    assert got == pytest.approx(want, rel=1e-8)
    assert float(ch2["integral"].subs(at)) == pytest.approx(want, rel=1e-12)


# ------------------------------------------------------------------ step 4: shrinkage
def test_shrinkage_form_equals_theta_hat(ch2):
    # Truth: exact algebra on the brief's form (1 - B) y + B mu with
    # B = tau^-2 / (tau^-2 + sigma_j^-2), typed here; and B = sigma^2 / (sigma^2 + tau^2).
    b = tau**-2 / (tau**-2 + sigma_j**-2)
    assert is_zero(ch2["B"] - b)
    assert is_zero(b - sigma_j**2 / (sigma_j**2 + tau**2))
    assert is_zero((1 - b) * y_j + b * mu - ch2["theta_hat"])
    # V_j = (1 - B_j) sigma_j^2: the posterior variance shrinks by the same factor
    assert is_zero(ch2["V"] - (1 - b) * sigma_j**2)


def test_pooling_limits(ch2):
    # Truth: exact limits, typed here: complete pooling (theta_hat -> mu, V -> 0) as
    # tau -> 0 and no pooling (theta_hat -> y_j, V -> sigma_j^2) as tau -> oo; and the
    # shrinkage factor goes from 1 to 0.
    theta_hat, V, B = ch2["theta_hat"], ch2["V"], ch2["B"]
    assert sp.limit(theta_hat, tau, 0, "+") == mu
    assert sp.limit(theta_hat, tau, sp.oo) == y_j
    assert sp.limit(V, tau, 0, "+") == 0
    assert sp.limit(V, tau, sp.oo) == sigma_j**2
    assert sp.limit(B, tau, 0, "+") == 1
    assert sp.limit(B, tau, sp.oo) == 0


# ------------------------------------------------- step 5: mu given tau, p(tau | y)
def at_data(ch2, y, sigma):
    """Values for the chapter's symbols y_1..y_J and w_1..w_J: the data, exactly."""
    values = {}
    for y_k, w, yv, sv in zip(ch2["ys"], ch2["ws"], y, sigma, strict=True):
        values[y_k] = sp.Rational(repr(float(yv)))
        values[w] = 1 / (sp.Rational(repr(float(sv))) ** 2 + tau**2)
    return values


def random_data(seed: int, J: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.round(rng.uniform(-20.0, 30.0, J), 2)
    sigma = np.round(rng.uniform(5.0, 20.0, J), 2)
    return y, sigma


def test_mu_square_is_completed(ch2):
    # Truth: exact. sum_j w_j (y_j - mu)^2 = P (mu - mu_hat)^2 + sum_j w_j (y_j - mu_hat)^2,
    # with mu_hat = sum w y / sum w and P = sum w typed here (BDA3 eq. 5.20).
    ys, ws = ch2["ys"], ch2["ws"]
    total = sum(ws)
    mu_hat = sum(w * y_k for y_k, w in zip(ys, ws, strict=True)) / total
    assert is_zero(ch2["mu_hat"] - mu_hat)
    assert is_zero(ch2["V_mu"] - 1 / total)
    spread = sum(w * (y_k - mu_hat) ** 2 for y_k, w in zip(ys, ws, strict=True))
    assert is_zero(total * (mu - mu_hat) ** 2 + spread - ch2["Q_mu"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mu_given_tau_is_posterior_mu_given_tau(ch2, seed):
    # Truth: eightschools.posterior.mu_given_tau, the closed form in numpy. Exact SymPy
    # values rounded once to float against a float64 weighted mean: they agree to ~1e-15;
    # 1e-12 relative leaves room.
    y, sigma = random_data(seed, ch2["J"])
    values = at_data(ch2, y, sigma)
    for t in (0.5, 4.0, 25.0):
        want_mean, want_var = posterior.mu_given_tau(t, y, sigma)
        got_mean = float(ch2["mu_hat"].subs(values).subs(tau, sp.Rational(repr(t))))
        got_var = float(ch2["V_mu"].subs(values).subs(tau, sp.Rational(repr(t))))
        assert got_mean == pytest.approx(float(want_mean), rel=1e-12)
        assert got_var == pytest.approx(float(want_var), rel=1e-12)


def p_tau_at(ch2, y, sigma) -> sp.Expr:
    """The chapter's integral over mu, as an expression in tau for the given data."""
    names = {ch2["mu_hat_name"]: ch2["mu_hat"], ch2["V_mu_name"]: ch2["V_mu"]}
    return ch2["p_tau"].subs(names).subs(at_data(ch2, y, sigma))


@pytest.mark.parametrize("seed", [1, 2])
def test_p_tau_by_quadrature(ch2, seed):
    # Truth: scipy.integrate.quad over mu of the product of the J normal densities
    # N(y_j | mu, sigma_j^2 + tau^2), typed here in numpy. quad's error estimate is ~1e-10
    # relative; 1e-8 is safely above it and far below the error of a wrong constant.
    y, sigma = random_data(seed, ch2["J"])
    p_tau = p_tau_at(ch2, y, sigma)
    for t in (0.5, 4.0, 25.0):
        var = sigma**2 + t**2

        def likelihood(m, var=var):
            return np.prod(np.exp(-((y - m) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var))

        want, _ = integrate.quad(likelihood, -np.inf, np.inf, epsabs=0.0, epsrel=1e-11)
        got = float(p_tau.subs(tau, sp.Rational(repr(t))))
        assert got == pytest.approx(want, rel=1e-8)


@pytest.mark.parametrize("seed", [1, 2])
def test_p_tau_is_log_p_tau_up_to_its_constant(ch2, seed):
    # Truth: eightschools.posterior.log_p_tau (BDA3 eq. 5.21 in numpy, constants dropped):
    # the log of the chapter's integral differs from it by exactly -(J - 1)/2 log(2 pi) at
    # every tau. Both are float64 values of size ~10; 1e-10 absolute leaves room.
    y, sigma = random_data(seed, ch2["J"])
    p_tau = p_tau_at(ch2, y, sigma)
    constant = -(ch2["J"] - 1) / 2 * math.log(2 * math.pi)
    taus = np.array([0.0, 0.5, 4.0, 25.0, 300.0])
    want = posterior.log_p_tau(taus, y, sigma) + constant
    got = [float(sp.log(p_tau.subs(tau, sp.Rational(repr(float(t)))))) for t in taus]
    np.testing.assert_allclose(got, want, rtol=0.0, atol=1e-10)


# ---------------------------------------------------------- step 6: (mu, log tau) scale
def test_jacobian_of_log_tau(ch2):
    # Truth: tau = exp(lambda2) has d tau / d lambda2 = exp(lambda2) > 0; its log is lambda2.
    jac = ch2["jacobian"]
    assert is_zero(jac - sp.exp(lambda2))
    assert sp.log(jac) == lambda2


def test_term_differs_from_model_by_a_constant(ch2):
    # Truth: exact. The model's log density log N(y_j | lambda1, sigma_j^2 + e^(2 lambda2)),
    # typed here, minus the chapter's term is -log(2 pi)/2, free of every symbol.
    v = sigma_j**2 + sp.exp(2 * lambda2)
    model = -sp.log(2 * sp.pi * v) / 2 - (y_j - lambda1) ** 2 / (2 * v)
    model = sp.expand_log(model, force=True)
    dropped = sp.simplify(model - ch2["term"])
    assert sp.simplify(dropped + sp.log(2 * sp.pi) / 2) == 0
    assert is_zero(sp.expand_log(ch2["log_marginal"], force=True) - model)


def own_log_posterior(y, sigma):
    """The brief's formula, typed here with the data as exact rationals."""
    expr = lambda2
    for yv, sv in zip(y, sigma, strict=True):
        v = sp.Rational(repr(float(sv))) ** 2 + sp.exp(2 * lambda2)
        expr += -sp.log(v) / 2 - (lambda1 - sp.Rational(repr(float(yv)))) ** 2 / (2 * v)
    return expr


def test_log_post_is_the_formula_exactly(ch2):
    # Truth: SymPy, exactly. The chapter's eight-school log posterior minus the formula typed
    # here simplifies to 0: same formula, same (absent) constant, numbers exact.
    log_post = ch2["log_post"]
    assert log_post.atoms(sp.Float) == set()
    assert log_post.free_symbols == {lambda1, lambda2}
    assert is_zero(log_post - own_log_posterior(Y8, S8))


def test_log_post_from_the_model_exactly(ch2):
    # Truth: exact. From sympy.stats' N(y_j | mu, sigma_j^2 + tau^2) at mu = lambda1,
    # tau = exp(lambda2), times the Jacobian: its log minus the chapter's expression is the
    # constant -J log(2 pi)/2, nothing else.
    logp = lambda2
    for yv, sv in zip(Y8, S8, strict=True):
        dens = stats_normal(int(yv), lambda1, sp.sqrt(int(sv) ** 2 + sp.exp(2 * lambda2)))
        logp += sp.expand_log(sp.log(dens), force=True)
    assert sp.simplify(logp - ch2["log_post"] + 4 * sp.log(2 * sp.pi)) == 0


def numpy_log_posterior(l1: np.ndarray, l2: np.ndarray, y: np.ndarray, s: np.ndarray):
    """The post's formula, typed directly in numpy."""
    v = s[:, None] ** 2 + np.exp(2 * l2)[None, :]
    return np.sum(-0.5 * np.log(v) - (l1[None, :] - y[:, None]) ** 2 / (2 * v), axis=0) + l2


def test_log_post_numerically(ch2):
    # Truth: the formula evaluated directly with numpy, and eightschools.posterior's
    # log_posterior, at random points (seeded). All are float64 evaluations of the same sum
    # of ~17 terms of size <= 1e3: they agree to ~1e-13 relative; 1e-11 leaves room yet
    # catches any wrong term or constant.
    f = sp.lambdify([lambda1, lambda2], ch2["log_post"], "numpy")
    rng = np.random.default_rng(20261124)
    a = rng.uniform(-30.0, 30.0, 25)
    b = rng.uniform(-4.0, 4.0, 25)
    np.testing.assert_allclose(f(a, b), numpy_log_posterior(a, b, Y8, S8), rtol=1e-11, atol=0.0)
    module = posterior.log_posterior(np.column_stack([a, b]), Y8, S8)
    np.testing.assert_allclose(f(a, b), module, rtol=1e-11, atol=0.0)


def test_post_mode_and_covariance(ch2):
    # Truth: the post's optim() output: mode (7.926685, 1.841525) and covariance
    # [[22.3232882, 0.1935228], [0.1935228, 0.5352576]]. Maximising the exact expression
    # with its exact SymPy gradient lands within Nelder-Mead's accuracy of the post's mode
    # (R's reltol 1.5e-8 on a log density of ~ -21 moves the mode by ~ sd * 1e-3:
    # 5e-3 for lambda1, 1e-3 for lambda2), and minus the inverse exact Hessian there matches
    # the post's finite-difference covariance to 1% (optim's difference Hessian at a point
    # off the mode carries errors of that order, mostly in the small off-diagonal term).
    expr = ch2["log_post"]
    f = sp.lambdify([(lambda1, lambda2)], -expr)
    grad = sp.lambdify([(lambda1, lambda2)], [-sp.diff(expr, v) for v in (lambda1, lambda2)])
    hess = sp.lambdify([(lambda1, lambda2)], sp.hessian(expr, (lambda1, lambda2)))
    res = optimize.minimize(f, [8.0, 2.0], jac=lambda x: np.array(grad(x)), method="BFGS",
                            options={"gtol": 1e-10})
    assert res.success
    np.testing.assert_allclose(res.x, [7.926685, 1.841525], atol=5e-3)
    assert abs(res.x[1] - 1.841525) < 1e-3
    cov = -np.linalg.inv(np.array(hess(res.x), dtype=float))
    post = np.array([[22.3232882, 0.1935228], [0.1935228, 0.5352576]])
    np.testing.assert_allclose(np.diag(cov), np.diag(post), rtol=1e-2)
    assert cov[0, 1] == pytest.approx(post[0, 1], abs=0.02)


# ------------------------------------------------------------ step 7: the post, audited
EXPECTED_FAILURES = {
    "completing the square, line 4: quadratic in θⱼ",
    "completing the square, line 6: regrouped and cancelled",
    "completing the square, line 7: split into two normal kernels",
    "the second factor called the marginal posterior",
    "shrinkage factor Bⱼ",
    "log posterior of (λ₁, λ₂), J = 3",
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


def test_errata_box_lists_exactly_the_failures(ch2):
    # Truth: EXPECTED_FAILURES. The chapter's errata box has one item per failing line.
    items = [ln for ln in ch2["errata"].splitlines() if ln.startswith("- **")]
    assert len(items) == len(EXPECTED_FAILURES)
    assert {ln[4:].split(".**")[0] for ln in items} == EXPECTED_FAILURES


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
    r = records()["completing the square, line 4: quadratic in θⱼ"]
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
    # equals BDA3's theta_hat only when sigma = sigma_j (SymPy's solve finds that one root).
    post = (mu / tau**2 + y_j / sigma_j**2) / (1 / tau**2 + 1 / SIGMA_BARE**2)
    diff = sp.cancel(post - THETA_HAT)
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
    # Truth: exact. With sigma^-2 (no subscript) (1 - B) y + B mu is not BDA3's theta_hat;
    # with sigma_j^-2 it is.
    r = records()["shrinkage factor Bⱼ"]
    assert r.post_line.has(SIGMA_BARE)
    assert not is_zero(r.post_line - THETA_HAT)
    assert is_zero(r.corrected - THETA_HAT)


def test_erratum_log_scale_proportionality():
    # Truth: exact. The post's log posterior differs from the model's (normal constants
    # kept) by a constant, so "= ... + const" holds and "∝" (a constant factor) does not.
    r = records()["log posterior of (λ₁, λ₂), J = 3"]
    assert r.relation == "∝" and not r.holds
    assert r.corrected_relation == "+const" and r.corrected_holds
    diff = sp.expand(r.reference - r.post_line)
    assert sp.simplify(diff + sp.Rational(3, 2) * sp.log(2 * sp.pi)) == 0


def test_relation_holds_rejects_unknown_relation():
    # Truth: the package's boundary rule: an unknown relation is a ValueError naming it.
    with pytest.raises(ValueError, match="relation must be one of"):
        d.relation_holds(mu, mu, "<")
