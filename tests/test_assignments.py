"""The otter-grader assignments made from the chapters' exercises (eightschools.assignments)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from eightschools import assignments
from eightschools.assignments import Question, master_notebook, write_assignments
from eightschools.editions import GLUE_STAND_IN, Book

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
MYST = re.compile(r"\{[\w:-]+\}`|^\s*(`{3,}|:{3,})\{[\w:-]+\}|^\([\w-]+\)=\s*$", re.M)
# The three chapters whose assignments `otter run` grades fastest: measured on the book's 2-core
# machine, solution plus student notebook, 10.7 s (ch03), 11.7 s (ch01) and 12.7 s (ch08),
# against 16.6 s (ch06), 20.5 s (ch05) and 35 to 95 s for the others.
GRADED = ["ch01", "ch03", "ch08"]


def labels(path: Path) -> list[str]:
    """The exercise labels of a chapter, read straight from its markdown."""
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "markdown")
    return re.findall(r"\{exercise-start\}\s*\n:label: *(\S+)", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All nine assignments, built once by the command (otter assign, tests not run)."""
    out = tmp_path_factory.mktemp("assignments")
    proc = subprocess.run([sys.executable, "-m", "eightschools.assignments", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wrote 9 assignments to {out}\n"
    return out


def notebooks(built: Path, kind: str) -> dict[str, nbformat.NotebookNode]:
    """The chapter's master (kind ""), student or autograder notebooks, by chapter folder."""
    return {p.parts[-3 if kind else -2]: nbformat.read(p, as_version=4)
            for p in sorted(built.glob(f"ch*/{kind}/*.ipynb" if kind else "ch*/*.ipynb"))}


def test_one_question_per_exercise(built: Path) -> None:
    masters = notebooks(built, "")
    assert sorted(masters) == [f"ch{n:02d}" for n in range(1, 10)]
    found, expected = [], []
    for path, nb in zip(CHAPTERS, masters.values(), strict=True):
        starts = [c.source for c in nb.cells if c.cell_type == "raw"
                  and c.source.startswith("# BEGIN QUESTION")]
        found += [re.search(r"name: \"(\S+)\"", s)[1] for s in starts]
        expected += labels(path)
    assert found == expected and len(found) == 45


def test_every_question_is_gradeable(built: Path) -> None:
    """Automatic questions have public and hidden tests; manual ones a written solution."""
    manual = 0
    for nb in notebooks(built, "autograder").values():
        tests = nb.metadata.otter.tests
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.startswith("grader.check("):
                test_file = tests[cell.source.split('"')[1]]  # exception-based: Python code
                assert "hidden=False" in test_file and "hidden=True" in test_file, test_file
        manual += sum("<!-- BEGIN QUESTION -->" in c.source for c in nb.cells)
    assert manual == 9  # the derivations, and chapter 9's runs to be interpreted


def test_no_myst_markup_and_no_myst_nb(built: Path) -> None:
    for kind in ("", "student", "autograder"):
        for name, nb in notebooks(built, kind).items():
            for cell in nb.cells:
                assert MYST.search(cell.source) is None, (kind, name, cell.source[:200])
                assert "myst_nb" not in cell.source, (kind, name)


def test_student_notebooks_hold_no_solution(built: Path) -> None:
    """No line of the book's solution code, and no hidden test, reaches a student."""
    for path, (name, nb) in zip(CHAPTERS, notebooks(built, "student").items(), strict=True):
        chapter = nbformat.read(path, as_version=4)
        solution, rest, inside = [], [], False
        for cell in chapter.cells:  # a solution's code: between its directives, or tagged
            marks = re.findall(r"\{solution-(start|end)\}", cell.source)
            inside = marks[-1] == "start" if marks else inside
            tagged = inside or "solution" in cell.metadata.get("tags", [])
            code = cell.cell_type == "code" and tagged
            (solution if code else rest).extend(line.strip() for line in cell.source.split("\n"))
        lines = {line for line in solution if len(line) > 25 and line not in "\n".join(rest)}
        student = "\n".join(c.source for c in nb.cells)
        assert lines and not [line for line in lines if line in student], name
        assert "hidden=True" not in json.dumps(nb.metadata), name
        for cell in nb.cells:
            if cell.cell_type == "code":
                ast.parse(re.sub(r"^\s*[%!].*$", "", cell.source, flags=re.M))


# Grades notebooks one after the other with otter-grader's `otter run` (no Docker), imported once:
# arguments (notebook, autograder zip, results folder) ...; each results.json goes to its folder.
GRADER = """
import sys
from otter.run import main
args = sys.argv[1:]
for notebook, zip_file, out in zip(args[::3], args[1::3], args[2::3]):
    main(notebook, autograder=zip_file, output_dir=out, no_logo=True)
"""


def grade(runs: list[tuple[Path, Path]]) -> None:
    """Grade each (notebook, results folder) in one Python process."""
    args = []
    for notebook, out in runs:
        out.mkdir()
        args += [str(notebook), str(next((notebook.parents[1] / "autograder").glob("*.zip"))),
                 str(out)]
    proc = subprocess.run([sys.executable, "-c", GRADER, *args], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_otter_grades_the_book_full_and_the_untouched_notebook_zero(built: Path) -> None:
    runs = {(ch, kind): (next((built / ch / kind).glob("*.ipynb")), built / f"{ch}-{kind}")
            for ch in GRADED for kind in ("autograder", "student")}
    with ThreadPoolExecutor(max_workers=2) as pool:  # two processes, one per core
        list(pool.map(grade, [list(runs.values())[0::2], list(runs.values())[1::2]]))
    for (ch, kind), (_, out) in runs.items():
        scores = [t for t in json.loads((out / "results.json").read_text())["tests"]
                  if t["name"] != "Public Tests"]
        assert scores, ch
        for test in scores:
            full = test["score"] == test["max_score"] > 0
            assert full if kind == "autograder" else test["score"] == 0, (ch, kind, test)


@pytest.mark.book
def test_numbers_and_glued_values_match_the_website(built: Path, built_html: Path) -> None:
    # Truth: the built website's numbers of exercises, figures and equations, in its order,
    # and the equations each exercise's source refers to; the assignments must show the same.
    html = "\n".join(p.read_text() for p in sorted((built_html / "chapters").glob("0*.html")))
    equations = {m[2]: m[1] for m in re.finditer(
        r'<span class="eqno">\((\d+\.\d+)\)<a class="headerlink" href="#equation-([\w-]+)"', html)}
    figures = re.findall(r'<figure[^>]*id="[\w-]+">.*?<span class="caption-number">'
                         r'(Fig\. \d+\.\d+) ', html, re.S)
    exercises = re.findall(r'<div class="exercise admonition" id="[\w-]+">\s*<p class="admonition-'
                           r'title"><span class="caption-number">(Exercise \d+\.\d+) ', html)
    assert len(equations) > 40 and len(figures) == 28 and len(exercises) == 45
    masters = notebooks(built, "")
    cells = [c for nb in masters.values() for c in nb.cells]
    prompts = [c.source for before, c in zip(cells, cells[1:], strict=False)
               if before.source.startswith("# BEGIN QUESTION")]
    assert [re.match(r"### (.+)\n", p)[1] for p in prompts] == exercises
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert re.findall(r"^\*\*(Fig\. [\d.]+)\.\*\*", markdown, re.M) == figures
    exercise_texts = [t for path in CHAPTERS for t in re.findall(
        r"\{exercise-start\}.*?\{exercise-end\}", "\n".join(
            c.source for c in nbformat.read(path, as_version=4).cells), re.S)]
    for text, prompt in zip(exercise_texts, prompts, strict=True):
        cited = [equations[label] for label in dict.fromkeys(re.findall(r"\{eq\}`([\w-]+)`", text))]
        assert re.findall(r"\\tag\{([\d.]+)\}", prompt) == cited, prompt[:80]
        assert all(f"({number})" in prompt for number in cited), prompt[:80]
    shown = 0
    for nb in notebooks(built, "student").values():  # each caption with its figure, attached
        for cell in nb.cells:
            images = re.findall(r"^!\[.{20,}\]\(attachment:(\S+)\)\n\n\*\*Fig\.", cell.source, re.M)
            assert len(images) == cell.source.count("**Fig."), cell.source[:80]
            assert all("image/png" in cell.attachments[name] for name in images)
            shown += len(images)
    assert shown == 27  # all but the figure of a solution (chapter 8's)
    sentence = r"Reporting the mode as (.*?) keeps only digits"  # glued values, formatted
    ours = "\n".join(c.source for c in masters["ch03"].cells)
    site_values = re.sub(r"<[^>]+>|\s+", "", re.search(sentence, html, re.S)[1])
    assert re.fullmatch(r"\(\d+\.\d+,\d+\.\d+\)", site_values)  # e.g. "(7.92,1.841)"
    assert re.sub(r"\s+", "", re.search(sentence, ours, re.S)[1]) == site_values


def fake_chapter(*sources: str) -> nbformat.NotebookNode:
    """A chapter from markdown and code sources (code ones start with 'code:')."""
    return new_notebook(cells=[new_code_cell(s[5:]) if s.startswith("code:")
                               else new_markdown_cell(s) for s in sources])


BOOK = Book((), {"ex-add": "Exercise 1.1"}, {}, {})  # what a fake chapter's references resolve to
EXERCISE = ("# Sums\n```{exercise-start}\n:label: ex-add\n```\nAdd one and one.\n"
            "```{exercise-end}\n```\n```{solution-start} ex-add\n```")


def hidden_two(two):
    assert two == 2


def public_two(two):
    assert two is not None


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"manual": True, "two": ""}, "a manual question must have no answers"),
    ({"graded": "`two`", "two": "", "tests": (public_two,)}, "one hidden at least"),
    ({"graded": "`two`", "three": "", "tests": (hidden_two,)}, "take answer vari"),
    ({"graded": "two", "two": "", "tests": (hidden_two,)}, "graded must name"),
])
def test_question_refuses_what_otter_could_not_grade(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Question("ex-add", **kwargs)


@pytest.mark.parametrize(("sources", "questions", "message"), [
    ((EXERCISE, "code:two = 2"), [], "the solution of 'ex-add' is never closed"),
    ((EXERCISE, "code:two = 2", "```{solution-end}\n```"), [], "exactly the exercises"),
    (("code:two = 3", EXERCISE, "code:two = 2", "```{solution-end}\n```"), None,
     r"not set by the chapter's own code .*\['two'\]"),
    ((EXERCISE.replace("Add", "{numref}`fig-x` adds"), "code:two = 2", "```{solution-end}\n```"),
     None, "text must refer only to what book and nb hold; not 'fig-x'"),
    ((EXERCISE.replace("Add", "```{mermaid}\nAdd\n```\n"), "code:two = 2",
      "```{solution-end}\n```"), None, "the directive {mermaid} has no reader-edition form"),
    (("```{solution-start} ex-add\n```", "code:two = 2"), None, "out of order at 'ex-add'"),
])
def test_master_notebook_refuses_a_malformed_chapter(sources, questions, message) -> None:
    if questions is None:
        questions = [Question("ex-add", (hidden_two,), two="", graded="`two`")]
    with pytest.raises(ValueError, match=message):
        master_notebook(fake_chapter(*sources), questions, BOOK)


def test_answers_follow_the_solution_and_glue_gives_way(tmp_path: Path) -> None:
    chapter = fake_chapter("code:from myst_nb import glue\nglue('one', 1, display=False)", EXERCISE,
                           "code:two = 1 + 1", "```{solution-end}\n```")
    question = Question("ex-add", (hidden_two,), two="", double="2 * two",
                        graded="`two` and `double`")
    master = master_notebook(chapter, [question], BOOK)
    code = [c.source for c in master.cells if c.cell_type == "code"]
    assert code[0] == f"{GLUE_STAND_IN}\nglue('one', 1, display=False)"
    assert code[1] == "# BEGIN SOLUTION\ntwo = 1 + 1\n# END SOLUTION\ndouble = 2 * two  # SOLUTION"
    assert code[2].startswith("# HIDDEN\ndef hidden_two(two):")


def test_command_line_refuses_an_unknown_chapter(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        assignments.main([str(tmp_path / "out"), "--chapters", str(ROOT / "chapters"),
                          "--specs", str(ROOT / "assignments"), "--only", "12"])
    assert stop.value.code == 2
    assert "only must list chapters with a specification" in capsys.readouterr().err
    with pytest.raises(ValueError, match="outside the book's chapters folder"):
        write_assignments(ROOT / "chapters" / "out", ROOT / "chapters")
