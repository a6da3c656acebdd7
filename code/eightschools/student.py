r"""The student edition: the chapters with every solution replaced by an empty answer cell.

A solution (sphinx-exercise's gated directives) runs from a markdown line that opens a
``{solution-start}`` directive to the fence that closes the ``{solution-end}`` directive after
it, possibly across several cells; its code cells carry the tag ``solution``.
:func:`student_notebook` replaces it, prose and code, by one code cell ``# Your answer here``
and clears all outputs. ``eightschools.editions`` then turns the rest into plain notebook
text (the student edition is the reader edition without solutions). From the book's root
folder::

    python -m eightschools.editions student OUT_DIR

(``python -m eightschools.student OUT_DIR`` does the same.) The notebooks read their data
through the package, so they run wherever it is installed.
"""

from __future__ import annotations

import re
import sys
from copy import deepcopy
from pathlib import Path

import nbformat
from nbformat import NotebookNode

__all__ = ["CHAPTERS_DIR", "STUB", "student_notebook"]

#: The chapters folder, relative to the working directory (the book's root): ``chapters``.
#:
#: :meta hide-value:
CHAPTERS_DIR = Path("chapters")

#: The source of the cell that replaces each solution.
STUB = "# Your answer here"

SOLUTION_TAG = "solution"

# A directive's opening line: a fence of 3+ backticks or colons, then {solution-start}/-end.
_START = re.compile(r"^\s*(`{3,}|:{3,})\{solution-start\}")
_END = re.compile(r"^\s*(`{3,}|:{3,})\{solution-end\}")


def _split_markdown(source: str, inside: bool) -> tuple[list[tuple[str, bool]], bool]:
    # A markdown cell's text as (text, is_solution) runs, and whether it ends inside a solution.
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    lines = source.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        end = _END.match(lines[i]) if inside else None
        if not inside and _START.match(lines[i]):
            runs.append(("".join(current), False))
            current, inside = [], True
        elif end is not None:
            # Skip to the directive's closing fence (the same fence on a line of its own).
            i += 1
            while i < len(lines) and lines[i].strip() != end.group(1):
                i += 1
            runs.append(("", True))
            inside = False
        elif inside:
            runs.append(("", True))
        else:
            current.append(lines[i])
        i += 1
    runs.append(("".join(current), inside and not current))
    return runs, inside


def student_notebook(nb: NotebookNode) -> NotebookNode:
    r"""Return a copy of a chapter with each solution replaced by one stub cell, outputs cleared.

    Each solution, and each code cell tagged ``solution``, becomes one code cell :data:`STUB`
    (tagged ``answer``); all other markdown is kept. A solution never closed is a ValueError.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A version-4 notebook; it is not modified.

    Returns
    -------
    nbformat.NotebookNode
        The student's notebook.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    >>> nb = new_notebook(cells=[
    ...     new_markdown_cell("Exercise: add.\n```{solution-start} ex\n:class: dropdown\n```"),
    ...     new_code_cell("1 + 1", metadata={"tags": ["solution"]}),
    ...     new_markdown_cell("Two.\n```{solution-end}\n```\nNext section."),
    ... ])
    >>> [(c.cell_type, c.source) for c in student_notebook(nb).cells]
    [('markdown', 'Exercise: add.'), ('code', '# Your answer here'), ('markdown', 'Next section.')]
    """
    out = deepcopy(nb)
    cells: list[NotebookNode] = []
    inside = False
    stubbed = False  # has the current solution already got its stub?

    def open_solution() -> None:
        nonlocal stubbed
        if not stubbed:
            cells.append(nbformat.v4.new_code_cell(STUB, metadata={"tags": ["answer"]}))
            stubbed = True

    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            runs, inside_after = _split_markdown(cell.source, inside)
            for text, is_solution in runs:
                if is_solution:
                    open_solution()
                elif text.strip():
                    md = nbformat.v4.new_markdown_cell(text.strip("\n"))
                    md.metadata = deepcopy(cell.get("metadata", {}))
                    cells.append(md)
                    stubbed = False
            inside = inside_after
            if inside:
                open_solution()
            continue
        if inside or (cell.cell_type == "code" and SOLUTION_TAG in tags):
            open_solution()
            if not inside:
                stubbed = True
            continue
        stubbed = False
        new = deepcopy(cell)
        if new.cell_type == "code":
            new.outputs = []
            new.execution_count = None
            new.metadata.pop("execution", None)
        cells.append(new)
    if inside:
        raise ValueError("a solution-start directive is never closed by solution-end")
    for i, cell in enumerate(cells):
        cell["id"] = f"s{i:03d}"
    out.cells = cells
    return out


if __name__ == "__main__":
    # The command of earlier versions: python -m eightschools.student OUT_DIR [--book DIR].
    from eightschools.editions import main

    raise SystemExit(main(["student", *sys.argv[1:]]))
