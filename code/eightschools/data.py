r"""Data sets of group estimates: a name, an estimate ``y`` and its standard error ``sigma``.

Every model in the book sees the data the same way: group ``j`` reports an estimate
:math:`y_j` of its effect :math:`\theta_j` with a known standard error :math:`\sigma_j`,

.. math:: y_j \mid \theta_j \sim \mathrm{N}(\theta_j, \sigma_j^2), \qquad j = 1, \dots, J.

This module checks such data once, at the boundary, so that the rest of the package can
trust its inputs. The eight schools of Rubin (1981) live in ``chapters/data/eight_schools.csv``,
the one copy that the package, the preface and the chapters all read.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DATA_DIR",
    "EIGHT_SCHOOLS_CSV",
    "SchoolData",
    "as_arrays",
    "check_y_sigma",
    "parse_float",
    "read_csv_table",
    "eight_schools",
    "load_csv",
]

#: The folder of the book's data files (``chapters/data`` in the source tree).
DATA_DIR: Path = Path(__file__).resolve().parents[2] / "chapters" / "data"

#: The eight schools' CSV file, with the header ``name,y,sigma``.
EIGHT_SCHOOLS_CSV: Path = DATA_DIR / "eight_schools.csv"

_COLUMNS = ("name", "y", "sigma")


def check_y_sigma(
    y: ArrayLike, sigma: ArrayLike, *, min_groups: int = 1
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Validate estimates and standard errors and return them as float arrays.

    Parameters
    ----------
    y : array_like, shape (J,)
        The groups' estimates :math:`y_j`.
    sigma : array_like, shape (J,)
        Their standard errors :math:`\sigma_j`, each strictly positive.
    min_groups : int, optional
        The fewest groups the caller accepts (the hierarchical model with a flat prior
        on :math:`\tau` needs :math:`J \ge 3` for a proper posterior).

    Returns
    -------
    y, sigma : numpy.ndarray
        One-dimensional float64 copies.

    Raises
    ------
    ValueError
        If the arrays are not one-dimensional, differ in length, hold fewer than
        ``min_groups`` values, hold NaN or infinite values, or if any ``sigma <= 0``.

    Examples
    --------
    >>> y, sigma = check_y_sigma([28, 8, -3], [15, 10, 16])
    >>> y.dtype, sigma.shape
    (dtype('float64'), (3,))
    >>> check_y_sigma([1.0, 2.0], [1.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: sigma must be > 0 for every group; sigma[1] = 0.0
    """
    y_arr = np.array(y, dtype=np.float64, copy=True)
    s_arr = np.array(sigma, dtype=np.float64, copy=True)
    for label, arr in (("y", y_arr), ("sigma", s_arr)):
        if arr.ndim != 1:
            raise ValueError(f"{label} must be one-dimensional; it has shape {arr.shape}")
    if y_arr.shape != s_arr.shape:
        raise ValueError(
            f"y and sigma must have the same length; y has {y_arr.size} values "
            f"and sigma has {s_arr.size}"
        )
    if y_arr.size < min_groups:
        raise ValueError(
            f"at least {min_groups} groups are needed; got {y_arr.size}"
            + (
                " (with a flat prior on tau the posterior is improper for fewer than 3 groups)"
                if min_groups >= 3
                else ""
            )
        )
    for label, arr in (("y", y_arr), ("sigma", s_arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise ValueError(
                f"{label} must be finite (no NaN or infinity); {label}[{bad[0]}] = {arr[bad[0]]}"
            )
    bad = np.flatnonzero(s_arr <= 0)
    if bad.size:
        raise ValueError(f"sigma must be > 0 for every group; sigma[{bad[0]}] = {s_arr[bad[0]]}")
    return y_arr, s_arr


@dataclass(frozen=True)
class SchoolData:
    r"""An immutable data set of named group estimates and their standard errors.

    Parameters
    ----------
    names : sequence of str
        One distinct, non-empty name per group.
    y : array_like, shape (J,)
        Estimates :math:`y_j`.
    sigma : array_like, shape (J,)
        Standard errors :math:`\sigma_j > 0`.

    Raises
    ------
    ValueError
        If the lengths differ, a name repeats or is empty, or ``y`` and ``sigma`` fail
        :func:`check_y_sigma`.

    Examples
    --------
    >>> d = SchoolData(("A", "B"), [28.0, 8.0], [15.0, 10.0])
    >>> d.J, d.names
    (2, ('A', 'B'))
    >>> d.y[0] = 1.0
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    """

    names: tuple[str, ...]
    y: NDArray[np.float64]
    sigma: NDArray[np.float64]

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.names)
        y, sigma = check_y_sigma(self.y, self.sigma)
        if len(names) != y.size:
            raise ValueError(
                f"names must have one entry per group; got {len(names)} names for {y.size} groups"
            )
        for i, n in enumerate(names):
            if not n.strip():
                raise ValueError(f"names must not be empty; names[{i}] is empty")
        seen: dict[str, int] = {}
        for i, n in enumerate(names):
            if n in seen:
                raise ValueError(f"names must be distinct; {n!r} appears at {seen[n]} and {i}")
            seen[n] = i
        y.flags.writeable = False
        sigma.flags.writeable = False
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "sigma", sigma)

    @property
    def J(self) -> int:
        """The number of groups :math:`J`."""
        return int(self.y.size)

    def __len__(self) -> int:
        return self.J


