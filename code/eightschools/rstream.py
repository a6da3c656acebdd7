r"""R's default random numbers, reproduced bit for bit on numpy's Mersenne-Twister.

The blog post ran R with its defaults: the Mersenne-Twister and normals by inversion.
``set.seed(seed)`` (``RNG_Init`` in R's ``src/main/RNG.c``) scrambles the seed, as an unsigned
32-bit integer, by 50 steps of ``seed = 69069 * seed + 1`` (mod :math:`2^{32}`); 625 more steps
fill a table whose first word (the position) is set to 624 and whose other 624 words are the
Mersenne-Twister state. ``unif_rand()`` is the next 32-bit output times :math:`2^{-32}`
(moved off 0); ``norm_rand()`` is ``qnorm(u)`` by Wichura's AS 241 (R's ``src/nmath/qnorm.c``)
of two uniforms joined, :math:`u = (\lfloor 2^{27} u_1 \rfloor + u_2) / 2^{27}`.
:class:`RStream` does the same on ``numpy.random.MT19937``, so code written for a
``numpy.random.Generator`` replays an R run draw for draw.

Examples
--------
>>> RStream(11).standard_normal(3).tolist()  # R: set.seed(11); print(rnorm(3), digits = 17)
[-0.5910311025843684, 0.026594369016167005, -1.516553097081865]
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["RStream"]

_TWO_POW_M32 = 2.3283064365386963e-10  # 2^-32: MT_genrand's scaling to [0, 1)
_I2_32M1 = 2.328306437080797e-10  # 1 / (2^32 - 1): R's fixup() returns half of it for 0
_BIG = 134217728.0  # 2^27, as in R's norm_rand (INVERSION)

# Coefficients of AS 241's three rational functions (R's qnorm.c), highest power first.
_CENTRAL = (
    (2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457,
     13731.693765509461125, 1971.5909503065514427, 133.14166789178437745, 3.387132872796366608),
    (5226.495278852854561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867,
     5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1.0),
)  # fmt: skip
_NEAR_TAIL = (
    (7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177,
     1.27045825245236838258, 3.64784832476320460504, 5.7694972214606914055,
     4.6303378461565452959, 1.42343711074968357734),
    (1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966,
     0.14810397642748007459, 0.68976733498510000455, 1.6763848301838038494,
     2.05319162663775882187, 1.0),
)  # fmt: skip
_FAR_TAIL = (
    (2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386,
     0.026532189526576123093, 0.29656057182850489123, 1.7848265399172913358,
     5.4637849111641143699, 6.6579046435011037772),
    (2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5,
     7.868691311456132591e-4, 0.0148753612908506148525, 0.13692988092273580531,
     0.59983220655588793769, 1.0),
)  # fmt: skip


def _horner(x: float, coefficients: tuple[float, ...]) -> float:
    # A polynomial by Horner's rule, in R's order: ((c0 * x + c1) * x + c2) * x + ...
    value = coefficients[0]
    for c in coefficients[1:]:
        value = value * x + c
    return value


def _qnorm(p: float) -> float:
    # R's qnorm(p), 0 < p <= 1, step by step as R's qnorm.c. math.log is the C library's log,
    # as in R (numpy's may differ in the last bit). norm_rand never passes p < 2**-59, so r
    # stays under 7 and R's branch for r > 27 is left out.
    if p >= 1.0:  # R: qnorm(1) = Inf; (2^27 - 1) + u2 can round up to 2^27
        return math.inf
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _horner(r, _CENTRAL[0]) / _horner(r, _CENTRAL[1])  # (q * num) / den, as in C
    r = math.sqrt(-math.log(0.5 - p + 0.5 if q > 0 else p))  # R writes 1 - p as 0.5 - p + 0.5
    num, den, shift = (*_NEAR_TAIL, 1.6) if r <= 5.0 else (*_FAR_TAIL, 5.0)
    val = _horner(r - shift, num) / _horner(r - shift, den)
    return -val if q < 0 else val


def _shape(size: object) -> tuple[int, ...]:
    dims = (size,) if isinstance(size, int | np.integer) else size
    if not isinstance(dims, tuple | list) or not all(
        isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 0 for n in dims
    ):
        raise ValueError(f"size must be None, an integer >= 0 or a tuple of them; got {size!r}")
    return tuple(int(n) for n in dims)


class RStream:
    """R's random numbers after ``set.seed(seed)``, with numpy ``Generator`` methods.

    Arrays are filled in C order, the order R draws in.

    Parameters
    ----------
    seed : int
        As for R's ``set.seed``: from -2147483647 to 2147483647 (-2147483648 is R's ``NA``).
    """

    def __init__(self, seed: int) -> None:
        is_int = isinstance(seed, int | np.integer) and not isinstance(seed, bool)
        if not is_int or not -(2**31) < seed < 2**31:
            raise ValueError(
                f"seed must be an integer from -2147483647 to 2147483647; got {seed!r}"
            )
        s = int(seed) % 2**32  # R's Int32 is unsigned: negative seeds wrap around
        for _ in range(50):
            s = (69069 * s + 1) % 2**32
        table = []
        for _ in range(625):
            s = (69069 * s + 1) % 2**32
            table.append(s)
        # table[0] is the position word, set to 624 by FixupSeeds; the rest is the state.
        key = np.array(table[1:], dtype=np.uint32)
        self._mt = np.random.MT19937(0)
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 624}}

    def _unif(self, n: int) -> NDArray[np.float64]:
        """The next ``n`` values of R's ``unif_rand()``."""
        u = self._mt.random_raw(n).astype(np.float64) * _TWO_POW_M32
        u[u <= 0.0] = 0.5 * _I2_32M1  # R's fixup(); u <= 1 - 2^-32 never needs the other half
        return u

    def random(self, size: object = None) -> float | NDArray[np.float64]:
        """Uniforms on (0, 1), as R's ``runif(n)``: a float if ``size`` is None."""
        shape = () if size is None else _shape(size)
        u = self._unif(math.prod(shape)).reshape(shape)
        return float(u) if size is None else u

    def standard_normal(self, size: object = None) -> float | NDArray[np.float64]:
        """Standard normals, as R's ``rnorm(n)``: a float if ``size`` is None."""
        shape = () if size is None else _shape(size)
        u = self._unif(2 * math.prod(shape)).reshape(-1, 2)
        p = (np.trunc(_BIG * u[:, 0]) + u[:, 1]) / _BIG
        z = np.array([_qnorm(x) for x in p.tolist()], dtype=np.float64).reshape(shape)
        return float(z) if size is None else z

    def normal(
        self, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0, size: object = None
    ) -> float | NDArray[np.float64]:
        """Normals, as R's ``rnorm(n, mean = loc, sd = scale)``, broadcast as R recycles.

        As in R, an element with ``scale == 0`` or an infinite ``loc`` is ``loc`` itself and
        uses no random number; R's NaN cases (NaN ``loc``; ``scale`` < 0, infinite or NaN)
        raise ValueError.
        """
        loc_arr = np.asarray(loc, dtype=np.float64)
        scale_arr = np.asarray(scale, dtype=np.float64)
        if np.isnan(loc_arr).any() or not (np.isfinite(scale_arr) & (scale_arr >= 0)).all():
            raise ValueError("loc must not be NaN and scale must be finite and >= 0")
        shape = None if size is None else _shape(size)
        try:
            if shape is None:
                shape = np.broadcast_shapes(loc_arr.shape, scale_arr.shape)
            m, s = np.broadcast_to(loc_arr, shape), np.broadcast_to(scale_arr, shape)
        except ValueError:
            raise ValueError(
                f"loc (shape {loc_arr.shape}) and scale (shape {scale_arr.shape}) must "
                f"broadcast to each other and to size {size!r}"
            ) from None
        out = m.copy()
        draw = (s > 0) & np.isfinite(m)
        out[draw] = m[draw] + s[draw] * self.standard_normal(int(draw.sum()))
        return float(out) if size is None and out.ndim == 0 else out
