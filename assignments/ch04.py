"""Chapter 4, random-walk Metropolis: its exercises as otter-grader questions.

Each test is copied into the assignment whole, so it imports what it uses (this chapter's
``check`` is not the self-checks). A run made with the seed an exercise gives is compared with
the same run of ``rwmetrop``; a Monte Carlo estimate, with the exact value, within 4 Monte Carlo
standard errors.
"""

from eightschools.assignments import Question

CHAPTER = "04_metropolis.ipynb"
CH4_BALANCE = Question("ex-ch4-balance", manual=True)


def public_constant(same_with_constant, same_when_doubled, accept_base, accept_doubled):
    """Two yes-or-no answers, and two acceptance rates between 0 and 1."""
    assert isinstance(same_with_constant, bool), "same_with_constant: True or False"
    assert isinstance(same_when_doubled, bool), "same_when_doubled: True or False"
    assert 0 <= accept_base <= 1 and 0 <= accept_doubled <= 1, "a rate lies between 0 and 1"


def hidden_constant(same_with_constant, same_when_doubled, accept_base, accept_doubled):
    """The same three runs of rwmetrop (2,000 iterations, s = 2, seed 7), compared."""
    import numpy as np

    from eightschools import eight_schools
    from eightschools.laplace import laplace_fit
    from eightschools.metropolis import rwmetrop
    from eightschools.posterior import LogPosterior

    d = eight_schools()
    lp, fit = LogPosterior(d.y, d.sigma), laplace_fit(d.y, d.sigma)
    runs = [rwmetrop(f, fit.mode, fit.cov, 2.0, 2_000, np.random.default_rng(7))
            for f in (lp, lambda x: lp(x) + 1000.0, lambda x: 2.0 * lp(x))]
    assert same_with_constant == np.array_equal(runs[0].draws, runs[1].draws)
    assert same_when_doubled == np.array_equal(runs[0].draws, runs[2].draws)
    assert abs(accept_base - runs[0].accept_rate[0]) <= 5e-4 * runs[0].accept_rate[0]
    assert abs(accept_doubled - runs[2].accept_rate[0]) <= 5e-4 * runs[2].accept_rate[0]


CH4_CONSTANT = Question(
    "ex-ch4-constant", (public_constant, hidden_constant),
    same_with_constant="bool(np.array_equal(base.draws, plus.draws))",
    same_when_doubled="bool(np.array_equal(base.draws, twice.draws))",
    accept_base="float(base.accept_rate[0])", accept_doubled="float(twice.accept_rate[0])",
    graded="`same_with_constant` and `same_when_doubled` (are the draws the same: True or "
    "False?), and the acceptance rates `accept_base` and `accept_doubled`.")


def public_accept2d(simulated, sim_se, closed_form):
    """Four acceptance rates, their standard errors and the formula's, at s = 0.5, 1, 2, 4."""
    import numpy as np

    for values in (simulated, sim_se, closed_form):
        assert np.shape(values) == (4,), "one value per scale, shape (4,)"
        assert ((0 <= np.asarray(values)) & (np.asarray(values) <= 1)).all(), "between 0 and 1"


def hidden_accept2d(simulated, sim_se, closed_form):
    """The closed form 1 - s / sqrt(s^2 + 4); each simulated rate within 4 of its SEs of it."""
    import numpy as np

    s = np.array([0.5, 1.0, 2.0, 4.0])
    alpha = 1.0 - s / np.sqrt(s**2 + 4.0)
    assert np.allclose(closed_form, alpha, rtol=5e-4, atol=0)
    assert (np.asarray(sim_se) > 0).all()
    assert (np.abs(np.asarray(simulated) - alpha) <= 4 * np.asarray(sim_se)).all()


CH4_ACCEPT2D = Question("ex-ch4-accept2d", (public_accept2d, hidden_accept2d),
                        simulated="np.array(rows)[:, 1]", sim_se="np.array(rows)[:, 2]",
                        closed_form="np.array(rows)[:, 3]", graded="at s = 0.5, 1, 2, 4: "
                        "`simulated` rates, their standard errors `sim_se`, and `closed_form`.")


