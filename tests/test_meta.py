"""Tests of eightschools.meta: log relative risks from 2x2 counts, and the BCG trials."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eightschools import classical, meta
from eightschools.data import SchoolData


def test_log_relative_risk_by_hand() -> None:
    # Truth: the closed forms of the issue, evaluated with the math module one trial at a
    # time, for Aronson 1948 (4, 119, 11, 128) and TPT Madras 1980 (505, 87886, 499, 87892).
    # Both sides compute the same few logs in float64, so they agree to rounding (1e-12).
    rows = [(4, 119, 11, 128), (505, 87886, 499, 87892)]
    y, sigma = meta.log_relative_risk(*(np.array(c) for c in zip(*rows, strict=True)))
    for j, (a, b, c, d) in enumerate(rows):
        y_hand = math.log(a / (a + b)) - math.log(c / (c + d))
        var_hand = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
        assert y[j] == pytest.approx(y_hand, rel=1e-12, abs=1e-14)
        assert sigma[j] ** 2 == pytest.approx(var_hand, rel=1e-12)


def test_bcg_effects_match_metafor_escalc() -> None:
    # Truth: metafor's escalc(measure="RR") on dat.bcg (Viechtbauer 2010), the same 13 trials,
    # printed to 4 decimals: Aronson yi = -0.8893, vi = 0.3256; Stein & Aronson yi = -0.7861,
    # vi = 0.0069. Tolerance: half a unit in the 4th decimal.
    d = meta.load_bcg()
    assert d.y[0] == pytest.approx(-0.8893, abs=5e-5)
    assert d.sigma[0] ** 2 == pytest.approx(0.3256, abs=5e-5)
    assert d.y[5] == pytest.approx(-0.7861, abs=5e-5)
    assert d.sigma[5] ** 2 == pytest.approx(0.0069, abs=5e-5)


def test_bcg_fixed_effect_and_q_match_published() -> None:
    # Truth: metafor's own test suite (test_misc_metan_vs_rma.uni_with_dat.bcg.r) checks
    # rma(yi, vi, method="EE") on these counts against Stata's metan: estimate -0.4303,
    # 95% CI (-0.5097, -0.3509), z = -10.6247, Q = 152.2330 on 12 df. The numbers are
    # printed to 4 decimals, so the tolerance is half a unit in the 4th decimal.
    d = meta.load_bcg()
    pooled = classical.pooled_estimate(d.y, d.sigma)
    lo, hi = classical.pooled_interval(d.y, d.sigma)
    q = classical.homogeneity_test(d.y, d.sigma)
    assert pooled.mean == pytest.approx(-0.4303, abs=5e-5)
    assert lo == pytest.approx(-0.5097, abs=5e-5)
    assert hi == pytest.approx(-0.3509, abs=5e-5)
    assert pooled.mean / math.sqrt(pooled.variance) == pytest.approx(-10.6247, abs=5e-5)
    assert q.statistic == pytest.approx(152.2330, abs=5e-5)
    assert q.df == 12


def test_load_bcg_is_a_school_data_with_covariates() -> None:
    # Truth: the counts and latitudes typed in the issue (Colditz et al. 1994): the file must
    # hold exactly them; the names must tell apart the two Rosenthal and two Comstock reports.
    d = meta.load_bcg()
    assert isinstance(d, SchoolData)
    assert d.J == 13 and len(set(d.names)) == 13
    assert d.names[2] == "Rosenthal et al. 1960" and d.names[9] == "Rosenthal et al. 1961"
    assert d.counts[7].tolist() == [505, 87886, 499, 87892]
    assert d.counts.sum() == 357_347
    assert d.latitude.tolist() == [44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33]
    assert d.year.tolist()[:3] == [1948, 1949, 1960]
    with pytest.raises(ValueError, match="read-only"):
        d.latitude[0] = 0.0


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (([0], [10], [3], [10]), r"tpos\[0\] = 0: a trial with no cases"),
        (([3], [10], [0], [10]), r"cpos\[0\] = 0"),
        (([3], [-1], [3], [10]), r"tneg must be >= 0"),
        (([3.5], [10], [3], [10]), r"tpos must hold whole numbers"),
        (([3, 4], [10], [3], [10]), r"must have the same length"),
        (([[3]], [10], [3], [10]), r"tpos must be one-dimensional"),
        ((["a"], [10], [3], [10]), r"tpos must hold integer counts"),
    ],
)
def test_log_relative_risk_refuses_bad_counts(counts: tuple, message: str) -> None:
    # Truth: the rules of the boundary; each bad input must name its argument and the rule.
    with pytest.raises(ValueError, match=message):
        meta.log_relative_risk(*counts)


def test_load_trials_csv_reports_the_bad_line(tmp_path) -> None:
    # Truth: a hand-made file whose third line has a non-number; the message names the line.
    p = tmp_path / "t.csv"
    p.write_text(
        "trial,year,tpos,tneg,cpos,cneg,latitude\nA,1990,1,9,2,8,10\nB,1991,x,9,2,8,10\n"
    )
    with pytest.raises(ValueError, match=r"line 3: column 'tpos' must be a number"):
        meta.load_trials_csv(p)
    p.write_text("trial,year,tpos,tneg,cpos,latitude\nA,1990,1,9,2,10\n")
    with pytest.raises(ValueError, match="missing column"):
        meta.load_trials_csv(p)
