r"""The command line: the exact posterior of the hierarchical normal model for any data set.

``python -m eightschools summary FILE.csv [--json]`` (or the console script ``eightschools``)
reads a CSV file with the columns ``name,y,sigma`` and prints the pooled estimate, the posterior
mode of :math:`(\mu, \log\tau)` with its normal approximation, and the exact posterior of
:math:`\mu`, :math:`\tau` and every :math:`\theta_j` under a flat prior
(:mod:`eightschools.exact`); ``--help`` describes the input and the output. A file that cannot
be read or summarised prints one line on standard error and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from eightschools.data import MAX_CSV_BYTES, MAX_CSV_ROWS, SchoolData, load_csv
from eightschools.tables import Table

__all__ = ["JSON_INDENT_GROUPS", "MAX_GROUPS_P_BEST", "main", "summarise"]

#: Above this many groups ``--json`` prints compact JSON instead of indented JSON.
JSON_INDENT_GROUPS = 1000

#: Above this many groups the probability of being best (a J-dimensional integral) is skipped.
MAX_GROUPS_P_BEST = 1000

_DESCRIPTION = """\
Exact posterior of the hierarchical normal model
    y_j ~ N(theta_j, sigma_j^2),  theta_j ~ N(mu, tau^2),  p(mu, tau) flat,
for a CSV file of group estimates, computed by one-dimensional quadrature over log tau
(see the book, chapter 7).
"""

_EPILOG = f"""\
input:
  A CSV file whose header names the columns name,y,sigma (in any order; other columns are
  ignored; blank lines are skipped): one row per group, a distinct name, the estimate y and
  its standard error sigma > 0. At least 3 rows (with a flat prior on tau the posterior is
  improper for fewer). Read strictly: a regular file of UTF-8 text (a byte-order mark is
  allowed) of at most {MAX_CSV_BYTES // 2**20} MiB and {MAX_CSV_ROWS:,} rows; every row has
  as many cells as the header; numbers are plain ASCII decimal or scientific notation (-3,
  0.25, 1e-3; not 1,000, 2_8, nan or inf); names have no control characters.

output (table, or with --json one JSON object with these keys):
  pooled       mean, variance, Q, df, p_value: the precision-weighted pooled estimate and
               Cochran's homogeneity test (Q ~ chi-square with df = J - 1)
  mode         mu, log_tau: the posterior mode of (mu, log tau)
  laplace_cov  2x2 list: the covariance of the normal approximation at the mode
  mu, tau      mean, sd, q025, q25, q50, q75, q975 (exact)
  theta        an object keyed by group name, each with mean, sd, q025, q25, q50, q75,
               q975, shrinkage (E[B_j | y], B_j = sigma_j^2 / (sigma_j^2 + tau^2)) and
               p_best (the probability that this group has the largest effect)
  notes        a list of strings explaining every missing value (a number that is not
               finite is given as null, with a note)
  A moment that does not exist is null (with the flat prior the means of mu and tau need
  J >= 4 groups and their sds J >= 5). p_best is given for J <= 1000 groups, null above.
  Above 1000 groups the JSON is printed compact, on one line.

exit status:
  0 on success; 2 if the file cannot be read or is not valid (missing column, a cell
  that is not a number, sigma <= 0, fewer than 3 rows, repeated name, ...) or the
  posterior cannot be computed: one line on standard error names the problem.

example:
  python -m eightschools summary schools.csv --json
"""


def summarise(data: SchoolData) -> dict[str, object]:
    """Everything the command prints, as a JSON-ready dictionary (see ``--help``).

    Examples
    --------
    >>> from eightschools.data import eight_schools
    >>> out = summarise(eight_schools())
    >>> print(sorted(out), f"{out['theta']['A']['mean']:.3f}")
    ['laplace_cov', 'mode', 'mu', 'notes', 'pooled', 'tau', 'theta'] 11.400
    """
    # Imported here so that a bad file is reported without loading SciPy's optimisers.
    from eightschools.classical import homogeneity_test, pooled_estimate
    from eightschools.exact import exact_posterior
    from eightschools.laplace import laplace_fit

    y, sigma = data.y, data.sigma
    pooled = pooled_estimate(y, sigma)
    test = homogeneity_test(y, sigma)
    post = exact_posterior(y, sigma)
    summary = post.summary()
    notes = list(summary.notes)
    try:
        fit = laplace_fit(y, sigma)
        mode: dict[str, float | None] = {"mu": float(fit.mode[0]), "log_tau": float(fit.mode[1])}
        cov: list[list[float]] | None = fit.cov.tolist()
    except ValueError as err:
        mode, cov = {"mu": None, "log_tau": None}, None
        notes.append(f"no posterior mode of (mu, log tau) was found: {err}")
    if data.J <= MAX_GROUPS_P_BEST:
        p_best: list[float | None] = [float(p) for p in post.prob_best()]
    else:
        p_best = [None] * data.J
        notes.append(f"p_best is not computed for more than {MAX_GROUPS_P_BEST} groups "
                     f"(J = {data.J}): it needs a J-dimensional integral")
    keys = ("mean", "sd", "q025", "q25", "q50", "q75", "q975", "shrinkage")
    theta = {name: {k: float(getattr(summary.theta, k)[j]) for k in keys} | {"p_best": p_best[j]}
             for j, name in enumerate(data.names)}
    if post.tail_bound > 1e-10:
        notes.append(f"the quadrature grid leaves out a probability of at most "
                     f"{post.tail_bound:.1e}")
    return {
        "pooled": {"mean": pooled.mean, "variance": pooled.variance, "Q": test.statistic,
                   "df": test.df, "p_value": test.p_value},
        "mode": mode,
        "laplace_cov": cov,
        "mu": summary.mu.as_dict(),
        "tau": summary.tau.as_dict(),
        "theta": theta,
        "notes": notes,
    }


def _finite_summary(data: SchoolData) -> dict[str, Any]:
    """:func:`summarise`, with non-finite numbers made null and numerical warnings as notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # each warning once per place, however often
        out = summarise(data)
    bad: list[str] = []
    _nulls(out, "", bad)
    warned = dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, RuntimeWarning))
    out["notes"] += [f"the computation warned: {message}" for message in warned]
    if bad:
        more = ", ..." if len(bad) > 5 else ""
        out["notes"].append(f"{len(bad)} value(s) are not finite and are given as null: "
                            f"{', '.join(bad[:5])}{more}")
    return out