def public_tau(acc_direct, mean_tau_direct, share):
    """A rate and a share between 0 and 1, and a positive mean of tau."""
    assert 0 <= acc_direct <= 1 and 0 <= share <= 1, "a rate or a share lies between 0 and 1"
    assert mean_tau_direct > 0, "tau is positive: so is its mean"


def hidden_tau(acc_direct, mean_tau_direct, share):
    """E(tau | y) within 4 MCSE of the exact value; the rates within 4 MCSE of the book's run."""
    import numpy as np

    from eightschools import diagnostics, eight_schools, exact
    from eightschools.laplace import laplace_fit
    from eightschools.metropolis import rwmetrop
    from eightschools.posterior import LogPosterior

    d = eight_schools()
    lp, fit = LogPosterior(d.y, d.sigma), laplace_fit(d.y, d.sigma)
    proposals = []

    def log_p(x):  # log p(mu, tau | y), -inf where tau <= 0
        proposals.append(x[:, 1] <= 0)
        tau = np.where(x[:, 1] > 0, x[:, 1], 1.0)
        value = lp(np.stack([x[:, 0], np.log(tau)], axis=-1)) - np.log(tau)
        return np.where(x[:, 1] > 0, value, -np.inf)
    start = np.array([[fit.mode[0], np.exp(fit.mode[1])]])
    run = rwmetrop(log_p, start, np.diag([fit.cov[0, 0], 25.0]), 2.0, 20_000,
                   np.random.default_rng(12))
    tau = run.draws[0, 10_000:, 1]
    truth = exact.exact_posterior(d.y, d.sigma).summary().tau.mean
    assert abs(mean_tau_direct - truth) <= 4 * diagnostics.mcse(tau)
    moves = np.any(np.diff(run.draws[0], axis=0) != 0, axis=1).astype(float)
    assert abs(acc_direct - run.accept_rate[0]) <= 4 * diagnostics.mcse(moves) + 1e-3
    below = np.concatenate(proposals[1:]).astype(float)  # the first call is the start
    assert abs(share - below.mean()) <= 4 * diagnostics.mcse(below) + 1e-3


CH4_TAU = Question("ex-ch4-tau", (public_tau, hidden_tau), acc_direct="float(acc_direct)",
                   mean_tau_direct="float(tau_direct.mean())", share="float(share)",
                   graded="`acc_direct`, the acceptance rate, `mean_tau_direct`, the mean of tau "
                   "after burn-in, and `share`, the share of proposals with tau <= 0.")


def public_step(metropolis_step, chain, my_rate):
    """A step returns a point of shape (2,); the chain has 2,001 rows; a rate in [0, 1]."""
    import numpy as np

    point = metropolis_step(np.array([8.0, 2.0]), lambda x: -0.5 * np.sum(x**2), np.eye(2), 2.0,
                            np.random.default_rng(0))
    assert np.shape(point) == (2,), "metropolis_step returns the next point, shape (2,)"
    assert np.shape(chain) == (2_001, 2), "chain: the start, then one row per step, (2001, 2)"
    assert 0 <= my_rate <= 1, "my_rate is a rate between 0 and 1"


def hidden_step(metropolis_step, chain, my_rate):
    """Right by check.metropolis_step and check.acceptance_rate; rwmetrop's chain (seed 8)."""
    import numpy as np

    from eightschools import check, eight_schools
    from eightschools.laplace import laplace_fit
    from eightschools.metropolis import rwmetrop
    from eightschools.posterior import LogPosterior

    assert check.metropolis_step(metropolis_step)
    assert check.acceptance_rate(chain, my_rate)
    d = eight_schools()
    fit = laplace_fit(d.y, d.sigma)
    same = rwmetrop(LogPosterior(d.y, d.sigma), fit.mode, fit.cov, 2.0, 2_000,
                    np.random.default_rng(8))
    assert np.allclose(chain[1:], same.draws[0], rtol=1e-8, atol=1e-8)


CH4_STEP = Question("ex-ch4-step", (public_step, hidden_step), metropolis_step="", chain="",
                    my_rate="float(my_rate)", graded="your function `metropolis_step`, the "
                    "`chain` of (b), the start then 2,000 points, and `my_rate`, its rate.")
