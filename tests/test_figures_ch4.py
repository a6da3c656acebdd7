"""Tests of eightschools.figures_ch4: the figures draw what they are given, and refuse bad shapes.

Truth: the figures' contracts (what is drawn, on which axes) and matplotlib's own record of the
artists; no pixels are compared. The one numerical truth is that a histogram scaled to a
density has area 1 (exact up to rounding, hence the tolerance of 1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest

from eightschools.figures_ch4 import marginal_densities, tuning_curves

SCALES = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
ACCEPT = np.array([0.88, 0.77, 0.58, 0.33, 0.13])
EFF = np.array([[0.01, 0.006], [0.03, 0.02], [0.08, 0.045], [0.12, 0.084], [0.07, 0.066]])


def test_tuning_curves_draw_inputs_and_marks():
    # Truth: the contract; each efficiency column is drawn at the given scales, the acceptance
    # curve is the input, and every mark is a vertical line in both panels with its label.
    fig = tuning_curves(
        SCALES, ACCEPT, EFF, efficiency_se=0.1 * EFF, marks=[(1.68, "rule"), (2.0, "post")]
    )
    ax_a, ax_e = fig.axes
    np.testing.assert_array_equal(ax_a.lines[0].get_ydata(), ACCEPT)
    bars = ax_e.containers  # one ErrorbarContainer per quantity: (data line, caps, bars)
    assert len(bars) == 2
    for p, container in enumerate(bars):
        np.testing.assert_array_equal(container.lines[0].get_ydata(), EFF[:, p])
        caps = container.lines[1]
        np.testing.assert_allclose(caps[1].get_ydata(), 1.1 * EFF[:, p], rtol=1e-12)
    for ax in (ax_a, ax_e):
        vertical = [line.get_xdata()[0] for line in ax.lines if len(line.get_xdata()) == 2]
        assert vertical == [1.68, 2.0]
        assert [t.get_text() for t in ax.texts] == ["rule", "post"]
    legend = [t.get_text() for t in ax_e.get_legend().get_texts()]
    assert legend == [r"$\mu$", r"$\log\tau$"]


def test_tuning_curves_refuse_bad_shapes():
    # Truth: the contract; shapes must agree and there must be one label per quantity.
    with pytest.raises(ValueError, match="efficiency"):
        tuning_curves(SCALES, ACCEPT, EFF[:-1])
    with pytest.raises(ValueError, match="accept_rate"):
        tuning_curves(SCALES, ACCEPT[:-1], EFF)
    with pytest.raises(ValueError, match="efficiency_se"):
        tuning_curves(SCALES, ACCEPT, EFF, efficiency_se=EFF[:, :1])
    with pytest.raises(ValueError, match="efficiency_labels"):
        tuning_curves(SCALES, ACCEPT, EFF, efficiency_labels=["mu"])


def test_marginal_densities_histogram_has_unit_area_and_curves_are_inputs():
    # Truth: a histogram with density=True has area 1; the two curves are the arrays passed in.
    rng = np.random.default_rng(4)
    x = rng.standard_normal((400, 2))
    grid = np.tile(np.linspace(-4.0, 4.0, 41), (2, 1))
    kde = np.exp(-0.5 * grid**2) / np.sqrt(2.0 * np.pi)
    normal = 0.5 * kde
    fig = marginal_densities(x, grid, kde, normal, bins=20)
    assert len(fig.axes) == 2
    for i, ax in enumerate(fig.axes):
        area = sum(p.get_width() * p.get_height() for p in ax.patches)
        assert area == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), kde[i])
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), normal[i])


def test_marginal_densities_refuse_bad_shapes():
    # Truth: the contract; the grids and densities need one row per column of the draws.
    x = np.zeros((10, 2))
    g = np.zeros((2, 5))
    with pytest.raises(ValueError, match="grid"):
        marginal_densities(x, g[:1], g[:1], g[:1])
    with pytest.raises(ValueError, match="grid"):
        marginal_densities(x, g, g[:, :4], g)
    with pytest.raises(ValueError, match="labels"):
        marginal_densities(x, g, g, g, labels=["only one"])
