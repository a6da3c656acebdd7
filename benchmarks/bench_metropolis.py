"""Speed of eightschools.metropolis.rwmetrop on the eight-schools posterior of (mu, log tau).

Run by hand, not by the test suite:

    .venv/bin/python benchmarks/bench_metropolis.py

It measures, on the log density of eightschools.posterior.LogPosterior, with the post's
proposal (Laplace covariance, scale 2):

1. one chain x 100,000 iterations through the scalar fast path
   (target: at least 200,000 proposals per second on the book's 2-core machine);
2. the same chain through the vectorised path, to show what the fast path buys;
3. 1,000 chains x 10,000 iterations at once, vectorised, with a helper thread drawing the
   next block of random numbers while the chains step through the current one
   (target: at least 10 million proposals per second across the chains);

and for each, the effective draws per second of mu and log tau (ESS from arviz.ess,
bulk and mean), which is what speed is for. Each timing is the best of a few repeats,
so that a busy machine does not understate the sampler.
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
from eightschools.metropolis import MetropolisResult, block_length, rwmetrop
from eightschools.posterior import LogPosterior

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # ArviZ's notice of its coming refactor
    import arviz as az

TARGET_ONE_CHAIN = 200_000.0
TARGET_MANY_CHAINS = 10_000_000.0


def timed(run: Callable[[], MetropolisResult], repeats: int) -> tuple[MetropolisResult, float]:
    """Return the result of the last run and the best wall time in seconds."""
    best = np.inf
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    assert result is not None
    return result, best


def effective_rates(fit: MetropolisResult, seconds: float) -> str:
    parts = []
    for i, name in enumerate(("mu", "log tau")):
        x = fit.draws[:, :, i]
        bulk = float(az.ess(x, method="bulk"))
        mean = float(az.ess(x, method="mean"))
        parts.append(
            f"{name}: ESS bulk {bulk:,.0f} ({bulk / seconds:,.0f}/s), mean {mean:,.0f}"
        )
    return "; ".join(parts)


def report(label: str, fit: MetropolisResult, seconds: float, target: float | None) -> None:
    proposals = fit.n_chains * fit.n_iter
    rate = proposals / seconds
    verdict = ""
    if target is not None:
        verdict = f"  [target {target:,.0f}/s: {'met' if rate >= target else 'NOT met'}]"
    print(f"{label}: {proposals:,} proposals in {seconds:.3f} s = {rate:,.0f}/s{verdict}")
    print(f"    acceptance {fit.accept_rate.mean():.4f}; {effective_rates(fit, seconds)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    data = eight_schools()
    logpost = LogPosterior(data.y, data.sigma)
    laplace = laplace_fit(data.y, data.sigma)
    mode, cov = laplace.mode, laplace.cov
    seed = args.seed

    def vector_only(lam: np.ndarray) -> np.ndarray:
        return logpost(lam)

    fast, t_fast = timed(
        lambda: rwmetrop(logpost, mode, cov, 2.0, 100_000, np.random.default_rng(seed)),
        args.repeats,
    )
    report("1 chain x 100,000, scalar fast path", fast, t_fast, TARGET_ONE_CHAIN)

    slow, t_slow = timed(
        lambda: rwmetrop(vector_only, mode, cov, 2.0, 100_000, np.random.default_rng(seed)),
        1,
    )
    report("1 chain x 100,000, vectorised path", slow, t_slow, None)
    same = np.array_equal(fast.draws, slow.draws)
    print(f"    fast path {t_slow / t_fast:.1f}x faster; same draws as vectorised: {same}")

    starts = laplace.sample(1_000, np.random.default_rng(seed + 1))
    many, t_many = timed(
        lambda: rwmetrop(logpost, starts, cov, 2.0, 10_000, np.random.default_rng(seed)),
        args.repeats,
    )
    report("1,000 chains x 10,000, vectorised", many, t_many, TARGET_MANY_CHAINS)


    # Where the time goes: the parts no sampler can avoid, timed alone.
    def density_only() -> None:
        for _ in range(10_000):
            logpost(starts)

    def random_only() -> None:
        rng = np.random.default_rng(seed)
        for _ in range(-(-10_000 // block_length(1_000, 2))):
            rng.standard_normal((block_length(1_000, 2), 1_000, 2))
            rng.random((block_length(1_000, 2), 1_000))

    t_density = min(timed_plain(density_only) for _ in range(args.repeats))
    t_random = min(timed_plain(random_only) for _ in range(args.repeats))
    print(
        f"    of which: log density alone {t_density:.3f} s; the rest of each step "
        f"{(t_many - t_density) / 10_000 * 1e6:.0f} us for 1,000 chains. Drawing z and u "
        f"alone takes {t_random:.3f} s, on the helper thread while the chains step"
    )
    # The runs above free each output before the next run allocates its own, so the memory
    # is often recycled. Keeping every output alive makes each run write 250 MB of fresh
    # memory, as a first run in a new process does: the slower, but honest, case.
    kept = []
    seconds = []
    for _ in range(max(args.repeats, 5)):
        t0 = time.perf_counter()
        kept.append(rwmetrop(logpost, starts, cov, 2.0, 10_000, np.random.default_rng(seed)))
        seconds.append(time.perf_counter() - t0)
    rates = 1e7 / np.array(seconds)
    print(
        f"    with every output kept (fresh memory each run): {rates.min():,.0f} to "
        f"{rates.max():,.0f}/s over {rates.size} runs, median {np.median(rates):,.0f}/s"
    )
    del kept
    print(f"    load average while running: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def timed_plain(run: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
