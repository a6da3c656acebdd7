"""eightschools.posterior against SymPy: the value, gradient and Hessian of the log posterior.

Truth: the formula of the log posterior of (lambda1, lambda2) = (mu, log tau) as a SymPy
expression, typed here from the brief with the numbers substituted exactly, differentiated
symbolically by SymPy and evaluated with sympy.lambdify. (Chapter 2 derives the same
expression in its cells; tests/test_derivation.py checks that one against this formula and
against eightschools.posterior.log_posterior.)
Tolerance 1e-9 (1 + |value|) (the brief's): both sides are float64 evaluations of the same
smooth formula, which agree to ~1e-13 relative over mu in [-50, 50], log tau in [-5, 5].
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from eightschools.posterior import log_posterior, log_posterior_grad, log_posterior_hessian

EIGHT = (
    np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]),
    np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0]),
)
# A second data set, not the eight schools, with non-integer values.
OTHER = (np.array([-2.5, 0.75, 3.1, 9.4, 1.0]), np.array([0.8, 2.5, 1.3, 4.2, 3.3]))


def own_expression(y, sigma):
    """The brief's formula, typed independently of the chapter's derivation."""
    l1, l2 = sp.symbols("l1 l2", real=True)
    expr = l2
    for yj, sj in zip(y, sigma, strict=True):
        v = sp.Rational(repr(float(sj))) ** 2 + sp.exp(2 * l2)
        expr += -sp.log(v) / 2 - (l1 - sp.Rational(repr(float(yj)))) ** 2 / (2 * v)
    return expr, l1, l2


def random_points(seed: int, n: int = 100) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-50.0, 50.0, n), rng.uniform(-5.0, 5.0, n)])


def assert_close(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert np.all(np.abs(got - want) <= 1e-9 * (1.0 + np.abs(want))), np.max(
        np.abs(got - want) / (1.0 + np.abs(want))
    )


@pytest.mark.parametrize("data", [EIGHT, OTHER], ids=["eight_schools", "other"])
def test_value_gradient_hessian_against_sympy(data):
    y, sigma = data
    expr, l1, l2 = own_expression(y, sigma)
    lam = random_points(11)
    a, b = lam[:, 0], lam[:, 1]
    f = sp.lambdify((l1, l2), expr, "numpy")
    grad = [sp.diff(expr, v) for v in (l1, l2)]
    hess = [[sp.diff(g, v) for v in (l1, l2)] for g in grad]
    assert_close(log_posterior(lam, y, sigma), f(a, b))
    got_g = log_posterior_grad(lam, y, sigma)
    for i in range(2):
        assert_close(got_g[:, i], sp.lambdify((l1, l2), grad[i], "numpy")(a, b))
    got_h = log_posterior_hessian(lam, y, sigma)
    for i in range(2):
        for j in range(2):
            want = np.broadcast_to(sp.lambdify((l1, l2), hess[i][j], "numpy")(a, b), a.shape)
            assert_close(got_h[:, i, j], want)

