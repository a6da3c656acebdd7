"""Chapter 2, the hierarchical model: its exercises as otter-grader questions.

Each test is copied into the assignment whole, so it imports what it uses. Deterministic answers
must be "right" as the self-checks define it: within 0.05% of what the package computes.
"""

from eightschools.assignments import Question

CHAPTER = "02_hierarchical_model.ipynb"
CH2_VARIANCE = Question("ex-ch2-variance", manual=True)
CH2_SUM = Question("ex-ch2-sum", manual=True)


def public_weights(B_numeric, B_symbolic, hardest):
    """Eight shrinkage factors, each between 0 and 1, twice; a school's letter."""
    import numpy as np

    for b in (B_numeric, B_symbolic):
        b = np.asarray(b, dtype=float)
        assert b.shape == (8,), "one shrinkage factor per school, shape (8,)"
        assert ((0 < b) & (b < 1)).all(), "a shrinkage factor lies between 0 and 1"
    assert hardest in list("ABCDEFGH"), "hardest is a school's letter, such as 'A'"


def hidden_weights(B_numeric, B_symbolic, hardest):
    """Both agree with posterior.shrinkage_factor at tau = 5; hardest has the largest."""
    import numpy as np

    from eightschools import eight_schools, posterior

    d = eight_schools()
    truth = posterior.shrinkage_factor(5.0, d.sigma)
    assert np.allclose(B_numeric, truth, rtol=5e-4, atol=0)
    assert np.allclose(B_symbolic, truth, rtol=5e-4, atol=0)
    assert hardest == d.names[int(np.argmax(truth))]


CH2_WEIGHTS = Question(
    "ex-ch2-weights", (public_weights, hidden_weights), B_numeric="", B_symbolic="",
    hardest="data.names[int(np.argmax(B_numeric))]", graded="`B_numeric` and `B_symbolic`, "
    "the B_j at tau = 5 both ways, and `hardest`, the letter of the school pulled hardest.")


def public_bda(mu_hat_tau, mean_given_tau):
    """Four values of mu_hat(tau), within the range of the estimates; a (4, 8) table."""
    import numpy as np

    from eightschools import eight_schools

    y = eight_schools().y
    m = np.asarray(mu_hat_tau, dtype=float)
    assert m.shape == (4,), "mu_hat_tau: one value per tau, shape (4,)"
    assert ((y.min() <= m) & (m <= y.max())).all(), "mu_hat(tau) averages the estimates y_j"
    assert np.shape(mean_given_tau) == (4, 8), "mean_given_tau: a row per tau, a column per school"


def hidden_bda(mu_hat_tau, mean_given_tau):
    """mu_hat(tau) and E(theta_j | tau, y) at tau = 1, 5, 10, 25, as the package computes them."""
    import numpy as np

    from eightschools import eight_schools, posterior

    d = eight_schools()
    tau = np.array([1.0, 5.0, 10.0, 25.0])
    mu_hat, _ = posterior.mu_given_tau(tau, d.y, d.sigma)
    mean, _ = posterior.conditional_theta(mu_hat, tau, d.y, d.sigma)
    assert np.allclose(mu_hat_tau, mu_hat, rtol=5e-4, atol=0)
    assert np.allclose(mean_given_tau, mean, rtol=5e-4, atol=1e-9)


CH2_BDA_FIGURE = Question("ex-ch2-bda-figure", (public_bda, hidden_bda), mu_hat_tau="",
                          mean_given_tau="", graded="`mu_hat_tau`, mu_hat(tau) at tau = 1, 5, 10 "
                          "and 25, and `mean_given_tau`, E(theta_j | tau, y), a row per tau.")


def public_by_hand(shrinkage_by_hand, theta_hat_by_hand, b_10, mean_8_10):
    """Two functions of all eight schools; where school A's value is wrong, the check's hint."""
    import numpy as np

    from eightschools import check

    assert np.shape(shrinkage_by_hand(10.0)) == (8,), "shrinkage_by_hand(tau): shape (8,)"
    assert np.shape(theta_hat_by_hand(8.0, 10.0)) == (8,), "theta_hat_by_hand(mu, tau): (8,)"
    for result in (check.shrinkage_factor("A", 10.0, b_10[0]),
                   check.conditional_mean("A", 8.0, 10.0, mean_8_10[0])):
        assert result.verdict != "wrong", f"{result.quantity}: {result.hint}"


def hidden_checks(b_10, mean_8_10):
    """School A's B_j and conditional mean: right by the self-checks."""
    from eightschools import check

    assert check.shrinkage_factor("A", 10.0, b_10[0])
    assert check.conditional_mean("A", 8.0, 10.0, mean_8_10[0])


def hidden_functions(shrinkage_by_hand, theta_hat_by_hand, furthest):
    """Both functions, for every school at other values; the school moved furthest."""
    import numpy as np

    from eightschools import eight_schools, posterior

    d = eight_schools()
    assert np.allclose(shrinkage_by_hand(3.0), posterior.shrinkage_factor(3.0, d.sigma),
                       rtol=5e-4, atol=0)
    mean, _ = posterior.conditional_theta(-2.0, 3.0, d.y, d.sigma)
    assert np.allclose(theta_hat_by_hand(-2.0, 3.0), mean, rtol=5e-4, atol=1e-9)
    mean, _ = posterior.conditional_theta(8.0, 10.0, d.y, d.sigma)
    assert furthest == d.names[int(np.argmax(np.abs(mean - d.y)))]


CH2_BY_HAND = Question(
    "ex-ch2-by-hand", (public_by_hand, hidden_checks, hidden_functions), shrinkage_by_hand="",
    theta_hat_by_hand="", b_10="", mean_8_10="", furthest="data.names[j]",
    graded="the functions `shrinkage_by_hand(tau)` and `theta_hat_by_hand(mu, tau)`, their values "
    "`b_10` and `mean_8_10` for all schools, and `furthest`, the letter of the school that moves "
    "furthest.")
