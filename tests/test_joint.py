"""Tests of eightschools.joint: the log joint density, Gibbs and HMC, against independent truths.

Truths: central finite differences for the gradients; the change of variables theta = mu + tau z
for the two parametrisations; a Gaussian target with known moments for HMC; the exact posterior
(eightschools.exact, one-dimensional quadrature) for both samplers on the eight schools, in units
of the Monte Carlo standard error (diagnostics.mcse, Geyer's ESS).
"""

from __future__ import annotations

import numpy as np
import pytest

from eightschools import diagnostics, exact, joint
from eightschools.data import eight_schools

DATA = eight_schools()
Y, SIGMA = DATA.y, DATA.sigma
J = len(Y)
EXACT = exact.exact_posterior(Y, SIGMA).summary()


@pytest.mark.parametrize("centred", [True, False])
def test_gradient_matches_finite_differences(centred):
    rng = np.random.default_rng(0)
    for _ in range(5):
        q = np.concatenate([rng.normal(0, 5, J), [rng.normal(8, 3)], [rng.normal(1, 1)]])
        _, grad = joint.log_joint(q, Y, SIGMA, centred=centred)
        h = 1e-6
        fd = [(joint.log_joint(q + h * e, Y, SIGMA, centred=centred)[0]
               - joint.log_joint(q - h * e, Y, SIGMA, centred=centred)[0]) / (2 * h)
              for e in np.eye(J + 2)]
        np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-6)


def test_parametrisations_differ_by_the_jacobian():
    """log p_nc(z, mu, l) = log p_c(mu + e^l z, mu, l) + J l (the Jacobian of theta -> z)."""
    rng = np.random.default_rng(1)
    for _ in range(5):
        z, mu, lt = rng.normal(size=J), rng.normal(8, 3), rng.normal(1, 1)
        theta = mu + np.exp(lt) * z
        nc, _ = joint.log_joint(np.r_[z, mu, lt], Y, SIGMA, centred=False)
        c, _ = joint.log_joint(np.r_[theta, mu, lt], Y, SIGMA, centred=True)
        assert nc == pytest.approx(c + J * lt, rel=1e-12, abs=1e-9)


def test_hmc_on_a_correlated_gaussian():
    """Moments of N(m, S), S with correlation 0.9: within 5 MCSE of the truth."""
    m = np.array([1.0, -2.0])
    cov = np.array([[1.0, 0.9], [0.9, 1.0]])
    prec = np.linalg.inv(cov)

    def target(q):
        d = q - m
        return -0.5 * float(d @ prec @ d), -(prec @ d)

    fit = joint.hmc(target, [0.0, 0.0], 0.2, 15, 6000, np.random.default_rng(3))
    draws = fit.draws[500:]
    assert not fit.divergent.any()
    for k in range(2):
        mcse = diagnostics.mcse(draws[:, k][None, :], "mean")
        assert abs(draws[:, k].mean() - m[k]) < 5 * mcse
    assert np.corrcoef(draws.T)[0, 1] == pytest.approx(0.9, abs=0.03)


def test_hmc_flags_divergences_when_the_step_is_too_large():
    """On N(0, 1), leapfrog is unstable for step > 2: every trajectory's energy blows up."""
    fit = joint.hmc(lambda q: (-0.5 * float(q @ q), -q), [1.0], 2.5, 50, 200,
                    np.random.default_rng(4))
    assert fit.divergent.all() and not fit.accepted.any()
    assert np.all(fit.draws == 1.0)


def _z(draws, truth):
    return (draws.mean() - truth) / diagnostics.mcse(draws[None, :], "mean")


def test_gibbs_agrees_with_the_exact_posterior():
    draws = joint.gibbs(Y, SIGMA, 20000, np.random.default_rng(5))[1000:]
    assert abs(_z(draws[:, J], EXACT.mu.mean)) < 4
    assert abs(_z(draws[:, 0], EXACT.theta.mean[0])) < 4
    assert abs(_z(draws[:, J + 1], EXACT.tau.mean)) < 4


def test_noncentred_hmc_agrees_with_the_exact_posterior():
    def target(q):
        return joint.log_joint(q, Y, SIGMA, centred=False)

    fit = joint.hmc(target, np.r_[np.zeros(J), 8.0, 1.5], 0.25, 16, 6000,
                    np.random.default_rng(6))
    draws = fit.draws[500:]
    tau = np.exp(draws[:, J + 1])
    theta_a = draws[:, J] + tau * draws[:, 0]
    assert fit.divergent.sum() <= 5
    assert abs(_z(draws[:, J], EXACT.mu.mean)) < 4
    assert abs(_z(tau, EXACT.tau.mean)) < 4
    assert abs(_z(theta_a, EXACT.theta.mean[0])) < 4


@pytest.mark.parametrize("kwargs, match", [
    ({"step_size": 0.0}, "step_size"),
    ({"step_size": np.nan}, "step_size"),
    ({"n_steps": 0}, "n_steps"),
    ({"n_iter": 2.5}, "n_iter"),
    ({"start": [np.inf]}, "start"),
])
def test_hmc_refuses_bad_settings(kwargs, match):
    args = {"logp_grad": lambda q: (-0.5 * float(q @ q), -q), "start": [0.0],
            "step_size": 0.1, "n_steps": 5, "n_iter": 10, "rng": np.random.default_rng(0)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        joint.hmc(**args)


@pytest.mark.parametrize("args, match", [
    ((Y[:2], SIGMA[:2], 10), "J|groups|at least"),
    ((Y, SIGMA, 0), "n_iter"),
    ((Y, -SIGMA, 10), "sigma"),
])
def test_gibbs_refuses_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        joint.gibbs(*args, np.random.default_rng(0))


def test_log_joint_refuses_a_wrong_shape():
    with pytest.raises(ValueError, match="J \\+ 2"):
        joint.log_joint(np.zeros(J), Y, SIGMA)


def test_centred_hmc_diverges_in_the_neck():
    """Chapter 9's claim: with the chapter's settings the centred sampler diverges, at small tau,
    and the non-centred one does not (its cells are exempt from nbval: see the chapter)."""
    def run(centred):
        start = np.r_[np.full(J, 8.0) if centred else np.zeros(J), 8.0, 1.5]
        return joint.hmc(lambda q: joint.log_joint(q, Y, SIGMA, centred=centred), start, 0.2,
                         15, 2500, np.random.default_rng(920))

    centred, noncentred = run(True), run(False)
    log_tau = centred.draws[:, J + 1]
    assert centred.divergent.sum() >= 3
    assert np.median(log_tau[centred.divergent]) < np.quantile(log_tau, 0.25)
    assert noncentred.divergent.sum() == 0
