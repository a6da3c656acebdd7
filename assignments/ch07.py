"""Chapter 7, the exact posterior: its exercises as otter-grader questions.

Each test is copied into the assignment whole, so it imports what it uses. Exact quantities must
be "right" as the self-checks define it: within 0.05% of what the package computes; Monte Carlo
estimates, within 4 Monte Carlo standard errors of the exact value.
"""

from eightschools.assignments import Question

CHAPTER = "07_exact_check.ipynb"


def public_mode(pdf_tau, pdf_log_tau):
    """Two densities at four values of tau: positive numbers."""
    import numpy as np

    for dens in (pdf_tau, pdf_log_tau):
        assert np.shape(dens) == (4,), "one density per tau = 0.001, 0.01, 0.1 and 1"
        assert (np.asarray(dens) > 0).all(), "a density is positive here"


def hidden_mode(pdf_tau, pdf_log_tau):
    """post.tau_pdf at tau = 0.001, 0.01, 0.1, 1, and tau times it."""
    import numpy as np

    from eightschools import eight_schools, exact

    d = eight_schools()
    tau = np.array([1e-3, 1e-2, 1e-1, 1.0])
    pdf = exact.exact_posterior(d.y, d.sigma).tau_pdf(tau)
    assert np.allclose(pdf_tau, pdf, rtol=5e-4, atol=0)
    assert np.allclose(pdf_log_tau, tau * pdf, rtol=5e-4, atol=0)


CH7_MODE = Question("ex-ch7-mode", (public_mode, hidden_mode),
                    pdf_tau="np.array([float(post.tau_pdf(t)) for t in [1e-3, 1e-2, 1e-1, 1.0]])",
                    pdf_log_tau="np.array([1e-3, 1e-2, 1e-1, 1.0]) * pdf_tau", graded="`pdf_tau`"
                    ", p(tau | y), and `pdf_log_tau`, p(log tau | y), at the four values of tau.")


def public_four(mean_tau_four, sd_tau_four):
    """A positive mean of tau; the sd as the summary reports it."""
    assert mean_tau_four > 0, "tau is positive: so is its mean"
    assert sd_tau_four is None or sd_tau_four > 0, "sd_tau_four: a positive number, or None"


def hidden_four(mean_tau_four, sd_tau_four):
    """The summary of exact_posterior for the first four schools: the mean, and no sd."""
    from eightschools import eight_schools, exact

    d = eight_schools()
    truth = exact.exact_posterior(d.y[:4], d.sigma[:4]).summary().tau
    assert abs(mean_tau_four - truth.mean) <= 5e-4 * truth.mean
    assert sd_tau_four == truth.sd


CH7_FOUR = Question("ex-ch7-four", (public_four, hidden_four), mean_tau_four="s4.tau.mean",
                    sd_tau_four="s4.tau.sd", graded="`mean_tau_four`, E(tau | y) for four "
                    "schools, and `sd_tau_four`, their sd of tau as the summary reports it.")


def public_iid(est_theta_a, se_theta_a, est_a_above_g, se_a_above_g):
    """Estimates with positive MCSEs; a probability between 0 and 1."""
    assert se_theta_a > 0 and se_a_above_g > 0, "an MCSE is positive"
    assert 0 <= est_a_above_g <= 1, "a probability lies between 0 and 1"
    assert isinstance(est_theta_a, float), "est_theta_a is a number (a float)"


def hidden_iid(est_theta_a, se_theta_a, est_a_above_g, se_a_above_g):
    """Within 4 MCSE of the exact values; the MCSEs sd / sqrt(n) of 5,000 draws (seed 5)."""
    import numpy as np

    from eightschools import eight_schools, exact

    d = eight_schools()
    post = exact.exact_posterior(d.y, d.sigma)
    assert abs(est_theta_a - post.summary().theta.mean[0]) <= 4 * se_theta_a
    assert abs(est_a_above_g - post.prob_greater(0, 6)) <= 4 * se_a_above_g
    iid = post.sample(5_000, np.random.default_rng(5))
    a, ag = iid.theta[:, 0], (iid.theta[:, 0] > iid.theta[:, 6]).astype(float)
    for se, x in ((se_theta_a, a), (se_a_above_g, ag)):
        assert abs(se - x.std(ddof=1) / np.sqrt(x.size)) <= 0.01 * x.std(ddof=1) / np.sqrt(x.size)


