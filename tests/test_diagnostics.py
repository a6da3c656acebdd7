"""Tests of eightschools.diagnostics.

Two kinds of truth are used:

* ArviZ 0.23 (a library the field trusts) run on the very same arrays. The algorithms are
  the same, so the only differences are floating-point rounding (measured at about 1e-15
  relative); the tolerance 1e-6 relative is the one the brief asks for and leaves room for a
  different FFT length or summation order, but not for any real change of method (a
  different split, a missing rank step or another Geyer cut-off moves ESS by percents).
* Closed forms for processes whose answer is known: independent draws (ESS = S), AR(1)
  chains (ESS = S (1 - rho) / (1 + rho), autocorrelation rho^k, exact variance of the mean),
  and the asymptotic standard error of a sample quantile. Those tests are Monte Carlo; each
  says how its tolerance compares with the spread measured over 200 seeds.
"""

from __future__ import annotations

import dataclasses
import warnings

import arviz as az
import numpy as np
import pytest
from scipy import stats
from scipy.signal import lfilter

from eightschools.diagnostics import (
    MIN_DRAWS,
    Summary,
    autocorrelation,
    ess,
    mcse,
    rhat,
    summary,
)

REL = 1e-6


def ar1(rng: np.random.Generator, chains: int, draws: int, rho: float) -> np.ndarray:
    """Stationary AR(1) chains x_t = rho x_{t-1} + e_t, e_t ~ N(0, 1), x_0 ~ N(0, 1/(1-rho^2))."""
    e = rng.standard_normal((chains, draws))
    e[:, 0] /= np.sqrt(1.0 - rho**2)
    return lfilter([1.0], [1.0, -rho], e, axis=1)


def make_case(kind: str, chains: int, draws: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "iid":
        return rng.standard_normal((chains, draws))
    if kind == "ar":
        return ar1(rng, chains, draws, 0.9)
    if kind == "antithetic":
        return ar1(rng, chains, draws, -0.6)
    if kind == "cauchy":
        return rng.standard_cauchy((chains, draws))
    if kind == "ties":
        return rng.poisson(2.0, (chains, draws)).astype(float)
    if kind == "drift":  # chains that have not converged: a trend plus different levels
        return rng.standard_normal((chains, draws)) + np.linspace(0, 3, draws) + np.arange(chains)[
            :, None
        ]
    raise AssertionError(kind)


# Different chain counts, even and odd lengths (an odd chain loses its middle draw when
# split), the shortest allowed length 4 and 5 (where Geyer's sum is empty and tau is clamped),
# independent, positively and negatively correlated, heavy-tailed, tied and drifting draws.
CASES = [
    ("iid", 1, 4, 1),
    ("iid", 2, 5, 2),
    ("ar", 1, 1000, 3),
    ("ar", 4, 1001, 4),
    ("antithetic", 3, 500, 5),
    ("antithetic", 2, 7, 6),
    ("cauchy", 4, 251, 7),
    ("ties", 3, 200, 8),
    ("drift", 4, 300, 9),
    ("iid", 8, 64, 10),
    ("ar", 2, 11, 11),
]
CASE_IDS = [f"{k}-{c}x{n}" for k, c, n, _ in CASES]


def close(mine: float, reference: float) -> bool:
    return bool(np.isclose(mine, reference, rtol=REL, atol=0.0))


# ---------------------------------------------------------------------------------------------
# Agreement with ArviZ 0.23 on the same arrays
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "chains", "draws", "seed"), CASES, ids=CASE_IDS)
def test_ess_matches_arviz(kind: str, chains: int, draws: int, seed: int) -> None:
    """ESS mean, bulk, tail and quantile equal arviz.ess within 1e-6 relative."""
    x = make_case(kind, chains, draws, seed)
    for method in ("mean", "bulk", "tail"):
        reference = float(az.ess(x, method=method))
        assert close(ess(x, method), reference), (method, ess(x, method), reference)
    for prob in (0.05, 0.3, 0.5):
        reference = float(az.ess(x, method="quantile", prob=prob))
        assert close(ess(x, "quantile", prob=prob), reference), prob
    assert close(ess(x, "tail", prob=0.2), float(az.ess(x, method="tail", prob=0.2)))


