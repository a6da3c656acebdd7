"""Chapter 6, shrinkage and the school effects: its exercises as otter-grader questions.

Each test is copied into the assignment whole, so it imports what it uses (this chapter's
``check`` is the predictive check, not the self-checks). Quantities of the post's draws must be
within 0.05% of the package's; Monte Carlo estimates of a new posterior, within 4 Monte Carlo
standard errors of its exact value.
"""

from eightschools.assignments import Question

CHAPTER = "06_shrinkage.ipynb"
CH6_LIMITS = Question("ex-ch6-limits", manual=True)


def public_halve(b_a_fixed, b_a_half, theta_a_half, p28_a_half):
    """Shrinkage factors and a probability between 0 and 1; a posterior mean below 28."""
    for value in (b_a_fixed, b_a_half, p28_a_half):
        assert 0 <= value <= 1, "shrinkage factors and probabilities lie between 0 and 1"
    assert theta_a_half < 28, "school A is still pulled towards mu: below its estimate of 28"


def hidden_halve(b_a_fixed, b_a_half, theta_a_half, p28_a_half):
    """(a) from the post's draws; (b) within 4 MCSE of the exact posterior of the new data."""
    import numpy as np

    from eightschools import effects, eight_schools, exact, runs
    from eightschools.data import SchoolData

    d = eight_schools()
    sigma = d.sigma.copy()
    sigma[0] = 7.5
    fixed = effects.mean_shrinkage(runs.post_run().kept, sigma).value[0]
    assert abs(b_a_fixed - fixed) <= 5e-4 * fixed
    run = runs.post_run(data=SchoolData(d.names, d.y, sigma))  # the book's run, for its MCSEs
    theta = effects.theta_draws(run.kept, d.y, sigma, np.random.default_rng(1))
    post = exact.exact_posterior(d.y, sigma)
    truth = post.summary().theta
    mcse = [effects.mean_shrinkage(run.kept, sigma).mcse[0],
            effects.effect_summary(theta).mcse_mean[0],
            effects.prob_exceeds(theta, 28.0).mcse[0]]
    errors = np.abs([b_a_half - truth.shrinkage[0], theta_a_half - truth.mean[0],
                     p28_a_half - post.prob_above(28.0)[0]])
    assert (errors <= 4 * np.array(mcse)).all()


CH6_HALVE = Question(
    "ex-ch6-halve", (public_halve, hidden_halve), b_a_fixed="float(b_fixed_tau.value[0])",
    b_a_half="float(b_half.value[0])", theta_a_half="float(mean_half.mean[0])",
    p28_a_half="float(p28_half.value[0])", graded="school A's `b_a_fixed` (a), then from the "
    "new run `b_a_half`, `theta_a_half` and `p28_a_half`, P(theta_A > 28 | y) (b).")


def public_rank(mean_rank):
    """Eight mean ranks between 1 and 8, which add up to 1 + 2 + ... + 8 = 36."""
    import numpy as np

    r = np.asarray(mean_rank, dtype=float)
    assert r.shape == (8,), "mean_rank: one mean rank per school"
    assert ((1 <= r) & (r <= 8)).all() and abs(r.sum() - 36) < 1e-6, "ranks 1 to 8, total 36"


def hidden_rank(mean_rank):
    """The mean ranks of the chapter's theta draws (the post's run, seed 606)."""
    import numpy as np
    from scipy import stats

    from eightschools import effects, eight_schools, runs

    d = eight_schools()
    theta = effects.theta_draws(runs.post_run().kept, d.y, d.sigma, np.random.default_rng(606))
    truth = effects.effect_summary(stats.rankdata(theta, axis=1)).mean
    assert np.allclose(mean_rank, truth, rtol=5e-4, atol=0)


CH6_RANK = Question("ex-ch6-rank", (public_rank, hidden_rank), mean_rank="rank_summary.mean",
                    graded="`mean_rank`, the schools' posterior mean ranks.")


