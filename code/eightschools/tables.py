"""Small tables that show the same fixed digits as text and as HTML.

A :class:`Table` formats every number once, with its column's format, so the plain text (which
the tests compare) and the HTML (which the website shows) carry exactly the same digits. Headings
are written once, in plain text; the HTML shows their symbols (:func:`header_html`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Table", "header_html", "times_ten"]

_GREEK = {"alpha": "α", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "theta": "θ"}
_SYMBOL = re.compile(rf"(?<!\w)({'|'.join(_GREEK)}|[A-Za-z])(_hat)?(?:_([A-Za-z0-9]+))?(?!\w)")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def times_ten(x: float, digits: int = 1) -> str:
    r"""Write a very small or large number for prose: ``m × 10ⁿ`` instead of e-notation.

    The mantissa has `digits` decimals, as in ``format(x, f".{digits}e")``; the exponent is
    written with superscript digits.

    Examples
    --------
    >>> times_ten(1.3e-07)
    '1.3 × 10⁻⁷'
    >>> times_ten(4.2e25, digits=0)
    '4 × 10²⁵'
    """
    mantissa, exponent = format(x, f".{digits}e").split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def header_html(text: str) -> str:
    """Return a heading written in plain text as HTML, with its symbols; escape the rest.

    In words of their own, Greek names (alpha, lambda, mu, sigma, tau, theta) become letters,
    ``_hat`` a hat and ``_j`` a subscript (of a Greek name or of a letter: not ``r_hat``).

    Examples
    --------
    >>> header_html("P(theta_A > theta_j), mu_hat(tau), log tau, log_p_tau, r_hat")
    'P(θ<sub>A</sub> &gt; θ<sub>j</sub>), μ̂(τ), log τ, log_p_tau, r_hat'
    """
    out, end = [], 0
    for m in _SYMBOL.finditer(text):
        name, hat, sub = m.groups()
        if name in _GREEK or sub:
            out.append(html.escape(text[end:m.start()]) + _GREEK.get(name, name))
            out.append(("\u0302" if hat else "") + (f"<sub>{sub}</sub>" if sub else ""))
            end = m.end()
    return "".join(out) + html.escape(text[end:])


@dataclass(frozen=True)
class Table:
    """A table of rows with one format per column.

    Parameters
    ----------
    columns : sequence of str
        Column headings, in plain text, shown with their symbols in HTML (:func:`header_html`).
    rows : sequence of sequences
        One cell per column: a string (shown as it is), a number (formatted) or ``None``
        (missing, shown as ``"n/a"``).
    formats : sequence of str or callable, optional
        Per column, a :func:`format` specification such as ``".2f"`` (``""``: :class:`str`)
        or a function from a number to its text. By default ``""`` for every column.
    caption : str, optional
        A line shown above the table.
    row_headers : bool, optional
        Whether the first column labels the rows (``<th scope="row">`` in HTML).
    nonfinite_missing : bool, optional
        Whether a number that is NaN or infinite is shown as missing.

    Examples
    --------
    >>> t = Table(["school", "y"], [["A", 28.0], ["B", None]], formats=["", ".1f"])
    >>> print(t)
    school     y
    ------  ----
    A       28.0
    B        n/a
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    formats: tuple[str | Callable[[object], str], ...] = ()
    caption: str = ""
    row_headers: bool = field(default=False, kw_only=True)
    nonfinite_missing: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        columns = tuple(str(c) for c in self.columns)
        rows = tuple(tuple(r) for r in self.rows)
        formats = tuple(self.formats) if self.formats else ("",) * len(columns)
        if len(formats) != len(columns):
            raise ValueError(f"formats must have one entry per column; got {len(formats)} for "
                             f"{len(columns)} columns")
        for i, r in enumerate(rows):
            if len(r) != len(columns):
                raise ValueError(f"every row must have one cell per column; row {i} has "
                                 f"{len(r)} cells for {len(columns)} columns")
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "formats", formats)

    @classmethod
    def from_columns(cls, data: Mapping[str, Sequence[object]],
                     formats: Mapping[str, str] | None = None, caption: str = "",
                     **options: bool) -> Table:
        """Build a table from a mapping of column heading to column values.

        Examples
        --------
        >>> Table.from_columns({"x": [1.25, 2.5]}, formats={"x": ".2f"}).cells()
        [['1.25'], ['2.50']]
        """
        columns = list(data)
        lengths = {len(data[c]) for c in columns}
        if len(lengths) > 1:
            raise ValueError(f"columns must have equal lengths; got lengths {sorted(lengths)}")
        n = lengths.pop() if lengths else 0
        rows = [[data[c][i] for c in columns] for i in range(n)]
        fmts = [(formats or {}).get(c, "") for c in columns]
        return cls(columns, rows, fmts, caption, **options)

    def _cell(self, value: object, spec: str | Callable[[object], str]) -> str:
        if isinstance(value, str):
            return value
        if value is None or (self.nonfinite_missing and not np.isfinite(value)):
            return "n/a"
        if callable(spec):
            return spec(value)
        return format(value, spec) if spec else str(value)

    def cells(self) -> list[list[str]]:
        """Return every cell as the string the table shows."""
        return [[self._cell(v, f) for v, f in zip(r, self.formats, strict=True)]
                for r in self.rows]

    def _numeric(self) -> list[bool]:
        """Per column: whether it holds no text (numbers and missing values: right-aligned)."""
        return [bool(self.rows) and all(not isinstance(r[j], str) for r in self.rows)
                for j in range(len(self.columns))]

    def __str__(self) -> str:
        cells = self.cells()
        widths = [max(len(s) for s in column) for column in zip(self.columns, *cells, strict=True)]
        numeric = self._numeric()

        def line(items: Sequence[str]) -> str:
            parts = [s.rjust(w) if num else s.ljust(w)
                     for s, w, num in zip(items, widths, numeric, strict=True)]
            return "  ".join(parts).rstrip()

        out = [self.caption] if self.caption else []
        out.append(line(self.columns))
        out.append("  ".join("-" * w for w in widths))
        out.extend(line(r) for r in cells)
        return "\n".join(out)

    __repr__ = __str__

    def to_html(self, *, compact: bool = False) -> str:
        """Return the table as HTML, with the same cells as the text form.

        ``compact=True`` gives smaller type, tabular figures and tighter cells, in a box that
        scrolls sideways when the table is wider than the page.

        Examples
        --------
        >>> Table(["x"], [[1.5]], formats=[".1f"]).to_html().count("<td")
        1
        """
        if compact:
            pad = "padding:0.15em 0.5em;text-align:"
        else:
            pad = "padding: 0.2em 0.8em; text-align: "
        style = [f'style="{pad}{"right" if num else "left"}"' for num in self._numeric()]
        head = "".join(f"<th {s}>{header_html(c)}</th>"
                       for s, c in zip(style, self.columns, strict=True))
        body = ""
        for r in self.cells():
            tds = [f"<td {s}>{html.escape(c)}</td>" for s, c in zip(style, r, strict=True)]
            if self.row_headers:
                tds[0] = f'<th scope="row" {style[0]}>{header_html(r[0])}</th>'
            body += "<tr>" + "".join(tds) + "</tr>"
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        table = f"{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        if compact:
            return ('<div style="overflow-x:auto"><table class="eightschools-table" '
                    'style="font-size:0.85em;font-variant-numeric:tabular-nums;white-space:nowrap">'
                    f"{table}</div>")
        return f'<table class="eightschools-table">{table}'

    def _repr_html_(self) -> str:
        return self.to_html()