@pytest.mark.parametrize(("kind", "chains", "draws", "seed"), CASES, ids=CASE_IDS)
def test_rhat_matches_arviz(kind: str, chains: int, draws: int, seed: int) -> None:
    """Rank-normalised and plain split R-hat equal arviz.rhat within 1e-6 relative."""
    if chains == 1:  # R-hat needs two chains; a single chain gets two more here
        x = np.vstack([make_case(kind, 1, draws, seed + s) for s in (0, 100)])
    else:
        x = make_case(kind, chains, draws, seed)
    for method in ("rank", "split"):
        reference = float(az.rhat(x, method=method))
        assert close(rhat(x, method), reference), (method, rhat(x, method), reference)


@pytest.mark.parametrize(("kind", "chains", "draws", "seed"), CASES, ids=CASE_IDS)
def test_mcse_and_autocorrelation_match_arviz(
    kind: str, chains: int, draws: int, seed: int
) -> None:
    """MCSE of the mean and of quantiles equal arviz.mcse; autocorrelation equals az.autocorr.

    The autocorrelation is undefined for a constant chain, so tied draws that happen to be
    constant in a chain would be refused; none of these cases has one.
    """
    x = make_case(kind, chains, draws, seed)
    assert close(mcse(x), float(az.mcse(x)))
    for prob in (0.05, 0.5, 0.9):
        assert close(mcse(x, "quantile", prob=prob), float(az.mcse(x, method="quantile",
                                                                    prob=prob))), prob
    np.testing.assert_allclose(autocorrelation(x), az.autocorr(x, axis=-1), rtol=0, atol=1e-12)


def test_constant_draws_match_arviz() -> None:
    """A constant array: ArviZ counts every draw as effective and gives NaN R-hat; so do we."""
    x = np.full((2, 10), 3.0)
    for method in ("mean", "bulk", "tail"):
        assert ess(x, method) == float(az.ess(x, method=method)) == 20.0
    assert mcse(x) == 0.0
    with warnings.catch_warnings():  # ArviZ warns when it divides 0 by 0
        warnings.simplefilter("ignore")
        assert np.isnan(float(az.rhat(x)))
    assert np.isnan(rhat(x))


def test_rank_rhat_when_the_folded_draws_are_constant_matches_arviz() -> None:
    """Draws of -1 and +1 only: every distance from the median is 1, so the tail R-hat is NaN.

    ArviZ then reports the bulk R-hat (it takes Python's max(bulk, tail)), and so must we: a
    NaN from the tails must not hide the bulk value. Chains stuck at -1 and +1 give infinity.
    """
    x = np.random.default_rng(7).choice([-1.0, 1.0], size=(4, 100))
    with warnings.catch_warnings():  # ArviZ warns when it divides 0 by 0
        warnings.simplefilter("ignore")
        assert close(rhat(x), float(az.rhat(x)))
        stuck = np.array([[-1.0] * 10, [1.0] * 10])
        assert rhat(stuck) == float(az.rhat(stuck)) == np.inf


@pytest.mark.parametrize("scale", [1e-100, 1e-20, 1e20, 1e100])
def test_ess_and_mcse_are_scale_equivariant(scale: float) -> None:
    """ESS does not change when the draws are rescaled, and the MCSE scales with them.

    Rescaling by a power of ten is not exact in floating point, so the tolerance is 1e-9
    relative; an absolute constant-chain threshold would count x * 1e-20 as constant and
    report every draw as effective (8000 here, against about 400).
    """
    x = ar1(np.random.default_rng(5), 4, 2000, 0.9)
    for method in ("mean", "bulk", "tail"):
        assert ess(x * scale, method) == pytest.approx(ess(x, method), rel=1e-9), method
    assert ess(x, "mean") < 1000
    assert mcse(x * scale) == pytest.approx(mcse(x) * scale, rel=1e-9)
    assert rhat(x * scale) == pytest.approx(rhat(x), rel=1e-9)


