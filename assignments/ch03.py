"""Chapter 3, the posterior mode and the normal approximation: exercises as otter questions.

Each test is copied into the assignment whole, so it imports what it uses. Deterministic answers
must be "right" as the self-checks define it: within 0.05% of what the package computes; a
grid's answers, within a spacing of 0.01.
"""

from eightschools.assignments import Question

CHAPTER = "03_laplace.ipynb"
CH3_TWO_SCHOOLS = Question("ex-ch3-two-schools", manual=True)


def public_modes(mode_tau, mode_log_tau, median_tau):
    """Three numbers: tau's mode and median are not negative."""
    for value in (mode_tau, mode_log_tau, median_tau):
        assert isinstance(value, float), "each answer is a number (a float)"
    assert mode_tau >= 0 and median_tau > 0, "tau is a standard deviation: not negative"


def hidden_modes(mode_tau, mode_log_tau, median_tau):
    """Both modes within 0.01 of the package's; the median right against the exact posterior."""
    import numpy as np
    from scipy import optimize

    from eightschools import eight_schools, exact, posterior

    d = eight_schools()
    t = np.linspace(0.0, 30.0, 30_001)
    assert abs(mode_tau - t[np.argmax(posterior.log_p_tau(t, d.y, d.sigma))]) <= 0.01
    best = optimize.minimize_scalar(
        lambda u: -(posterior.log_p_tau(np.exp(u), d.y, d.sigma) + u), bounds=(-5.0, 5.0),
        method="bounded", options={"xatol": 1e-8})
    assert abs(mode_log_tau - best.x) <= 0.01
    median = exact.exact_posterior(d.y, d.sigma).summary().tau.q50
    assert abs(median_tau - median) <= 5e-4 * median


CH3_MODES = Question("ex-ch3-modes", (public_modes, hidden_modes), mode_tau="float(mode_tau)",
                     mode_log_tau="float(mode_log_tau)", median_tau="float(median_tau)",
                     graded="the modes `mode_tau` of p(tau | y) and `mode_log_tau` of "
                     "p(log tau | y), and `median_tau`, the posterior median of tau.")


def public_starts(nm_modes, nm_errors_sd):
    """Four modes (mu, log tau), and their errors, shape (4, 2)."""
    import numpy as np

    assert np.shape(nm_modes) == (4, 2), "nm_modes: one row (mu, log tau) per start"
    assert np.shape(nm_errors_sd) == (4, 2), "nm_errors_sd: one row per start"


def hidden_starts(nm_modes, nm_errors_sd):
    """nelder_mead_fit's modes from the four starts, and their errors in posterior sds."""
    import numpy as np

    from eightschools import eight_schools
    from eightschools.laplace import laplace_fit, nelder_mead_fit

    d = eight_schools()
    fit = laplace_fit(d.y, d.sigma)
    starts = [(0.0, 0.0), (20.0, -3.0), (8.0, 2.0), (-10.0, 4.0)]
    modes = np.array([nelder_mead_fit(d.y, d.sigma, start=s).mode for s in starts])
    assert np.allclose(nm_modes, modes, rtol=5e-4, atol=1e-6)
    assert np.allclose(np.abs(nm_errors_sd), np.abs(modes - fit.mode) / fit.sd, rtol=5e-3,
                       atol=1e-4)


CH3_STARTS = Question("ex-ch3-starts", (public_starts, hidden_starts), nm_modes="answers",
                      nm_errors_sd="in_sd", graded="`nm_modes`, the four modes (mu, log tau), a "
                      "row per start, and `nm_errors_sd`, their errors in approximate sds.")


def public_importance(is_mean, ess):
    """An estimate of E(log tau | y) and an effective sample size between 1 and 20,000."""
    assert isinstance(is_mean, float), "is_mean is a number (a float)"
    assert 1.0 <= ess <= 20_000, "the effective sample size of 20,000 weights: 1 to 20,000"


def hidden_importance(is_mean, ess):
    """The estimate and ESS of the book's recipe: fit.sample(20_000, default_rng(3))."""
    import numpy as np

    from eightschools import eight_schools
    from eightschools.laplace import laplace_fit
    from eightschools.posterior import LogPosterior

    d = eight_schools()
    fit = laplace_fit(d.y, d.sigma)
    draws = fit.sample(20_000, np.random.default_rng(3))
    log_w = LogPosterior(d.y, d.sigma)(draws) - fit.logpdf(draws)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    assert abs(is_mean - np.sum(w * draws[:, 1])) <= 5e-4 * abs(np.sum(w * draws[:, 1]))
    assert abs(ess - 1.0 / np.sum(w**2)) <= 5e-4 / np.sum(w**2)


CH3_IMPORTANCE = Question("ex-ch3-importance", (public_importance, hidden_importance),
                          is_mean="float(is_mean)", ess="float(ess)", graded="`is_mean`, the "
                          "estimate of E(log tau | y), and `ess`, the weights' effective size.")


def public_newton(newton_mode, sd_newton, n_steps):
    """Where a number is wrong, the self-check's hint; a whole number of steps."""
    from eightschools import check

    for result in (check.posterior_mode(newton_mode[0], newton_mode[1]),
                   check.laplace_sd(sd_newton[0], sd_newton[1])):
        assert result.verdict != "wrong", f"{result.quantity}: {result.hint}"
    assert int(n_steps) == n_steps >= 1, "n_steps is a whole number of Newton steps"


def hidden_newton(newton_mode, sd_newton):
    """The mode and the sds: right by check.posterior_mode and check.laplace_sd."""
    from eightschools import check

    assert check.posterior_mode(newton_mode[0], newton_mode[1])
    assert check.laplace_sd(sd_newton[0], sd_newton[1])


def hidden_steps(n_steps):
    """Within one of the steps Newton's method takes from (8, 2) to a step below 1e-10."""
    import numpy as np

    from eightschools import eight_schools
    from eightschools.posterior import LogPosterior

    d = eight_schools()
    log_post, lam, steps = LogPosterior(d.y, d.sigma), np.array([8.0, 2.0]), 0
    while steps < 50:
        delta = np.linalg.solve(log_post.hessian(lam), log_post.grad(lam))
        lam, steps = lam - delta, steps + 1
        if np.abs(delta).max() < 1e-10:
            break
    assert abs(n_steps - steps) <= 1


CH3_NEWTON = Question("ex-ch3-newton", (public_newton, hidden_newton, hidden_steps),
                      newton_mode="lam", sd_newton="", n_steps="len(sizes)",
                      graded="`newton_mode` (mu, log tau), `sd_newton`, the two standard "
                      "deviations, and `n_steps`, the number of Newton steps.")
