"""Tests of eightschools.figures: each figure draws what it is given, and refuses bad shapes.

Truth: the figures' contracts (what is drawn, on which axes, in which colour) and matplotlib's
own record of the artists; no pixels are compared. The numerical truths are that a histogram
scaled to a density has area 1 (or the share of the draws it covers), exact up to rounding,
hence the tolerance of 1e-12. Figures are drawn with the Agg backend where layout matters.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.text import Text

from eightschools.figures import chains, data, effects, hyperparameters
from eightschools.figures.chains import (
    autocorrelation_bars,
    funnel,
    rhat_path,
    traces,
    tuning_curves,
    z_scores,
)
from eightschools.figures.data import effect_vs_covariate, forest
from eightschools.figures.effects import (
    conditional_effects,
    effect_densities,
    new_school_densities,
    predictive_checks,
    shrinkage,
)
from eightschools.figures.hyperparameters import (
    marginal_densities,
    posterior_contours,
    prior_comparison,
)
from eightschools.figures.style import (
    APPROX,
    CHAIN_COLORS,
    EXACT,
    GREY,
    GROUP_COLORS,
    GROUP_MARKERS,
    checked,
    density_histogram,
    group_color,
    label_ends,
    new_figure,
)

NAMES = ["A", "B", "C"]


def hist_area(ax) -> float:
    return sum(p.get_width() * p.get_height() for p in ax.patches)


# --------------------------------------------------------------------------- style
def test_one_palette_and_an_opaque_figure():
    # Truth: the contract; groups cycle through the nine colours, and figures are opaque white.
    assert len(set(GROUP_COLORS)) == 9 and len(set(CHAIN_COLORS)) == 6
    assert group_color(9) == group_color(0) == GROUP_COLORS[0]
    fig, axes = new_figure(2, 3, grid=None)
    assert axes.shape == (2, 3)
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    assert all(ax.get_facecolor() == (1.0, 1.0, 1.0, 1.0) for ax in axes.flat)
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        checked([1.0, 2.0], "y", (3,))


def test_density_histogram_area_is_the_share_of_draws_inside():
    # Truth: with weights 1 / (n * width), the area is (draws inside) / n, 3/4 here.
    fig, axes = new_figure()
    density_histogram(axes[0, 0], [0.1, 0.5, 0.9, 5.0], 0.0, 1.0, bins=4)
    assert hist_area(axes[0, 0]) == pytest.approx(0.75, abs=1e-12)


def test_label_ends_keep_order_and_a_gap():
    # Truth: the contract; labels point at the line ends, stay in the ends' order, and, as
    # drawn, do not overlap even when the ends coincide.
    fig, axes = new_figure()
    ax = axes[0, 0]
    ax.set_ylim(0.0, 10.0)
    ends = np.array([5.0, 5.0, 1.0, 5.1])
    label_ends(ax, 2.0, ends, ["a", "b", "c", "d"])
    assert [t.xy for t in ax.texts] == [(2.0, e) for e in ends]
    heights = np.array([t.xyann[1] for t in ax.texts])
    assert np.all(np.diff(heights[[2, 0, 1, 3]]) > 0)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    # the text alone, without its leader line
    boxes = [Text.get_window_extent(t, canvas.get_renderer()) for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert [to_hex(t.get_color()) for t in ax.texts] == [g.lower() for g in GROUP_COLORS[:4]]


# --------------------------------------------------------------------------- data
def test_forest_draws_each_interval_in_its_colour():
    # Truth: the contract; one row per group, top to bottom, each interval and estimate in the
    # group's colour, and the pooled band and line only when asked.
    est, lo, hi = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 2.0]), np.array([2.0, 3.0, 4.0])
    fig = forest(NAMES, est, lo, hi, pooled=(2.0, 1.5, 2.5))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == NAMES
    intervals = [ln for ln in ax.lines if ln.get_linewidth() == 2.5]
    assert [list(ln.get_xdata()) for ln in intervals] == [[0.0, 2.0], [1.0, 3.0], [2.0, 4.0]]
    assert [ln.get_color() for ln in intervals] == list(GROUP_COLORS[:3])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "pooled 95% interval", "pooled estimate"]
    assert not forest(NAMES, est, lo, hi).legends
    with pytest.raises(ValueError, match="lower must have shape"):
        forest(NAMES, est, lo[:2], hi)


def test_effect_vs_covariate_labels_do_not_overlap():
    # Truth: the contract; error bars are 1.96 sigma, the fitted line is a + b x, long names are
    # numbered at the points and listed with their markers below, and labels of points at the
    # same place are moved apart (their boxes, as drawn, do not overlap).
    x, y, s = np.array([10.0, 10.0, 40.0]), np.array([0.0, 0.0, -1.0]), np.array([0.1, 0.2, 0.3])
    fig = effect_vs_covariate(x, y, s, ["first", "second", "third"], line=(0.3, -0.03))
    ax = fig.axes[0]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    assert [t.get_text() for t in ax.texts] == ["1", "2", "3"]
    boxes = [t.get_window_extent(canvas.get_renderer()) for t in ax.texts]
    assert not boxes[0].overlaps(boxes[1])
    key = fig.legends[0]
    assert [t.get_text() for t in key.get_texts()] == ["1 first", "2 second", "3 third"]
    assert [c.lines[0].get_marker() for c in ax.containers] == list(GROUP_MARKERS[:3])
    short = effect_vs_covariate(x, y, s, ["A", "B", "C"])
    assert [t.get_text() for t in short.axes[0].texts] == ["A", "B", "C"] and not short.legends
    fitted = next(ln for ln in ax.lines if ln.get_label() == "weighted least-squares line")
    np.testing.assert_allclose(fitted.get_ydata(), 0.3 - 0.03 * fitted.get_xdata(), rtol=1e-12)
    bars = [c for c in ax.containers]
    assert len(bars) == 3
    segment = bars[2].lines[2][0].get_segments()[0]
    np.testing.assert_allclose(segment[:, 1], [-1.0 - 1.96 * 0.3, -1.0 + 1.96 * 0.3], rtol=1e-12)
    with pytest.raises(ValueError, match="sigma must have shape"):
        effect_vs_covariate(x, y, s[:2], ["a", "b", "c"])


# --------------------------------------------------------------------------- chains
def test_traces_one_panel_per_parameter_one_line_per_chain():
    # Truth: the contract; chain c of parameter p is drawn in chain colour c against the
    # iteration numbers from first_iteration on; sharey gives every panel the same limits.
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 20, 2))
    fig = traces(x, ["mu", "log tau"], first_iteration=101)
    assert len(fig.axes) == 2
    for p, ax in enumerate(fig.axes):
        assert len(ax.lines) == 3
        for c, ln in enumerate(ax.lines):
            np.testing.assert_array_equal(ln.get_ydata(), x[c, :, p])
            np.testing.assert_array_equal(ln.get_xdata(), np.arange(101, 121))
            assert ln.get_color() == CHAIN_COLORS[c]
    runs = np.stack([np.zeros(20), 5.0 * np.ones(20)], axis=-1)[np.newaxis]
    fig = traces(runs, ["x", "x"], titles=["slow", "fast"], sharey=True)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["slow", "fast"]
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()
    with pytest.raises(ValueError, match="draws must have shape"):
        traces(x, ["only one"])


def test_autocorrelation_bars_are_the_input():
    # Truth: the contract; bar t of panel p runs from 0 to acf[p, t], and the AR(1) reference
    # is the dashed curve, named in the figure's legend.
    acf = np.array([[1.0, 0.6, 0.2, -0.1], [1.0, 0.8, 0.5, 0.3]])
    ref = acf[:, 1:2] ** np.arange(4)
    fig = autocorrelation_bars(acf, ["mu", "log tau"], reference=ref)
    for p, ax in enumerate(fig.axes):
        segments = ax.collections[0].get_segments()
        np.testing.assert_array_equal([s[1, 1] for s in segments], acf[p])
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), ref[p])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "sample autocorrelation", "AR(1) with the same lag-1 value"]
    with pytest.raises(ValueError, match="reference must have shape"):
        autocorrelation_bars(acf, ["mu", "log tau"], reference=ref[:1])


def test_rhat_path_draws_rhat_minus_one_with_a_floor():
    # Truth: the contract; the lines are R-hat - 1, floored at 1e-4 (values at or below 1).
    rhat = np.array([[2.0, 1.5], [1.001, 0.9999]])
    fig = rhat_path([10, 100], rhat, ["mu", "log tau"])
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 1e-3], rtol=1e-12)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.5, 1e-4], rtol=1e-12)
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="rhat must have shape"):
        rhat_path([10, 100, 1000], rhat, ["mu", "log tau"])


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
    # Truth: the contract; shapes must agree, with two efficiency columns (mu, log tau).
    with pytest.raises(ValueError, match="efficiency must have shape"):
        tuning_curves(SCALES, ACCEPT, EFF[:-1])
    with pytest.raises(ValueError, match="efficiency must have shape"):
        tuning_curves(SCALES, ACCEPT, EFF[:, :1])
    with pytest.raises(ValueError, match="accept_rate"):
        tuning_curves(SCALES, ACCEPT[:-1], EFF)
    with pytest.raises(ValueError, match="efficiency_se"):
        tuning_curves(SCALES, ACCEPT, EFF, efficiency_se=EFF[:, :1])


def test_z_scores_one_row_per_group_and_all_points():
    # Truth: the contract; every estimate is a dot at its z, rows in order of first appearance,
    # and the axis is wide enough for the largest |z|.
    groups = ["means", "means", "sds", "means"]
    z = np.array([0.5, -1.0, 2.0, 6.0])
    ax = z_scores(groups, z).axes[0]
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(offsets[:, 0], z)
    np.testing.assert_array_equal(np.round(offsets[:, 1]), [0, 0, 1, 0])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["means", "sds"]
    assert ax.get_xlim() == (-6.5, 6.5)
    with pytest.raises(ValueError, match="z must have shape"):
        z_scores(groups, z[:3])


# --------------------------------------------------------------------------- hyperparameters
L1 = np.linspace(-3.0, 3.0, 31)
L2 = np.linspace(-2.0, 2.0, 21)
FIELD = -0.5 * (L1[None, :] ** 2 + L2[:, None] ** 2)  # [i, j] at (L1[j], L2[i])


def test_contours_draw_both_fields_solid_and_dashed():
    # Truth: the drops below the maximum (0 here) are the levels; the exact field is solid and
    # the approximation dashed (all levels are negative, which matplotlib would dash by
    # default), and the approximation's contours are labelled with the normal's content.
    drops = -np.log1p(-np.array([0.5, 0.9]))
    fig = posterior_contours(L1, L2, FIELD, approx=FIELD, mode=(0.0, 0.0), drops=drops)
    ax = fig.axes[0]
    sets = [c for c in ax.collections if hasattr(c, "levels")]
    assert len(sets) == 2
    np.testing.assert_allclose(sets[0].levels, np.log1p(-np.array([0.9, 0.5])), rtol=1e-12)
    assert sets[0].get_linestyle()[0][1] is None  # solid
    assert sets[1].get_linestyle()[0][1] is not None  # dashed
    assert {t.get_text() for t in ax.texts} == {"50%", "90%"}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["exact posterior", "normal approximation", "mode"]


def test_contours_with_draws_and_refusals():
    # Truth: the contract; the draws are the dots, and the field's shape must match the grid.
    draws = np.array([[0.0, 1.0], [1.0, -1.0]])
    ax = posterior_contours(L1, L2, FIELD, draws=draws).axes[0]
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), draws)
    with pytest.raises(ValueError, match="log_post must have shape"):
        posterior_contours(L1, L2, FIELD.T)
    with pytest.raises(ValueError, match="draws must have shape"):
        posterior_contours(L1, L2, FIELD, draws=np.zeros((4, 3)))


def test_marginal_densities_histogram_has_unit_area_and_curves_are_inputs():
    # Truth: a histogram of draws that all lie on the grid has area 1; the two curves are the
    # arrays passed in.
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 400))
    grid = np.linspace(-5.0, 5.0, 41)
    kde = np.exp(-0.5 * grid**2) / np.sqrt(2.0 * np.pi)
    fig = marginal_densities([grid, grid], [kde, kde], draws=x, approx=[0.5 * kde, 0.5 * kde],
                             label="kernel density estimate", xlabels=["mu", "log tau"])
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert hist_area(ax) == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), kde)
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), 0.5 * kde)
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert legend == ["histogram of the draws", "kernel density estimate", "normal approximation"]


def test_marginal_densities_tau_panels_and_refusals():
    # Truth: the contract; by default the panels are tau and log tau, with optional pieces.
    t = np.linspace(0.0, 5.0, 11)
    lt = np.linspace(-2.0, 2.0, 9)
    fig = marginal_densities([t, lt], [np.exp(-t), np.exp(-(lt**2))], approx=[None, lt])
    assert len(fig.axes[0].lines) == 1 and len(fig.axes[1].lines) == 2
    assert fig.axes[0].get_xlabel() == r"$\tau$ (points)"
    with pytest.raises(ValueError, match=r"densities\[0\] must have shape"):
        marginal_densities([t, lt], [t[:-1], lt])
    with pytest.raises(ValueError, match="one per grid"):
        marginal_densities([t, lt], [t, lt], approx=[None])


def test_prior_comparison_one_line_per_prior():
    # Truth: the contract; each density is drawn as given, labelled with its prior.
    t = np.linspace(0.0, 5.0, 6)
    fig = prior_comparison(t, {"flat": np.exp(-t), "half-Cauchy": np.exp(-2 * t)})
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), np.exp(-2 * t))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["flat", "half-Cauchy"]
    with pytest.raises(ValueError, match="flat must have shape"):
        prior_comparison(t, {"flat": t[:3]})


# --------------------------------------------------------------------------- effects
TAU = np.array([0.5, 5.0, 50.0])
THETA = np.array([[1.0, 1.0, 1.0], [3.0, 0.0, 2.0], [5.0, -1.0, 4.0]])


def test_conditional_effects_one_path_per_group_with_its_colour_and_name():
    # Truth: the contract; path j carries column j of the means, in group j's colour, and
    # group j's name sits at the path's right-hand end.
    fig = conditional_effects(TAU, THETA, NAMES, mu=1.0, log_x=True)
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


def test_conditional_effects_optional_pieces():
    # Truth: the contract; the line at mu only when mu is given, a panel for the sds and one
    # for p(tau | y) only when given, all sharing the tau axis.
    with_mu = conditional_effects(TAU, THETA, NAMES, mu=1.0).axes[0]
    without = conditional_effects(TAU, THETA, NAMES).axes[0]
    assert len(with_mu.lines) == len(without.lines) + 1
    fig = conditional_effects(TAU, THETA, NAMES, sd=THETA + 1.0, density=np.ones(3))
    assert len(fig.axes) == 3
    np.testing.assert_array_equal(fig.axes[1].lines[2].get_ydata(), THETA[:, 2] + 1.0)
    assert {t.get_text() for t in fig.axes[1].texts} == set(NAMES)
    assert fig.axes[0].get_shared_x_axes().joined(fig.axes[0], fig.axes[2])


@pytest.mark.parametrize(
    ("tau", "theta", "log_x", "message"),
    [
        (TAU[::-1], THETA, False, "increasing"),
        (np.array([0.0, 1.0, 2.0]), THETA, True, "positive on a log axis"),
        (TAU, THETA[:, :2], False, "mean must have shape"),
    ],
)
def test_conditional_effects_refuse_bad_input(tau, theta, log_x, message):
    # Truth: the contract's ValueError, naming the argument and the rule.
    with pytest.raises(ValueError, match=message):
        conditional_effects(tau, theta, NAMES, log_x=log_x)


def test_shrinkage_rows_arrows_and_intervals():
    # Truth: the contract; each row has an arrow from y_j to the posterior mean, the posterior
    # interval (thick) below the row and the separate interval (thin) above it, all in the
    # group's colour; the paths panel joins y_j (height 1) to the posterior mean (height 0).
    y, pm = np.array([10.0, 0.0, 5.0]), np.array([6.0, 4.0, 5.0])
    lo, hi = pm - 2.0, pm + 2.0
    fig = shrinkage(NAMES, y, pm, lo, hi, separate=(y - 3.0, y + 3.0), pooled=(5.0, 4.0, 6.0),
                    paths=True)
    top, ax = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == NAMES
    arrows = [t for t in ax.texts if t.arrow_patch is not None]
    assert [(a.xyann[0], a.xy[0]) for a in arrows] == list(zip(y, pm, strict=True))
    thick = [ln for ln in ax.lines if ln.get_linewidth() == 3.0 and len(ln.get_xdata()) == 2]
    assert [list(ln.get_xdata()) for ln in thick] == [list(p) for p in zip(lo, hi, strict=True)]
    thin = [ln for ln in ax.lines if ln.get_linewidth() == 1.0 and len(ln.get_xdata()) == 2]
    assert len(thin) == 3 and thin[0].get_ydata()[0] > thick[0].get_ydata()[0]
    paths = [ln for ln in top.lines if ln.get_linewidth() == 1.8]
    assert sorted(tuple(ln.get_xdata()) for ln in paths) == sorted(zip(y, pm, strict=True))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "pooled estimate" in legend and "separate 95% interval" in legend


def test_shrinkage_with_population_mean_and_refusals():
    # Truth: the contract; a single panel, the population mean named in the legend.
    fig = shrinkage(NAMES, [1, 2, 3], [2, 2, 2], [1, 1, 1], [3, 3, 3], population_mean=2.0)
    assert len(fig.axes) == 1
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert r"posterior mean of $\mu$" in legend and "separate 95% interval" not in legend
    with pytest.raises(ValueError, match="post_lower must have shape"):
        shrinkage(NAMES, [1, 2, 3], [2, 2, 2], [1, 1], [3, 3, 3])


def test_effect_densities_one_panel_per_group():
    # Truth: the contract; five groups fill three rows of two panels (one hidden), each with
    # its own density in its colour over the other four in grey.
    x = np.linspace(-1.0, 1.0, 5)
    d = np.arange(25.0).reshape(5, 5)
    fig = effect_densities(x, d, list("ABCDE"))
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 6 and len(visible) == 5
    for k, ax in enumerate(visible):
        own = [ln for ln in ax.lines if ln.get_color() == group_color(k)]
        np.testing.assert_array_equal(own[0].get_ydata(), d[:, k])
        assert sum(ln.get_color() == "#cccccc" for ln in ax.lines) == 4
        assert ax.texts[0].get_text() == "ABCDE"[k]
    with pytest.raises(ValueError, match="density must have shape"):
        effect_densities(x, d[:, :4], list("ABCDE"))


def test_new_school_histograms_are_densities_over_all_draws():
    # Truth: the scale is over all the draws, so with two of four draws inside the limits, each
    # in its own bin of width 100 / 80, the bars are 1 / (4 * 1.25) = 0.2 high; and there is
    # one tick per observed estimate, in the group's colour.
    theta = np.array([0.0, 10.0, 100.0, -100.0])
    fig = new_school_densities(theta, theta, 11.0, [0.0, 5.0, 8.0])
    ax = fig.axes[0]
    assert len(ax.patches) == 2  # one polygon per histogram (filled and outline)
    for patch in ax.patches:
        assert patch.get_path().vertices[:, 1].max() == pytest.approx(0.2, abs=1e-12)
    ticks = [ln for ln in ax.lines if ln.get_linewidth() == 2.5 and len(ln.get_xdata()) == 2]
    assert [ln.get_color() for ln in ticks] == list(GROUP_COLORS[:3])
    assert "11" in ax.get_legend().get_texts()[1].get_text()


def test_predictive_checks_mark_observed_and_p_values():
    # Truth: the contract; the observed value is a vertical line, T(y) and p are written, and
    # the bars of a count are its relative frequencies (they sum to 1).
    rep = [np.array([0.0, 1.0, 1.0, 3.0]), np.linspace(0.0, 1.0, 50)]
    fig = predictive_checks(rep, [1.0, 0.5], ["count", "value"], [0.75, 0.5],
                            discrete=[True, False])
    count, value = fig.axes[:2]
    assert sum(p.get_height() for p in count.patches) == pytest.approx(1.0, abs=1e-12)
    assert count.lines[0].get_xdata()[0] == 1.0
    assert "$p$ = 0.75" in count.texts[0].get_text()
    assert value.get_xlabel() == "value"
    with pytest.raises(ValueError, match="p_values must have shape"):
        predictive_checks(rep, [1.0, 0.5], ["count", "value"], [0.75])


# --------------------------------------------------------------------------- every figure
# Legibility, contrast and clean signatures, over every figure function with inputs of the
# sizes the book uses (eight schools; thirteen trials with long names).
SCHOOLS = list("ABCDEFGH")
TRIALS = [f"Trial-Author et al. {1948 + j}" for j in range(13)]


def _every_figure():
    rng = np.random.default_rng(11)
    y8, y13 = rng.normal(8.0, 10.0, 8), rng.normal(-0.7, 0.6, 13)
    tau = np.linspace(0.0, 30.0, 61)
    mean = 8.0 + np.outer(tau / (tau + 5.0), y8 - 8.0)
    lt = rng.normal(1.5, 1.0, 2000)
    grid = np.linspace(-30.0, 55.0, 86)
    dens = np.exp(-0.5 * ((grid[:, None] - y8) / 12.0) ** 2)
    long_label = "log relative risk of tuberculosis (vaccinated vs control)"
    return {
        "forest, 8 schools": lambda: forest(SCHOOLS, y8, y8 - 20, y8 + 20, pooled=(8.0, 0.0, 16.0),
                                            title="Separate 95% intervals and the pooled estimate"),
        "forest, 13 trials": lambda: forest(TRIALS, y13, y13 - 1, y13 + 1, xlabel=long_label),
        "effect_vs_covariate": lambda: effect_vs_covariate(
            rng.uniform(10, 55, 13), y13, np.full(13, 0.3), TRIALS, line=(0.3, -0.03)),
        "traces": lambda: traces(rng.normal(size=(4, 500, 2)), [r"$\mu$ (points)", r"$\log\tau$"],
                                 titles=["scale s = 2: acceptance 0.298", ""]),
        "autocorrelation_bars": lambda: autocorrelation_bars(
            0.8 ** np.arange(31)[None, :].repeat(2, 0), [r"$\mu$", r"$\log\tau$"],
            reference=0.8 ** np.arange(31)[None, :].repeat(2, 0)),
        "rhat_path": lambda: rhat_path([10, 100, 1000, 10000], [[2.0, 3.0], [1.1, 1.2],
                                       [1.01, 1.02], [1.0, 1.0]], [r"$\mu$", r"$\log\tau$"]),
        "tuning_curves": lambda: tuning_curves(
            SCALES, ACCEPT, EFF, efficiency_se=0.1 * EFF, reference_accept=ACCEPT - 0.02,
            marks=[(1.68, r"$2.38/\sqrt{2}$ rule"), (2.0, "the post's $s = 2$")]),
        "z_scores": lambda: z_scores(["school moments", "shrinkage"] * 10, rng.normal(size=20)),
        "funnel": lambda: funnel([np.exp(lt) * rng.normal(size=2000), rng.normal(size=2000)],
                                 [lt, lt], [r"$\theta_A$ (points)", r"$z_A$"],
                                 divergent=[lt < 0.0, None], titles=["centred", "non-centred"]),
        "posterior_contours": lambda: posterior_contours(
            L1, L2, FIELD, approx=FIELD, draws=rng.normal(size=(200, 2)), mode=(0.0, 0.0)),
        "marginal_densities": lambda: marginal_densities(
            [tau, L2], [np.exp(-tau / 8), np.exp(-(L2**2))], draws=[None, lt],
            approx=[None, np.exp(-(L2**2))], titles=[r"$p(\tau \mid y)$", r"$p(\log\tau \mid y)$"]),
        "prior_comparison": lambda: prior_comparison(
            tau, {f"IG({k}, {k})": np.exp(-tau / (k + 1)) for k in range(5)}),
        "conditional_effects": lambda: conditional_effects(
            tau, mean, SCHOOLS, sd=1.0 + mean / 10, density=np.exp(-tau / 8)),
        "shrinkage, 8 schools": lambda: shrinkage(
            SCHOOLS, y8, 8 + (y8 - 8) / 3, y8 - 15, y8 + 15, separate=(y8 - 30, y8 + 30),
            pooled=(8.0, 0.0, 16.0), paths=True),
        "shrinkage, 13 trials": lambda: shrinkage(
            TRIALS, y13, y13 / 2, y13 - 1, y13 + 1, population_mean=-0.7, xlabel=long_label),
        "effect_densities": lambda: effect_densities(grid, dens, SCHOOLS),
        "new_school_densities": lambda: new_school_densities(
            rng.normal(8, 10, 2000), rng.normal(8, 15, 2000), 11.0, y8),
        "predictive_checks": lambda: predictive_checks(
            [rng.normal(size=500) for _ in range(4)] + [rng.integers(0, 6, 500)],
            [0.0, 0.5, 1.0, 0.2, 2.0], ["largest (points)", "smallest (points)",
                                       "spread (points)", "sd (points)", "negative estimates"],
            [0.5, 0.2, 0.7, 0.8, 0.6], discrete=[False] * 4 + [True]),
    }


EVERY_FIGURE = _every_figure()
GREEK_WORD = re.compile(r"\b(mu|tau|theta|sigma|lambda)\b|_")


@pytest.mark.parametrize("name", list(EVERY_FIGURE))
def test_every_figure_reads_on_a_phone_and_on_a_desktop(name):
    # Truth: arithmetic on matplotlib's own record of the drawn text. The book shows a figure
    # as a PNG at the figure's dpi, cropped to its content plus 0.1 inch (IPython's
    # bbox_inches="tight"); a 390-px phone scales it to about 330 px wide, a desktop shows it at
    # its size in a column about 720 px wide. Drawing also parses every mathtext label, which
    # raises on TeX that mathtext cannot render; outside $...$ no label may spell a symbol.
    fig = EVERY_FIGURE[name]()
    fig.draw_without_rendering()  # lays the figure out and makes every tick label
    width_px = (fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer()).width + 0.2) * fig.dpi
    assert fig.get_figwidth() == 5.0 and width_px <= 5.2 * fig.dpi + 1  # nothing sticks out
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and (t.axes is None or t.axes.get_visible())]
    sizes = np.array([t.get_fontsize() for t in texts])  # points
    phone = sizes * fig.dpi / 72 * 330 / width_px
    desktop = sizes * fig.dpi / 72 * min(1.0, 720 / width_px)
    assert phone.min() >= 8.5, [t.get_text() for t in texts if t.get_fontsize() == sizes.min()]
    assert desktop.max() <= 20.0
    ticks = [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert sizes.min() >= max(t.get_fontsize() for t in ticks)  # nothing below tick labels
    for t in texts:
        plain = re.sub(r"\$[^$]*\$", "", t.get_text())
        assert not GREEK_WORD.search(plain), t.get_text()


def _luminance(color: str) -> float:
    # WCAG 2.1 relative luminance of an "#RRGGBB" colour.
    srgb = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_colour_has_3_to_1_contrast_against_the_figure():
    # Truth: the WCAG 2.1 formula, checked on its published values (black on white 21:1,
    # #767676 on white 4.54:1). PALE is only a fill, outlined where it carries data.
    assert _contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert _contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.005)
    background = to_hex(new_figure()[0].get_facecolor()).upper()
    assert background == "#FFFFFF"
    for color in (*GROUP_COLORS, *CHAIN_COLORS, GREY, EXACT, APPROX):
        assert _contrast(color, background) >= 3.0, color


# Machado, Oliveira and Fernandes (2009): full protanopia, deuteranopia and tritanopia, as
# matrices on linear RGB.
VISION = {
    "normal": np.eye(3),
    "protan": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
               [-0.003882, -0.048116, 1.051998]],
    "deutan": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
               [-0.011820, 0.042940, 0.968881]],
    "tritan": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
               [0.004733, 0.691367, 0.303900]],
}


def _lab(color: str, vision: str) -> np.ndarray:
    # CIELAB (D65) of a colour as seen with the given vision.
    srgb = np.array([int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(np.array(VISION[vision]) @ lin, 0, 1)
    t = xyz / [0.95047, 1.0, 1.08883]
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", list(VISION))
def test_the_eight_schools_and_four_chains_differ_in_every_vision(vision):
    # Truth: CIE76 colour differences (a difference of 10 is plainly visible side by side);
    # the schools also differ by marker, so colour is never the only cue.
    for palette, least in ((GROUP_COLORS[:8], 20.0), (CHAIN_COLORS[:4], 15.0)):
        labs = [_lab(c, vision) for c in palette]
        gaps = [np.linalg.norm(a - b) for i, a in enumerate(labs) for b in labs[i + 1:]]
        assert min(gaps) >= (least if vision == "normal" else 10.0)
    assert len(set(GROUP_MARKERS)) == len(GROUP_MARKERS) == 13


def test_conditional_effects_paths_carry_the_groups_markers():
    # Truth: the contract; path j has group j's marker, so that crossing paths differ by shape.
    ax = conditional_effects(TAU, THETA, NAMES).axes[0]
    paths = [ln for ln in ax.lines if len(ln.get_xdata()) == TAU.size]
    assert [ln.get_marker() for ln in paths] == list(GROUP_MARKERS[:3])


@pytest.mark.parametrize("module", [chains, data, effects, hyperparameters])
def test_signatures_show_no_tex(module):
    # Truth: the contract; a default that is a label is None (documented), so that the API
    # page shows no escaped TeX.
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if function.__module__ != module.__name__ or name.startswith("_"):
            continue
        for p in inspect.signature(function).parameters.values():
            assert not any(c in str(p.default) for c in "$\\"), (name, p.name)
