"""Small tables that show the same fixed digits as text and as HTML.

Chapters print results as tables. A :class:`Table` formats every number once, with the format
given for its column, so the plain-text form (which the test suite compares) and the HTML form
(which the website shows) carry exactly the same digits, and no more than the text claims.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Table"]


def _format(value: object, spec: str) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    if spec:
        return format(value, spec)
    return str(value)


@dataclass(frozen=True)
class Table:
    """A table of rows with one format specification per column.

    Parameters
    ----------
    columns : sequence of str
        Column headings.
    rows : sequence of sequences
        The cells, row by row; each row has one cell per column. A cell is a string
        (shown as it is), a number (formatted with its column's specification) or ``None``
        (shown as a dash: the value does not exist).
    formats : sequence of str, optional
        A :func:`format` specification per column, such as ``".2f"``; ``""`` shows a value
        with :class:`str`. By default every column uses ``""``.
    caption : str, optional
        A line shown above the table.

    Examples
    --------
    >>> t = Table(["school", "y"], [["A", 28.0], ["B", 8.0]], formats=["", ".1f"])
    >>> print(t)
    school     y
    ------  ----
    A       28.0
    B        8.0
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    formats: tuple[str, ...] = field(default=())
    caption: str = ""

    def __post_init__(self) -> None:
        columns = tuple(str(c) for c in self.columns)
        rows = tuple(tuple(r) for r in self.rows)
        formats = tuple(self.formats) if self.formats else ("",) * len(columns)
        if len(formats) != len(columns):
            raise ValueError(
                f"formats must have one entry per column; got {len(formats)} for "
                f"{len(columns)} columns"
            )
        for i, r in enumerate(rows):
            if len(r) != len(columns):
                raise ValueError(
                    f"every row must have one cell per column; row {i} has {len(r)} cells "
                    f"for {len(columns)} columns"
                )
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "formats", formats)

    @classmethod
    def from_columns(
        cls,
        data: Mapping[str, Sequence[object]],
        formats: Mapping[str, str] | None = None,
        caption: str = "",
    ) -> Table:
        """Build a table from a mapping of column heading to column values.

        Examples
        --------
        >>> t = Table.from_columns({"x": [1.25, 2.5]}, formats={"x": ".2f"})
        >>> t.cells()
        [['1.25'], ['2.50']]
        """
        columns = list(data)
        lengths = {len(data[c]) for c in columns}
        if len(lengths) > 1:
            raise ValueError(f"columns must have equal lengths; got lengths {sorted(lengths)}")
        n = lengths.pop() if lengths else 0
        rows = [[data[c][i] for c in columns] for i in range(n)]
        fmts = [(formats or {}).get(c, "") for c in columns]
        return cls(tuple(columns), tuple(tuple(r) for r in rows), tuple(fmts), caption)

    def cells(self) -> list[list[str]]:
        """Return every cell as the string the table shows."""
        return [[_format(v, f) for v, f in zip(r, self.formats, strict=True)] for r in self.rows]

    def __str__(self) -> str:
        cells = self.cells()
        widths = [len(c) for c in self.columns]
        for r in cells:
            widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]
        numeric = [
            all(not isinstance(r[j], str) for r in self.rows) and bool(self.rows)
            for j in range(len(self.columns))
        ]

        def line(items: Sequence[str]) -> str:
            parts = [
                s.rjust(w) if num else s.ljust(w)
                for s, w, num in zip(items, widths, numeric, strict=True)
            ]
            return "  ".join(parts).rstrip()

        out = [self.caption] if self.caption else []
        out.append(line(self.columns))
        out.append("  ".join("-" * w for w in widths))
        out.extend(line(r) for r in cells)
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    def to_html(self, *, compact: bool = False) -> str:
        """Return the table as HTML, with the same cells as the text form.

        Numeric columns are right-aligned. ``compact=True`` gives smaller type, tabular
        figures and tighter cells, inside a box that scrolls sideways when the table is wider
        than the page (for summaries with many columns).

        Examples
        --------
        >>> Table(["x"], [[1.5]], formats=[".1f"]).to_html().count("<td")
        1
        """
        numeric = [
            bool(self.rows) and all(not isinstance(r[j], str) for r in self.rows)
            for j in range(len(self.columns))
        ]
        if compact:
            style = [
                f'style="padding:0.15em 0.5em;text-align:{"right" if num else "left"}"'
                for num in numeric
            ]
        else:
            style = [
                f'style="padding: 0.2em 0.8em; text-align: {"right" if num else "left"}"'
                for num in numeric
            ]
        head = "".join(
            f"<th {s}>{html.escape(c)}</th>" for s, c in zip(style, self.columns, strict=True)
        )
        body = "".join(
            "<tr>"
            + "".join(f"<td {s}>{html.escape(c)}</td>" for s, c in zip(style, r, strict=True))
            + "</tr>"
            for r in self.cells()
        )
        if compact:
            return (
                '<div style="overflow-x:auto"><table class="eightschools-table" '
                'style="font-size:0.85em;font-variant-numeric:tabular-nums;white-space:nowrap">'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            )
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (
            f'<table class="eightschools-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()
