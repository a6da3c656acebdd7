"""Run an R script with ``Rscript --vanilla`` for the tests that compare with R itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def run_r_script(script: Path) -> str:
    """Return what ``Rscript --vanilla script`` printed; fail clearly if R is missing or fails."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.fail(
            "Rscript is not on PATH: these tests compare with R itself. Install R and "
            "LearnBayes (Debian/Ubuntu: apt-get install r-base-core r-cran-learnbayes).",
            pytrace=False,
        )
    proc = subprocess.run(
        [rscript, "--vanilla", str(script)], capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        pytest.fail(f"Rscript {script.name} failed (exit {proc.returncode}):\n{proc.stderr}")
    return proc.stdout
