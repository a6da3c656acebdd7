"""The blog post's Monte Carlo run, in R and replayed in Python.

tests/r/post_run.R is the post's R code (plots left out). R runs it once for this module and
prints every number as an exact hexadecimal float. The tests check that

(a) R still prints every number the post printed, to every digit the post shows;
(b) Python, drawing from RStream(11) (R's generator after ``set.seed(11)``), gets every one of
    the post's Monte Carlo numbers to the same digits, whether it starts from its own
    Nelder-Mead mode and covariance or from R's;
(c) with R's mode and covariance and R's order of floating-point operations, the replayed
    chain and school effects are R's bit for bit.

R must be installed, with LearnBayes (Debian: ``apt-get install r-base-core
r-cran-learnbayes``); without it these tests fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import rankdata

from eightschools.laplace import nelder_mead_fit
from eightschools.metropolis import rwmetrop
from eightschools.posterior import LogPosterior, log_posterior
from eightschools.rstream import RStream
from rscript import run_r_script

POST_RUN_R = Path(__file__).resolve().parent / "r" / "post_run.R"
Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
ITERS, BURN_IN = 10_000, 5_000

# Every number the post printed in its output blocks, exactly as printed (matrices column by
# column): its separate and pooled estimates, optim()'s mode and covariance, and the Monte Carlo
# numbers of its run from set.seed(11).
POST = {
    "q_025": "-1.39946 -11.59964 -34.35942 -14.55960 -18.63968 -20.55960 -1.59964 -23.27935",
    "q_975": "57.39946 27.59964 28.35942 28.55960 16.63968 22.55960 37.59964 47.27935",
    "pooled_mean": "7.68561672495604",
    "pooled_var": "16.58053",
    "post_mode": "7.926685 1.841525",
    "post_cov": "22.3232882 0.1935228 0.1935228 0.5352576",
    "accept": "0.3288",
    "theta_mean": "11.226786 7.812253 6.078697 7.609353 5.162853 6.231208 10.340858 8.490497",
    "theta_sd": "8.510583 6.185383 7.993831 6.515474 6.381664 6.729192 6.990141 8.045273",
    "shrink": "0.8328975 0.7376910 0.8458181 0.7620532 0.7096051 0.7620532 0.7376910 0.8676774",
    "rank_shrink": "6.0 2.5 7.0 4.5 1.0 4.5 2.5 8.0",
    "rank_sigma": "6.0 2.5 7.0 4.5 1.0 4.5 2.5 8.0",
    "p_A_above_28": "0.0468",
    "p_A_above": "0.6346 0.6800 0.6382 0.7162 0.6804 0.5382 0.5994",  # schools B to H
}
MONTE_CARLO = ["accept", "theta_mean", "theta_sd", "shrink", "rank_shrink", "p_A_above_28",
               "p_A_above"]  # fmt: skip


def as_printed(values: np.ndarray, printed: str) -> str:
    """``values`` rounded to the decimals of each number in ``printed``, as R prints them."""
    words = printed.split()
    assert len(words) == len(values), f"{len(values)} values for {len(words)} printed numbers"
    return " ".join(f"{v:.{len(w.partition('.')[2])}f}" for v, w in zip(values, words, strict=True))


# --------------------------------------------------------------------------- the R run
@pytest.fixture(scope="module")
def r_output() -> str:
    return run_r_script(POST_RUN_R)


@pytest.fixture(scope="module")
def r_run(r_output) -> dict[str, np.ndarray]:
    """Every quantity post_run.R printed (lines ``name | hex hex ...``), as float arrays."""
    out = {}
    for line in r_output.splitlines():
        if " | " in line and not line.startswith("#"):
            name, values = line.split(" | ", 1)
            out[name] = np.array([float.fromhex(v) for v in values.split()])
    return out


# --------------------------------------------------------------------------- the replay
def _cholesky_like_r(cov: np.ndarray) -> np.ndarray:
    """The lower Cholesky factor of a 2 x 2 ``cov``, rounded as R's ``t(chol(cov))``."""
    l00 = math.sqrt(cov[0, 0])
    l10 = cov[1, 0] / l00
    return np.array([[l00, 0.0], [l10, math.sqrt(cov[1, 1] - l10 * l10)]])


