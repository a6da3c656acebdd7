"""Tests of the command line `python -m eightschools summary FILE.csv`.

Each run goes through a real subprocess (sys.executable -m eightschools), as a reader would.
Truths: the numbers printed in the blog post (pooled mean and variance; the Nelder-Mead mode,
to the few digits its stopping rule allows); the package's own exact module, which is tested
against adaptive quadrature in tests/test_exact.py (here we check the command passes it on
faithfully); and the rules of the issue for bad files (one line on stderr, exit status 2).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from eightschools.__main__ import main
from eightschools.data import EIGHT_SCHOOLS_CSV
from eightschools.exact import exact_posterior

Y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]
SIGMA = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0]
STAT_KEYS = ["mean", "sd", "q025", "q25", "q50", "q75", "q975"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eightschools", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def eight_json() -> dict:
    proc = run("summary", str(EIGHT_SCHOOLS_CSV), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --------------------------------------------------------------------------- JSON
def test_json_keys_and_types(eight_json: dict) -> None:
    # Truth: the list of keys, with their types.
    out = eight_json
    assert set(out) == {"pooled", "mode", "laplace_cov", "mu", "tau", "theta", "notes"}
    assert set(out["pooled"]) == {"mean", "variance", "Q", "df", "p_value"}
    assert isinstance(out["pooled"]["df"], int) and out["pooled"]["df"] == 7
    assert set(out["mode"]) == {"mu", "log_tau"}
    cov = out["laplace_cov"]
    assert isinstance(cov, list) and len(cov) == 2 and all(len(r) == 2 for r in cov)
    for name in ("mu", "tau"):
        assert list(out[name]) == STAT_KEYS
        assert all(isinstance(v, float) for v in out[name].values())
    assert list(out["theta"]) == list("ABCDEFGH")
    for row in out["theta"].values():
        assert list(row) == [*STAT_KEYS, "shrinkage", "p_best"]
        assert all(isinstance(v, float) for v in row.values())
    assert out["notes"] == []


def test_json_numbers(eight_json: dict) -> None:
    # Truths: the post's pooled mean 7.68561672495604 and variance 16.58053 (R's printed
    # digits); its Nelder-Mead mode (7.926685, 1.841525), whose stopping rule leaves the
    # mode uncertain in the third digit (laplace_fit finds the exact mode), so 0.01; and
    # the exact module, to the last digit.
    out = eight_json
    assert out["pooled"]["mean"] == pytest.approx(7.68561672495604, abs=1e-13)
    assert out["pooled"]["variance"] == pytest.approx(16.58053, abs=5e-6)
    assert out["mode"]["mu"] == pytest.approx(7.926685, abs=1e-2)
    assert out["mode"]["log_tau"] == pytest.approx(1.841525, abs=1e-2)
    post = exact_posterior(Y, SIGMA)
    s = post.summary()
    assert out["tau"]["q50"] == pytest.approx(s.tau.q50, abs=1e-12)
    assert out["theta"]["A"]["shrinkage"] == pytest.approx(s.theta.shrinkage[0], abs=1e-12)
    p_best = [row["p_best"] for row in out["theta"].values()]
    assert sum(p_best) == pytest.approx(1.0, abs=1e-9)
    assert p_best == pytest.approx(list(post.prob_best()), abs=1e-12)


def test_missing_moments_are_null_with_a_note(tmp_path: Path) -> None:
    # Truth: with J = 3 and the flat prior p(tau | y) ~ tau^-2, so E[tau] and E[mu] diverge.
    path = write(tmp_path, "name,y,sigma\nA,28,15\nB,8,10\nC,-3,16\n")
    proc = run("summary", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["mu"]["mean"] is None and out["tau"]["sd"] is None
    assert isinstance(out["tau"]["q50"], float)
    assert any("does not exist" in n for n in out["notes"])


def test_p_best_is_null_above_one_thousand_groups(tmp_path: Path) -> None:
    # Truth: the rule: p_best only for J <= 1000.
    rng = np.random.default_rng(11)
    sigma = rng.uniform(5.0, 15.0, 1001)
    y = rng.normal(0.0, 12.0, 1001)
    rows = "".join(f"g{i},{y[i]:.6f},{sigma[i]:.6f}\n" for i in range(1001))
    path = write(tmp_path, "name,y,sigma\n" + rows)
    proc = run("summary", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert all(row["p_best"] is None for row in out["theta"].values())
    assert any("p_best" in n and "1000" in n for n in out["notes"])


def test_table_output() -> None:
    proc = run("summary", str(EIGHT_SCHOOLS_CSV))
    assert proc.returncode == 0 and proc.stderr == ""
    assert "pooled estimate 7.686" in proc.stdout
    lines = [line for line in proc.stdout.splitlines() if line.startswith("A ")]
    assert len(lines) == 1 and "28.000" in lines[0]


def test_main_returns_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(EIGHT_SCHOOLS_CSV), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["theta"]["A"]["mean"] > 0


def test_help_documents_everything() -> None:
    proc = run("summary", "--help")
    assert proc.returncode == 0
    for word in ("name,y,sigma", "--json", "pooled", "laplace_cov", "p_best", "shrinkage",
                 "notes", "null", "exit status", "1000", "sigma > 0", "At least 3 rows"):
        assert word in proc.stdout, word


# --------------------------------------------------------------------------- bad files
BAD_FILES = {
    "missing column": ("name,y\nA,28\nB,8\nC,-3\n", "missing column(s) sigma"),
    "non-numeric cell": ("name,y,sigma\nA,28,15\nB,eight,10\nC,-3,16\n",
                         "line 3: column 'y' must be a number; got 'eight'"),
    "sigma zero": ("name,y,sigma\nA,28,15\nB,8,0\nC,-3,16\n", "line 3: sigma must be > 0"),
    "sigma negative": ("name,y,sigma\nA,28,15\nB,8,10\nC,-3,-16\n",
                       "line 4: sigma must be > 0; got -16"),
    "fewer than 3 rows": ("name,y,sigma\nA,28,15\nB,8,10\n", "at least 3 rows are needed; got 2"),
    "empty file": ("", "the file is empty"),
    "repeated name": ("name,y,sigma\nA,28,15\nA,8,10\nC,-3,16\n", "names must be distinct"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_one_line_and_status_2(tmp_path: Path, case: str) -> None:
    # Truth: the issue: one clear line on stderr naming the problem, exit status 2,
    # no traceback, nothing on stdout.
    text, expected = BAD_FILES[case]
    path = write(tmp_path, text)
    proc = run("summary", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert expected in lines[0] and str(path) in lines[0]


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_path(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nothing.csv" if kind == "missing" else tmp_path
    proc = run("summary", str(path), "--json")
    assert proc.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"eightschools summary: error: cannot read {path}")