def test_a_chain_constant_to_the_last_bits_counts_as_constant() -> None:
    """Draws that differ only in their last bits are constant, for ESS as for ArviZ."""
    x = np.full((2, 10), 1e30)
    x[0, 3] = np.nextafter(1e30, 2e30)
    assert ess(x, "mean") == 20.0


@pytest.mark.parametrize(("chains", "draws"), [(4, 500), (3, 101), (1, 40)])
def test_summary_matches_arviz_summary(chains: int, draws: int) -> None:
    """summary() equals arviz.summary(kind="all") column by column, within 1e-6 relative.

    ArviZ's summary folds the draws for the tail R-hat around the median of the unsplit
    chains, while arviz.rhat (and this package) fold around the median of the split chains;
    the two agree for even lengths only, so for the odd length R-hat is compared with
    arviz.rhat. With one chain both report R-hat as NaN. The quantiles are checked against
    numpy's percentile (linear interpolation, the definition the docstring states).
    """
    rng = np.random.default_rng(chains * draws)
    x = np.stack(
        [rng.standard_normal((chains, draws)), 5 + 10 * ar1(rng, chains, draws, 0.7),
         np.exp(rng.standard_normal((chains, draws)))],
        axis=-1,
    )
    s = summary(x, ["a", "b", "c"])
    ref = az.summary(az.convert_to_dataset({"v": x}), kind="all", round_to="none")
    for column, mine in (("mean", s.mean), ("sd", s.sd), ("mcse_mean", s.mcse_mean),
                         ("ess_bulk", s.ess_bulk), ("ess_tail", s.ess_tail)):
        np.testing.assert_allclose(mine, ref[column].to_numpy(), rtol=REL, err_msg=column)
    if chains == 1:
        assert np.isnan(s.r_hat).all() and np.isnan(ref["r_hat"].to_numpy()).all()
    elif draws % 2 == 0:
        np.testing.assert_allclose(s.r_hat, ref["r_hat"].to_numpy(), rtol=REL)
    else:
        np.testing.assert_allclose(
            s.r_hat, [float(az.rhat(x[..., p])) for p in range(3)], rtol=REL
        )
    expected_q = np.percentile(x.reshape(-1, 3), [2.5, 25, 50, 75, 97.5], axis=0).T
    np.testing.assert_allclose(s.quantiles, expected_q, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Independent truths: closed forms for independent and AR(1) draws
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_independent_draws_ess_near_count_and_rhat_near_one(seed: int) -> None:
    """Independent N(0, 1) draws: every ESS is close to the number of draws S, R-hat < 1.01.

    With 4 chains of 10,000 draws the relative error of the ESS had sd 1.4% (worst -5.4%)
    over 200 seeds, so the 10% the brief asks for is about 7 sd. R-hat of such chains
    ranged over [0.9999, 1.0005], far below 1.01.
    """
    x = np.random.default_rng(seed).standard_normal((4, 10_000))
    for method in ("mean", "bulk", "tail"):
        assert ess(x, method) == pytest.approx(x.size, rel=0.10), method
    for method in ("rank", "split"):
        assert rhat(x, method) < 1.01


@pytest.mark.parametrize(("rho", "seed"), [(0.5, 21), (0.5, 22), (-0.3, 23)])
def test_ar1_ess_matches_closed_form(rho: float, seed: int) -> None:
    """AR(1) chains: the ESS of the mean is close to S (1 - rho) / (1 + rho).

    For an AR(1) process the autocorrelation is rho^k, so the integrated autocorrelation time
    is sum over all k of rho^|k| = (1 + rho) / (1 - rho). With S = 100,000 draws (4 chains of
    25,000) the relative error of the estimate had sd 2.0% (rho = 0.5) and 1.8%
    (rho = -0.3, where ESS exceeds S) over 200 seeds, worst 7.8%: 10% is 5 sd. Shorter or
    more correlated chains (rho = 0.8 gave sd 3%, worst 14%) would make 10% unfair.
    """
    x = ar1(np.random.default_rng(seed), 4, 25_000, rho)
    expected = x.size * (1.0 - rho) / (1.0 + rho)
    assert ess(x, "mean") == pytest.approx(expected, rel=0.10)
    assert ess(x, "bulk") == pytest.approx(expected, rel=0.10)  # AR(1) is Gaussian: same ESS


@pytest.mark.parametrize("seed", [31, 32])
def test_shifted_chain_gives_large_rhat(seed: int) -> None:
    """Three chains around 0 and one around 2 (in sd units): R-hat is well above 1.1.

    Closed form for long chains: R-hat^2 = 1 + (variance of the chain means) / (within-chain
    variance). Split into 8 halves, six have mean 0 and two mean 2, whose variance (ddof=1)
    is 6/7, so R-hat is near sqrt(13/7) = 1.36; chains that mix give 1.000 (test above).
    Both methods must see it.
    """
    x = np.random.default_rng(seed).standard_normal((4, 1000))
    x[3] += 2.0
    assert rhat(x, "rank") > 1.1
    assert rhat(x, "split") > 1.1


def test_rank_rhat_sees_a_chain_with_a_different_scale() -> None:
    """Chains with equal means but one with 3x the spread: the folded (tail) R-hat sees it.

    Split R-hat of the draws themselves looks only at means, so it stays near 1; the rank
    method folds the draws about the median, turning a difference of scale into one of
    location (Vehtari et al. 2021, section 4.2).
    """
    x = np.random.default_rng(41).standard_normal((4, 2000))
    x[0] *= 3.0
    assert rhat(x, "split") < 1.01
    assert rhat(x, "rank") > 1.1


@pytest.mark.parametrize("seed", [51, 52])
def test_autocorrelation_of_ar1_is_rho_to_the_k(seed: int) -> None:
    """Sample autocorrelation of an AR(1) chain matches rho^k at lags 1..5.

    The tolerance is 5 times Bartlett's large-sample standard deviation of the lag-k sample
    autocorrelation of an AR(1) process,
    var = [(1 + rho^2)(1 - rho^(2k)) / (1 - rho^2) - 2 k rho^(2k)] / n
    (Box, Jenkins & Reinsel, eq. 2.1.15); over 200 seeds the largest error in these five
    lags was 3.5 of those sds.
    """
    rho, n = 0.7, 100_000
    x = ar1(np.random.default_rng(seed), 1, n, rho)[0]
    k = np.arange(1, 6)
    sd = np.sqrt(((1 + rho**2) * (1 - rho ** (2 * k)) / (1 - rho**2) - 2 * k * rho ** (2 * k)) / n)
    acf = autocorrelation(x, max_lag=5)
    assert acf.shape == (6,)
    assert acf[0] == 1.0
    np.testing.assert_array_less(np.abs(acf[1:] - rho**k), 5 * sd)


def test_autocorrelation_equals_direct_sum() -> None:
    """The FFT result equals the defining O(n^2) sum (1/n) sum_i (x_i - m)(x_{i+t} - m) / var.

    Exact algebra, so only rounding separates them: 1e-12 absolute.
    """
    x = np.random.default_rng(61).standard_normal((3, 57))
    centred = x - x.mean(axis=1, keepdims=True)
    n = x.shape[1]
    direct = np.array(
        [[np.dot(c[: n - t], c[t:]) / n for t in range(n)] for c in centred]
    )
    direct /= direct[:, :1]
    np.testing.assert_allclose(autocorrelation(x), direct, rtol=0, atol=1e-12)
    np.testing.assert_allclose(autocorrelation(x, max_lag=4), direct[:, :5], rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", [71, 72])
def test_mcse_of_iid_mean_is_sd_over_root_n(seed: int) -> None:
    """Independent draws: MCSE of the mean is close to sd / sqrt(S).

    Here ESS ~ S, so the ratio is sqrt(S / ESS); with 4 x 5000 draws it had sd 1.2% (worst
    5.0%) over 200 seeds: 6% is 5 sd.
    """
    x = 2.5 * np.random.default_rng(seed).standard_normal((4, 5000))
    assert mcse(x) == pytest.approx(x.std(ddof=1) / np.sqrt(x.size), rel=0.06)


def test_mcse_of_ar1_mean_matches_exact_variance() -> None:
    """AR(1) chains: MCSE of the mean against the exact sd of the mean of 4 independent chains.

    For a stationary AR(1) chain of n draws, var(mean) = (gamma_0 / n) [1 + 2 sum_{k<n}
    (1 - k/n) rho^k] with gamma_0 = 1 / (1 - rho^2); four independent chains divide it by 4.
    The MCSE estimate had sd 1.1% (worst 3.3%) of that over 200 seeds: 5% is 4.5 sd.
    """
    rho, n = 0.5, 25_000
    x = ar1(np.random.default_rng(81), 4, n, rho)
    k = np.arange(1, n)
    exact = np.sqrt((1 + 2 * np.sum((1 - k / n) * rho**k)) / (1 - rho**2) / n / 4)
    assert mcse(x) == pytest.approx(exact, rel=0.05)


def test_mcse_of_iid_median_matches_asymptotic_formula() -> None:
    """Independent N(0, 1) draws: MCSE of the median against sqrt(p(1-p)/S) / f(q_p).

    That is the large-sample standard deviation of a sample quantile. The MCSE estimate is a
    half-distance between two order statistics, itself noisy: over 200 seeds with S = 40,000
    its ratio to the formula had sd 7.7% (worst 24%), so the tolerance is 35%, 4.5 sd. A
    wrong Beta interval (e.g. two sds instead of one) would double it.
    """
    x = np.random.default_rng(91).standard_normal((4, 10_000))
    expected = np.sqrt(0.25 / x.size) / stats.norm.pdf(0.0)
    assert mcse(x, "quantile", prob=0.5) == pytest.approx(expected, rel=0.35)


def test_rank_methods_ignore_monotone_transformations() -> None:
    """Bulk and tail ESS and rank R-hat depend on the draws only through their ranks.

    exp() keeps every rank (and every quantile indicator), so the values must be unchanged,
    while the ESS of the mean, which sees the values, changes. Rounding only: 1e-10.
    """
    rng = np.random.default_rng(101)
    x = ar1(rng, 4, 800, 0.6)
    y = np.exp(2.0 * x)
    for method in ("bulk", "tail"):
        assert ess(y, method) == pytest.approx(ess(x, method), rel=1e-10)
    assert rhat(y, "rank") == pytest.approx(rhat(x, "rank"), rel=1e-10)
    assert ess(y, "mean") != pytest.approx(ess(x, "mean"), rel=0.01)


def test_summary_columns_equal_the_single_parameter_functions() -> None:
    """The vectorised summary gives, for each parameter, what ess/rhat/mcse give alone."""
    rng = np.random.default_rng(111)
    x = np.stack([ar1(rng, 3, 301, r) for r in (0.0, 0.5, 0.9, -0.4)], axis=-1)
    s = summary(x, ["p", "q", "r", "s"])
    for i, name in enumerate(s.names):
        xi = x[..., i]
        row = s.row(name)
        assert row["ess_bulk"] == pytest.approx(ess(xi, "bulk"), rel=1e-12)
        assert row["ess_tail"] == pytest.approx(ess(xi, "tail"), rel=1e-12)
        assert row["r_hat"] == pytest.approx(rhat(xi), rel=1e-12)
        assert row["mcse_mean"] == pytest.approx(mcse(xi), rel=1e-12)
        assert row["50%"] == pytest.approx(np.median(xi), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# The Summary object
# ---------------------------------------------------------------------------------------------


def test_summary_displays_as_text_and_html() -> None:
    """Text and HTML tables carry the names, fixed decimals and n/a for a missing R-hat."""
    x = np.random.default_rng(121).standard_normal((1, 400, 2)) + [0.0, 100.0]
    s = summary(x, ["mu", "<tau>"])
    text = str(s)
    assert text == repr(s) == str(s.table(2))
    lines = text.splitlines()
    assert len(lines) == 5 and lines[0] == "1 chain of 400 draws"
    assert lines[1].split() == ["mean", "sd", "2.5%", "25%", "50%", "75%", "97.5%",
                                "mcse_mean", "ess_bulk", "ess_tail", "r_hat"]
    assert set(lines[2]) == {"-", " "}
    assert lines[4].startswith("<tau>") and lines[4].endswith("n/a")
    assert len({len(line) for line in lines[1:]}) == 1  # numbers (and n/a) right-aligned
    assert f"{s.mean[1]:.2f}" in lines[4] and f"{s.mean[1]:.4f}" in str(s.table(4))
    html = s._repr_html_()
    assert "<table" in html and html.count("<tr") == 3 and html.count("<td") == 2 * 11
    assert html.count('<th scope="row"') == 2  # the names head their rows
    assert "&lt;τ&gt;" in html and "<tau>" not in html  # escaped, and tau shown as its letter
    assert "<caption>1 chain of 400 draws</caption>" in html
    assert ">n/a</td>" in html
    two = summary(np.random.default_rng(122).standard_normal((2, 10, 1)), ["a"])
    assert "2 chains of 10 draws" in two._repr_html_()
    with pytest.raises(ValueError, match="digits"):
        s.table(-1)


def test_summary_is_frozen() -> None:
    """The result cannot be changed after the fact, neither its fields nor its arrays."""
    s = summary(np.random.default_rng(131).standard_normal((2, 50, 1)), ["a"])
    assert isinstance(s, Summary)
    field = "mean"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(s, field, np.zeros(1))
    with pytest.raises(ValueError, match="read-only"):
        s.ess_bulk[0] = 1.0
    with pytest.raises(ValueError, match="name must be one of a"):
        s.row("b")


# ---------------------------------------------------------------------------------------------
# Validation at the boundary
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ess(np.zeros((2, 3))), "at least 4 draws per chain.*got 3"),
        (lambda: ess(np.ones((2, 2, 5))), r"shape \(chains, draws\).*\(2, 2, 5\)"),
        (lambda: ess([1.0, 2.0, np.nan, 4.0, 5.0]), r"finite.*x\[0, 2\] = nan"),
        (lambda: mcse([1.0, 2.0, 3.0, np.inf]), "finite"),
        (lambda: ess(np.zeros((0, 10))), "at least 1 chains; got 0"),
        (lambda: ess(np.ones(10), "median"), "method must be one of"),
        (lambda: ess(np.ones(10), "quantile"), "prob must be given"),
        (lambda: ess(np.ones(10), "quantile", prob=1.0), "strictly between 0 and 1"),
        (lambda: ess(np.ones(10), "bulk", prob=0.1), "prob applies only"),
        (lambda: mcse(np.ones(10), "quantile", prob=-0.1), "strictly between 0 and 1"),
        (lambda: mcse(np.ones(10), prob=0.5), "prob applies only"),
        (lambda: rhat(np.ones(10)), "at least 2 chains"),
        (lambda: rhat(np.ones((1, 10))), "at least 2 chains; got 1"),
        (lambda: rhat(np.ones((2, 3))), "at least 4 draws"),
        (lambda: rhat(np.ones((2, 8)), "folded"), "method must be one of"),
        (lambda: autocorrelation(np.ones((2, 8))), "constant chain"),
        (lambda: autocorrelation(np.arange(8.0), max_lag=8), r"max_lag.*\[0, 7\]"),
        (lambda: summary(np.ones((4, 10)), ["a"]), r"shape \(chains, draws, params\)"),
        (lambda: summary(np.ones((4, 10, 2)), ["a"]), "one name per parameter"),
        (lambda: summary(np.ones((4, 10, 2)), ["a", "a"]), "distinct"),
        (lambda: summary(np.ones((4, 3, 1)), ["a"]), "at least 4 draws per chain"),
        (lambda: summary(np.full((4, 10, 1), np.nan), ["a"]), r"draws\[0, 0, 0\]"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, message: str) -> None:
    """Each rule broken gives a ValueError naming the argument and the rule."""
    with pytest.raises(ValueError, match=message):
        call()


def test_minimum_draws_is_accepted() -> None:
    """Exactly MIN_DRAWS draws work (the boundary of the previous test) and match ArviZ."""
    x = np.random.default_rng(141).standard_normal((2, MIN_DRAWS))
    assert close(ess(x), float(az.ess(x)))
    assert close(rhat(x), float(az.rhat(x)))
