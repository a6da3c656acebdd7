"""Chapter 9, the joint posterior: its exercises as otter-grader questions.

Each test is copied into the assignment whole, so it imports what it uses. A Monte Carlo estimate
of P(tau < 1 | y) is graded by ``check.tau_below``: within 3 of its MCSEs of the exact value.
The step-size and half-Cauchy exercises are graded by hand: their answer is what the runs show.
"""

from eightschools.assignments import Question

CHAPTER = "09_joint.ipynb"
CH9_STEP = Question("ex-ch9-step", manual=True)
CH9_CAUCHY = Question("ex-ch9-cauchy", manual=True)


def public_gibbs_long(p_long, se_long):
    """A probability between 0 and 1, with a positive MCSE of at most 0.02."""
    assert 0 <= p_long <= 1, "a probability lies between 0 and 1"
    assert 0 < se_long <= 0.02, "the MCSE of 200,000 draws is positive and small"


def hidden_gibbs_long(p_long, se_long):
    """Right by check.tau_below: within 3 MCSE of the exact P(tau < 1 | y)."""
    from eightschools import check

    assert check.tau_below(p_long, se_long)


CH9_GIBBS_LONG = Question("ex-ch9-gibbs-long", (public_gibbs_long, hidden_gibbs_long),
                          p_long="float(p)", se_long="float(se)", graded="`p_long`, the "
                          "estimate of P(tau < 1 | y), and `se_long`, its MCSE.")


def public_noncentred(gibbs_noncentred, p_nc, se_nc):
    """The sampler returns one (mu, |tau|) per iteration; a probability with a small MCSE."""
    import numpy as np

    from eightschools import eight_schools

    d = eight_schools()
    out = np.asarray(gibbs_noncentred(d.y, d.sigma, 20, np.random.default_rng(0)))
    assert out.shape == (20, 2), "gibbs_noncentred(y, sigma, n_iter, rng): shape (n_iter, 2)"
    assert (out[:, 1] >= 0).all(), "the sampler records |tau|"
    assert 0 <= p_nc <= 1 and 0 < se_nc <= 0.02, "a probability, and a positive MCSE <= 0.02"


def hidden_noncentred(p_nc, se_nc):
    """Right by check.tau_below: within 3 MCSE of the exact P(tau < 1 | y)."""
    from eightschools import check

    assert check.tau_below(p_nc, se_nc)


CH9_NONCENTRED = Question(
    "ex-ch9-noncentred", (public_noncentred, hidden_noncentred), gibbs_noncentred="", p_nc="",
    se_nc="", graded="your sampler `gibbs_noncentred(y, sigma, n_iter, rng)`, its estimate "
    "`p_nc` of P(tau < 1 | y), and `se_nc`, the estimate's MCSE.")
