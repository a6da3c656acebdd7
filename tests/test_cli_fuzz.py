"""Fuzz tests of the command line `eightschools summary FILE.csv [--json]`, with Hypothesis.

Truth: the issue's rules for any file whatever, not only the odd ones listed in
tests/test_cli.py: the status is 0 or 2; on 2, exactly one non-empty line on standard error
and no traceback; on 0 with --json, strict JSON in which every number is finite; and an
answer within 10 s (a guard against hangs, not a speed target). The command runs in-process
through main() for speed. Examples are derandomised, so a run in CI is reproducible, and
not shrunk, so a failing example (a hang above all) is reported at once.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from eightschools.__main__ import main

SECONDS = 10.0
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(BaseException):
    """Raised by the alarm; a BaseException, so that main() cannot turn it into status 2."""


@contextlib.contextmanager
def alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def refuse(constant: str) -> None:
    raise ValueError(f"not strict JSON: {constant}")


def finite_numbers(value: object) -> bool:
    if isinstance(value, dict):
        return all(finite_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_numbers(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


def check(path: Path, data: bytes, as_json: bool) -> tuple[int, str, str]:
    """Run the command on ``data`` and check the issue's rules; return status, out, err."""
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    argv = ["summary", str(path), *(["--json"] if as_json else [])]
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), alarm(SECONDS):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse would exit so; it must not happen here
            code = stop.code
    elapsed = time.perf_counter() - start
    out_text, err_text = out.getvalue(), err.getvalue()
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    assert code in (0, 2), (code, err_text)
    assert "Traceback" not in err_text
    if code == 2:
        assert out_text == ""
        lines = err_text.splitlines()
        assert len(lines) == 1 and err_text.endswith("\n"), err_text
        assert lines[0].startswith("eightschools summary: error: ") and lines[0].isprintable()
    else:
        assert err_text == ""
        if as_json:
            assert finite_numbers(json.loads(out_text, parse_constant=refuse))
    return code, out_text, err_text


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "data.csv"


# --------------------------------------------------------------------------- random bytes
PREFIXES = [b"", b"name,y,sigma\n", b"\xef\xbb\xbfsigma,name,y\r\nA,1,2\r\n", b'name,y,sigma\n"']


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=400), as_json=st.booleans())
def test_random_bytes(path: Path, prefix: bytes, body: bytes, as_json: bool) -> None:
    check(path, prefix + body, as_json)


# --------------------------------------------------------------------------- CSV structure
ODD_CELLS = ["", " ", "nan", "inf", "-Infinity", "2_8", "1,000", "0x10", "\u0663", "\uff13",
             "1e400", "1e-400", "-0", '"', "A\x00", "a\nb", "\u2028", "\ufeff", "G0"]
ANY_CELL = st.one_of(st.sampled_from(ODD_CELLS), st.text(max_size=6))
MUTATIONS = ["odd cell", "drop a cell", "add a cell", "repeat a column", "repeat a name", "blank"]


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A valid file (columns in any order, extra ones, 0 to 7 rows), then 0 to 2 faults."""
    header = draw(st.permutations(["name", "y", "sigma", *draw(st.sets(st.sampled_from(
        ["note", "", "weight"])))]))
    rows = []
    for j in range(draw(st.integers(0, 7))):
        cell = {"name": f"G{j}", "y": repr(draw(st.floats(-1e3, 1e3))),
                "sigma": repr(draw(st.floats(0.1, 100)))}
        rows.append([cell.get(h, draw(st.text(max_size=4))) for h in header])
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), max_size=2)):
        row = draw(st.sampled_from([r for r in rows if r] or [header]))
        if mutation == "odd cell":
            row[draw(st.integers(0, len(row) - 1))] = draw(ANY_CELL)
        elif mutation == "drop a cell":
            row.pop()
        elif mutation == "add a cell":
            row.append(draw(ANY_CELL))
        elif mutation == "repeat a column":
            header.append(draw(st.sampled_from(["name", "y", " sigma", "Name"])))
            for other in rows:
                other.append("1")
        elif mutation == "repeat a name":
            row[min(header.index("name"), len(row) - 1)] = "G0"  # the first row's name
        else:
            rows.insert(draw(st.integers(0, len(rows))), [])
    text = io.StringIO()
    csv.writer(
        text,
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])),
    ).writerows([header, *rows])
    data = draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + text.getvalue().encode()
    if draw(st.booleans()):
        data = data[: len(data) - draw(st.integers(0, 30))]  # cut, perhaps inside a quote
    return data


@FUZZ
@given(data=csv_files(), as_json=st.booleans())
def test_random_csv_structure(path: Path, data: bytes, as_json: bool) -> None:
    check(path, data, as_json)


# --------------------------------------------------------------------------- extreme numbers
FINITE = st.floats(allow_nan=False, allow_infinity=False)  # subnormals and 1.8e308 included
SIGMA = st.floats(min_value=5e-324, max_value=1.7976931348623157e308)
EIGHT_Y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]
EIGHT_SIGMA = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0]


@st.composite
def extreme_files(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):  # numbers anywhere in the range of doubles
        j = draw(st.integers(3, 6))
        ys = draw(st.lists(FINITE, min_size=j, max_size=j))
        sigmas = draw(st.lists(SIGMA, min_size=j, max_size=j))
    else:  # the eight schools, shifted and scaled to the ends of the range
        scale = 10.0 ** draw(st.integers(-320, 300))
        shift = draw(st.sampled_from([0.0, 1.0, -1e6, 1e200, -1e300]))
        ys = [shift + y * scale for y in EIGHT_Y]
        sigmas = [s * scale for s in EIGHT_SIGMA]
    rows = "".join(f"G{j},{y!r},{s!r}\n" for j, (y, s) in enumerate(zip(ys, sigmas, strict=True)))
    return ("name,y,sigma\n" + rows).encode()


@FUZZ
@given(data=extreme_files(), as_json=st.booleans())
@example(data=b"name,y,sigma\nA,1e-160,1e-160\nB,2e-160,1e-160\nC,-1e-160,2e-160\n", as_json=True)
@example(data=b"name,y,sigma\nA,1e160,1e160\nB,2e160,1e160\nC,-1e160,2e160\n", as_json=True)
@example(data=b"name,y,sigma\nA,1e200,1\nB,2,1\nC,3,2\n", as_json=False)
@example(data=b"name,y,sigma\nA,1e100,1e-60\nB,-1e100,1e-60\nC,0,1e-60\n", as_json=True)
@example(data=b"name,y,sigma\nA,1e-300,5e-324\nB,1e300,1e300\nC,0,2.2e-308\n", as_json=True)
def test_extreme_numbers(path: Path, data: bytes, as_json: bool) -> None:
    code, _, err = check(path, data, as_json)
    if code == 2:  # a positive sigma that is a double is read; only the numerics may fail
        assert "could not be computed" in err or "are needed" in err, err
