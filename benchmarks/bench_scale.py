"""How the cost of the posterior, the Laplace fit and the exact summary grows with J.

Run by hand, not by the test suite:

    .venv/bin/python benchmarks/bench_scale.py            # J = 8 ... 1,000,000
    .venv/bin/python benchmarks/bench_scale.py --max-j 100000

Synthetic data for each J (seeded): sigma_j ~ U(5, 20), theta_j ~ N(5, 10^2),
y_j ~ N(theta_j, sigma_j^2), so the true tau is 10 and the posterior of log tau narrows like
1/sqrt(J). For each J it times, best of a few repeats:

1. ``log_posterior`` at 100 points (mu, log tau) at once;
2. ``laplace_fit`` (Newton's method from the pooled mean);
3. the exact summary: ``exact_posterior(y, sigma).summary()``, every field the command line
   prints except p_best (means, sds, quantiles of mu, tau and each theta_j, shrinkage);
4. for J <= 1,000, ``prob_best`` (the command line's limit).

Target (issue 9): cost linear in J, and the exact summary for J = 100,000 in under 10 s on
the book's 2-core machine. The last column divides the time by J: roughly constant once the
fixed costs are amortised means linear.

It also measures, for the eight schools, effective draws per second of the post's
random-walk Metropolis run against the independent sampler of ``eightschools.exact``
(ESS from ``eightschools.diagnostics.ess``, bulk), which chapter 7 reports per draw.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from eightschools.data import eight_schools
from eightschools.diagnostics import ess
from eightschools.exact import exact_posterior
from eightschools.laplace import laplace_fit
from eightschools.metropolis import rwmetrop
from eightschools.posterior import LogPosterior, log_posterior

TARGET_SECONDS_100K = 10.0


def best_time(fn: Callable[[], object], repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def synthetic(J: int, seed: int = 20261124) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sigma = rng.uniform(5.0, 20.0, J)
    y = rng.normal(rng.normal(5.0, 10.0, J), sigma)
    return y, sigma


PTS = np.column_stack([np.linspace(0.0, 10.0, 100), np.linspace(0.0, 3.0, 100)])


def scale_table(js: list[int]) -> None:
    print(f"{'J':>9} {'log_posterior':>14} {'laplace_fit':>12} {'exact summary':>14} "
          f"{'us per group':>13} {'prob_best':>10}")
    for J in js:
        y, sigma = synthetic(J)
        repeats = 5 if J <= 10_000 else (2 if J <= 100_000 else 1)
        t_lp = best_time(lambda y=y, sigma=sigma: log_posterior(PTS, y, sigma), repeats)
        t_lf = best_time(lambda y=y, sigma=sigma: laplace_fit(y, sigma), repeats)
        t_ex = best_time(lambda y=y, sigma=sigma: exact_posterior(y, sigma).summary(), repeats)
        if J <= 1000:
            post = exact_posterior(y, sigma)
            t_pb = f"{best_time(post.prob_best, 1 if J > 100 else repeats):9.3f}s"
        else:
            t_pb = "—".rjust(10)
        verdict = ""
        if J == 100_000:
            ok = t_ex < TARGET_SECONDS_100K
            verdict = f"  [target < {TARGET_SECONDS_100K:.0f} s: {'met' if ok else 'NOT met'}]"
        print(f"{J:>9,} {t_lp:13.4f}s {t_lf:11.4f}s {t_ex:13.3f}s "
              f"{1e6 * t_ex / J:13.2f} {t_pb}{verdict}")


def effective_draws_per_second(n: int = 100_000, repeats: int = 3) -> None:
    d = eight_schools()
    fit = laplace_fit(d.y, d.sigma)
    logpost = LogPosterior(d.y, d.sigma)

    def metropolis():
        return rwmetrop(logpost, fit.mode, fit.cov, 2.0, n, np.random.default_rng(11))

    post = exact_posterior(d.y, d.sigma)

    def independent():
        return post.sample(n, np.random.default_rng(11))

    t_m = best_time(metropolis, repeats)
    t_i = best_time(independent, repeats)
    chain = metropolis().draws[0]
    draws = independent()
    print(f"\neight schools, {n:,} draws each (best of {repeats}):")
    for label, x_mu, x_lt, t in (
        ("Metropolis (post's settings)", chain[:, 0], chain[:, 1], t_m),
        ("independent (exact sampler)", draws.mu, np.log(draws.tau), t_i),
    ):
        e_mu = ess(x_mu[None, :])
        e_lt = ess(x_lt[None, :])
        print(f"  {label:30s} {t:7.3f} s; ESS mu {e_mu:9,.0f} ({e_mu / t:12,.0f}/s), "
              f"log tau {e_lt:9,.0f} ({e_lt / t:12,.0f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-j", type=int, default=1_000_000, help="largest J to time")
    args = parser.parse_args()
    js = [j for j in (8, 100, 1_000, 10_000, 100_000, 1_000_000) if j <= args.max_j]
    scale_table(js)
    effective_draws_per_second()


if __name__ == "__main__":
    main()