def _nulls(value: dict | list, where: str, bad: list[str]) -> None:
    """Replace, in place, each float in ``value`` that is not finite by None; list its place."""
    for key in value.keys() if isinstance(value, dict) else range(len(value)):
        item = value[key]
        if isinstance(item, float) and not math.isfinite(item):
            value[key] = None
            bad.append(f"{where}{key} ({item})"[-80:])
        elif isinstance(item, dict | list):
            _nulls(item, f"{where}{key}.", bad)


def _num(value: float | None, spec: str = ".3f") -> str:
    """``value`` in format ``spec``; in scientific notation from a million up; None as n/a."""
    if value is None:
        return "n/a"
    return format(value, spec if abs(value) < 1e6 else ".2e")


def _text(data: SchoolData, out: dict) -> str:
    """The summary as text: two lines, two tables and the notes."""
    pooled, mode, cov = out["pooled"], out["mode"], out["laplace_cov"]
    lines = [
        f"Exact posterior of the hierarchical normal model, flat prior on (mu, tau); "
        f"J = {data.J} groups",
        "",
        f"pooled estimate {_num(pooled['mean'])} (variance {_num(pooled['variance'])}); "
        f"homogeneity Q = {_num(pooled['Q'])} on {pooled['df']} df, "
        f"p = {_num(pooled['p_value'], '.4f')}",
    ]
    if mode["mu"] is not None:
        c = [_num(v) for row in cov for v in row]
        lines.append(f"posterior mode: mu = {_num(mode['mu'])}, log tau = "
                     f"{_num(mode['log_tau'])}; normal approximation covariance "
                     f"[[{c[0]}, {c[1]}], [{c[2]}, {c[3]}]]")
    labels = ["mean", "sd", "2.5%", "25%", "50%", "75%", "97.5%"]
    hyper = [[name, *out[name].values()] for name in ("mu", "tau")]
    lines += ["", str(Table(["", *labels], hyper, ["", *[_num] * 7]))]
    groups = [[name, float(data.y[j]), float(data.sigma[j]), *out["theta"][name].values()]
              for j, name in enumerate(data.names)]
    columns = ["group", "y", "sigma", *labels, "shrink", "P(best)"]
    lines += ["", str(Table(columns, groups, ["", *[_num] * 11]))]
    if out["notes"]:
        lines += ["", "notes:"] + [f"- {n}" for n in out["notes"]]
    lines += ["", "(shrink = E[sigma^2 / (sigma^2 + tau^2) | y]; P(best) = P(largest effect))"]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    text = {"description": _DESCRIPTION, "epilog": _EPILOG,
            "formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = argparse.ArgumentParser(prog="eightschools", **text)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    summary = sub.add_parser("summary", help="print the exact posterior of a name,y,sigma CSV file",
                             **text)
    summary.add_argument("file", metavar="FILE.csv", help="CSV file with columns name,y,sigma")
    summary.add_argument("--json", action="store_true",
                         help="print one JSON object instead of a table")
    return parser


def _fail(text: str) -> int:
    """Print one line on standard error (at most 300 characters); return the status 2."""
    line = " ".join(text.split())
    line = line if len(line) <= 300 else line[:297] + "..."
    print(f"eightschools summary: error: {line}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 2 for a bad file)."""
    args = _parser().parse_args(argv)
    label = args.file if args.file.isprintable() else ascii(args.file)
    try:
        data = load_csv(args.file)
        if data.J < 3:
            raise ValueError(f"{label}: at least 3 rows are needed; got {data.J} (with a flat "
                             "prior on tau the posterior is improper for fewer)")
    except OSError as err:
        return _fail(f"cannot read {label}: {err.strerror or err}")
    except ValueError as err:
        return _fail(str(err))
    try:
        out = _finite_summary(data)
        # Indented JSON for people; above JSON_INDENT_GROUPS, compact (and several times faster).
        indent = 2 if data.J <= JSON_INDENT_GROUPS else None
        text = json.dumps(out, indent=indent, allow_nan=False) if args.json else _text(data, out)
    except Exception as err:  # any failure of the numerics is still one line, never a traceback
        return _fail(f"{label}: the posterior could not be computed ({type(err).__name__}: {err})")
    try:
        print(text, flush=True)
    except BrokenPipeError:  # the reader stopped reading (say `| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
