r"""Course assignments from the book's exercises, for otter-grader (``otter assign``, format v1).

Each chapter keeps its code, headings and figures (the prose stays in the book); each
exercise becomes a question, with the book's solution and the tests of the chapter's
specification ``assignments/chNN.py`` (``CHAPTER``, the notebook's name, and a :class:`Question`
per exercise). The MyST becomes what the website shows, as in the reader edition
(:func:`eightschools.editions.markdown_cell`): "(4.2)", "Fig. 7.1" and its figure, "Gelman *et
al.* [2013]", a glued value. ``python -m eightschools.assignments OUT_DIR [--only N ...]``, from
the book's root, writes ``OUT_DIR/chNN/NN_name.ipynb`` and runs ``otter assign`` on it:
``student/`` and ``autograder/``.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import inspect
import itertools
import json
import re
import symtable
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from eightschools.editions import GLUE_STAND_IN, Book, markdown_cell, read_book

__all__ = ["SPECS_DIR", "Question", "main", "master_notebook", "write_assignments"]

#: The specifications' folder, relative to the book's root: ``assignments``.
#:
#: :meta hide-value:
SPECS_DIR = Path("assignments")
_CHAPTERS = Path("chapters")

_DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{(exercise|solution)-(start|end)\}[ \t]*(\S*)\n"
                        r"((?::[^\n]*\n)*)\1[ \t]*$", re.M)
_FIGURE = re.compile(r"^(`{3,})\{glue:figure\}[^\n]*\n.*?\n\1$", re.M | re.S)
_EQUATION = re.compile(r"^\$\$\n(?:(?!\$\$).*\n)*?\$\$ *\(([\w-]+)\)[ \t]*$", re.M)  # labelled
_INTRO = ("This assignment is chapter {} of the book: its code, headings and figures (read "
          "the text in the book), then its exercises. Run the cells from the top, write your "
          "answers where you see `...`, and run the `grader.check` cell under a question for its "
          "public tests. Hidden tests, which grade your work, compare it with the book's values.")


class Question:
    r"""One exercise as an otter-grader question.

    Parameters
    ----------
    label : str
        The exercise's label, e.g. ``"ex-ch3-newton"``; also the question's name.
    tests : tuple of functions
        Otter test cases whose parameters are answer variables: ``public_*`` ones (students run
        them) and ``hidden_*`` ones (graded only; one at least, unless manual).
    graded : str
        What is graded, told to the student: markdown that names each answer in backticks.
    points : int, optional
        By default one per test, or 2 if manual.
    manual : bool
        Graded by hand (prose, a derivation, a figure): no answers, no tests.
    **answers : str
        Each answer variable, with the expression that sets it after the book's solution (the
        student sees ``name = ...``), or ``""`` where the solution sets it itself.

    Examples
    --------
    >>> def public_x(y):
    ...     assert y is not None
    >>> Question("ex-x", (public_x,), x="1", graded="`x`")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: tests must be named public_* or hidden_* (one hidden at least) ...; got public_x(y)
    """

    def __init__(self, label: str, tests: tuple[Callable[..., None], ...] = (), *,
                 graded: str = "", points: int | None = None, manual: bool = False,
                 **answers: str) -> None:
        self.label, self.tests, self.graded, self.answers = label, tests, graded, answers
        self.points = points or (2 if manual else len(tests))
        self.manual = manual
        if manual and (answers or tests):
            raise ValueError("a manual question must have no answers and no tests")
        names = [t.__name__ for t in tests]
        params = {p for t in tests for p in inspect.signature(t).parameters}
        well_named = all(n.startswith(("public_", "hidden_")) for n in names)
        hidden = any(n.startswith("hidden_") for n in names)
        if not manual and not (well_named and hidden and params <= set(answers)):
            raise ValueError("tests must be named public_* or hidden_* (one hidden at least) and "
                             f"take answer variables of {sorted(answers)}; got "
                             + ", ".join(f"{t.__name__}{inspect.signature(t)}" for t in tests))
        missing = [a for a in answers if not re.search(rf"`{a}[`(]", graded)]
        if missing:
            raise ValueError(f"graded must name every answer variable in backticks; {missing} not")


def _parse(nb: nbformat.NotebookNode) -> tuple[list[tuple[str, str]], dict[str, dict]]:
    """The chapter as ("md" | "code" | "question", text or label), and each exercise's parts.

    An exercise is {"text": [markdown], "solution": [("md" | "code", text)]}.
    """
    stream: list[tuple[str, str]] = []
    exercises: dict[str, dict] = {}
    where: tuple[str, str] | None = None  # ("exercise" | "solution", label) while inside one
    for cell in nb.cells:
        pieces = [("code", cell.source)] if cell.cell_type == "code" else []
        if cell.cell_type == "markdown":  # split around the directives
            end = 0
            for m in _DIRECTIVE.finditer(cell.source):
                pieces += [("md", cell.source[end:m.start()]), ("directive", m)]
                end = m.end()
            pieces.append(("md", cell.source[end:]))
        for kind, piece in pieces:
            if kind == "directive":
                opening, label = piece[3] == "start", piece[4]
                if piece.group(2, 3) == ("exercise", "start"):
                    found = re.search(r"^:label: *(\S+)", piece[5], re.M)
                    if found is None:
                        raise ValueError(f"an exercise-start must have a :label:; got {piece[0]!r}")
                    label = found[1]
                    exercises[label] = {"text": [], "solution": []}
                    stream.append(("question", label))
                if opening == (where is not None) or opening and label not in exercises:
                    raise ValueError(f"{piece[2]}-{piece[3]} out of order at {label!r}")
                where = (piece[2], label) if opening else None
            elif not piece.strip():
                continue
            elif where is None:
                stream.append((kind, piece.strip("\n")))
            elif where[0] == "solution":
                exercises[where[1]]["solution"].append((kind, piece.strip("\n")))
            else:
                exercises[where[1]]["text"].append(piece.strip("\n"))
    if where is not None:
        raise ValueError(f"the {where[0]} of {where[1]!r} is never closed")
    return stream, exercises


def _question(q: Question, exercise: dict, markdown: Callable[[str], NotebookNode],
              displays: dict[str, str]) -> list[NotebookNode]:
    """The cells of one question: its prompt, the book's solution, its tests.

    ``markdown`` renders MyST; a prompt shows again the ``displays`` (labelled equations) it cites.
    """
    text = "\n\n".join(exercise["text"])
    shown = [displays[k] for k in dict.fromkeys(re.findall(r"\{eq\}`([\w-]+)`", text))
             if k in displays]
    graded = f"**Graded:** {q.graded or 'by hand, in the cells below.'}"
    config = {"name": q.label, "manual": q.manual, "points": q.points}
    cells = [new_raw_cell("\n".join(["# BEGIN QUESTION"]
                                    + [f"{k}: {json.dumps(v)}" for k, v in config.items()])),
             # The heading is the exercise's number, as a reference to it reads.
             markdown("\n\n".join([f"### {{numref}}`{q.label}`", text, *shown, graded])),
             new_raw_cell("# BEGIN SOLUTION")]
    lines = "".join(f"\n{name} = {expr}  # SOLUTION" for name, expr in q.answers.items() if expr)
    code = [i for i, (kind, _) in enumerate(exercise["solution"]) if kind == "code"]
    if lines and not code:
        raise ValueError(f"answers must follow a code cell; the solution of {q.label} has none")
    for i, (kind, source) in enumerate(exercise["solution"]):
        if kind == "code":
            end = lines if i == code[-1] else ""
            cells.append(new_code_cell(f"# BEGIN SOLUTION\n{source}\n# END SOLUTION{end}"))
        else:
            cells.append(markdown(source))
    cells.append(new_raw_cell("# END SOLUTION"))
    if q.tests:
        cells += [new_raw_cell("# BEGIN TESTS"),
                  *(new_code_cell(("# HIDDEN\n" if t.__name__.startswith("hidden_") else "")
                                  + inspect.getsource(t).strip()) for t in q.tests),
                  new_raw_cell("# END TESTS")]
    return [*cells, new_raw_cell("# END QUESTION")]


def master_notebook(nb: NotebookNode, questions: Iterable[Question], book: Book, number: int = 1,
                    folder: str | Path = ".") -> NotebookNode:
    r"""Return a chapter's otter-grader master notebook: its code, then one question per exercise.

    ``nb`` is a chapter (nbformat 4; not modified) with its stored outputs, ``questions`` one per
    exercise, ``book`` what its references resolve to (:func:`eightschools.editions.read_book`),
    ``number`` the chapter's, ``folder`` the chapter's folder. The MyST becomes what the website
    shows; ``from myst_nb import glue`` gives way to the reader edition's stand-in.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    >>> book = Book((), {"ex-add": "Exercise 1.1"}, {}, {})
    >>> nb = new_notebook(cells=[
    ...     new_markdown_cell("# Sums\n```{exercise-start}\n:label: ex-add\n```\nAdd one and one."
    ...                       "\n```{exercise-end}\n```\n```{solution-start} ex-add\n```"),
    ...     new_code_cell("two = 1 + 1", metadata={"tags": ["solution"]}),
    ...     new_markdown_cell("```{solution-end}\n```")])
    >>> def hidden_two(two):
    ...     assert two == 2
    >>> master = master_notebook(nb, [Question("ex-add", (hidden_two,), two="", graded="`two`")],
    ...                          book)
    >>> print(master.cells[4].source)
    ### Exercise 1.1
    <BLANKLINE>
    Add one and one.
    <BLANKLINE>
    **Graded:** `two`
    >>> raw = [c.source.splitlines()[0] for c in master.cells if c.cell_type == "raw"]
    >>> raw[1:]  # doctest: +NORMALIZE_WHITESPACE
    ['# BEGIN QUESTION', '# BEGIN SOLUTION', '# END SOLUTION', '# BEGIN TESTS', '# END TESTS',
     '# END QUESTION']
    >>> print(master.cells[-6].source)
    # BEGIN SOLUTION
    two = 1 + 1
    # END SOLUTION
    """
    markdown = functools.partial(markdown_cell, book=book, nb=nb, folder=folder)
    displays = {m[1]: m[0] for c in nb.cells if c.cell_type == "markdown"
                for m in _EQUATION.finditer(c.source)}
    stream, exercises = _parse(nb)
    questions = {q.label: q for q in questions}
    if set(questions) != set(exercises):
        raise ValueError(f"questions must be given for exactly the exercises {sorted(exercises)}; "
                         f"got {sorted(questions)}")
    answers = [a for q in questions.values() for a in q.answers]
    taken = {s.get_name() for kind, text in stream if kind == "code" for s in symtable.symtable(
        re.sub(r"^\s*[%!].*$", "", text, flags=re.M), "cell", "exec").get_symbols()
        if s.is_assigned() or s.is_imported()}
    clash = sorted(taken & set(answers) | {a for a in answers if answers.count(a) > 1})
    if clash:
        raise ValueError("answer variables must be unique and not set by the chapter's own code "
                         f"(an untouched notebook would pass); {clash} are not")
    items = []  # (kind, heading level or 0, text): headings and captions, code, questions
    for kind, text in stream:
        if kind != "md":
            items.append((kind, 0, text))
            continue
        found = [(m.start(), len(m[1]), m[0]) for m in re.finditer(r"^(#+) .*$", text, re.M)]
        found += [(m.start(), 0, m[0]) for m in _FIGURE.finditer(text)]
        items += [("md", level, t) for _, level, t in sorted(found)]
    kept = [it for it, after in zip(items, [*items[1:], ("md", 1, "")], strict=True)
            if not 0 < after[1] <= it[1] or after[0] != "md"]  # headings of empty sections go
    config = {"name": f"ch{number:02d}", "check_all_cell": True, "show_question_points": True,
              "export_cell": {"pdf": False}, "generate": True, "tests": {"ok_format": False}}
    cells = [new_raw_cell("# ASSIGNMENT CONFIG\n" + json.dumps(config, indent=1))]
    for kind, group in itertools.groupby(kept, key=lambda it: it[0]):
        texts = [text for _, _, text in group]
        if kind == "md":
            cells.append(markdown("\n\n".join(texts)))
        for text in texts if kind == "code" else ():
            cells.append(new_code_cell(text.replace("from myst_nb import glue", GLUE_STAND_IN)))
        for label in texts if kind == "question" else ():
            cells += _question(questions[label], exercises[label], markdown, displays)
    cells.insert(1 + (cells[1:2] != [] and cells[1].cell_type == "markdown"),
                 new_markdown_cell(_INTRO.format(number)))
    return new_notebook(cells=cells, metadata=nb.metadata)


def write_assignments(out_dir: str | Path, chapters_dir: str | Path = _CHAPTERS,
                      specs_dir: str | Path = SPECS_DIR, only: Iterable[int] | None = None,
                      run_tests: bool = False) -> list[Path]:
    """Write each chapter's master notebook into ``out_dir/chNN/`` and run ``otter assign``.

    ``chapters_dir`` is the book's chapters folder, inside the book's (whose ``_toc.yml`` numbers
    them), ``specs_dir`` holds their specifications ``chNN.py``; ``only`` lists the chapter
    numbers to build (all by default); ``run_tests`` lets otter run the tests on the book's
    solutions (slow: it executes the chapters). ``out_dir`` must lie outside ``chapters_dir``.
    Returns the master notebooks written.

    Examples
    --------
    >>> write_assignments("book/chapters/out", "book/chapters")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: out_dir must lie outside the book's chapters folder ...
    """
    out, src = Path(out_dir).resolve(), Path(chapters_dir).resolve()
    if out == src or src in out.parents:
        raise ValueError(f"out_dir must lie outside the book's chapters folder {src}; got {out}")
    specs = {}
    for path in sorted(Path(specs_dir).glob("ch*.py")):
        spec = importlib.util.spec_from_file_location(f"assignments_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        specs[module.CHAPTER] = [q for q in vars(module).values() if isinstance(q, Question)]
    book = read_book(src.parent)
    chapters = dict(enumerate(book.chapters, 1))
    numbers = list(only or chapters)
    if any(chapters.get(n, Path()).name not in specs for n in numbers):
        raise ValueError(f"only must list chapters with a specification in {specs_dir}; "
                         f"got {numbers}")
    from otter.assign import main as otter_assign

    written = []
    for number in numbers:
        path = chapters[number]
        master = out / f"ch{number:02d}" / path.name
        try:
            nb = master_notebook(nbformat.read(path, as_version=4), specs[path.name], book, number,
                                 path.parent)
        except ValueError as err:
            raise ValueError(f"{master.name}: {err}") from None
        master.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, master)
        otter_assign(str(master), str(master.parent), no_run_tests=not run_tests)
        written.append(master)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m eightschools.assignments OUT_DIR [options]``."""
    parser = argparse.ArgumentParser(
        prog="python -m eightschools.assignments",
        description="Turn the chapters' exercises into otter-grader assignments: OUT_DIR/chNN/ "
        "with the master notebook, student/ and autograder/.")
    parser.add_argument("out_dir", help="the folder to write (outside the chapters folder)")
    parser.add_argument("--chapters", default=str(_CHAPTERS), help="default: chapters")
    parser.add_argument("--specs", default=str(SPECS_DIR), help="default: assignments")
    parser.add_argument("--only", type=int, nargs="+", help="chapter numbers (default: all)")
    parser.add_argument("--run-tests", action="store_true",
                        help="grade the book's solutions too (executes the chapters)")
    args = parser.parse_args(argv)
    try:
        written = write_assignments(args.out_dir, args.chapters, args.specs, args.only,
                                    args.run_tests)
    except ValueError as err:
        parser.exit(2, f"error: {err}\n")
    sys.stdout.write(f"wrote {len(written)} assignments to {args.out_dir}\n")
    return 0


if __name__ == "__main__":  # the specifications import Question from eightschools.assignments
    from eightschools import assignments

    raise SystemExit(assignments.main())