def public_ppc(t_obs, ppp, ppp_mcse):
    """A correlation in [-1, 1], a p-value in [0, 1] and its positive MCSE."""
    assert -1 <= t_obs <= 1, "a correlation lies between -1 and 1"
    assert 0 <= ppp <= 1 and ppp_mcse > 0, "a p-value lies between 0 and 1; its MCSE is > 0"


def hidden_ppc(t_obs, ppp, ppp_mcse):
    """corr(y, sigma); the p-value from the chapter's replications (seeds 606, 707)."""
    import numpy as np

    from eightschools import diagnostics, effects, eight_schools, runs

    d = eight_schools()
    assert abs(t_obs - np.corrcoef(d.y, d.sigma)[0, 1]) <= 5e-4 * abs(t_obs)
    theta = effects.theta_draws(runs.post_run().kept, d.y, d.sigma, np.random.default_rng(606))
    y_rep = effects.replicate(theta, d.sigma, np.random.default_rng(707))
    corr = np.array([np.corrcoef(row, d.sigma)[0, 1] for row in y_rep])
    exceed = (corr >= np.corrcoef(d.y, d.sigma)[0, 1] - 1e-12).astype(float)
    assert abs(ppp - exceed.mean()) <= 5e-4 * exceed.mean()
    assert abs(ppp_mcse - diagnostics.mcse(exceed)) <= 5e-4 * diagnostics.mcse(exceed)


CH6_PPC = Question("ex-ch6-ppc", (public_ppc, hidden_ppc), t_obs="", ppp="float(exceed.mean())",
                   ppp_mcse="diagnostics.mcse(exceed)", graded="`t_obs`, corr(y_j, sigma_j), "
                   "`ppp`, its posterior predictive p-value, and `ppp_mcse`.")


def public_mcse(iid_mcse, needed):
    """A positive MCSE; a number of draws above 5,000."""
    assert iid_mcse > 0, "an MCSE is positive"
    assert needed > 5_000, "an MCSE of 0.001 needs more draws than the chain's 5,000"


def hidden_mcse(iid_mcse, needed):
    """sqrt(p (1 - p) / S), and S (MCSE / 0.001)^2, for P(theta_A > 28 | y) of the chapter."""
    import numpy as np

    from eightschools import effects, eight_schools, runs

    d = eight_schools()
    theta = effects.theta_draws(runs.post_run().kept, d.y, d.sigma, np.random.default_rng(606))
    p28 = effects.prob_exceeds(theta, 28.0)
    p, n = p28.value[0], theta.shape[0]
    assert abs(iid_mcse - np.sqrt(p * (1 - p) / n)) <= 5e-4 * np.sqrt(p * (1 - p) / n)
    assert abs(needed - n * (p28.mcse[0] / 0.001) ** 2) <= 0.01 * n * (p28.mcse[0] / 0.001) ** 2


CH6_MCSE = Question("ex-ch6-mcse", (public_mcse, hidden_mcse), iid_mcse="", needed="",
                    graded="`iid_mcse` (a) and `needed` (b).")


def public_draw(my_theta_draws, theta_mine):
    """One row of eight effects per draw of (mu, log tau)."""
    import numpy as np

    from eightschools import runs

    assert np.shape(theta_mine) == (5_000, 8), "theta_mine: one row per draw of run.kept"
    lam = runs.post_run().kept[:10]
    assert np.shape(my_theta_draws(lam, np.random.default_rng(0))) == (10, 8), "(n, 8)"


def hidden_draw(my_theta_draws, theta_mine):
    """Right by check.theta_draws, for the post's draws and for other draws of (mu, log tau)."""
    import numpy as np

    from eightschools import check, runs

    kept = runs.post_run().kept
    assert check.theta_draws(kept, theta_mine)
    lam = np.column_stack([kept[:, 0] + 3.0, kept[:, 1] - 0.5])
    assert check.theta_draws(lam, my_theta_draws(lam, np.random.default_rng(66)))


CH6_DRAW = Question("ex-ch6-draw", (public_draw, hidden_draw), my_theta_draws="", theta_mine="",
                    graded="your function `my_theta_draws(lam, rng)`, and `theta_mine`.")
