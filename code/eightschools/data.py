r"""Data sets of group estimates: a name, an estimate ``y`` and its standard error ``sigma``.

Group ``j`` reports an estimate :math:`y_j` of its effect :math:`\theta_j` with a known
standard error :math:`\sigma_j`, :math:`y_j \mid \theta_j \sim \mathrm{N}(\theta_j, \sigma_j^2)`.
This module checks such data once, at the boundary, and reads them strictly from CSV files.
The data files ship in the package's ``datasets`` folder.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DATA_DIR", "EIGHT_SCHOOLS_CSV", "MAX_CSV_BYTES", "MAX_CSV_ROWS", "SchoolData",
    "check_y_sigma", "eight_schools", "load_csv", "parse_float", "read_csv_table",
]

#: The package's folder of data files.
#:
#: :meta hide-value:
DATA_DIR: Path = Path(__file__).resolve().parent / "datasets"

#: The eight schools' CSV file, with the header ``name,y,sigma``.
#:
#: :meta hide-value:
EIGHT_SCHOOLS_CSV: Path = DATA_DIR / "eight_schools.csv"

#: The largest CSV file read, in bytes (128 MiB: a million rows of 134 bytes).
MAX_CSV_BYTES = 128 * 2**20

#: The most data rows read from a CSV file.
MAX_CSV_ROWS = 1_000_000

# A plain ASCII number: decimal or scientific notation; nothing that only float() accepts.
_NUMBER = re.compile(r"(?P<mantissa>[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))(?:[eE][+-]?[0-9]+)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_KINDS = {"d": "a directory", "p": "a FIFO", "c": "a device", "b": "a device", "s": "a socket"}


def check_y_sigma(
    y: ArrayLike, sigma: ArrayLike, *, min_groups: int = 1
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Validate estimates and standard errors and return them as float arrays.

    Parameters
    ----------
    y : array_like, shape (J,)
        The groups' estimates :math:`y_j`, finite.
    sigma : array_like, shape (J,)
        Their standard errors :math:`\sigma_j`, finite and > 0.
    min_groups : int, optional
        The fewest groups accepted (a flat prior on :math:`\tau` needs :math:`J \ge 3`).

    Returns
    -------
    y, sigma : numpy.ndarray
        One-dimensional float64 copies.

    Examples
    --------
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
        why = " (with a flat prior on tau the posterior is improper for fewer than 3 groups)"
        why = why if min_groups >= 3 else ""
        raise ValueError(f"at least {min_groups} groups are needed; got {y_arr.size}{why}")
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
    y, sigma : array_like, shape (J,)
        Estimates :math:`y_j` and standard errors :math:`\sigma_j`, as :func:`check_y_sigma`.

    Examples
    --------
    >>> d = SchoolData(("A", "B"), [28.0, 8.0], [15.0, 10.0])
    >>> d.J, d.names
    (2, ('A', 'B'))
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
        seen: dict[str, int] = {}
        for i, n in enumerate(names):
            if not n.strip():
                raise ValueError(f"names must not be empty; names[{i}] is empty")
            if n in seen:
                raise ValueError(f"names must be distinct; {n!r} appears at {seen[n]} and {i}")
            seen[n] = i
        y.flags.writeable = sigma.flags.writeable = False
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "sigma", sigma)

    @property
    def J(self) -> int:
        """The number of groups :math:`J`."""
        return int(self.y.size)

    def __len__(self) -> int:
        return self.J


def _show(text: str, limit: int = 40) -> str:
    """``ascii(text)`` for a one-line message, cut after ``limit`` characters."""
    cut = "" if len(text) <= limit else f"... ({len(text)} characters)"
    return ascii(text[:limit]) + cut


def _read_regular_file(path: str | Path, label: str) -> bytes:
    # O_NONBLOCK: opening a FIFO must not wait for a writer. The type is checked on the
    # opened descriptor, so the file cannot be swapped between the check and the read.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.filemode(info.st_mode)[0], "something else")
            raise ValueError(f"cannot read {label}: it is {kind}, not a regular file")
        data = None
        if info.st_size <= MAX_CSV_BYTES:
            with open(fd, "rb", closefd=False) as f:
                data = f.read(MAX_CSV_BYTES + 1)  # /proc files report size 0
    finally:
        os.close(fd)
    if data is None or len(data) > MAX_CSV_BYTES:
        raise ValueError(
            f"{label}: the file is larger than {MAX_CSV_BYTES:,} bytes, the most that is read"
        )
    return data


def _column_index(header: list[str], columns: Sequence[str], line: int, label: str) -> list[int]:
    names = [h.strip() for h in header]
    repeated = [h for h, n in Counter(names).items() if h and n > 1]
    if repeated:
        raise ValueError(f"{label}, line {line}: column {_show(repeated[0])} is repeated")
    missing = [c for c in columns if c not in names]
    if missing:
        raise ValueError(
            f"{label}, line {line}: missing column(s) {', '.join(missing)}; the header line "
            f"must name '{','.join(columns)}' (found: {_show(','.join(names), 80)})"
        )
    return [names.index(c) for c in columns]


def _csv_problem(err: csv.Error) -> str:
    text = str(err)
    if "end of data" in text:
        return "unterminated quote: a quoted cell that starts in this row is never closed"
    if "field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    return f"bad quoting: {text}"


def _name(cell: str, line: int, label: str) -> str:
    name = cell.strip(" \t")
    if _CONTROL.search(name):
        raise ValueError(f"{label}, line {line}: the name {_show(name)} has a control character")
    if not name.strip():
        raise ValueError(f"{label}, line {line}: the name is empty")
    return name.strip()


def read_csv_table(
    path: str | Path, columns: Sequence[str]
) -> tuple[str, list[tuple[int, str, tuple[float, ...]]]]:
    """Read a CSV file strictly: a name column, then number columns.

    The file is a regular file of at most :data:`MAX_CSV_BYTES` bytes of UTF-8 (a leading
    byte-order mark is dropped). Its first non-blank line names each of ``columns`` once, in
    any order; other columns are ignored, but each row has as many cells as this header.
    Blank lines are skipped; at most :data:`MAX_CSV_ROWS` rows. The first column holds names
    (not empty, no control character), the others numbers (:func:`parse_float`).

    Parameters
    ----------
    path : str or pathlib.Path
        The file to read.
    columns : sequence of str
        The name column, then the number columns.

    Returns
    -------
    label : str
        The path as shown in messages.
    rows : list of (int, str, tuple of float)
        Each row's line number, name and numbers, in the order of ``columns``.

    Examples
    --------
    >>> label, rows = read_csv_table(EIGHT_SCHOOLS_CSV, ("name", "sigma"))
    >>> rows[0]
    (2, 'A', (15.0,))
    """
    label = str(path) if str(path).isprintable() else ascii(str(path))
    data = _read_regular_file(path, label)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        # The line of the bad byte, counting line ends as the csv reader does.
        line = 1 + data.count(b"\n", 0, err.start) + data.count(b"\r", 0, err.start)
        line -= data.count(b"\r\n", 0, err.start)
        raise ValueError(
            f"{label}, line {line}: not UTF-8 text (byte {data[err.start]:#04x}: {err.reason})"
        ) from None
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    index: list[int] = []
    rows: list[tuple[int, str, tuple[float, ...]]] = []
    width = end = 0  # end: the last line read so far
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            if len(cells) <= 1 and not "".join(cells).strip():
                continue  # a blank line
            if not index:
                index, width = _column_index(cells, columns, line, label), len(cells)
                continue
            if len(cells) != width:
                raise ValueError(
                    f"{label}, line {line}: expected {width} cells, found {len(cells)} "
                    "(every row needs one cell per header column)"
                )
            if len(rows) == MAX_CSV_ROWS:
                raise ValueError(f"{label}, line {line}: more than {MAX_CSV_ROWS:,} data rows")
            name = _name(cells[index[0]], line, label)
            pairs = zip(index[1:], columns[1:], strict=True)
            numbers = tuple(parse_float(cells[i], c, line, label) for i, c in pairs)
            rows.append((line, name, numbers))
    except csv.Error as err:
        raise ValueError(f"{label}, line {end + 1}: {_csv_problem(err)}") from None
    if not index:
        raise ValueError(f"{label}: the file is empty; expected a header '{','.join(columns)}'")
    if not rows:
        raise ValueError(f"{label}: the file has a header but no data rows")
    return label, rows


def parse_float(text: str, column: str, line: int, path: str) -> float:
    """Parse one CSV cell as a finite float, or raise a ValueError naming file, line, column.

    Only plain ASCII decimal or scientific notation (``-3``, ``.5``, ``1E+03``), with spaces
    or tabs around it; not ``1,000``, ``2_8``, ``nan``, ``inf``, ``0x10`` or other digits.

    Examples
    --------
    >>> parse_float("1,000", "y", 3, "f.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: f.csv, line 3: column 'y' must be a number; got '1,000' (plain ASCII ...)
    """
    match = _NUMBER.fullmatch(text.strip(" \t"))
    if match is None:
        raise ValueError(
            f"{path}, line {line}: column {column!r} must be a number; got {_show(text)} "
            "(plain ASCII decimal or scientific notation, such as -3, 0.25 or 1e-3)"
        )
    value = float(match[0])
    if math.isinf(value) or (value == 0 and float(match["mantissa"]) != 0):
        rule = "at most 1.8e308" if value else "0 or at least 5e-324 (it would read as 0)"
        raise ValueError(
            f"{path}, line {line}: column {column!r} must be {rule} in size; got {_show(text)}"
        )
    return value


def load_csv(path: str | Path) -> SchoolData:
    """Read a data set from a CSV file whose header names the columns ``name,y,sigma``.

    The file is read by :func:`read_csv_table`; besides, each ``sigma`` must be > 0 and
    each name distinct (the messages give the lines).

    Parameters
    ----------
    path : str or pathlib.Path
        The file to read.

    Returns
    -------
    SchoolData
        The groups in file order.

    Examples
    --------
    >>> d = load_csv(EIGHT_SCHOOLS_CSV)
    >>> d.names[0], float(d.y[0]), float(d.sigma[0])
    ('A', 28.0, 15.0)
    """
    label, rows = read_csv_table(path, ("name", "y", "sigma"))
    first_line: dict[str, int] = {}  # each name's line, in file order
    for line, name, (_, sigma) in rows:
        if name in first_line:
            raise ValueError(
                f"{label}: name {_show(name)} is repeated on lines {first_line[name]} and {line}"
            )
        first_line[name] = line
        if sigma <= 0:
            raise ValueError(f"{label}, line {line}: sigma must be > 0; got {sigma:g}")
    y, sigma = np.array([numbers for _, _, numbers in rows]).T
    return SchoolData(tuple(first_line), y, sigma)


@lru_cache(maxsize=1)
def eight_schools() -> SchoolData:
    """The eight schools of Rubin (1981), as reported in BDA3 section 5.5.

    Examples
    --------
    >>> eight_schools().y.tolist()
    [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]
    """
    return load_csv(EIGHT_SCHOOLS_CSV)
