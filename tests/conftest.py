"""Shared fixtures: the book is built once per test session, into a temporary folder."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BookBuild:
    """The result of `jupyter-book build . -W -n --keep-going` into a temporary folder."""

    returncode: int
    log: str
    html: Path
    seconds: float


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> BookBuild:
    """Build the whole book once, exactly as `make book` does, with warnings as errors."""
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    proc = subprocess.run(
        [str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return BookBuild(
        proc.returncode,
        proc.stdout + proc.stderr,
        out / "_build" / "html",
        time.perf_counter() - start,
    )


@pytest.fixture(scope="session")
def built_html(book: BookBuild) -> Path:
    """The built website's folder; fails (does not skip) if the build failed."""
    if book.returncode != 0:
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    return book.html
