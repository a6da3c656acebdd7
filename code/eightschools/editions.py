r"""The reader and student editions: the chapters as plain notebooks that read and run anywhere.

JupyterLab shows the chapters' MyST (roles, directives, labelled equations) as raw markup. The
*reader edition* replaces each piece by what the website shows: glued values formatted as
myst-nb formats them, the numbers of figures, equations and exercises (chapters numbered in
``_toc.yml`` order), author-year citations, included code, glued figures as cell attachments;
its code defines a stand-in for ``myst_nb.glue`` instead of importing it. The *student edition*
is the reader edition of :func:`eightschools.student.student_notebook`'s notebook. From the
book's root folder::

    python -m eightschools.editions reader OUT_DIR     # or: student OUT_DIR
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from nbformat import NotebookNode
from pybtex.database import parse_file
from pybtex.richtext import Text

from eightschools.student import student_notebook

__all__ = ["Book", "main", "markdown_cell", "read_book", "reader_notebook", "write_edition"]

GLUE_STAND_IN = '''\
def glue(name, value, display=True):
    """Stand-in for the website's glue (myst-nb): shows the value only if display is true."""
    if display:
        from IPython.display import display as show
        show(value)'''

# A directive: a fence of 3+ backticks or colons, {name} and argument, options, body, same fence.
_DIRECTIVE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)\n"
    r"(?P<options>(?::[\w-]+:.*\n)*)(?P<body>(?:.*\n)*?)(?P=fence)[ \t]*$",
    re.M,
)
_ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<content>[^`]*)`")
_LABELLED_MATH = re.compile(r"^\$\$\n(?P<math>(?:.*\n)*?)\$\$ *\((?P<label>[\w-]+)\)[ \t]*$", re.M)
_TARGET = re.compile(r"^\([\w-]+\)=[ \t]*\n", re.M)
_ADMONITIONS = {"admonition", "note", "tip", "hint", "important", "warning", "caution", "seealso"}
_GLUE_PREFIX = "application/papermill.record/"


@dataclass(frozen=True)
class Book:
    """What a chapter's references need from the whole book.

    ``chapters``: the numbered chapters' notebooks, in order; ``numbers``: label to the text the
    website shows (``"Fig. 6.1"``, ``"Exercise 4.2"``, ``"(7.3)"``); ``titles``: chapter file
    stem to title; ``citations``: key to (authors as cited, year).
    """

    chapters: tuple[Path, ...]
    numbers: dict[str, str]
    titles: dict[str, str]
    citations: dict[str, tuple[str, str]]


def read_book(root: str | Path) -> Book:
    """Number the figures, equations and exercises of a book's chapters; read its references.

    Parameters
    ----------
    root : str or pathlib.Path
        The book's folder, with ``_toc.yml`` and ``_config.yml``.

    Returns
    -------
    Book
        The numbers, titles and citations of the whole book.

    Examples
    --------
    >>> book = read_book(Path(__file__).parents[2])  # the book this package comes with
    >>> book.numbers["eq-cochran-q"], book.citations["rubin1981"]
    ('(1.4)', ('Rubin', '1981'))
    """
    root = Path(root)
    if not (root / "_toc.yml").is_file():
        raise ValueError(f"root must be a book's folder, with a _toc.yml; got {root}")
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    chapters: list[Path] = []
    numbers: dict[str, str] = {}
    titles: dict[str, str] = {}
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            path = (root / entry["file"]).with_suffix(".ipynb")
            if not path.exists():
                continue
            cells = nbformat.read(path, as_version=4).cells
            text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
            titles[path.stem] = re.search(r"^# (.+)$", text, re.M).group(1).strip()
            if not part.get("numbered"):
                continue
            chapters.append(path)
            chapter = len(chapters)
            found = re.finditer(r"^:(name|label): *(\S+)|\$\$ *\(([\w-]+)\)", text, re.M)
            counts = {"Fig.": 0, "Exercise": 0, "": 0}
            for m in found:
                kind = {"name": "Fig.", "label": "Exercise", None: ""}[m.group(1)]
                counts[kind] += 1
                number = f"{chapter}.{counts[kind]}"
                numbers[m.group(2) or m.group(3)] = f"{kind} {number}" if kind else f"({number})"
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    citations = {}
    for bib in config.get("bibtex_bibfiles", []):
        for key, entry in parse_file(root / bib).entries.items():
            last = [Text.from_latex(" ".join(p.last_names)).render_as("text")
                    for p in entry.persons.get("author", [])]
            authors = " and ".join(last) if len(last) < 3 else f"{last[0]} *et al.*"
            citations[key] = (authors, entry.fields.get("year", "n.d."))
    return Book(tuple(chapters), numbers, titles, citations)


def _format_glued(text: str, spec: str) -> str:
    # As myst-nb 1.4 formats a glued text/plain value: the Python literal, cast by the spec's type.
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    cast = {**dict.fromkeys("bcdoxX", int), **dict.fromkeys("eEfFgGn%", float), "s": str}
    return format(cast.get(spec[-1:], lambda v: v)(value), spec)


def _include(folder: Path, path: str, options: dict[str, str]) -> str:
    # literalinclude with :pyobject:, :start-at: and :prepend:, as Sphinx filters the lines.
    source = (folder / path).read_text(encoding="utf-8")
    lines = source.splitlines()
    if "pyobject" in options:
        node = next(n for n in ast.parse(source).body if getattr(n, "name", None)
                    == options["pyobject"])
        lines = lines[node.lineno - 1:node.end_lineno]
    if "start-at" in options:
        lines = lines[next(i for i, ln in enumerate(lines) if options["start-at"] in ln):]
    if "prepend" in options:
        lines.insert(0, options["prepend"])
    return "```{}\n{}\n```".format(options.get("language", ""), "\n".join(lines))


def _directive(m: re.Match, book: Book, glued: dict, folder: Path, cell: NotebookNode) -> str:
    name, arg, body = m["name"], m["arg"].strip(), _render(m["body"], book, glued, folder, cell)
    options = {}
    for line in m["options"].splitlines():
        key, value = re.match(r":([\w-]+): *(.*)", line).groups()
        options[key] = json.loads(value) if value.startswith('"') else value
    if name == "glue:figure":
        cell.setdefault("attachments", {})[f"{arg}.png"] = {"image/png": glued[arg]["image/png"]}
        figure = f"![{options.get('alt', '')}](attachment:{arg}.png)"
        return f"{figure}\n\n**{book.numbers[options['name']]}.** {body.strip()}"
    if name == "glue:md":
        return glued[arg]["text/markdown"]
    if name == "literalinclude":
        return _include(folder, arg, options)
    if name == "exercise-start":
        return f"### {book.numbers[options['label']]}" + (f" ({arg})" if arg else "")
    if name == "solution-start":
        return f"#### Solution to {book.numbers[arg]}"
    if name in ("exercise-end", "solution-end"):
        return ""
    if name in _ADMONITIONS:
        text = f"**{arg or name.capitalize()}**\n\n{body.strip()}"
        return "\n".join(f"> {line}".rstrip() for line in text.splitlines())
    raise ValueError(f"the directive {{{name}}} has no reader-edition form; add one")


def _role(m: re.Match, book: Book, glued: dict) -> str:
    name, content = m["name"], m["content"]
    if name == "glue:text":
        key, _, spec = content.partition(":")
        return _format_glued(glued[key]["text/plain"], spec or "s")
    if name in ("numref", "eq"):
        return book.numbers[content]
    if name == "doc":
        return book.titles[Path(content).stem]
    if name in ("cite:p", "cite:t"):
        cited = [book.citations[key.strip()] for key in content.split(",")]
        if name == "cite:p":
            return "[" + "; ".join(f"{who}, {year}" for who, year in cited) + "]"
        return ", ".join(f"{who} [{year}]" for who, year in cited)
    raise ValueError(f"the role {{{name}}} has no reader-edition form; add one")


def _render(text: str, book: Book, glued: dict, folder: Path, cell: NotebookNode) -> str:
    # Block markup first (a directive's body is rendered in turn), then the inline roles.
    text = _TARGET.sub("", text)
    text = _DIRECTIVE.sub(lambda m: _directive(m, book, glued, folder, cell), text)
    text = _LABELLED_MATH.sub(
        lambda m: f"$$\n{m['math']}\\tag{{{book.numbers[m['label']][1:-1]}}}\n$$", text)
    text = _ROLE.sub(lambda m: _role(m, book, glued), text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _glued(nb: NotebookNode) -> dict[str, dict[str, str]]:
    # The values a notebook glued, as its outputs record them: name -> {mime type: data}.
    return {o.metadata["scrapbook"]["name"]: {k.removeprefix(_GLUE_PREFIX): v
                                            for k, v in o.data.items()}
            for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "scrapbook" in o.get("metadata", {})}


def markdown_cell(text: str, book: Book, nb: NotebookNode,
                  folder: str | Path = ".") -> NotebookNode:
    r"""Return a markdown cell of a chapter's MyST ``text`` as the website shows it.

    The glued values are those of the chapter ``nb`` (its figures become the cell's attachments);
    included files' paths start in ``folder``. A reference ``book`` or ``nb`` lacks: ValueError.

    Examples
    --------
    >>> book, nb = Book((), {"eq-a": "(2.1)"}, {}, {}), nbformat.v4.new_notebook()
    >>> markdown_cell("$$\nx\n$$ (eq-a)\n\nSee {eq}`eq-a`.", book, nb).source
    '$$\nx\n\\tag{2.1}\n$$\n\nSee (2.1).'
    """
    cell = nbformat.v4.new_markdown_cell()
    try:
        cell.source = _render(text, book, _glued(nb), Path(folder), cell)
    except KeyError as err:
        raise ValueError(f"text must refer only to what book and nb hold; not {err}") from None
    return cell


def reader_notebook(nb: NotebookNode, book: Book, folder: str | Path,
                    glued: dict[str, dict[str, str]] | None = None) -> NotebookNode:
    r"""Return a copy of a chapter with its MyST markup replaced by what the website shows.

    Markdown cells get their values, numbers, citations, included code and glued figures (as
    attachments); an unknown role or directive is a ValueError. Code cells import a stand-in
    for ``myst_nb.glue`` and lose the outputs that only recorded glued values.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter (version 4); it is not modified.
    book : Book
        The book's numbers, titles and citations, from :func:`read_book`.
    folder : str or pathlib.Path
        The chapter's folder, where the paths of its included files start.
    glued : dict, optional
        Each glued name's data by mime type (``{"text/plain": "0.5"}``); by default, those
        recorded in the outputs of ``nb``.

    Returns
    -------
    nbformat.NotebookNode
        The reader's notebook.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
    >>> record = new_output(  # what glue("p", 0.12345, display=False) records
    ...     "display_data", {"application/papermill.record/text/plain": "0.12345"},
    ...     metadata={"scrapbook": {"name": "p"}})
    >>> nb = new_notebook(cells=[
    ...     new_code_cell("from myst_nb import glue\nglue('p', p)", outputs=[record]),
    ...     new_markdown_cell("p = {glue:text}`p:.2f` {cite:p}`k`, see {eq}`eq-a`.")])
    >>> book = Book((), {"eq-a": "(2.1)"}, {}, {"k": ("Rubin", "1981")})
    >>> out = reader_notebook(nb, book, ".")
    >>> out.cells[1].source
    'p = 0.12 [Rubin, 1981], see (2.1).'
    >>> out.cells[0].source.startswith("def glue(name, value, display=True):"), out.cells[0].outputs
    (True, [])
    """
    glued = _glued(nb) if glued is None else glued
    out = deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = _render(cell.source, book, glued, Path(folder), cell)
        elif cell.cell_type == "code":
            cell.source = re.sub(r"^from myst_nb import glue$", GLUE_STAND_IN, cell.source,
                                 flags=re.M)
            cell.outputs = [o for o in cell.outputs if "scrapbook" not in o.get("metadata", {})]
    out.cells = [c for c in out.cells if c.cell_type != "markdown" or c.source.strip()]
    return out


def write_edition(kind: str, out_dir: str | Path, root: str | Path = ".") -> list[Path]:
    """Write the reader or student edition of every numbered chapter of a book into ``out_dir``.

    Parameters
    ----------
    kind : {"reader", "student"}
        The reader edition, or the student one (no solutions, no outputs).
    out_dir : str or pathlib.Path
        Where to write; not the book's ``chapters`` folder nor inside it.
    root : str or pathlib.Path, optional
        The book's folder (``_toc.yml``, ``_config.yml``, ``chapters/``); ``.`` by default.

    Returns
    -------
    list of pathlib.Path
        The notebooks written, in the book's order.

    Examples
    --------
    >>> write_edition("teacher", "out")
    Traceback (most recent call last):
    ...
    ValueError: kind must be 'reader' or 'student'; got 'teacher'
    """
    if kind not in ("reader", "student"):
        raise ValueError(f"kind must be 'reader' or 'student'; got {kind!r}")
    out, chapters = Path(out_dir).resolve(), (Path(root) / "chapters").resolve()
    if out == chapters or chapters in out.parents:
        raise ValueError(f"out_dir must lie outside the book's chapters folder {chapters}; "
                         f"got {out} (an edition must never overwrite or mix with the sources)")
    book = read_book(root)
    out.mkdir(parents=True, exist_ok=True)
    for path in book.chapters:
        nb = nbformat.read(path, as_version=4)
        source = student_notebook(nb) if kind == "student" else nb
        nbformat.write(reader_notebook(source, book, path.parent, _glued(nb)), out / path.name)
    return [out / path.name for path in book.chapters]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m eightschools.editions {reader,student} OUT_DIR [--book DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m eightschools.editions",
        description="Write the reader edition of the book's chapters (the website's text and "
        "outputs, no MyST) or the student edition (no solutions, no outputs) into OUT_DIR.",
    )
    parser.add_argument("kind", choices=["reader", "student"], help="which edition")
    parser.add_argument("out_dir", help="the folder to write (outside the chapters folder)")
    parser.add_argument("--book", default=".", help="the book's folder (default: .)")
    args = parser.parse_args(argv)
    try:
        written = write_edition(args.kind, args.out_dir, Path(args.book))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} notebooks to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