CH7_IID = Question(
    "ex-ch7-iid", (public_iid, hidden_iid), est_theta_a="float(a.mean())",
    se_theta_a="a.std(ddof=1) / np.sqrt(a.size)", est_a_above_g="float(ag.mean())",
    se_a_above_g="ag.std(ddof=1) / np.sqrt(ag.size)", graded="`est_theta_a` and `se_theta_a` "
    "for E(theta_A | y), `est_a_above_g` and `se_a_above_g` for P(theta_A > theta_G | y).")


def public_cli(three, hc_tau_mean, hc_tau_sd):
    """The command's JSON as a dict; a positive mean and sd of tau."""
    assert isinstance(three, dict) and "tau" in three, "three: the JSON object, read as a dict"
    assert hc_tau_mean > 0 and hc_tau_sd > 0, "tau is positive: so are its mean and sd"


def hidden_cli(three, hc_tau_mean, hc_tau_sd):
    """The missing moments as null; the half-Cauchy(25) summary of schools A, B and C."""
    from eightschools import eight_schools, exact

    d = eight_schools()
    flat = exact.exact_posterior(d.y[:3], d.sigma[:3]).summary()
    for name in ("mu", "tau"):
        assert three[name]["mean"] == getattr(flat, name).mean
        assert three[name]["sd"] == getattr(flat, name).sd
    truth = exact.exact_posterior(d.y[:3], d.sigma[:3], exact.half_cauchy_prior(25.0)).summary()
    assert abs(hc_tau_mean - truth.tau.mean) <= 5e-4 * truth.tau.mean
    assert abs(hc_tau_sd - truth.tau.sd) <= 5e-4 * truth.tau.sd


CH7_CLI = Question("ex-ch7-cli", (public_cli, hidden_cli), three="", hc_tau_mean="hc3.tau.mean",
                   hc_tau_sd="hc3.tau.sd", graded="`three`, the JSON read as a dict, and "
                   "`hc_tau_mean` and `hc_tau_sd`, with the half-Cauchy(25) prior.")


def public_quadrature(mu_given, mu_hat_10, v_mu_10, mean_tau_mine):
    """Where a number is wrong, the self-check's hint; mu_given returns two numbers."""
    from eightschools import check

    assert len(mu_given(10.0)) == 2, "mu_given(tau) returns (mu_hat, V_mu)"
    for result in (check.mu_given_tau(10.0, mu_hat_10, v_mu_10), check.tau_mean(mean_tau_mine)):
        assert result.verdict != "wrong", f"{result.quantity}: {result.hint}"


def hidden_quadrature(mu_given, mu_hat_10, v_mu_10, mean_tau_mine):
    """Right by check.mu_given_tau and check.tau_mean; mu_given at another tau too."""
    import numpy as np

    from eightschools import check, eight_schools, posterior

    d = eight_schools()
    assert check.mu_given_tau(10.0, mu_hat_10, v_mu_10)
    assert check.tau_mean(mean_tau_mine)
    assert np.allclose(np.ravel(mu_given(3.0)), posterior.mu_given_tau(3.0, d.y, d.sigma),
                       rtol=5e-4, atol=0)


CH7_QUADRATURE = Question(
    "ex-ch7-quadrature", (public_quadrature, hidden_quadrature), mu_given="", mu_hat_10="",
    v_mu_10="", mean_tau_mine="", graded="your function `mu_given(tau)`, returning (mu_hat, "
    "V_mu), `mu_hat_10` and `v_mu_10`, and `mean_tau_mine`, your E(tau | y).")
