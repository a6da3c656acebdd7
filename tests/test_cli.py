"""Tests of the command line `python -m eightschools summary FILE.csv`.

Most runs go through a real subprocess (sys.executable -m eightschools), as a reader would;
the odd files of the strict reader run in-process through main() for speed.
Truths: the numbers printed in the blog post (pooled mean and variance; the Nelder-Mead mode,
to the few digits its stopping rule allows); the package's own exact module, which is tested
against adaptive quadrature in tests/test_exact.py (here we check the command passes it on
faithfully); and the rules of the issue for bad files (one line on stderr, exit status 2).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import eightschools.__main__ as cli
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
                 "notes", "null", "exit status", "1000", "sigma > 0", "At least 3 rows",
                 "128 MiB", "1,000,000 rows", "regular file", "UTF-8", "as many"):
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
    "repeated name": ("name,y,sigma\nA,28,15\nA,8,10\nC,-3,16\n",
                      "name 'A' is repeated on lines 2 and 3"),
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


# --------------------------------------------------------------------------- odd files
def strict_json(text: str) -> object:
    """Parse strict JSON (no NaN or Infinity) and check every number in it is finite."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    out = json.loads(text, parse_constant=refuse)
    stack = [out]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, float):
            assert math.isfinite(value)
    return out


def one_error_line(code: int, out: str, err: str) -> str:
    """Check the issue's rule for a failure and return the line: status 2, one line, no
    traceback, printable ASCII, nothing on standard output."""
    assert code == 2 and out == "", (code, out, err)
    assert "Traceback" not in err and err.endswith("\n") and len(err.splitlines()) == 1, err
    line = err.rstrip("\n")
    assert line.startswith("eightschools summary: error: ") and line.isascii()
    assert line.isprintable() and len(line) < 400
    return line


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


GOOD = b"A,28,15\nB,8,10\nC,-3,16\n"
H = b"name,y,sigma\n"
ODD_FILES = {  # case: (file, what the one line must say)
    "extra cell": (H + b"School 1, 2,28,15\n" + GOOD, "line 2: expected 3 cells, found 4"),
    "short row": (H + GOOD + b"D,4\n", "line 5: expected 3 cells, found 2"),
    "repeated column": (b"name,y,sigma,y\nA,1,2,3\n", "line 1: column 'y' is repeated"),
    "2_8": (H + b"A,2_8,15\n" + GOOD[8:], "line 2: column 'y' must be a number; got '2_8'"),
    "1,000 quoted": (H + b'A,"1,000",15\n', "column 'y' must be a number; got '1,000'"),
    "arabic-indic digit": (H + "A,\u0663,15\n".encode(), r"got '\u0663'"),
    "fullwidth digit": (H + "A,1,\uff13\n".encode(), r"'sigma' must be a number; got '\uff13'"),
    "nan": (H + b"A,nan,15\n", "got 'nan'"),
    "inf": (H + b"A,1,inf\n", "got 'inf'"),
    "0x10": (H + b"A,0x10,15\n", "got '0x10'"),
    "empty cell": (H + b"A,,15\n", "line 2: column 'y' must be a number; got ''"),
    "control char in name": (H + b"A\x1b[2J,1,15\n", r"line 2: the name 'A\x1b[2J' has a control"),
    "empty name": (H + b"  ,1,15\n" + GOOD[8:], "line 2: the name is empty"),
    "bad utf-8": (H + GOOD + b"\xff\xfe,1,2\n", "line 5: not UTF-8 text (byte 0xff"),
    "unterminated quote": (H + b'A,1,2\n"B,3,4\nC,5,6\n', "line 3: unterminated quote"),
    "duplicate names": (H + b"A,1,2\nB,1,2\nA,1,2\n", "name 'A' is repeated on lines 2 and 4"),
    "200,000-character name": (H + b"x" * 200_000 + b",1,2\n" + GOOD,
                               "line 2: a cell is longer than 131,072 characters"),
    "sigma underflows": (H + b"A,1,1e-400\n", "at least 5e-324 (it would read as 0) in size"),
    "y overflows": (H + b"A,1e309,1\n", "must be at most 1.8e308 in size"),
}


