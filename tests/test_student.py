"""Tests of the student edition: it leaks no solution and keeps every exercise.

The solutions are located independently of the module: by a regular expression over the whole
notebook's text (every cell joined in order), from a ``{solution-start}`` directive to the end
of its ``{solution-end}`` directive, plus the code cells tagged ``solution``. Every line of
those solutions that does not also occur outside them must be absent from the student
edition. The edition is written by eightschools.editions (the reader edition without the
solutions); tests/test_editions.py checks that it has no MyST left and that it runs without
myst_nb.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from eightschools import editions, student

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(p.name for p in CHAPTERS.glob("*.ipynb"))

_SOLUTION = re.compile(
    r"^[`:]{3,}\{solution-start\}.*?^[`:]{3,}\{solution-end\}[^\n]*\n[`:]{3,}[ \t]*$",
    re.M | re.S,
)


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("student")
    editions.write_edition("student", out, ROOT)
    return out


def _solution_lines(nb: nbformat.NotebookNode) -> set[str]:
    """Lines of every solution (prose and code) that occur nowhere outside the solutions."""
    text = "\n".join(c.source for c in nb.cells)
    inside: set[str] = set()
    for m in _SOLUTION.finditer(text):
        inside |= {ln.strip() for ln in m.group(0).splitlines()}
    for c in nb.cells:
        if "solution" in c.metadata.get("tags", []):
            inside |= {ln.strip() for ln in c.source.splitlines()}
    outside_text = _SOLUTION.sub("", text)
    outside = {ln.strip() for ln in outside_text.splitlines()}
    for c in nb.cells:
        if "solution" not in c.metadata.get("tags", []) and c.cell_type == "code":
            outside |= {ln.strip() for ln in c.source.splitlines()}
    # Code the chapter shows from the package (literalinclude) is outside the solutions too.
    for path in re.findall(r"\{literalinclude\}\s+(\S+)", outside_text):
        outside |= {ln.strip() for ln in (CHAPTERS / path).read_text().splitlines()}
    # Short lines ("```", ")", "print(x)") are not evidence of a leak.
    return {ln for ln in inside - outside if len(ln) >= 12}


def test_every_chapter_is_written(edition: Path) -> None:
    # Truth: the chapters folder's own listing. No data files are needed beside the notebooks:
    # the package ships its data (test_student_notebook_executes runs them in the edition).
    assert sorted(p.name for p in edition.glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_solution_leaks(edition: Path, name: str) -> None:
    # Truth: the solutions found by the independent regular expression above.
    original = nbformat.read(CHAPTERS / name, as_version=4)
    stud = nbformat.read(edition / name, as_version=4)
    nbformat.validate(stud)
    text = "\n".join(c.source for c in stud.cells)
    assert "solution-start" not in text and "Solution to Exercise" not in text
    assert all("solution" not in c.metadata.get("tags", []) for c in stud.cells)
    # Whole lines: a solution line may be a fragment of a longer line outside the solutions.
    student_lines = {ln.strip() for ln in text.splitlines()}
    leaked = [ln for ln in _solution_lines(original) if ln in student_lines]
    assert not leaked, f"solution lines in the student edition: {leaked[:3]}"
    # One stub per solution; every exercise's text is kept.
    n_solutions = len(_SOLUTION.findall("\n".join(c.source for c in original.cells)))
    assert sum(c.source == student.STUB for c in stud.cells) == n_solutions
    n_exercises = sum(c.source.count("{exercise-start}") for c in original.cells)
    assert len(re.findall(r"^### Exercise \d+\.\d+", text, re.M)) == n_exercises
    # Outputs and execution counts are empty.
    for c in stud.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_parse(edition: Path, name: str) -> None:
    # Truth: Python's compiler, after IPython's own transformation of magics (%matplotlib).
    stud = nbformat.read(edition / name, as_version=4)
    tm = TransformerManager()
    for i, c in enumerate(stud.cells):
        if c.cell_type == "code":
            compile(tm.transform_cell(c.source), f"{name}[{i}]", "exec")


def test_layouts_of_the_convention() -> None:
    # Truth: a hand-built notebook with the three layouts used in the chapters: a solution
    # opening in the exercise's own cell and closing in the same cell; one spanning a code
    # cell and a closing prose cell; and prose after the closing fence, which is kept.
    nb = new_notebook(cells=[
        new_markdown_cell("Intro."),
        new_markdown_cell(
            "```{exercise-start}\n:label: ex-a\n```\nQ1?\n```{exercise-end}\n```\n\n"
            "```{solution-start} ex-a\n:class: dropdown\n```\nSECRET ONE\n"
            "```{solution-end}\n```"
        ),
        new_markdown_cell("```{exercise-start}\n:label: ex-b\n```\nQ2?\n```{exercise-end}\n```"),
        new_markdown_cell("```{solution-start} ex-b\n:class: dropdown\n```"),
        new_code_cell("secret_two = 2", metadata={"tags": ["solution"]}),
        new_markdown_cell("SECRET THREE\n```{solution-end}\n```\n\n## After"),
        new_code_cell("x = 1", execution_count=3),
    ])
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", text="x")]
    out = student.student_notebook(nb)
    kinds = [(c.cell_type, c.source) for c in out.cells]
    assert kinds == [
        ("markdown", "Intro."),
        ("markdown", "```{exercise-start}\n:label: ex-a\n```\nQ1?\n```{exercise-end}\n```"),
        ("code", student.STUB),
        ("markdown", "```{exercise-start}\n:label: ex-b\n```\nQ2?\n```{exercise-end}\n```"),
        ("code", student.STUB),
        ("markdown", "## After"),
        ("code", "x = 1"),
    ]
    assert out.cells[-1].outputs == [] and out.cells[-1].execution_count is None
    assert nb.cells[-1].outputs  # the input notebook is not modified


def test_unclosed_solution_is_refused() -> None:
    # Truth: the convention requires every solution-start to be closed.
    nb = new_notebook(cells=[new_markdown_cell("```{solution-start} ex\n```\ntext")])
    with pytest.raises(ValueError, match="never closed"):
        student.student_notebook(nb)


def test_refuses_to_write_into_chapters(tmp_path: Path) -> None:
    # Truth: the rule that the edition never lands in the book's sources.
    with pytest.raises(ValueError, match="out_dir must lie outside"):
        editions.write_edition("student", CHAPTERS, ROOT)
    with pytest.raises(ValueError, match="out_dir must lie outside"):
        editions.write_edition("student", CHAPTERS / "student", ROOT)
    with pytest.raises(ValueError, match="root must be a book's folder"):
        editions.write_edition("student", tmp_path / "out", tmp_path)


def test_command_of_earlier_versions(tmp_path: Path) -> None:
    # Truth: the command the Makefile runs, python -m eightschools.student OUT_DIR, from the
    # book's root, still writes the student edition (test_editions tests the refusals).
    proc = subprocess.run([sys.executable, "-m", "eightschools.student", str(tmp_path / "ed")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wrote {len(NOTEBOOKS)} notebooks to {tmp_path / 'ed'}\n"
    assert sorted(p.name for p in (tmp_path / "ed").iterdir()) == NOTEBOOKS
