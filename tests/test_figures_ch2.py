"""Tests of eightschools.figures_ch2: the figure draws what it is given and refuses bad shapes.

Truth: the figure's contract (one line per group with the data passed in, names at the line
ends, a log tau axis) and matplotlib's own record of the artists; no pixels are compared.
"""

from __future__ import annotations

import numpy as np
import pytest

from eightschools.figures_ch2 import shrinkage_paths
from eightschools.plots import group_color

TAU = np.array([0.5, 5.0, 50.0])
THETA = np.array([[1.0, 1.0, 1.0], [3.0, 0.0, 2.0], [5.0, -1.0, 4.0]])
NAMES = ["A", "B", "C"]


def test_one_line_per_group_with_its_colour_and_name():
    # Truth: the contract; line j carries column j of theta_hat, in group j's colour, and
    # group j's name sits at the line's right-hand end.
    fig = shrinkage_paths(TAU, THETA, NAMES, mu=1.0)
    ax = fig.axes[0]
    paths = [ln for ln in ax.lines if len(ln.get_xdata()) == TAU.size]
    assert len(paths) == 3
    for j, ln in enumerate(paths):
        np.testing.assert_array_equal(ln.get_ydata(), THETA[:, j])
        assert ln.get_color() == group_color(j)
    labels = [t for t in ax.texts if t.get_text() in NAMES]
    assert [t.get_text() for t in labels] == NAMES
    assert [t.xy for t in labels] == [(TAU[-1], THETA[-1, j]) for j in range(3)]
    assert ax.get_xscale() == "log"
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)


def test_mu_line_only_when_asked():
    # Truth: the contract; the dashed line at mu is drawn only when mu is given.
    with_mu = shrinkage_paths(TAU, THETA, NAMES, mu=1.0).axes[0]
    without = shrinkage_paths(TAU, THETA, NAMES).axes[0]
    assert len(with_mu.lines) == len(without.lines) + 1


@pytest.mark.parametrize(
    ("tau", "theta", "message"),
    [
        (TAU[::-1], THETA, "increasing"),
        (np.array([0.0, 1.0, 2.0]), THETA, "strictly positive"),
        (TAU, THETA[:, :2], "must have shape"),
    ],
)
def test_refuses_bad_input(tau, theta, message):
    # Truth: the contract's ValueError, naming the argument and the rule.
    with pytest.raises(ValueError, match=message):
        shrinkage_paths(tau, theta, NAMES)
