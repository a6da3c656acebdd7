"""A second data set for the whole method: the BCG vaccine trials, from their 2x2 counts.

Thirteen trials of the BCG vaccine against tuberculosis each count the vaccinated who did
(``tpos``) and did not (``tneg``) develop it, and the same for the controls (``cpos``,
``cneg``). A trial's log relative risk (:func:`log_relative_risk`; negative: the vaccine
helped) is close to normal with a known standard error, as in the eight schools.

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

from eightschools.data import DATA_DIR, SchoolData, read_csv_table

__all__ = ["BCG_CSV", "TrialData", "load_bcg", "load_trials_csv", "log_relative_risk"]

#: The BCG trials' CSV file, with the header ``trial,year,tpos,tneg,cpos,cneg,latitude``
#: (latitude: the absolute latitude of the trial's site, in degrees).
#:
#: :meta hide-value:
BCG_CSV: Path = DATA_DIR / "bcg.csv"


def _counts(name: str, value: ArrayLike) -> NDArray[np.int64]:
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; it has shape {arr.shape}")
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold integer counts; got dtype {arr.dtype}")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
    if bad.size:
        raise ValueError(f"{name} must hold whole numbers; {name}[{bad[0]}] = {arr[bad[0]]}")
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        raise ValueError(f"{name} must be >= 0 (a count); {name}[{bad[0]}] = {arr[bad[0]]}")
    return arr.astype(np.int64)


def log_relative_risk(
    tpos: ArrayLike, tneg: ArrayLike, cpos: ArrayLike, cneg: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Log relative risks of the treated against the controls, and their standard errors.

    With :math:`a, b` the treated arm's cases and non-cases and :math:`c, d` the controls',

    .. math::

        y = \log\frac{a}{a + b} - \log\frac{c}{c + d}, \qquad
        \sigma^2 = \frac{1}{a} - \frac{1}{a + b} + \frac{1}{c} - \frac{1}{c + d}.

    Parameters
    ----------
    tpos, tneg, cpos, cneg : array_like of int, shape (J,)
        The counts :math:`a, b, c, d`: whole numbers >= 0, and the cases ``tpos``, ``cpos`` > 0.

    Returns
    -------
    y, sigma : numpy.ndarray, shape (J,)
        The log relative risks and their standard errors.

    Examples
    --------
    >>> y, sigma = log_relative_risk([4], [119], [11], [128])  # Aronson 1948
    >>> print(f"{y[0]:.4f} {sigma[0] ** 2:.4f}")
    -0.8893 0.3256
    """
    names = ("tpos", "tneg", "cpos", "cneg")
    a, b, c, d = (_counts(n, v) for n, v in zip(names, (tpos, tneg, cpos, cneg), strict=True))
    if not a.shape == b.shape == c.shape == d.shape:
        shapes = dict(zip(names, (a.shape, b.shape, c.shape, d.shape), strict=True))
        raise ValueError(f"tpos, tneg, cpos and cneg must have the same length; got {shapes}")
    for name, cases in (("tpos", a), ("cpos", c)):
        zero = np.flatnonzero(cases == 0)
        if zero.size:
            raise ValueError(
                f"{name}[{zero[0]}] = 0: a trial with no cases in an arm has an infinite log "
                "relative risk; drop it or add a continuity correction (e.g. 0.5 to each cell)"
            )
    a, b, c, d = (x.astype(np.float64) for x in (a, b, c, d))
    y = (np.log(a) - np.log(a + b)) - (np.log(c) - np.log(c + d))
    var = 1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d)
    return y, np.sqrt(var)


@dataclass(frozen=True, eq=False)
class TrialData(SchoolData):
    """A :class:`~eightschools.data.SchoolData` of trials, with their counts and covariates.

    Parameters
    ----------
    names, y, sigma
        As in :class:`~eightschools.data.SchoolData` (``y``: log relative risks).
    year : array_like of int, shape (J,)
        The year each trial was published.
    latitude : array_like, shape (J,)
        The absolute latitude of each trial's site, in degrees.
    counts : array_like of int, shape (J, 4)
        The columns ``tpos, tneg, cpos, cneg``.

    Examples
    --------
    >>> d = load_bcg()
    >>> d.J, d.counts.shape
    (13, (13, 4))
    """

    year: NDArray[np.int64]
    latitude: NDArray[np.float64]
    counts: NDArray[np.int64]

    def __post_init__(self) -> None:
        super().__post_init__()
        for field, dtype in (("year", np.int64), ("latitude", np.float64), ("counts", np.int64)):
            arr = np.array(getattr(self, field), dtype=dtype)
            arr.flags.writeable = False
            object.__setattr__(self, field, arr)


def load_trials_csv(path: str | Path) -> TrialData:
    """Read trials' 2x2 counts from a CSV file and compute their log relative risks.

    Parameters
    ----------
    path : str or pathlib.Path
        A file with the columns ``trial,year,tpos,tneg,cpos,cneg,latitude``, read by
        :func:`~eightschools.data.read_csv_table`.

    Returns
    -------
    TrialData
        The trials in file order, named ``"<trial> <year>"``, with :func:`log_relative_risk`.

    Examples
    --------
    >>> load_trials_csv(BCG_CSV).names[0]
    'Aronson 1948'
    """
    columns = ("trial", "year", "tpos", "tneg", "cpos", "cneg", "latitude")
    label, rows = read_csv_table(path, columns)
    names = tuple(f"{trial} {int(numbers[0])}" for _, trial, numbers in rows)
    table = np.array([numbers for _, _, numbers in rows])
    year, counts, latitude = table[:, 0], table[:, 1:5], table[:, 5]
    try:
        y, sigma = log_relative_risk(*counts.T)
        return TrialData(names, y, sigma, year=year, latitude=latitude, counts=counts)
    except ValueError as err:
        raise ValueError(f"{label}: {err}") from None


@lru_cache(maxsize=1)
def load_bcg() -> TrialData:
    """The 13 BCG vaccine trials of Colditz et al. (1994), as log relative risks.

    Examples
    --------
    >>> d = load_bcg()
    >>> d.names[7], round(float(d.y.min()), 3)
    ('TPT Madras 1980', -1.621)
    """
    return load_trials_csv(BCG_CSV)