def _replay_rwmetrop(
    logpdf: Callable[[np.ndarray], float],
    start: np.ndarray,
    cov: np.ndarray,
    scale: float,
    n_iter: int,
    rng: RStream,
) -> tuple[np.ndarray, float]:
    """LearnBayes ``rwmetrop`` transcribed with R's rounding: the draws and acceptance rate.

    The book's ``eightschools.metropolis.rwmetrop`` makes the same decisions (tested below),
    but numpy's Cholesky and ``@`` run in OpenBLAS, which fuses multiply and add (one rounding
    for ``a * b + c``), while R's reference LAPACK and BLAS round the product and the sum
    separately; so its draws differ from R's in the last bits. This transcription rounds as R
    does, to show that the replay is R's run bit for bit. Like R, it draws ``u`` only when the
    log ratio is not NaN, and it accepts when ``log(u) < log_ratio`` (R: ``u < exp(...)``; the
    two differ only if ``u`` is within rounding of the ratio).
    """
    d = len(start)
    chol = _cholesky_like_r(cov)
    current = np.array(start, dtype=np.float64)
    log_current = logpdf(current)
    draws = np.empty((n_iter, d))
    accepted = 0
    for i in range(n_iter):
        z = rng.standard_normal(d)
        # R's dgemv adds column by column: (L[:, 0] * z[0]) + (L[:, 1] * z[1]).
        proposal = current + scale * (chol[:, 0] * z[0] + chol[:, 1] * z[1])
        log_proposal = logpdf(proposal)
        log_ratio = log_proposal - log_current
        if not math.isnan(log_ratio) and math.log(rng.random()) < log_ratio:
            current, log_current = proposal, log_proposal
            accepted += 1
        draws[i] = current
    return draws, accepted / n_iter


def _exp(x: np.ndarray) -> np.ndarray:
    """``exp`` from the C library, as R computes it (numpy's may differ in the last bit)."""
    return np.array([math.exp(v) for v in x.tolist()])


def post_monte_carlo(lambda_samples: np.ndarray, rng: RStream) -> dict[str, np.ndarray]:
    """The post's code after the chain, in Python: school effects, shrinkage, probabilities."""
    mu, tau2 = lambda_samples[:, 0], _exp(2 * lambda_samples[:, 1])
    theta_all = np.empty((len(lambda_samples), 8))
    for j in range(8):  # schools in order, 5,000 draws each, as the post's loop
        s2 = SIGMA[j] * SIGMA[j]
        theta_hat = ((Y[j] / s2) + (mu / tau2)) / ((1 / s2) + (1 / tau2))
        v = 1 / (1 / s2 + 1 / tau2)
        theta_all[:, j] = rng.normal(theta_hat, np.sqrt(v))
    inv_tau2 = (1 / _exp(lambda_samples[:, 1])) ** 2
    shrink = np.array([np.mean(inv_tau2 / (inv_tau2 + 1 / (s * s))) for s in SIGMA])
    return {
        "theta_all": theta_all,
        "theta_mean": theta_all.mean(axis=0),
        "theta_sd": theta_all.std(axis=0, ddof=1),
        "shrink": shrink,
        "rank_shrink": rankdata(shrink),  # average ranks for ties, as R's rank()
        "p_A_above_28": np.array([np.mean(theta_all[:, 0] > 28)]),
        "p_A_above": np.array([np.mean(theta_all[:, 0] > theta_all[:, j]) for j in range(1, 8)]),
    }


