"""Shared fixtures: the book is built once per test session, into a temporary folder.

The tests build the website from the chapters' stored outputs, the outputs that nbval checks
by re-executing every chapter in the same test session; `make book` builds it the same way
but executes every chapter first. So each chapter is executed once per test session, not twice.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import arviz
import pytest
import yaml
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]

# PyMC installs numba, and ArviZ then computes some statistics with numba-compiled code whose
# results come back as arrays of shape (1,) instead of numbers. The tests compare the book's
# functions with ArviZ's plain numpy code (the same values).
arviz.Numba.disable_numba()


def load_print_book():
    """The print script .ci/print_book.py as a module: its server and Chromium settings are the
    ones the browser tests use too."""
    if "print_book" not in sys.modules:
        spec = importlib.util.spec_from_file_location("print_book", ROOT / ".ci" / "print_book.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["print_book"]


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


def _build_book(folder: Path) -> BookBuild:
    folder.mkdir(parents=True, exist_ok=True)
    config = stored_outputs_config(folder)
    jb = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    proc = subprocess.run(
        [str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--all",
         "--config", str(config), "--path-output", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return BookBuild(
        proc.returncode,
        proc.stdout + proc.stderr,
        folder / "_build" / "html",
        time.perf_counter() - start,
    )


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> BookBuild:
    """Build the whole book once from the stored outputs, with warnings as errors.

    Under pytest-xdist (`make test` runs two workers) the first worker to ask builds it, in
    the folder the workers share, and the others wait for it and read the result.
    """
    if worker_id == "master":
        return _build_book(tmp_path_factory.mktemp("book"))
    shared = tmp_path_factory.getbasetemp().parent
    record = shared / "book.json"
    with FileLock(str(shared / "book.lock")):
        if not record.is_file():
            build = _build_book(shared / "book")
            record.write_text(json.dumps({**asdict(build), "html": str(build.html)}))
    data = json.loads(record.read_text())
    return BookBuild(**{**data, "html": Path(data["html"])})


@pytest.fixture(scope="session")
def built_html(book: BookBuild) -> Path:
    """The built website's folder; fails (does not skip) if the build failed."""
    if book.returncode != 0:
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    return book.html
