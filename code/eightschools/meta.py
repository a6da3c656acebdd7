r"""A second data set for the whole method: the BCG vaccine trials, from their 2x2 counts.

Thirteen controlled trials of the BCG vaccine against tuberculosis, collected in the
meta-analysis of Colditz et al. (1994), each report four counts: vaccinated people who did
(``tpos``) and did not (``tneg``) develop tuberculosis, and the same for the controls (``cpos``,
``cneg``). The effect of trial :math:`j` is its log relative risk,

.. math::

    y_j = \log\frac{a_j}{a_j + b_j} - \log\frac{c_j}{c_j + d_j},

with :math:`(a, b, c, d) = (\text{tpos}, \text{tneg}, \text{cpos}, \text{cneg})`, and its
squared standard error is the delta-method variance of a log ratio of two binomial
proportions,

.. math::

    \sigma_j^2 = \frac{1}{a_j} - \frac{1}{a_j + b_j} + \frac{1}{c_j} - \frac{1}{c_j + d_j}.

A negative :math:`y_j` means fewer cases among the vaccinated: the vaccine helped. With
several hundred or thousand people per arm, :math:`y_j` is close to normal with a known
:math:`\sigma_j`, which is exactly the setting of the eight schools, so the hierarchical
model applies unchanged.

The counts live in ``chapters/data/bcg.csv`` (columns ``trial,year,tpos,tneg,cpos,cneg,
latitude``; latitude is the trial site's absolute latitude in degrees, the moderator studied
by Colditz et al.).

References
----------
Colditz, G. A., Brewer, T. F., Berkey, C. S., et al. (1994). Efficacy of BCG vaccine in the
prevention of tuberculosis: meta-analysis of the published literature. *JAMA* 271(9), 698-702.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eightschools.data import DATA_DIR, SchoolData, parse_float, read_csv_table

__all__ = ["BCG_CSV", "TrialData", "load_bcg", "load_trials_csv", "log_relative_risk"]

#: The BCG trials' CSV file, with the header ``trial,year,tpos,tneg,cpos,cneg,latitude``.
BCG_CSV: Path = DATA_DIR / "bcg.csv"

_COUNT_NAMES = ("tpos", "tneg", "cpos", "cneg")
_COLUMNS = ("trial", "year", *_COUNT_NAMES, "latitude")


def _check_counts(counts: dict[str, ArrayLike]) -> dict[str, NDArray[np.int64]]:
    """Validate the four count arrays: same 1-D shape, non-negative integers, no zero events."""
    out: dict[str, NDArray[np.int64]] = {}
    for name, value in counts.items():
        arr = np.asarray(value)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional; it has shape {arr.shape}")
        if arr.dtype == np.bool_ or not (
            np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
        ):
            raise ValueError(f"{name} must hold integer counts; got dtype {arr.dtype}")
        if np.issubdtype(arr.dtype, np.floating):
            bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
            if bad.size:
                raise ValueError(
                    f"{name} must hold whole numbers (counts); {name}[{bad[0]}] = {arr[bad[0]]}"
                )
        arr = arr.astype(np.int64)
        bad = np.flatnonzero(arr < 0)
        if bad.size:
            raise ValueError(f"{name} must be >= 0 (a count); {name}[{bad[0]}] = {arr[bad[0]]}")
        out[name] = arr
    shapes = {name: arr.shape for name, arr in out.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"tpos, tneg, cpos and cneg must have the same length; got {shapes}")
    for name in ("tpos", "cpos"):
        zero = np.flatnonzero(out[name] == 0)
        if zero.size:
            raise ValueError(
                f"{name}[{zero[0]}] = 0: a trial with no cases in an arm has an infinite log "
                "relative risk and variance; drop the trial or add a continuity correction "
                "(for example 0.5 to every cell) before calling"
            )
    return out


def log_relative_risk(
    tpos: ArrayLike, tneg: ArrayLike, cpos: ArrayLike, cneg: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Log relative risks of the treated against the controls, and their standard errors.

    For each trial, with :math:`a, b` the treated arm's cases and non-cases and :math:`c, d`
    the control arm's,

    .. math::

        y = \log\frac{a}{a + b} - \log\frac{c}{c + d}, \qquad
        \sigma^2 = \frac{1}{a} - \frac{1}{a + b} + \frac{1}{c} - \frac{1}{c + d}.

    Parameters
    ----------
    tpos, tneg, cpos, cneg : array_like of int, shape (J,)
        The counts :math:`a, b, c, d`, non-negative whole numbers; ``tpos`` and ``cpos``
        (the cases) must be positive.

    Returns
    -------
    y, sigma : numpy.ndarray, shape (J,)
        The log relative risks and their standard errors.

    Raises
    ------
    ValueError
        If the arrays are not one-dimensional or differ in length, a count is negative or
        not a whole number, or an arm has no cases (its log risk would be infinite).

    References
    ----------
    Colditz et al. (1994); the variance is the usual delta-method one for a log risk ratio
    (e.g. Borenstein et al., *Introduction to Meta-Analysis*, 2009, section 5).

    Examples
    --------
    The first trial (Aronson 1948):

    >>> y, sigma = log_relative_risk([4], [119], [11], [128])
    >>> print(f"{y[0]:.4f} {sigma[0] ** 2:.4f}")
    -0.8893 0.3256
    """
    c = _check_counts({"tpos": tpos, "tneg": tneg, "cpos": cpos, "cneg": cneg})
    a, b, cc, d = (c[k].astype(np.float64) for k in _COUNT_NAMES)
    n_t, n_c = a + b, cc + d
    y = (np.log(a) - np.log(n_t)) - (np.log(cc) - np.log(n_c))
    var = 1.0 / a - 1.0 / n_t + 1.0 / cc - 1.0 / n_c
    return y, np.sqrt(var)


