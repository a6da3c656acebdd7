"""Tests of eightschools.tables: headings written once, in plain text, with symbols in HTML.

Truth: the HTML a reader should see, written out by hand for each heading the chapters use
(Greek letters from the Unicode standard, subscripts as <sub>); the plain text stays as typed.
"""

from __future__ import annotations

import pytest

from eightschools import tables
from eightschools.tables import Table, header_html


@pytest.mark.parametrize(
    ("plain", "html"),
    [
        ("sigma_j", "σ<sub>j</sub>"),
        ("std. error sigma_j", "std. error σ<sub>j</sub>"),
        ("P(theta_A > theta_j)", "P(θ<sub>A</sub> &gt; θ<sub>j</sub>)"),
        ("P(theta_A < theta_C | tau, y)", "P(θ<sub>A</sub> &lt; θ<sub>C</sub> | τ, y)"),
        ("E(B_j | y), sigma_A = 7.5", "E(B<sub>j</sub> | y), σ<sub>A</sub> = 7.5"),
        ("B_j, tau = 10", "B<sub>j</sub>, τ = 10"),
        ("mu_hat(tau)", "μ\u0302(τ)"),
        ("P(theta_new < 0)", "P(θ<sub>new</sub> &lt; 0)"),
        ("ESS bulk log tau", "ESS bulk log τ"),
        ("R-hat mu", "R-hat μ"),
        ("mean T(y_rep)", "mean T(y<sub>rep</sub>)"),
        # left as they are: names of code, words that contain a symbol's name, single letters
        ("log_p_tau", "log_p_tau"),
        ("mcse_mean", "mcse_mean"),
        ("r_hat", "r_hat"),
        ("y_hat_j", "y\u0302<sub>j</sub>"),
        ("mutual taus", "mutual taus"),
        ("school j", "school j"),
        ("P(A > 28)", "P(A &gt; 28)"),
        ("", ""),
    ],
)
def test_header_html(plain, html):
    assert header_html(plain) == html


def test_table_shows_symbols_in_html_and_plain_text_in_text():
    # Truth: the contract; the text form keeps the heading as typed (the stored outputs), the
    # HTML form shows it with symbols, in the header row and in row headers alike.
    t = Table(["quantity", "sigma_j", "P(theta_A > theta_j)"], [["tau", 1.0, 0.5]],
              formats=["", ".1f", ".2f"], row_headers=True)
    assert str(t).splitlines()[0].split("  ") == ["quantity", "sigma_j", "P(theta_A > theta_j)"]
    html = t.to_html()
    assert "<th style" in html and ">σ<sub>j</sub></th>" in html
    assert ">P(θ<sub>A</sub> &gt; θ<sub>j</sub>)</th>" in html
    assert '<th scope="row" style="padding: 0.2em 0.8em; text-align: left">τ</th>' in html
    assert "theta" not in html and "sigma" not in html


@pytest.mark.parametrize("x", [1.3e-07, 4e-25, 2.04e-26, 0.00048, 6.02e23, 1.0, -3.5e-5])
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_times_ten_reads_back_as_the_rounded_number(x, digits):
    text = tables.times_ten(x, digits)
    mantissa, power = text.split(" × 10")
    exponent = int(power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    assert float(mantissa) * 10.0**exponent == pytest.approx(float(f"{x:.{digits}e}"))
    assert "e" not in text and 1 <= abs(float(mantissa)) < 10
