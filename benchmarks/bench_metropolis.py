"""Speed of eightschools.metropolis.rwmetrop against a plain numpy loop written here.

Run by hand, not by the test suite:

    .venv/bin/python benchmarks/bench_metropolis.py

The book's sampler is written to be read, not to be fast. This script checks that reading
costs little: on the eight-schools log density (eightschools.posterior.LogPosterior) with
the post's proposal (Laplace covariance, scale 2) it times

1. one chain x 20,000 iterations, and
2. 1,000 chains x 2,000 iterations at once,

for the package's rwmetrop and for `reference`, the shortest numpy loop that does the same
job with no validation and no bookkeeping (target: rwmetrop at least half as fast). It
reports proposals per second and effective draws per second of mu and log tau (ESS from
arviz.ess, bulk), which is what speed is for. Each timing is the best of a few repeats, so
that a busy machine does not understate either sampler.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable

import numpy as np

from eightschools.data import eight_schools
from eightschools.laplace import laplace_fit
from eightschools.metropolis import rwmetrop
from eightschools.posterior import LogPosterior

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # ArviZ's notice of its coming refactor
    import arviz as az


def reference(logpdf, start, cov, scale, n_iter, rng):
    """The plainest random-walk Metropolis: no checks, nothing kept but the draws."""
    chol = np.linalg.cholesky(cov)
    x = np.atleast_2d(start).copy()
    lp = logpdf(x)
    draws = np.empty((x.shape[0], n_iter, x.shape[1]))
    for t in range(n_iter):
        prop = x + scale * rng.standard_normal(x.shape) @ chol.T
        lp_prop = logpdf(prop)
        ok = np.log(rng.random(x.shape[0])) < lp_prop - lp
        x[ok], lp[ok] = prop[ok], lp_prop[ok]
        draws[:, t] = x
    return draws


def best_time(run: Callable[[], object], repeats: int) -> tuple[object, float]:
    """Return the result of the last run and the best wall time in seconds."""
    best, result = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return result, best


def ess_rates(draws: np.ndarray, seconds: float) -> str:
    parts = []
    for i, name in enumerate(("mu", "log tau")):
        bulk = float(az.ess(draws[:, :, i], method="bulk"))
        parts.append(f"{name} {bulk / seconds:,.0f} effective draws/s")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    data = eight_schools()
    logpost = LogPosterior(data.y, data.sigma)
    laplace = laplace_fit(data.y, data.sigma)
    many_starts = laplace.sample(1_000, np.random.default_rng(args.seed + 1))
    cases = [("1 chain x 20,000", laplace.mode, 20_000), ("1,000 chains x 2,000", many_starts,
                                                          2_000)]
    for label, start, n_iter in cases:
        fit, t_book = best_time(
            lambda s=start, n=n_iter: rwmetrop(
                logpost, s, laplace.cov, 2.0, n, np.random.default_rng(args.seed)
            ),
            args.repeats,
        )
        ref, t_ref = best_time(
            lambda s=start, n=n_iter: reference(
                logpost, s, laplace.cov, 2.0, n, np.random.default_rng(args.seed)
            ),
            args.repeats,
        )
        proposals = fit.draws.shape[0] * n_iter
        ratio = t_ref / t_book
        verdict = "met" if ratio >= 0.5 else "NOT met"
        print(f"{label}:")
        book_rates, ref_rates = ess_rates(fit.draws, t_book), ess_rates(ref, t_ref)
        print(f"    rwmetrop  {proposals / t_book:>12,.0f} proposals/s; {book_rates}")
        print(f"    reference {proposals / t_ref:>12,.0f} proposals/s; {ref_rates}")
        print(f"    rwmetrop runs at {ratio:.2f} x the reference's speed [target 0.5: {verdict}]")
        same = np.allclose(fit.draws, ref, rtol=1e-12, atol=1e-12)
        print(f"    same draws as the reference: {same}")
    print(f"load average while running: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