@pytest.mark.parametrize("case", list(ODD_FILES))
def test_odd_file_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    # Truth: the list of what the reader must refuse, naming file, line and rule.
    data, expected = ODD_FILES[case]
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    line = one_error_line(*run_main(capsys, "summary", str(path), "--json"))
    assert expected in line and str(path) in line


def test_bom_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"\xef\xbb\xbfname,y,sigma\r\n" + GOOD.replace(b"\n", b"\r\n"))
    code, out, err = run_main(capsys, "summary", str(path), "--json")
    assert code == 0 and err == ""
    assert list(strict_json(out)["theta"]) == ["A", "B", "C"]


def test_file_over_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import eightschools.data

    monkeypatch.setattr(eightschools.data, "MAX_CSV_BYTES", 40)
    path = tmp_path / "data.csv"
    path.write_bytes(b"name,y,sigma\n" + GOOD + b"D,1,1\n")
    line = one_error_line(*run_main(capsys, "summary", str(path)))
    assert "the file is larger than 40 bytes" in line


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_special_files_are_refused_promptly(tmp_path: Path, kind: str) -> None:
    # Truth: the issue: a FIFO blocked forever and a symlink to /dev/zero grew without bound.
    path = tmp_path / "data.csv"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    proc = subprocess.run(
        [sys.executable, "-m", "eightschools", "summary", str(path)],
        capture_output=True, text=True, timeout=20,
    )
    line = one_error_line(proc.returncode, proc.stdout, proc.stderr)
    assert f"cannot read {path}: it is a {'FIFO' if kind == 'fifo' else 'device'}" in line


EXTREME = {
    "sigma 1e-160": "name,y,sigma\nA,1e-160,1e-160\nB,2e-160,1e-160\nC,-1e-160,2e-160\n",
    "sigma 1e160": "name,y,sigma\nA,1e160,1e160\nB,2e160,1e160\nC,-1e160,2e160\n",
    "y 1e200": "name,y,sigma\nA,1e200,1\nB,2,1\nC,3,2\n",
    "infinite Q": "name,y,sigma\nA,1e100,1e-60\nB,-1e100,1e-60\nC,0,1e-60\n",
}


@pytest.mark.parametrize("case", list(EXTREME))
def test_extreme_numbers_give_an_answer_or_one_line(tmp_path: Path, case: str) -> None:
    # Truth: the issue: these gave tracebacks (from the numerics, or from json.dumps on an
    # infinite Q). Now: strict JSON with every number finite, or status 2 and one line.
    proc = run("summary", str(write(tmp_path, EXTREME[case])), "--json")
    if proc.returncode == 0:
        out = strict_json(proc.stdout)
        assert proc.stderr == ""
        if out["pooled"]["Q"] is None:
            assert any("pooled.Q" in note for note in out["notes"])
    else:
        assert "could not be computed" in one_error_line(proc.returncode, proc.stdout, proc.stderr)


def test_non_finite_values_become_null_with_a_note(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = cli.summarise

    def summarise(data):
        out = real(data)
        out["pooled"]["Q"] = math.inf
        out["mu"]["q50"] = math.nan
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        return out

    monkeypatch.setattr(cli, "summarise", summarise)
    code, out, err = run_main(capsys, "summary", str(EIGHT_SCHOOLS_CSV), "--json")
    assert code == 0 and err == ""
    res = strict_json(out)
    assert res["pooled"]["Q"] is None and res["mu"]["q50"] is None
    assert "2 value(s) are not finite and are given as null: pooled.Q (inf), mu.q50 (nan)" in (
        res["notes"]
    )
    assert "the computation warned: overflow encountered in exp" in res["notes"]
    code, out, err = run_main(capsys, "summary", str(EIGHT_SCHOOLS_CSV))
    assert code == 0 and err == "" and "homogeneity Q = n/a on 7 df" in out


@pytest.mark.parametrize("error", [ValueError("zero-size array"), OverflowError("too big"),
                                   ZeroDivisionError("float division"), MemoryError()])
def test_failure_of_the_computation_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def summarise(data):
        raise error

    monkeypatch.setattr(cli, "summarise", summarise)
    line = one_error_line(*run_main(capsys, "summary", str(EIGHT_SCHOOLS_CSV), "--json"))
    name = type(error).__name__
    assert f"{EIGHT_SCHOOLS_CSV}: the posterior could not be computed ({name}" in line
