"""Chapter 8, the BCG trials: its exercises as otter-grader questions.

Each test is copied into the assignment whole, so it imports what it uses. Exact quantities must
be "right" as the self-checks define it: within 0.05% of what the package computes; Monte Carlo
estimates, within 4 Monte Carlo standard errors of the book's.
"""

from eightschools.assignments import Question

CHAPTER = "08_capstone.ipynb"
CH8_DELTA = Question("ex-ch8-delta", manual=True)


def public_lrr(rr, y_a, se_a, rr_lower):
    """Where y_a or se_a is wrong, the self-check's hint; relative risks are positive."""
    from eightschools import check

    result = check.log_relative_risk("Aronson 1948", y_a, se_a)
    assert result.verdict != "wrong", result.hint
    assert rr > 0 and rr_lower > 0, "a relative risk is positive"


def hidden_lrr(rr, y_a, se_a, rr_lower):
    """Right by check.log_relative_risk; the relative risk and its interval's lower end."""
    import numpy as np
    from scipy import stats

    from eightschools import check, meta

    assert check.log_relative_risk("Aronson 1948", y_a, se_a)
    bcg = meta.load_bcg()
    y, s = bcg.y[0], bcg.sigma[0]
    assert abs(rr - np.exp(y)) <= 5e-4 * np.exp(y)
    lower = np.exp(y - stats.norm.ppf(0.975) * s)
    assert abs(rr_lower - lower) <= 5e-4 * lower


CH8_LRR = Question("ex-ch8-lrr", (public_lrr, hidden_lrr), rr="", y_a="", se_a="",
                   rr_lower="np.exp(y_a - 1.96 * se_a)", graded="`rr`, `y_a` and `se_a`, and "
                   "`rr_lower`, the relative risk at the lower end of the 95% interval.")


def public_latitude(coef, q_e, median_tau_lat, p_beta_negative):
    """An intercept and a slope; positive Q_E and tau; a probability between 0 and 1."""
    import numpy as np

    assert np.shape(coef) == (2,), "coef: (intercept, slope per degree)"
    assert q_e > 0 and median_tau_lat > 0, "Q_E and tau are positive"
    assert 0 <= p_beta_negative <= 1, "a probability lies between 0 and 1"


def hidden_latitude(coef, q_e, median_tau_lat, p_beta_negative):
    """Weighted least squares (numpy.polyfit); the posterior within 4 MCSE of the book's run."""
    import numpy as np
    from scipy import optimize

    from eightschools import diagnostics, meta, metropolis

    bcg = meta.load_bcg()
    y, sigma, lat = bcg.y, bcg.sigma, bcg.latitude
    slope, intercept = np.polyfit(lat, y, 1, w=1 / sigma)
    assert np.allclose(coef, [intercept, slope], rtol=5e-4, atol=0)
    q = np.sum((y - intercept - slope * lat) ** 2 / sigma**2)
    assert abs(q_e - q) <= 5e-4 * q
    x_c = (lat - lat.mean()) / 10.0

    def log_post(lam):  # the book's solution, to compare with its run
        lam = np.asarray(lam, dtype=float)
        a, b, lt = lam[..., 0:1], lam[..., 1:2], lam[..., 2:3]
        v = sigma**2 + np.exp(2 * lt)
        return -0.5 * np.sum(np.log(v) + (y - a - b * x_c) ** 2 / v, axis=-1) + lt[..., 0]
    mode = np.round(optimize.minimize(lambda p: -log_post(p), x0=[-0.7, -0.3, np.log(0.3)],
                                      method="BFGS").x, 3)
    e = 1e-4 * np.eye(3)
    hess = np.array([[(log_post(mode + a + b) - log_post(mode + a - b) - log_post(mode - a + b)
                       + log_post(mode - a - b)) / 4e-8 for b in e] for a in e])
    cov = np.linalg.inv(-hess)
    unit = 10.0 ** (np.floor(np.log10(np.abs(cov))) - 2)
    cov = np.round(cov / unit) * unit
    starts = mode + 0.5 * np.random.default_rng(81).standard_normal((4, 3)) * np.sqrt(np.diag(cov))
    kept = metropolis.rwmetrop(log_post, starts, cov, 1.5, 10_000,
                               np.random.default_rng(82)).draws[:, 5_000:, :]
    tau = np.exp(kept[..., 2])
    se = np.sqrt(2) * diagnostics.mcse(tau, "quantile", prob=0.5)
    assert abs(median_tau_lat - np.median(tau)) <= 4 * se
    negative = (kept[..., 1] < 0).astype(float)
    assert abs(p_beta_negative - negative.mean()) <= 4 * diagnostics.mcse(negative) + 1e-3


