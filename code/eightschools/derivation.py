r"""The blog post's derivation of the hierarchical model, transcribed and checked with SymPy.

Chapter 2 derives the model's algebra in its own cells; this module keeps the audit of the
post. :func:`post_lines` transcribes the post's completing-the-square display and its later
formulas line by line, typos included, and :func:`relation_holds` decides exactly whether each
line holds, against the model of BDA3 section 5.4 for one school :math:`j`,

.. math:: y_j \mid \theta_j \sim \mathrm{N}(\theta_j, \sigma_j^2), \quad
    \theta_j \mid \mu, \tau \sim \mathrm{N}(\mu, \tau^2), \quad p(\mu, \tau) \propto 1.

The symbols are module constants (``sigma_j`` and ``tau`` positive, the others real); SymPy
takes symbols with the same name and assumptions as one, so they combine with the chapter's.

References
----------
Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd edition (BDA3), section 5.4.
*Learning Bayesian Hierarchical Modeling from 8 Schools* (blog post, 2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

__all__ = [
    "PARAMETERS", "PostLine", "lambda1", "lambda2", "mu", "normal_pdf", "post_lines",
    "relation_holds", "sigma_j", "tau", "theta_j", "y_j",
]

# School j's estimate, true effect and standard error; the population mean and sd; the
# sampler's coordinates lambda_1 = mu and lambda_2 = log(tau).
y_j, theta_j, mu, lambda1, lambda2 = sp.symbols("y_j theta_j mu lambda_1 lambda_2", real=True)
sigma_j, tau = sp.symbols("sigma_j tau", positive=True)

#: The unknowns; "proportional" in :func:`relation_holds` means "up to a factor free of these".
PARAMETERS: tuple[sp.Symbol, ...] = (theta_j, mu, tau, lambda1, lambda2)

# The post writes a bare sigma where it means sigma_j in three places.
_sigma_bare = sp.Symbol("sigma", positive=True)
# The summation index and the indexed data of the log posterior's line.
_j = sp.Symbol("j", integer=True, positive=True)
_y_idx = sp.IndexedBase("y", real=True)
_sigma_idx = sp.IndexedBase("sigma", positive=True)


def normal_pdf(x: sp.Expr, mean: sp.Expr, variance: sp.Expr) -> sp.Expr:
    r"""The normal density :math:`(2\pi v)^{-1/2} \exp(-(x - m)^2 / (2 v))` as a SymPy expression.

    Parameters
    ----------
    x, mean, variance : sympy.Expr
        The point :math:`x`, the mean :math:`m` and the variance :math:`v`.

    Examples
    --------
    >>> normal_pdf(y_j, mu, sigma_j**2)
    sqrt(2)*exp(-(-mu + y_j)**2/(2*sigma_j**2))/(2*sqrt(pi)*sigma_j)
    """
    return sp.exp(-((x - mean) ** 2) / (2 * variance)) / sp.sqrt(2 * sp.pi * variance)


def _log_expanded(expr: sp.Expr) -> sp.Expr:
    # log(expr) split into logs of factors (valid: every symbol is real or positive).
    out = sp.expand_log(sp.log(expr), force=True)
    return sp.expand_log(out.replace(sp.log, lambda a: sp.log(sp.factor(a))), force=True)


def _nonzero_witness(expr: sp.Expr) -> bool:
    # True if expr is visibly nonzero at one of a few exact rational points.
    points = (
        {y_j: sp.Rational(3, 2), sigma_j: 2, theta_j: sp.Rational(5, 7), mu: sp.Rational(-1, 3),
         tau: sp.Rational(3, 5), _sigma_bare: sp.Rational(7, 3), lambda1: sp.Rational(1, 2),
         lambda2: sp.Rational(1, 3)},
        {y_j: -4, sigma_j: sp.Rational(1, 3), theta_j: 2, mu: sp.Rational(5, 2), tau: 3,
         _sigma_bare: sp.Rational(11, 5), lambda1: -2, lambda2: sp.Rational(-3, 4)},
    )
    for k, point in enumerate(points):
        at = expr.subs(point)
        rest = sorted(at.atoms(sp.Indexed) | at.free_symbols, key=str)
        at = at.subs({v: sp.Rational(2 + i + k, 3 + k) for i, v in enumerate(rest)})
        value = sp.N(at, 40)
        if value.is_number and abs(value) > sp.Float("1e-25", 40):
            return True
    return False


def _is_zero(expr: sp.Expr) -> bool:
    # Decide exactly whether expr is identically zero; refuse to guess.
    if _nonzero_witness(expr):
        return False
    fast = sp.cancel(sp.together(sp.expand(expr)))
    if fast == 0 or sp.simplify(fast) == 0:
        return True
    raise RuntimeError(f"could not decide whether this is identically zero: {fast}")


def relation_holds(line: sp.Expr, reference: sp.Expr, relation: str) -> bool:
    r"""Decide exactly whether ``line`` stands in ``relation`` to ``reference``.

    - ``"="``: :math:`\text{line} - \text{reference} \equiv 0` (integrals evaluated first);
    - ``"∝"``: :math:`\partial_p [\log \text{line} - \log \text{reference}] \equiv 0` for every
      parameter :math:`p` in :data:`PARAMETERS` (a factor free of the parameters is allowed);
    - ``"+const"``: :math:`\partial_p [\text{line} - \text{reference}] \equiv 0` for every
      :math:`p` (a term free of the parameters is allowed).

    An expression nonzero at an exact rational point (to 40 digits) is not zero; otherwise
    SymPy must reduce it to 0, or a ``RuntimeError`` is raised rather than a guess.

    Parameters
    ----------
    line, reference : sympy.Expr
        The expression claimed and the true one.
    relation : {"=", "∝", "+const"}
        The claimed relation.

    Returns
    -------
    bool
        Whether the relation holds identically.

    Examples
    --------
    >>> relation_holds(2 * sp.exp(-mu**2), sp.exp(-mu**2), "∝")
    True
    """
    if relation == "=":
        return _is_zero(line.doit() - reference.doit())
    if relation == "∝":
        plain = sp.log(line) - sp.log(reference)
        if any(_nonzero_witness(sp.diff(plain, p)) for p in PARAMETERS if plain.has(p)):
            return False
        d = _log_expanded(line) - _log_expanded(reference)
    elif relation == "+const":
        d = line - reference
    else:
        raise ValueError(f"relation must be one of '=', '∝', '+const'; got {relation!r}")
    return all(_is_zero(sp.diff(d, p)) for p in PARAMETERS if d.has(p))


@dataclass(frozen=True)
class PostLine:
    """One line of the post's derivation, transcribed and checked.

    The post claims ``post_line`` (as printed) stands in ``relation`` to ``reference`` (the
    truth); ``holds`` is the verdict. A failing line has a ``corrected`` form, the
    ``corrected_relation`` it satisfies and the verdict ``corrected_holds`` (else all None).
    ``reason`` says in a sentence what is right or wrong (Markdown, formulas as ``$...$``).
    """

    label: str
    post_line: sp.Expr
    relation: str
    reference: sp.Expr
    holds: bool
    corrected: sp.Expr | None
    corrected_relation: str | None
    corrected_holds: bool | None
    reason: str


def _line(label, post_line, relation, reference, reason, corrected=None, corrected_relation=None):
    holds = relation_holds(post_line, reference, relation)
    if corrected is None:
        return PostLine(label, post_line, relation, reference, holds, None, None, None, reason)
    fixed_relation = corrected_relation or relation
    fixed_holds = relation_holds(corrected, reference, fixed_relation)
    return PostLine(label, post_line, relation, reference, holds, corrected, fixed_relation,
                    fixed_holds, reason)


def _add(*terms: sp.Expr) -> sp.Expr:
    # A sum kept exactly as the post writes it: like terms are neither merged nor cancelled.
    return sp.Add(*terms, evaluate=False)


def _kernel(prefactor: sp.Expr, numerator: sp.Expr) -> sp.Expr:
    # The post's pattern prefactor * exp(-1/2 * numerator / (tau^2 sigma_j^2)).
    return prefactor * sp.exp(-sp.Rational(1, 2) * numerator / (tau**2 * sigma_j**2))


def _transcription() -> list[PostLine]:
    s, t, y, m, th = sigma_j, tau, y_j, mu, theta_j
    truth = normal_pdf(th, m, t**2) * normal_pdf(y, th, s**2)
    pre = 1 / (t * s)
    lin_post = _add(m * s**2, y**2)
    lin_true = _add(m * s**2, y * t**2)

    def quadratic(linear: sp.Expr) -> sp.Expr:
        return _kernel(pre, _add(th**2 * (s**2 + t**2), -2 * th * linear, s**2 * m**2, t**2 * y**2))

    def regrouped(sigma_in_centre: sp.Expr, mu_power: int) -> sp.Expr:
        centre = (m / t**2 + y / s**2) / (1 / t**2 + 1 / sigma_in_centre**2)
        numerator = _add(
            -(m**2) * s**4, -2 * m * s**2 * y * t**2, -(y**2) * t**4, s**4 * m**mu_power,
            s**2 * m**2 * t**2, t**2 * y**2 * s**2, t**4 * y**2,
        )
        return sp.sqrt((1 / s**2 + 1 / t**2) / (t**2 + s**2)) * sp.exp(
            -sp.Rational(1, 2) * (1 / s**2 + 1 / t**2) * (th - centre) ** 2
            - 1 / (2 * t**2 * s**2) * numerator / (s**2 + t**2)
        )

    def split(sigma_in_centre: sp.Expr) -> sp.Expr:
        centre = (m / t**2 + y / s**2) / (1 / t**2 + 1 / sigma_in_centre**2)
        return (
            sp.sqrt(1 / s**2 + 1 / t**2)
            * sp.exp(-sp.Rational(1, 2) * (1 / s**2 + 1 / t**2) * (th - centre) ** 2)
            * (1 / sp.sqrt(t**2 + s**2))
            * sp.exp(-sp.Rational(1, 2) * (m - y) ** 2 / (s**2 + t**2))
        )

    root_2pi = sp.sqrt(2 * sp.pi)
    theta_hat_post = (y / s**2 + m / t**2) / (1 / s**2 + 1 / t**2)
    V_post = 1 / (1 / s**2 + 1 / t**2)
    marginal = normal_pdf(y, m, s**2 + t**2)
    B_post = t**-2 / (t**-2 + _sigma_bare**-2)
    B_true = t**-2 / (t**-2 + s**-2)
    # The log posterior of (lambda1, lambda2) for three schools of symbolic data: the post's
    # formula, and the model's log density with the normal densities' constants kept.
    v = _sigma_idx[_j] ** 2 + sp.exp(2 * lambda2)
    term = -sp.log(v) / 2 - (lambda1 - _y_idx[_j]) ** 2 / (2 * v)
    model_term = sp.expand_log(sp.log(normal_pdf(_y_idx[_j], lambda1, v)), force=True)
    log_post = sp.Sum(term, (_j, 1, 3)).doit() + lambda2
    model = sp.Sum(model_term, (_j, 1, 3)).doit() + lambda2
    return [
        _line("posterior, densities written out",
              1 / (t * root_2pi) * sp.exp(-((th - m) ** 2) / (2 * t**2))
              * 1 / (s * root_2pi) * sp.exp(-((y - th) ** 2) / (2 * s**2)), "∝", truth,
              "Holds: the two normal densities of the model, written out."),
        _line("posterior, 2π dropped",
              pre * sp.exp(-((th - m) ** 2) / (2 * t**2) - (y - th) ** 2 / (2 * s**2)), "∝", truth,
              r"Holds: only the constant $1/(2\pi)$ is dropped."),
        _line("identity for σⱼτ",
              sp.sqrt((t**2 + s**2) / (1 / s**2 + 1 / t**2)), "=", s * t,
              r"Holds: since $1/\sigma_j^2 + 1/\tau^2$ "
              r"$= (\tau^2 + \sigma_j^2)/(\sigma_j^2 \tau^2)$, the ratio is $\sigma_j^2 \tau^2$."),
        _line("completing the square, line 1: exponent factored",
              pre * sp.exp(-sp.Rational(1, 2) * ((th - m) ** 2 / t**2 + (y - th) ** 2 / s**2)),
              "∝", truth, "Holds: $-1/2$ taken out of the exponent."),
        _line("completing the square, line 2: common denominator",
              _kernel(pre, _add(s**2 * (th - m) ** 2, t**2 * (y - th) ** 2)),
              "∝", truth, r"Holds: both fractions put over $\tau^2 \sigma_j^2$."),
        _line("completing the square, line 3: squares expanded",
              _kernel(pre, _add(s**2 * _add(th**2, -2 * m * th, m**2),
                                t**2 * _add(y**2, -2 * y * th, th**2))),
              "∝", truth, "Holds: both squares multiplied out."),
        _line("completing the square, line 4: quadratic in θⱼ", quadratic(lin_post), "∝", truth,
              r"Fails: the coefficient of $-2\theta_j$ is printed $\mu\sigma_j^2 + y_j^2$, but the "
              r"term $-2 y_j \theta_j \tau^2$ of the line above gives "
              r"$\mu\sigma_j^2 + y_j \tau^2$.",
              corrected=quadratic(lin_true)),
        _line("completing the square, line 5: the square completed",
              _kernel(pre, _add((s**2 + t**2) * (th - lin_true / (s**2 + t**2)) ** 2,
                                -(lin_true**2) / (s**2 + t**2), s**2 * m**2, t**2 * y**2)),
              "∝", truth,
              r"Holds: it completes the square of the true quadratic, with "
              r"$\mu\sigma_j^2 + y_j \tau^2$, so it does not follow from line 4 as printed but "
              "repairs it silently."),
        _line("completing the square, line 6: regrouped and cancelled",
              regrouped(_sigma_bare, 4), "∝", truth,
              r"Fails twice: the centre's denominator has $1/\sigma^2$ for $1/\sigma_j^2$, and the "
              r"struck-out term $\sigma_j^4\mu^4$ must be $\sigma_j^4\mu^2$ to cancel "
              r"$-\mu^2\sigma_j^4$.",
              corrected=regrouped(s, 2)),
        _line("completing the square, line 7: split into two normal kernels",
              split(_sigma_bare), "∝", truth,
              r"Fails: the same $1/\sigma^2$ for $1/\sigma_j^2$ in the centre; with $\sigma_j$ it "
              r"holds, the leftover numerator being $\sigma_j^2\tau^2(\mu - y_j)^2$.",
              corrected=split(s)),
        _line("completing the square, line 8: named densities",
              normal_pdf(th, theta_hat_post, V_post) * normal_pdf(y, m, s**2 + t**2), "∝", truth,
              r"Holds, reading the post's '$\theta_j \mid \mu, \tau, y, \sigma \sim "
              r"\mathrm{N}(\hat\theta_j, V_j)$' as the density "
              r"$\mathrm{N}(\theta_j \mid \hat\theta_j, V_j)$; the product is line 7 divided by "
              r"$2\pi$."),
        _line("definition of θ̂ⱼ", theta_hat_post, "=", lin_true / (s**2 + t**2),
              r"Holds: it is the centre $(\mu\sigma_j^2 + y_j \tau^2)/(\sigma_j^2 + \tau^2)$ of "
              "the completed square."),
        _line("definition of Vⱼ", V_post, "=", t**2 * s**2 / (s**2 + t**2),
              r"Holds: it is the inverse of the coefficient $(\sigma_j^2 + \tau^2)/(\tau^2 "
              r"\sigma_j^2)$ of the square."),
        _line("the second factor called the marginal posterior",
              sp.Integral(marginal, (m, -sp.oo, sp.oo), (t, 0, sp.oo)), "=", sp.Integer(1),
              r"Fails: the factor is a density of $y_j$, the marginal likelihood "
              r"$p(y_j \mid \mu, \tau)$, and over $(\mu, \tau)$ one factor does not even integrate "
              r"to 1; the marginal posterior is $p(\mu, \tau)$ times the product of these factors "
              r"over $j$.",
              corrected=sp.Integral(marginal, (y, -sp.oo, sp.oo))),
        _line("shrinkage factor Bⱼ", (1 - B_post) * y + B_post * m, "=", theta_hat_post,
              r"Fails: $B_j$ is printed with $\sigma^{-2}$ for $\sigma_j^{-2}$; with $\sigma_j$, "
              r"$(1 - B_j) y_j + B_j \mu$ equals $\hat\theta_j$.",
              corrected=(1 - B_true) * y + B_true * m),
        _line("log posterior of (λ₁, λ₂), J = 3", log_post, "∝", model,
              "Fails only in notation: on the log scale the dropped normalising factor becomes "
              r"an additive constant, so '$\propto$' must read '$= \dots + \text{const}$'; the "
              "expression itself is right.",
              corrected=log_post, corrected_relation="+const"),
    ]


@lru_cache(maxsize=1)
def post_lines() -> tuple[PostLine, ...]:
    r"""The post's derivation, transcribed line by line with its typos, and checked.

    Each line is school j's factor of the post's display (the product over j left off), or
    one of its later formulas, as printed; a display line must be proportional, in
    :math:`(\theta_j, \mu, \tau)`, to the model's
    :math:`\mathrm{N}(\theta_j \mid \mu, \tau^2)\,\mathrm{N}(y_j \mid \theta_j, \sigma_j^2)`.
    A bare :math:`\sigma` for :math:`\sigma_j` is a separate symbol. Cached: it takes seconds.

    Returns
    -------
    tuple of PostLine
        In the post's order.

    Examples
    --------
    >>> sum(not r.holds for r in post_lines()), len(post_lines())
    (6, 16)
    """
    return tuple(_transcription())