@dataclass(frozen=True, eq=False)
class TrialData(SchoolData):
    r"""A :class:`~eightschools.data.SchoolData` of trials, with their counts and covariates.

    ``names``, ``y`` and ``sigma`` are as in :class:`~eightschools.data.SchoolData` (here
    :math:`y_j` is a log relative risk), so every function that takes a data set takes this
    one; the extra attributes keep what the effects were computed from.

    Parameters
    ----------
    names, y, sigma
        As in :class:`~eightschools.data.SchoolData`.
    year : array_like of int, shape (J,)
        The year each trial was published.
    latitude : array_like, shape (J,)
        The absolute latitude of each trial's site, in degrees.
    counts : array_like of int, shape (J, 4)
        The columns ``tpos, tneg, cpos, cneg``.

    Examples
    --------
    >>> d = load_bcg()
    >>> isinstance(d, SchoolData), d.J, d.counts.shape
    (True, 13, (13, 4))
    """

    year: NDArray[np.int64]
    latitude: NDArray[np.float64]
    counts: NDArray[np.int64]

    def __post_init__(self) -> None:
        super().__post_init__()
        year = np.array(self.year, dtype=np.int64)
        latitude = np.array(self.latitude, dtype=np.float64)
        counts = np.array(self.counts, dtype=np.int64)
        if year.shape != (self.J,) or latitude.shape != (self.J,):
            raise ValueError(
                f"year and latitude must have one entry per trial ({self.J}); got shapes "
                f"{year.shape} and {latitude.shape}"
            )
        if counts.shape != (self.J, 4):
            raise ValueError(
                f"counts must have shape ({self.J}, 4) (tpos, tneg, cpos, cneg); "
                f"got {counts.shape}"
            )
        if not np.isfinite(latitude).all():
            raise ValueError("latitude must be finite")
        for arr in (year, latitude, counts):
            arr.flags.writeable = False
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "latitude", latitude)
        object.__setattr__(self, "counts", counts)


def load_trials_csv(path: str | Path) -> TrialData:
    """Read trials' 2x2 counts from a CSV file and compute their log relative risks.

    The header must name the columns ``trial,year,tpos,tneg,cpos,cneg,latitude`` (in any
    order; others are ignored). Each group is named ``"<trial> <year>"``, which tells apart
    two reports by the same authors.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to read.

    Returns
    -------
    TrialData
        The trials in file order, with ``y`` and ``sigma`` from :func:`log_relative_risk`.

    Raises
    ------
    ValueError
        If a column is missing, a cell is not a number (the message gives its line), or the
        counts fail :func:`log_relative_risk`.

    Examples
    --------
    >>> d = load_trials_csv(BCG_CSV)
    >>> d.names[0], int(d.year[0]), float(d.latitude[0])
    ('Aronson 1948', 1948, 44.0)
    """
    label, rows = read_csv_table(path, _COLUMNS)
    names: list[str] = []
    numbers: list[list[float]] = []
    for line, (trial, *cells) in rows:
        values = [parse_float(x, c, line, label) for x, c in zip(cells, _COLUMNS[1:], strict=True)]
        names.append(f"{trial.strip()} {int(values[0])}")
        numbers.append(values)
    table = np.array(numbers)
    try:
        y, sigma = log_relative_risk(*(table[:, k] for k in range(1, 5)))
        return TrialData(
            tuple(names), y, sigma, year=table[:, 0], latitude=table[:, 5],
            counts=table[:, 1:5],
        )
    except ValueError as err:
        raise ValueError(f"{label}: {err}") from None


@lru_cache(maxsize=1)
def load_bcg() -> TrialData:
    r"""The 13 BCG vaccine trials of Colditz et al. (1994), as log relative risks.

    Read from ``chapters/data/bcg.csv``, the book's one copy of the counts.

    Returns
    -------
    TrialData
        ``names`` like ``"Aronson 1948"``, ``y`` the log relative risk of tuberculosis
        (vaccinated against control), ``sigma`` its standard error, with ``year``,
        ``latitude`` (absolute, degrees) and ``counts``.

    Examples
    --------
    >>> d = load_bcg()
    >>> d.J, d.names[7]
    (13, 'TPT Madras 1980')
    >>> print(f"{d.y.min():.3f} {d.y.max():.3f}")
    -1.621 0.446
    """
    return load_trials_csv(BCG_CSV)
