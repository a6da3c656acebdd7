"""Tests of eightschools.figures_ch3: the figures draw what they are given, and refuse bad shapes.

Truth: the figures' contracts (what is drawn, on which axes) and matplotlib's own record of the
artists; no pixels are compared.
"""

from __future__ import annotations

import numpy as np
import pytest

from eightschools.figures_ch3 import (
    APPROX_COLOR,
    EXACT_COLOR,
    log_tau_densities,
    posterior_contours,
)

L1 = np.linspace(-3.0, 3.0, 31)
L2 = np.linspace(-2.0, 2.0, 21)
FIELD = -0.5 * (L1[:, None] ** 2 + L2[None, :] ** 2)


def test_contours_draw_both_fields_solid_and_dashed():
    # Truth: one level per content, the exact field solid and the approximation dashed (all
    # levels are negative, which matplotlib would dash by default), and a legend naming both.
    fig = posterior_contours(L1, L2, FIELD, FIELD, (0.0, 0.0), contents=(0.5, 0.9))
    ax = fig.axes[0]
    sets = [c for c in ax.collections if hasattr(c, "levels")]
    assert len(sets) == 2
    np.testing.assert_allclose(sets[0].levels, np.log1p(-np.array([0.9, 0.5])))
    assert sets[0].get_linestyle()[0][1] is None  # solid
    assert sets[1].get_linestyle()[0][1] is not None  # dashed
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["exact posterior", "normal approximation", "mode"]
    assert EXACT_COLOR != APPROX_COLOR


def test_contours_refuse_bad_input():
    # Truth: the contract; the field's shape must match the grids, contents lie in (0, 1).
    with pytest.raises(ValueError, match="must have shape"):
        posterior_contours(L1, L2, FIELD.T, FIELD, (0.0, 0.0))
    with pytest.raises(ValueError, match="contents must be probabilities"):
        posterior_contours(L1, L2, FIELD, FIELD, (0.0, 0.0), contents=(0.5, 1.0))


def test_log_tau_densities_panels_and_refusals():
    # Truth: the contract; two panels, the right one with the exact and approximate curves.
    t = np.linspace(0.0, 5.0, 11)
    lt = np.linspace(-2.0, 2.0, 9)
    fig = log_tau_densities(t, np.exp(-t), lt, np.exp(-(lt**2)), np.exp(-(lt**2)))
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 2
    with pytest.raises(ValueError, match="tau and p_tau"):
        log_tau_densities(t, t[:-1], lt, lt, lt)
    with pytest.raises(ValueError, match="log_tau, p_log_tau"):
        log_tau_densities(t, t, lt, lt[:-1], lt)
