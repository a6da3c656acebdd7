"""RStream against R itself: the same uniforms and normals, bit for bit.

R runs once for the whole module (``Rscript --vanilla``) and prints every value as an exact
hexadecimal float (``sprintf("%a", x)``), so the comparisons below are exact equalities. R must
be installed (Debian: ``apt-get install r-base-core``); without it these tests fail.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eightschools.rstream import RStream, _qnorm
from rscript import run_r_script

SEEDS = [11, 0, -1, 123456789, -2147483647, 2147483647]
N = 2000  # 2,000 uniforms (4,000 for rnorm) run the 624-word state round several times

# Each case: an R expression leaving its draws in x, and the same draws from Python.
CASES = {}
for seed in SEEDS:
    CASES[f"runif {seed}"] = (
        f"set.seed({seed}); x <- runif({N})",
        lambda s=seed: RStream(s).random(N),
    )
    CASES[f"rnorm {seed}"] = (
        f"set.seed({seed}); x <- rnorm({N})",
        lambda s=seed: RStream(s).standard_normal(N),
    )


def _interleaved() -> np.ndarray:
    """The sampler's pattern: two normals, then one uniform, over and over."""
    rng = RStream(11)
    out = []
    for _ in range(700):
        out.extend(rng.standard_normal(2))
        out.append(rng.random())
    return np.array(out)


def _vector_args() -> np.ndarray:
    rng = RStream(42)
    mean = [1.0, -2.0, np.inf, 4.0, 5.0, 6.0]
    sd = [0.5, 0.0, 1.0, 2.0, 3.0, 1e-3]
    return np.append(rng.normal(mean, sd), rng.random())


def _like_the_post() -> np.ndarray:
    rng = RStream(7)
    first = rng.normal(np.arange(500) / 4 - 60, np.arange(1, 501) / 8)  # exact in both
    return np.concatenate([first, rng.normal(10.0, 2.0, size=5)])


CASES["interleaved"] = (
    "set.seed(11); x <- c(); for (i in 1:700) x <- c(x, rnorm(2), runif(1))",
    _interleaved,
)
# sd = 0 and mean = Inf give the mean itself and use no random number: runif(1) shows it.
CASES["vector args"] = (
    "set.seed(42); x <- c(rnorm(6, mean = c(1, -2, Inf, 4, 5, 6), "
    "sd = c(0.5, 0, 1, 2, 3, 1e-3)), runif(1))",
    _vector_args,
)
CASES["like the post"] = (
    "set.seed(7); x <- c(rnorm(500, mean = (0:499) / 4 - 60, sd = (1:500) / 8), rnorm(5, 10, 2))",
    _like_the_post,
)

# p values for qnorm: both tails deep into the r > 5 branch, the 0.075 / 0.925 switches, random.
P_GRID = np.concatenate(
    [
        np.logspace(-18, -1, 200),
        1.0 - np.logspace(-15, -1, 150),
        [0.075, np.nextafter(0.075, 0), 0.925, np.nextafter(0.925, 1), 0.5, 1e-300],
        np.random.default_rng(5).random(2000),
    ]
)


def run_r(code: str, tmp_path: Path) -> str:
    """Run R ``code`` with ``Rscript --vanilla`` and return what it printed; fail without R."""
    script = tmp_path / "draws.R"
    script.write_text(code)
    return run_r_script(script)


def parse_hex_lines(text: str) -> dict[str, np.ndarray]:
    """Lines ``name | v1 v2 ...`` with hexadecimal floats, as a dict of float arrays."""
    out = {}
    for line in text.splitlines():
        if " | " in line:
            name, values = line.split(" | ", 1)
            out[name] = np.array([float.fromhex(v) for v in values.split()])
    return out


@pytest.fixture(scope="module")
def r_values(tmp_path_factory) -> dict[str, np.ndarray]:
    lines = [f"{code}; put({name!r}, x)" for name, (code, _) in CASES.items()]
    p_hex = " ".join(float(p).hex() for p in P_GRID)
    lines.append(f'put("qnorm", qnorm(as.numeric(strsplit("{p_hex}", " ")[[1]])))')
    put = 'put <- function(name, x) cat(name, "|", sprintf("%a", x), "\\n", sep = " ")'
    return parse_hex_lines(run_r("\n".join([put, *lines]), tmp_path_factory.mktemp("r")))


@pytest.mark.parametrize("name", list(CASES))
def test_draws_match_r_bit_for_bit(r_values, name):
    expected = r_values[name]
    got = np.asarray(CASES[name][1]())
    assert got.shape == expected.shape
    bad = np.flatnonzero(got != expected)
    assert bad.size == 0, f"{bad.size} draws differ, first at index {bad[0]}"


def test_qnorm_matches_r_bit_for_bit(r_values):
    got = np.array([_qnorm(p) for p in P_GRID])
    bad = np.flatnonzero(got != r_values["qnorm"])
    assert bad.size == 0, f"qnorm differs at p = {P_GRID[bad[:5]].tolist()}"


def test_shapes_fill_in_c_order_and_scalars_are_floats():
    flat = RStream(3).standard_normal(12)
    assert np.array_equal(RStream(3).standard_normal((3, 4)), flat.reshape(3, 4))
    rng = RStream(3)
    assert isinstance(rng.random(), float) and isinstance(rng.standard_normal(), float)
    assert isinstance(rng.normal(1.0, 2.0), float)
    assert rng.random(0).shape == (0,) and rng.normal([1.0, 2.0], 1.0).shape == (2,)
    assert rng.random((2, 0, 3)).shape == (2, 0, 3) and rng.random([2, 3]).shape == (2, 3)


@pytest.mark.parametrize("seed", [2**31, -(2**31), 1.5, 11.0, True, "11", None])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be an integer from -2147483647"):
        RStream(seed)


@pytest.mark.parametrize("size", [-1, 2.0, (2, -1), (2, 1.0), True, (True,), "3", np.array(3)])
def test_bad_size(size):
    with pytest.raises(ValueError, match="size must be None, an integer >= 0"):
        RStream(1).random(size)
    with pytest.raises(ValueError, match="size must be None"):
        RStream(1).standard_normal(size)


@pytest.mark.parametrize(
    ("loc", "scale", "size", "match"),
    [
        (np.nan, 1.0, None, "loc must not be NaN"),
        (0.0, -1.0, None, "scale must be finite and >= 0"),
        (0.0, np.inf, 3, "scale must be finite"),
        ([1.0, 2.0, 3.0], 1.0, 2, "must broadcast"),
        ([1.0, 2.0], [1.0, 2.0, 3.0], None, "must broadcast"),
    ],
)
def test_bad_normal_arguments(loc, scale, size, match):
    with pytest.raises(ValueError, match=match):
        RStream(1).normal(loc, scale, size)