CH8_LATITUDE = Question(
    "ex-ch8-latitude", (public_latitude, hidden_latitude), coef="", q_e="",
    median_tau_lat="float(np.median(tau_lat))",
    p_beta_negative="float(np.mean(kept_lat[..., 1] < 0))", graded="`coef` (intercept, slope) "
    "and `q_e` (b); `median_tau_lat` and `p_beta_negative`, P(beta < 0 | y) (c).")


def public_weights(w_hier):
    """Thirteen weights, positive, that add up to one."""
    import numpy as np

    w = np.asarray(w_hier, dtype=float)
    assert w.shape == (13,), "w_hier: one weight per trial"
    assert (w > 0).all() and abs(w.sum() - 1) < 1e-9, "weights are positive and add up to 1"


def hidden_weights(w_hier):
    """1 / (sigma_j^2 + tau^2), normalised, at the exact posterior median of tau."""
    import numpy as np

    from eightschools import exact, meta

    bcg = meta.load_bcg()
    tau = exact.exact_posterior(bcg.y, bcg.sigma).summary().tau.q50
    w = 1 / (bcg.sigma**2 + tau**2)
    assert np.allclose(w_hier, w / w.sum(), rtol=5e-4, atol=0)


CH8_WEIGHTS = Question("ex-ch8-weights", (public_weights, hidden_weights), w_hier="",
                       graded="`w_hier`, the trials' weights given tau at its posterior median.")


def public_prior(flat_row, half_cauchy_row):
    """Median, 2.5% and 97.5% quantiles of tau, and a probability, for each prior."""
    import numpy as np

    for row in (flat_row, half_cauchy_row):
        assert np.shape(row) == (4,), "a row: median, 2.5%, 97.5% of tau, P(theta_new < 0)"
        median, low, high, p = row
        assert 0 < low < median < high, "the quantiles of tau: 0 < 2.5% < median < 97.5%"
        assert 0 <= p <= 1, "a probability lies between 0 and 1"


def hidden_prior(flat_row, half_cauchy_row):
    """The exact posterior with each prior: tau's quantiles and P(theta_new < 0 | y)."""
    import numpy as np
    from scipy import stats

    from eightschools import exact, meta

    bcg = meta.load_bcg()
    for row, prior in ((flat_row, None), (half_cauchy_row, exact.half_cauchy_prior(1.0))):
        post = exact.exact_posterior(bcg.y, bcg.sigma, prior)
        s, t = post.summary(), np.exp(post.log_tau)
        p_new = np.sum(post.weights * stats.norm.cdf(-post.mu_hat / np.sqrt(post.v_mu + t**2)))
        assert np.allclose(row, [s.tau.q50, s.tau.q025, s.tau.q975, p_new], rtol=5e-4, atol=0)


CH8_PRIOR = Question("ex-ch8-prior", (public_prior, hidden_prior),
                     flat_row="np.array(rows[0][1:], dtype=float)",
                     half_cauchy_row="np.array(rows[1][1:], dtype=float)", graded="`flat_row` "
                     "and `half_cauchy_row`: each prior's row of the table, as numbers.")
