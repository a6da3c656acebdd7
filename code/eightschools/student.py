r"""The student edition: the chapters with every solution replaced by an empty answer cell.

The book marks each solution with sphinx-exercise's gated directives (see the README's section
for instructors): it runs from a markdown line that opens a ``{solution-start}`` directive to
the fence that closes the ``{solution-end}`` directive after it, possibly across several
cells, and each of its code
cells carries the tag ``solution``. :func:`student_notebook` removes everything in between,
prose and code, and puts one code cell ``# Your answer here`` in its place; the exercise text
stays. All outputs and execution counts are cleared.

:func:`write_student_edition` does this for every chapter and copies ``data/`` beside the
notebooks. From a shell::

    python -m eightschools.student OUT_DIR

The notebooks import ``eightschools``, which reads its data from the book's source tree,
so they run wherever the package is installed (editable, as ``make install`` does).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from copy import deepcopy
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from eightschools.data import DATA_DIR

__all__ = [
    "CHAPTERS_DIR",
    "STUB",
    "main",
    "student_notebook",
    "write_student_edition",
]

#: The book's chapters folder in the source tree.
CHAPTERS_DIR: Path = DATA_DIR.parent

#: The source of the cell that replaces each solution.
STUB = "# Your answer here"

SOLUTION_TAG = "solution"

# A directive's opening line: a fence of 3+ backticks or colons, then {solution-start}/-end.
_START = re.compile(r"^\s*(`{3,}|:{3,})\{solution-start\}")
_END = re.compile(r"^\s*(`{3,}|:{3,})\{solution-end\}")


def _stub_cell() -> NotebookNode:
    cell = nbformat.v4.new_code_cell(STUB)
    cell.metadata["tags"] = ["answer"]
    return cell


def _split_markdown(source: str, inside: bool) -> tuple[list[tuple[str, bool]], bool]:
    """Split a markdown cell's text into (text, is_solution) runs; return them and the state.

    ``inside`` says whether the cell starts inside a solution. A solution run ends after the
    closing fence of its ``{solution-end}`` directive.
    """
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    lines = source.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        line = lines[i]
        if not inside and _START.match(line):
            runs.append(("".join(current), False))
            current, inside = [], True
            continue
        end = _END.match(line) if inside else None
        if end is not None:
            fence = end.group(1)
            i += 1
            # Skip to the directive's closing fence (the same fence on a line of its own).
            while i < len(lines) and lines[i].strip() != fence:
                i += 1
            i += 1
            runs.append(("", True))
            current, inside = [], False
            continue
        if not inside:
            current.append(line)
        else:
            runs.append(("", True))
        i += 1
    runs.append(("".join(current), inside and not current))
    return runs, inside


def student_notebook(nb: NotebookNode) -> NotebookNode:
    r"""Return a copy of a chapter with each solution replaced by one stub cell, outputs cleared.

    A solution is everything from a line that opens a ``{solution-start}`` directive (in any
    markdown cell, possibly after exercise text) through the closing fence of the following
    ``{solution-end}`` directive, across any number of cells. It becomes one code
    cell :data:`STUB` (tagged ``answer``). A code cell tagged ``solution`` outside such a
    block is replaced by a stub too. Markdown outside solutions is kept as it is.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A version-4 notebook; it is not modified.

    Returns
    -------
    nbformat.NotebookNode
        The student's notebook: no solution text, no ``solution`` cell, no outputs.

    Raises
    ------
    ValueError
        If a solution is opened and never closed.

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
            cells.append(_stub_cell())
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


def _refuse_inside(out_dir: Path, chapters_dir: Path) -> None:
    out_r, ch_r = out_dir.resolve(), chapters_dir.resolve()
    if out_r == ch_r or ch_r in out_r.parents:
        raise ValueError(
            f"out_dir must lie outside the book's chapters folder {ch_r}; got {out_r} "
            "(the student edition must never overwrite or mix with the sources)"
        )


def write_student_edition(
    out_dir: str | Path, chapters_dir: str | Path = CHAPTERS_DIR
) -> list[Path]:
    """Write the student edition of every chapter notebook, with ``data/`` beside them.

    Each ``*.ipynb`` of ``chapters_dir`` is passed through :func:`student_notebook` and
    written under the same name into ``out_dir`` (created if needed; files of the same
    names are replaced). ``chapters_dir/data`` is copied to ``out_dir/data``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Where to write; it must not be ``chapters_dir`` nor inside it.
    chapters_dir : str or pathlib.Path, optional
        The book's chapters; :data:`CHAPTERS_DIR` by default.

    Returns
    -------
    list of pathlib.Path
        The notebooks written, in name order.

    Raises
    ------
    ValueError
        If ``out_dir`` is ``chapters_dir`` or inside it, ``chapters_dir`` holds no
        notebook, or a notebook has an unclosed solution.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_student_edition(tmp)
    ...     print(paths[0].name, (Path(tmp) / "data" / "eight_schools.csv").exists())
    01_separate_and_pooled.ipynb True
    >>> write_student_edition(CHAPTERS_DIR)
    Traceback (most recent call last):
    ...
    ValueError: out_dir must lie outside the book's chapters folder ...
    """
    out = Path(out_dir)
    src = Path(chapters_dir)
    _refuse_inside(out, src)
    notebooks = sorted(src.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"chapters_dir must hold chapter notebooks; none found in {src}")
    converted = [(p.name, student_notebook(nbformat.read(p, as_version=4))) for p in notebooks]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, nb in converted:
        path = out / name
        nbformat.write(nb, path)
        written.append(path)
    if (src / "data").is_dir():
        shutil.copytree(src / "data", out / "data", dirs_exist_ok=True)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m eightschools.student OUT_DIR [--chapters DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m eightschools.student",
        description="Write the student edition of the book's chapters (solutions replaced "
        "by '# Your answer here', outputs cleared) into OUT_DIR, with data/ beside them.",
    )
    parser.add_argument("out_dir", help="the folder to write (outside chapters/)")
    parser.add_argument(
        "--chapters", default=str(CHAPTERS_DIR), help="the chapters folder (default: the book's)"
    )
    args = parser.parse_args(argv)
    try:
        written = write_student_edition(args.out_dir, args.chapters)
    except ValueError as err:
        parser.exit(2, f"error: {err}\n")
    sys.stdout.write(f"wrote {len(written)} notebooks and data/ to {args.out_dir}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
