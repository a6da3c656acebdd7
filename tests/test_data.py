"""Tests of eightschools.data: the data set type, its validation, and the CSV loader."""

import math
import os
from pathlib import Path

import numpy as np
import pytest

from eightschools.data import (
    EIGHT_SCHOOLS_CSV,
    SchoolData,
    check_y_sigma,
    eight_schools,
    load_csv,
    parse_float,
    read_csv_table,
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


def test_data_ship_with_the_package():
    # Truth: the rule that the package reads its data from its own folder, not the book's.
    import eightschools

    assert EIGHT_SCHOOLS_CSV.parent == Path(eightschools.__file__).resolve().parent / "datasets"
    assert EIGHT_SCHOOLS_CSV.is_file()


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


BAD_FILES = [  # (id, the file's text, what the ValueError must say)
    ("empty_file", "", "the file is empty"),
    ("header_without_rows", "name,y,sigma\n", "header but no data rows"),
    ("missing_column", "name,y\nA,1\n", "missing column.*sigma"),
    ("non_numeric_cell_names_its_line",
     "name,y,sigma\nA,1,2\nB,two,2\n",
     "line 3: column 'y' must be a number; got 'two'"),
    # "nan" is not a plain number (the issue: float() accepts it, the reader must not).
    ("non_finite_cell_names_its_line",
     "name,y,sigma\nA,1,nan\n",
     "line 2: column 'sigma' must be a number; got 'nan'"),
    ("sigma_not_positive_in_file", "name,y,sigma\nA,1,2\nB,1,0\n", "line 3: sigma must be > 0"),
    # Line numbers, not 0-based indices; the blank line counts.
    ("duplicate_names_in_file",
     "name,y,sigma\nA,1,2\nB,1,2\n\n A ,1,2\n",
     "name 'A' is repeated on lines 2 and 5"),
    ("short_row", "name,y,sigma\nA,1\n", "line 2: expected 3 cells, found 2"),
    # The issue: "School 1, 2,28,15" silently read y = 2, sigma = 28 and dropped the 15.
    ("extra_cell_is_refused",
     "name,y,sigma\nSchool 1, 2,28,15\n",
     "line 2: expected 3 cells, found 4"),
    ("ignored_columns_count_in_the_cell_check",
     "name,y,sigma,note\nA,1,2,x\nB,1,2\n",
     "line 3: expected 4 cells, found 3"),
    ("quoted_comma_number_is_refused",
     'name,y,sigma\nA,"1,000",2\n',
     "line 2: column 'y' must be a number; got '1,000'"),
    ("unterminated_quote", 'name,y,sigma\nA,1,2\nB,"3,4\nC,5,6\n', "line 3: unterminated quote"),
    ("bad_quoting", 'name,y,sigma\n"A" ,1,2\n', "line 2: bad quoting"),
    # A quoted cell spanning two lines in an ignored column: the next row is on line 4.
    ("line_numbers_count_physical_lines",
     'name,y,sigma,note\nA,1,2,"two\nlines"\nB,x,2,\n',
     "line 4: column 'y' must be a number"),
]


@pytest.mark.parametrize("text, match", [c[1:] for c in BAD_FILES],
                         ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_refused_naming_the_problem(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_csv(write(tmp_path, text))


def test_unreadable_path(tmp_path):
    with pytest.raises(OSError):
        load_csv(tmp_path / "no-such-file.csv")


# --- the strict reader: one test per odd input of the issue -----------------------------


def write_bytes(tmp_path, data):
    p = tmp_path / "data.csv"
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    "text", ["-3", "0.25", "1e-3", "+4", ".5", "5.", "1E+03", " 7\t", "5e-324", "-0"]
)
def test_plain_numbers_are_read(text):
    assert parse_float(text, "y", 2, "f.csv") == float(text)


@pytest.mark.parametrize(
    "text",
    ["2_8", "1,000", "\u0663", "\uff13", "nan", "inf", "-Infinity", "0x10", "", " ", "1e", "e5",
     "1.2.3", "--1", "1 000", "\u00a012", "1e5\n", "1d5", "\u0661\u0660"],
)
def test_other_numbers_are_refused(text):
    with pytest.raises(ValueError, match=r"f\.csv, line 2: column 'y' must be a number; got"):
        parse_float(text, "y", 2, "f.csv")


def test_non_ascii_digits_are_shown_escaped():
    with pytest.raises(ValueError, match=r"got '\\uff13'"):
        parse_float("\uff13", "y", 2, "f.csv")


def test_overflow_and_underflow_are_refused():
    with pytest.raises(ValueError, match="line 2: column 'y' must be at most 1.8e308 in size"):
        parse_float("-1e400", "y", 2, "f.csv")
    with pytest.raises(ValueError, match=r"5e-324 \(it would read as 0\) in size; got '1e-400'"):
        parse_float("1e-400", "sigma", 2, "f.csv")
    assert parse_float("0e-400", "y", 2, "f.csv") == 0.0


def test_bom_is_accepted(tmp_path):
    d = load_csv(write_bytes(tmp_path, b"\xef\xbb\xbfname,y,sigma\r\nA,1,2\r\nB,3,4\r\n"))
    assert d.names == ("A", "B") and d.y.tolist() == [1.0, 3.0]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_bad_utf8_names_its_line(tmp_path, newline):
    data = newline.join([b"name,y,sigma", b"A,1,2", b"", b"B\xe9,3,4", b""])
    with pytest.raises(ValueError, match=r"data\.csv, line 4: not UTF-8 text \(byte 0xe9"):
        load_csv(write_bytes(tmp_path, data))


@pytest.mark.parametrize("header", ["name,y,sigma,y", "name,y,sigma,note, note"])
def test_repeated_header_column(tmp_path, header):
    p = write(tmp_path, f"\n{header}\nA,1,2,3\n")
    with pytest.raises(ValueError, match=r"line 2: column '(y|note)' is repeated"):
        load_csv(p)


@pytest.mark.parametrize("name", ["A\x1b[31m", "A\x00B", "A\u2028B", "A\tB", "\x7f", "A\x85"])
def test_control_character_in_name(tmp_path, name):
    p = write(tmp_path, f'name,y,sigma\n"{name}",1,2\n')
    with pytest.raises(ValueError, match="line 2: the name .* has a control character"):
        load_csv(p)


@pytest.mark.parametrize("cell", ["", " ", '""', '"  "', "\u3000"])
def test_empty_name_in_file(tmp_path, cell):
    p = write(tmp_path, f"name,y,sigma\nA,1,2\n{cell},1,2\n")
    with pytest.raises(ValueError, match="line 3: the name is empty"):
        load_csv(p)


def test_very_long_name_gives_a_short_message(tmp_path):
    p = write(tmp_path, "name,y,sigma\n" + "x" * 200_000 + ",1,2\n")
    with pytest.raises(ValueError, match="line 2: a cell is longer than 131,072 characters") as e:
        load_csv(p)
    assert len(str(e.value)) - len(str(p)) < 150  # the message, less the file's path


def test_long_offending_text_is_cut(tmp_path):
    p = write(tmp_path, "name,y,sigma\nA," + "9" * 5000 + "x,2\n")
    with pytest.raises(ValueError, match=r"\.\.\. \(5001 characters\)") as e:
        load_csv(p)
    assert len(str(e.value)) - len(str(p)) < 200  # the message, less the file's path


def test_read_csv_table_gives_cells_in_the_order_asked(tmp_path):
    p = write(tmp_path, "\r\n  \r\nsigma,note,name,y\r\n2,x,p,1.5\r\n")
    label, rows = read_csv_table(p, ("name", "y", "sigma"))
    assert label == str(p) and rows == [(4, "p", (1.5, 2.0))]
    _, rows = read_csv_table(p, ("note", "sigma"))
    assert rows == [(4, "x", (2.0,))]


@pytest.mark.parametrize("kind", ["directory", "fifo", "device"])
def test_only_regular_files_are_read(tmp_path, kind):
    path = tmp_path / "data.csv"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # a plain open() would block here until a writer came
    else:
        path.symlink_to("/dev/zero")  # a plain read() would never end
    expected = {"directory": "a directory", "fifo": "a FIFO", "device": "a device"}[kind]
    with pytest.raises(ValueError, match=f"cannot read .*data.csv: it is {expected}, not a"):
        load_csv(path)


def test_file_larger_than_the_limit(tmp_path, monkeypatch):
    import eightschools.data as data

    text = "name,y,sigma\nA,1,2\nB,3,4\nC,5,6\n"
    monkeypatch.setattr(data, "MAX_CSV_BYTES", len(text))
    assert load_csv(write(tmp_path, text)).J == 3
    with pytest.raises(ValueError, match=f"larger than {len(text)} bytes"):
        load_csv(write(tmp_path, text + "\n"))


def test_file_of_unknown_size_is_read_only_to_the_limit(monkeypatch):
    # /proc files report size 0 and hold more: the reader stops at limit + 1 bytes.
    import eightschools.data as data

    monkeypatch.setattr(data, "MAX_CSV_BYTES", 100)
    with pytest.raises(ValueError, match="larger than 100 bytes"):
        load_csv("/proc/self/maps")


def test_too_many_rows(tmp_path, monkeypatch):
    import eightschools.data as data

    monkeypatch.setattr(data, "MAX_CSV_ROWS", 3)
    assert load_csv(write(tmp_path, "name,y,sigma\nA,1,2\nB,3,4\nC,5,6\n")).J == 3
    with pytest.raises(ValueError, match="line 5: more than 3 data rows"):
        load_csv(write(tmp_path, "name,y,sigma\nA,1,2\nB,3,4\nC,5,6\nD,7,8\n"))