def replay(mode: np.ndarray, cov: np.ndarray, *, r_arithmetic: bool = False) -> dict:
    """The post's run from ``set.seed(11)`` on, in Python."""
    rng = RStream(11)

    if r_arithmetic:

        def logpdf(lam: np.ndarray) -> float:
            return float(log_posterior(lam, Y, SIGMA))

        chain, accept = _replay_rwmetrop(logpdf, mode, cov, 2.0, ITERS, rng)
    else:  # the book's own sampler
        fit = rwmetrop(LogPosterior(Y, SIGMA), mode, cov, 2.0, ITERS, rng)
        chain, accept = fit.draws[0], float(fit.accept_rate[0])
    return {"chain": chain, "accept": np.array([accept])} | post_monte_carlo(chain[BURN_IN:], rng)


@pytest.fixture(scope="module")
def replays(r_run) -> dict[str, dict]:
    ours = nelder_mead_fit(Y, SIGMA)
    r_cov = r_run["post_cov"].reshape(2, 2, order="F")
    return {
        "our mode and cov": replay(ours.mode, ours.cov),
        "R's mode and cov": replay(r_run["post_mode"], r_cov),
    }


# --------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("name", list(POST))
def test_r_reproduces_the_post(r_run, name):
    assert as_printed(r_run[name], POST[name]) == POST[name]


@pytest.mark.parametrize("start", ["our mode and cov", "R's mode and cov"])
@pytest.mark.parametrize("name", MONTE_CARLO)
def test_python_replay_prints_what_r_printed(replays, start, name):
    assert as_printed(replays[start][name], POST[name]) == POST[name]


@pytest.mark.parametrize("start", ["our mode and cov", "R's mode and cov"])
def test_replay_accepts_the_same_proposals_as_r(r_run, replays, start):
    r_chain = np.column_stack([r_run["chain_lambda1"], r_run["chain_lambda2"]])
    chain = replays[start]["chain"]
    moved_r = np.any(np.diff(r_chain, axis=0) != 0, axis=1)
    moved = np.any(np.diff(chain, axis=0) != 0, axis=1)
    assert np.array_equal(moved, moved_r)
    # Same decisions, proposals a rounding (or, from our covariance, ~1e-7) apart:
    assert np.abs(chain - r_chain).max() < (1e-12 if start.startswith("R") else 1e-5)


def test_replay_is_r_bit_for_bit_with_r_arithmetic(r_output, r_run):
    # This assumes R runs the reference BLAS and LAPACK (Debian's default), which do not fuse
    # multiply and add; the first line of post_run.R's output names the libraries.
    about_r = r_output.splitlines()[0]
    r_cov = r_run["post_cov"].reshape(2, 2, order="F")
    r_chol = r_run["chol_lower"].reshape(2, 2, order="F")
    assert np.array_equal(_cholesky_like_r(r_cov), r_chol), about_r
    got = replay(r_run["post_mode"], r_cov, r_arithmetic=True)
    r_chain = np.column_stack([r_run["chain_lambda1"], r_run["chain_lambda2"]])
    assert np.array_equal(got["chain"], r_chain), about_r
    r_theta = np.column_stack([r_run[f"theta_all_{j}"] for j in range(1, 9)])
    assert np.array_equal(got["theta_all"], r_theta), about_r
    # mean() and sd() sum in a different order than R's (long double) loops: rounding only.
    for name in ["theta_mean", "theta_sd", "shrink"]:
        np.testing.assert_allclose(got[name], r_run[name], rtol=1e-13, atol=0)


def test_log_posterior_is_the_posts_logpost(r_run):
    """The book's log posterior, Jacobian term included, is the post's ``logpost``."""
    r_chain = np.column_stack([r_run["chain_lambda1"], r_run["chain_lambda2"]])
    points = np.vstack([r_chain[::97], [[0.0, 0.0], [28.0, -3.0], [-10.0, 4.0]]])
    got = log_posterior(points, Y, SIGMA)
    np.testing.assert_allclose(got, r_run["logpost_at"], rtol=1e-14, atol=1e-14)
