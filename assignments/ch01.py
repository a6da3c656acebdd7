"""Chapter 1, separate and pooled estimates: its exercises as otter-grader questions.

Each test is copied into the assignment whole, so it imports what it uses. Public tests check
form and plausibility; hidden tests compare with what the package computes.
"""

from eightschools.assignments import Question

CHAPTER = "01_separate_and_pooled.ipynb"
SEP_DERIVE = Question("ex-sep-derive", manual=True)


def public_n_inside(n_inside):
    """A whole number of schools, 0 to 8."""
    import numbers

    assert isinstance(n_inside, numbers.Integral), "n_inside must be a whole number"
    assert 0 <= n_inside <= 8, "n_inside counts schools: 0 to 8"


def hidden_n_inside(n_inside):
    """The count of 50% intervals that contain the pooled estimate."""
    from eightschools import classical, eight_schools

    d = eight_schools()
    lower, upper = classical.separate_intervals(d.y, d.sigma, level=0.5)
    pooled = classical.pooled_estimate(d.y, d.sigma).mean
    assert n_inside == int(((lower <= pooled) & (pooled <= upper)).sum())


SEP_50 = Question("ex-sep-50", (public_n_inside, hidden_n_inside), n_inside="int(inside.sum())",
                  graded="`n_inside`, how many 50% intervals contain the pooled estimate.")


def public_power(power):
    """A share of the simulated data sets: between 0 and 1."""
    assert isinstance(power, float), "power must be a number (a float)"
    assert 0.0 <= power <= 1.0, "power is a share of the data sets: between 0 and 1"


def hidden_power(power):
    """Within 4 standard errors of the book's simulation (seed 2026) of the same probability."""
    import numpy as np

    from eightschools import classical, eight_schools

    sigma = eight_schools().sigma
    rng = np.random.default_rng(2026)
    y_sim = rng.normal(rng.normal(8.0, 10.0, size=(2_000, 8)), sigma)
    book = np.mean([classical.homogeneity_test(row, sigma).p_value < 0.05 for row in y_sim])
    assert abs(power - book) <= 4 * np.sqrt(2 * book * (1 - book) / 2_000)


SEP_POWER = Question("ex-sep-power", (public_power, hidden_power), power="float(power)",
                     graded="`power`, the share of the 2,000 data sets in which the test rejects.")


def public_p_best(p_best):
    """Eight probabilities that add up to one."""
    import numpy as np

    p = np.asarray(p_best, dtype=float)
    assert p.shape == (8,), "p_best must hold one probability per school"
    assert (p >= 0).all() and abs(p.sum() - 1) < 1e-9, "p_best: probabilities that add up to 1"


def hidden_p_best(p_best):
    """Within 4 Monte Carlo standard errors of the exact probabilities (by quadrature)."""
    import numpy as np
    from scipy import stats

    from eightschools import eight_schools

    d = eight_schools()
    t = np.linspace(np.min(d.y - 10 * d.sigma), np.max(d.y + 10 * d.sigma), 100_001)
    cdf = stats.norm.cdf(t[:, None], d.y, d.sigma)
    exact = [np.trapezoid(stats.norm.pdf(t, d.y[j], d.sigma[j])
                          * np.prod(np.delete(cdf, j, axis=1), axis=1), t) for j in range(8)]
    se = np.sqrt(np.multiply(exact, np.subtract(1, exact)) / 100_000)
    assert np.all(np.abs(np.asarray(p_best) - exact) <= 4 * se + 1e-12)


SEP_BEST = Question("ex-sep-best", (public_p_best, hidden_p_best), p_best="",
                    graded="`p_best`, the eight probabilities, in the schools' order.")


def public_by_hand(lower_a, upper_a, ybar, q_by_hand):
    """Numbers; where one is wrong, the self-check's hint."""
    from eightschools import check

    for result in (check.separate_interval("A", lower_a, upper_a), check.pooled_mean(ybar),
                   check.q_statistic(q_by_hand)):
        assert result.verdict != "wrong", f"{result.quantity}: {result.hint}"


def hidden_interval(lower_a, upper_a):
    """School A's separate 95% interval: right by check.separate_interval."""
    from eightschools import check

    assert check.separate_interval("A", lower_a, upper_a)


def hidden_pooled(ybar):
    """The pooled estimate: right by check.pooled_mean."""
    from eightschools import check

    assert check.pooled_mean(ybar)


def hidden_q(q_by_hand):
    """Cochran's Q: right by check.q_statistic."""
    from eightschools import check

    assert check.q_statistic(q_by_hand)


SEP_BY_HAND = Question(
    "ex-sep-by-hand", (public_by_hand, hidden_interval, hidden_pooled, hidden_q), lower_a="",
    upper_a="", ybar="", q_by_hand="",
    graded="`lower_a` and `upper_a` (a), `ybar` (b) and `q_by_hand` (c).")
