"""The book builds with warnings as errors, and the repository keeps its promised layout."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_book_builds_without_warnings(book):
    problems = [ln for ln in book.log.splitlines() if re.search(r"WARNING: |ERROR|Error", ln)]
    tail = "\n".join(problems[:40] + book.log.splitlines()[-20:])
    assert book.returncode == 0, f"jupyter-book build failed:\n{tail}"
    # Sphinx warnings look like "file:line: WARNING: ..." (-W makes them errors, and
    # --keep-going lists them all); the kernel's own log lines are not Sphinx warnings.
    warnings = re.findall(r"^.*WARNING: .*$", book.log, flags=re.M)
    assert not warnings, "the build printed warnings:\n" + "\n".join(warnings)
    assert (book.html / "index.html").is_file()


def test_every_chapter_is_in_the_book(built_html):
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        assert (built_html / "chapters" / f"{nb.stem}.html").is_file(), nb.name


def test_mathjax_is_served_locally(built_html):
    page = (built_html / "chapters" / "01_separate_and_pooled.html").read_text()
    srcs = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', page, flags=re.I)
    assert srcs, "no MathJax script on the page"
    assert all(not s.startswith(("http:", "https:", "//")) for s in srcs), srcs
    assert (built_html / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_no_code_init():
    # `code` is a standard-library module: code/ must stay a plain folder.
    assert not (ROOT / "code" / "__init__.py").exists()


def test_requirements_are_exact_pins():
    lines = [
        ln.strip()
        for ln in (ROOT / "requirements.txt").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    pin = re.compile(r"[A-Za-z0-9_.\-\[\]]+==\S+")
    loose = [ln for ln in lines if ln != "-e .[chapters]" and not pin.fullmatch(ln)]
    assert not loose, f"unpinned requirements: {loose}"
    assert "-e .[chapters]" in lines  # the package, with what the chapters use (PyMC, ArviZ)


def test_ruff_is_clean():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "code", "tests", "benchmarks", "assignments"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_site_does_not_leak_the_build_machines_paths(built_html):
    """Autodoc once printed default values such as PosixPath('/home/.../datasets/...')."""
    leaks = []
    for page in built_html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        leaks += [f"{page.relative_to(built_html)}: {bad}" for bad in (str(ROOT), "PosixPath(")
                  if bad in text]
    assert not leaks, f"pages that print a path of the build machine: {leaks}"
