"""How the cost of the command, the exact summary and the Laplace fit grows with J.

Run by hand, not by the test suite:

    .venv/bin/python benchmarks/bench_scale.py            # J = 8 ... 1,000,000
    .venv/bin/python benchmarks/bench_scale.py --max-j 100000

Synthetic data for each J (seeded): sigma_j ~ U(5, 20), theta_j ~ N(5, 10^2),
y_j ~ N(theta_j, sigma_j^2), so the true tau is 10 and the posterior of log tau narrows like
1/sqrt(J).

1. The command, as a reader runs it: ``python -m eightschools summary FILE.csv --json`` on a
   generated file, in a fresh process (Python start-up included), its wall time and peak
   resident memory. Targets (the issue): J = 1,000 with P(best) in at most 2 s; J = 100,000
   in at most 3 s; J = 1,000,000 in at most 30 s and 1.5 GB.
2. Where the command's time goes, in one process: reading the file (``load_csv``), the
   numbers (``summarise``: the classical, exact and Laplace results and P(best)) and the
   JSON text (``json.dumps``, compact, as the command prints it above 1,000 groups).
3. The pieces, best of a few repeats: ``log_posterior`` at 100 points, ``laplace_fit``,
   ``exact_posterior(y, sigma).summary()`` and, for J <= 1,000 (the command's limit),
   ``prob_best``. The last column divides the summary's time by J: roughly constant means
   linear cost.

It also measures, for the eight schools, effective draws per second of the post's
random-walk Metropolis run against the independent sampler of ``eightschools.exact``
(ESS from ``eightschools.diagnostics.ess``, bulk), which chapter 7 reports per draw.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from eightschools.__main__ import summarise
from eightschools.data import eight_schools, load_csv
from eightschools.diagnostics import ess
from eightschools.exact import exact_posterior
from eightschools.laplace import laplace_fit
from eightschools.metropolis import rwmetrop
from eightschools.posterior import LogPosterior, log_posterior

# J: (seconds, megabytes or None) for the whole command
TARGETS = {1_000: (2.0, None), 100_000: (3.0, None), 1_000_000: (30.0, 1500.0)}

# Runs the command in a child and reports the child's wall time and peak RSS (Linux: KB).
_RUN_CHILD = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run([sys.executable, "-m", "eightschools", "summary", sys.argv[1], "--json"],
               stdout=subprocess.DEVNULL, check=True)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


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


def write_csv(path: Path, y: np.ndarray, sigma: np.ndarray) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("name,y,sigma\n")
        rows = enumerate(zip(y.tolist(), sigma.tolist(), strict=True))
        f.writelines(f"g{j},{a!r},{b!r}\n" for j, (a, b) in rows)


def command_table(js: list[int], folder: Path) -> None:
    print(f"{'J':>9} {'command':>9} {'peak RSS':>10}   target        "
          f"{'read':>7} {'numbers':>8} {'JSON':>7}")
    for J in js:
        path = folder / f"groups_{J}.csv"
        write_csv(path, *synthetic(J))
        out = subprocess.run([sys.executable, "-c", _RUN_CHILD, str(path)],
                             capture_output=True, text=True, check=True).stdout.split()
        seconds, megabytes = float(out[0]), float(out[1]) / 1024
        t0 = time.perf_counter()
        data = load_csv(path)
        t1 = time.perf_counter()
        numbers = summarise(data)
        t2 = time.perf_counter()
        json.dumps(numbers, allow_nan=False)
        t3 = time.perf_counter()
        target_s, target_mb = TARGETS.get(J, (None, None))
        verdict = ""
        if target_s is not None:
            ok = seconds <= target_s and (target_mb is None or megabytes <= target_mb)
            limit = f"{target_s:.0f} s" + (f", {target_mb:.0f} MB" if target_mb else "")
            verdict = f"<= {limit}: {'met' if ok else 'NOT met'}"
        print(f"{J:>9,} {seconds:8.2f}s {megabytes:8.0f} MB   {verdict:13s} "
              f"{t1 - t0:6.2f}s {t2 - t1:7.2f}s {t3 - t2:6.2f}s")


PTS = np.column_stack([np.linspace(0.0, 10.0, 100), np.linspace(0.0, 3.0, 100)])


def scale_table(js: list[int]) -> None:
    print(f"\n{'J':>9} {'log_posterior':>14} {'laplace_fit':>12} {'exact summary':>14} "
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
        print(f"{J:>9,} {t_lp:13.4f}s {t_lf:11.4f}s {t_ex:13.3f}s "
              f"{1e6 * t_ex / J:13.2f} {t_pb}")


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
    with tempfile.TemporaryDirectory() as folder:
        command_table([j for j in TARGETS if j <= args.max_j], Path(folder))
    scale_table([j for j in (8, 100, 1_000, 10_000, 100_000, 1_000_000) if j <= args.max_j])
    effective_draws_per_second()


if __name__ == "__main__":
    main()
