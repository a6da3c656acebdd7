"""Shared fixtures: the book is built once per test session, into a temporary folder.

The tests build the website from the chapters' stored outputs, the outputs that nbval checks
by re-executing every chapter in the same test session; `make book` builds it the same way
but executes every chapter first. So each chapter is executed once per test session, not twice.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import arviz
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# PyMC installs numba, and ArviZ then computes some statistics with numba-compiled code whose
# results come back as arrays of shape (1,) instead of numbers. The tests compare the book's
# functions with ArviZ's plain numpy code (the same values).
arviz.Numba.disable_numba()


@dataclass(frozen=True)
class BookBuild:
    """The result of `jupyter-book build . -W -n --keep-going` into a temporary folder."""

    returncode: int
    log: str
    html: Path
    seconds: float


def stored_outputs_config(folder: Path) -> Path:
    """Write a copy of `_config.yml` that builds from the stored outputs, without executing."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    # Local extension paths are relative to the configuration file, so make them absolute.
    extensions = config["sphinx"]["local_extensions"]
    for name, path in extensions.items():
        extensions[name] = str(ROOT / path)
    path = folder / "_config.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> BookBuild:
    """Build the whole book once from the stored outputs, with warnings as errors."""
    out = tmp_path_factory.mktemp("book")
    config = stored_outputs_config(tmp_path_factory.mktemp("config"))
    jb = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    proc = subprocess.run(
        [str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--all",
         "--config", str(config), "--path-output", str(out)],
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