def read_csv_table(
    path: str | Path, columns: Sequence[str]
) -> tuple[str, dict[str, int], list[tuple[int, list[str]]]]:
    """Read a CSV file whose header names at least ``columns``; skip blank lines.

    Returns the file's label (its path as a string, for messages), the index of each
    named column, and the data rows as ``(line number, cells)`` pairs, every row with as
    many cells as the header. Other columns are kept in the rows and ignored by the caller.

    Raises
    ------
    ValueError
        If the file is empty, lacks one of ``columns``, has no data rows, or has a row with
        fewer cells than the header (the message gives its line number).
    OSError
        If the file cannot be read.

    Examples
    --------
    >>> label, col, rows = read_csv_table(EIGHT_SCHOOLS_CSV, ("name", "sigma"))
    >>> col, rows[0]
    ({'name': 0, 'sigma': 2}, (2, ['A', '28', '15']))
    """
    label = str(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = [(i, r) for i, r in enumerate(csv.reader(f), start=1) if any(c.strip() for c in r)]
    wanted = ",".join(columns)
    if not rows:
        raise ValueError(f"{label}: the file is empty; expected a header '{wanted}'")
    header = [h.strip() for h in rows[0][1]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValueError(
            f"{label}: missing column(s) {', '.join(missing)}; the header line must name "
            f"'{wanted}' (found: {','.join(header)})"
        )
    if len(rows) == 1:
        raise ValueError(f"{label}: the file has a header but no data rows")
    for line, row in rows[1:]:
        if len(row) < len(header):
            raise ValueError(
                f"{label}, line {line}: expected {len(header)} cells, found {len(row)}"
            )
    return label, {c: header.index(c) for c in columns}, rows[1:]


def parse_float(text: str, column: str, line: int, path: str) -> float:
    """Parse one CSV cell as a finite float, or raise a ValueError naming file, line, column.

    Examples
    --------
    >>> parse_float(" 2.5", "y", 3, "f.csv")
    2.5
    """
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{path}, line {line}: column {column!r} must be a number; got {text!r}"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{path}, line {line}: column {column!r} must be finite; got {text!r}")
    return value


def load_csv(path: str | Path) -> SchoolData:
    """Read a data set from a CSV file whose header names the columns ``name,y,sigma``.

    Other columns are ignored; blank lines are skipped.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to read.

    Returns
    -------
    SchoolData
        The validated data set, groups in file order.

    Raises
    ------
    ValueError
        If the file is empty, lacks a column, has a cell that is not a finite number
        (the message gives its line number), has a ``sigma <= 0``, or repeats a name.
    OSError
        If the file cannot be read.

    Examples
    --------
    >>> d = load_csv(EIGHT_SCHOOLS_CSV)
    >>> d.names[0], float(d.y[0]), float(d.sigma[0])
    ('A', 28.0, 15.0)
    """
    label, col, rows = read_csv_table(path, _COLUMNS)
    names: list[str] = []
    ys: list[float] = []
    sigmas: list[float] = []
    for line, row in rows:
        names.append(row[col["name"]].strip())
        ys.append(parse_float(row[col["y"]].strip(), "y", line, label))
        sigma = parse_float(row[col["sigma"]].strip(), "sigma", line, label)
        if sigma <= 0:
            raise ValueError(f"{label}, line {line}: sigma must be > 0; got {sigma:g}")
        sigmas.append(sigma)
    try:
        return SchoolData(tuple(names), np.array(ys), np.array(sigmas))
    except ValueError as err:
        raise ValueError(f"{label}: {err}") from None


@lru_cache(maxsize=1)
def eight_schools() -> SchoolData:
    """The eight schools of Rubin (1981), as reported in BDA3 section 5.5.

    Read from ``chapters/data/eight_schools.csv``, the book's one copy of the data.

    Examples
    --------
    >>> d = eight_schools()
    >>> d.J, d.names[-1]
    (8, 'H')
    >>> d.y.tolist()
    [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]
    """
    return load_csv(EIGHT_SCHOOLS_CSV)


def as_arrays(
    data: SchoolData | tuple[Sequence[float], Sequence[float]],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return ``(y, sigma)`` from a :class:`SchoolData` or a pair of sequences.

    Examples
    --------
    >>> y, s = as_arrays(eight_schools())
    >>> y.size == s.size == 8
    True
    """
    if isinstance(data, SchoolData):
        return data.y, data.sigma
    y, sigma = data
    return check_y_sigma(y, sigma)
