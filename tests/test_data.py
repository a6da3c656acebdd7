"""Tests of eightschools.data: the data set type, its validation, and the CSV loader."""

import math

import numpy as np
import pytest

from eightschools.data import (
    EIGHT_SCHOOLS_CSV,
    SchoolData,
    as_arrays,
    check_y_sigma,
    eight_schools,
    load_csv,
)

# BDA3 table 5.2 (Rubin 1981), as printed in the post.
BDA3_Y = [28, 8, -3, 7, -1, 1, 18, 12]
BDA3_SIGMA = [15, 10, 16, 11, 9, 11, 10, 18]


def test_eight_schools_match_bda3_table():
    d = eight_schools()
    assert d.names == tuple("ABCDEFGH")
    assert d.y.tolist() == BDA3_Y
    assert d.sigma.tolist() == BDA3_SIGMA
    assert d.J == len(d) == 8


def test_data_set_is_immutable():
    d = eight_schools()
    with pytest.raises(ValueError, match="read-only"):
        d.y[0] = 0.0
    with pytest.raises(AttributeError):
        d.names = ("x",)  # frozen dataclass


def test_data_set_copies_its_input():
    y = np.array([1.0, 2.0, 3.0])
    d = SchoolData(("a", "b", "c"), y, [1.0, 1.0, 1.0])
    y[0] = 99.0
    assert d.y[0] == 1.0


def test_as_arrays_accepts_pairs_and_data_sets():
    y, s = as_arrays(([1, 2, 3], [1, 2, 3]))
    assert y.dtype == np.float64 and s.tolist() == [1.0, 2.0, 3.0]
    y2, _ = as_arrays(eight_schools())
    assert y2.tolist() == BDA3_Y


# --- one test per bad input -------------------------------------------------------------


def test_lengths_that_differ():
    with pytest.raises(ValueError, match="same length; y has 3 values and sigma has 2"):
        check_y_sigma([1, 2, 3], [1, 2])


def test_names_of_wrong_length():
    with pytest.raises(ValueError, match="one entry per group; got 2 names for 3 groups"):
        SchoolData(("a", "b"), [1, 2, 3], [1, 1, 1])


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_sigma_not_positive(bad):
    with pytest.raises(ValueError, match=r"sigma must be > 0 for every group; sigma\[1\]"):
        check_y_sigma([1, 2], [1.0, bad])


@pytest.mark.parametrize("label", ["y", "sigma"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_or_infinite(label, bad):
    y, s = [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]
    (y if label == "y" else s)[2] = bad
    with pytest.raises(ValueError, match=rf"{label} must be finite.*{label}\[2\]"):
        check_y_sigma(y, s)


def test_too_few_groups_names_the_rule():
    with pytest.raises(ValueError, match="at least 3 groups are needed; got 2.*improper"):
        check_y_sigma([1, 2], [1, 1], min_groups=3)


def test_not_one_dimensional():
    with pytest.raises(ValueError, match="y must be one-dimensional"):
        check_y_sigma([[1, 2]], [1, 2])


def test_duplicate_names():
    with pytest.raises(ValueError, match="names must be distinct; 'A' appears at 0 and 2"):
        SchoolData(("A", "B", "A"), [1, 2, 3], [1, 1, 1])


def test_empty_name():
    with pytest.raises(ValueError, match=r"names must not be empty; names\[1\]"):
        SchoolData(("A", " ", "C"), [1, 2, 3], [1, 1, 1])


# --- the CSV loader ---------------------------------------------------------------------


def write(tmp_path, text):
    p = tmp_path / "data.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_load_csv_reads_the_book_data():
    d = load_csv(EIGHT_SCHOOLS_CSV)
    assert d.names[0] == "A" and d.y[0] == 28.0 and d.sigma[-1] == 18.0


def test_load_csv_ignores_extra_columns_order_and_blank_lines(tmp_path):
    p = write(tmp_path, "sigma,note,name,y\n2,x,p,1.5\n\n3,y,q,-2\n")
    d = load_csv(p)
    assert d.names == ("p", "q") and d.y.tolist() == [1.5, -2.0] and d.sigma.tolist() == [2, 3]


def test_empty_file(tmp_path):
    with pytest.raises(ValueError, match="the file is empty"):
        load_csv(write(tmp_path, ""))


def test_header_without_rows(tmp_path):
    with pytest.raises(ValueError, match="header but no data rows"):
        load_csv(write(tmp_path, "name,y,sigma\n"))


def test_missing_column(tmp_path):
    with pytest.raises(ValueError, match="missing column.*sigma"):
        load_csv(write(tmp_path, "name,y\nA,1\n"))


def test_non_numeric_cell_names_its_line(tmp_path):
    p = write(tmp_path, "name,y,sigma\nA,1,2\nB,two,2\n")
    with pytest.raises(ValueError, match="line 3: column 'y' must be a number; got 'two'"):
        load_csv(p)


def test_non_finite_cell_names_its_line(tmp_path):
    p = write(tmp_path, "name,y,sigma\nA,1,nan\n")
    with pytest.raises(ValueError, match="line 2: column 'sigma' must be finite"):
        load_csv(p)


def test_sigma_not_positive_in_file(tmp_path):
    p = write(tmp_path, "name,y,sigma\nA,1,2\nB,1,0\n")
    with pytest.raises(ValueError, match="line 3: sigma must be > 0"):
        load_csv(p)


def test_duplicate_names_in_file(tmp_path):
    p = write(tmp_path, "name,y,sigma\nA,1,2\nA,1,2\n")
    with pytest.raises(ValueError, match="names must be distinct"):
        load_csv(p)


def test_short_row(tmp_path):
    p = write(tmp_path, "name,y,sigma\nA,1\n")
    with pytest.raises(ValueError, match="line 2: expected 3 cells, found 2"):
        load_csv(p)


def test_unreadable_path(tmp_path):
    with pytest.raises(OSError):
        load_csv(tmp_path / "no-such-file.csv")
