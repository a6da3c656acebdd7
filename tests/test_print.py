"""The print edition: `make pdf` prints the whole book into one PDF (.ci/print_book.py).

The book is printed once, from the website that conftest.py builds, and the PDF is read back
with pypdf and checked against the sources: every chapter title (the notebooks' first headings)
on the page that the contents give, every figure of the website embedded at its own resolution,
no TeX or MyST markup left in the text, A4 pages. Printing fails (and so does every test here)
if an image does not load or anything is cut at the right edge of the page.
"""

from __future__ import annotations

import doctest
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from conftest import load_print_book

ROOT = Path(__file__).resolve().parents[1]


print_book = load_print_book()

A4_POINTS = (210 / 25.4 * 72, 297 / 25.4 * 72)


@dataclass(frozen=True)
class Edition:
    document: str
    printed: print_book.Printed
    reader: PdfReader
    texts: list[str]  # each page's text, ligatures undone, spaces collapsed
    prose: str  # the text of every page outside code (not in a monospace font)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@pytest.fixture(scope="module")
def edition(built_html: Path, tmp_path_factory: pytest.TempPathFactory) -> Edition:
    document = print_book.assemble(built_html)
    pdf = tmp_path_factory.mktemp("print") / "book.pdf"
    printed = print_book.print_book(built_html, document, pdf)
    reader = PdfReader(pdf)
    prose: list[str] = []

    def outside_code(text, matrix, text_matrix, font, size) -> None:
        if "Mono" not in (font or {}).get("/BaseFont", ""):
            prose.append(text)

    texts = [_plain(page.extract_text(visitor_text=outside_code)) for page in reader.pages]
    return Edition(document, printed, reader, texts, _plain(" ".join(prose)))


# MathJax draws \phi and \epsilon as these variants of the letters.
MATHJAX_VARIANTS = {"phi": "\N{GREEK PHI SYMBOL}", "epsilon": "\N{GREEK LUNATE EPSILON SYMBOL}"}


def _greek(name: str) -> str | None:
    """The Greek letter that a TeX command names (\\tau, \\Sigma), or None."""
    case = "CAPITAL" if name[0].isupper() else "SMALL"
    unicode_name = name.upper().replace("LAMBDA", "LAMDA")  # Unicode's spelling
    try:
        return unicodedata.lookup(f"GREEK {case} LETTER {unicode_name}")
    except KeyError:
        return None


def _chapter_titles() -> list[str]:
    """The first heading of each chapter notebook, in the order of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]]
    titles = []
    for file in files:
        notebook = nbformat.read(ROOT / f"{file}.ipynb", as_version=4)
        first = next(c for c in notebook.cells if c.cell_type == "markdown")
        titles.append(next(line[2:] for line in first.source.splitlines() if line[:2] == "# "))
    return titles


@functools.cache
def _site_articles(built_html: Path) -> list[BeautifulSoup]:
    """The articles of the website's pages that the print edition prints."""
    names = [p.docname for p in print_book.read_toc(ROOT / "_toc.yml")]
    pages = [built_html / f"{name}.html" for name in names if name not in print_book.LEFT_OUT]
    return [BeautifulSoup(p.read_text(), "html.parser").select_one("article") for p in pages]


@pytest.mark.book
def test_contents_give_the_page_of_every_chapter(edition: Edition) -> None:
    titles = _chapter_titles()
    assert len(titles) == 9
    contents = edition.texts[1]
    assert contents.startswith("Contents")
    for number, title in enumerate(titles, start=1):
        line = re.search(rf"\b{number} {re.escape(_plain(title))} (\d+)", contents)
        assert line, f"chapter {number} ({title}) is not in the contents"
        page = int(line.group(1))
        assert edition.texts[page - 1].startswith(f"{number}. {_plain(title)}"), (
            f"the contents put chapter {number} on page {page}, which starts otherwise")
    for title in ("Preface", "Solutions to the exercises", "Bibliography"):
        page = int(re.search(rf"{title} (\d+)", contents).group(1))
        text = edition.texts[page - 1]
        # (The text of the bibliography's page begins with its entries' labels.)
        assert text.startswith(title) or title == "Bibliography" and re.match(r"\[1\]", text)
        assert title in text


@pytest.mark.book
def test_pages_are_a4_and_as_many_as_the_text_needs(edition: Edition) -> None:
    for page in edition.reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=1.5)  # Chromium rounds to 1/96 inch
    # A full A4 page at 10 pt holds about 3,000 characters: fewer pages would mean lost text,
    # many more, pages left mostly empty.
    characters = sum(len(text) for text in edition.texts)
    assert 1_000 < characters / len(edition.texts) < 3_500


@pytest.mark.book
def test_every_figure_is_printed_at_its_own_resolution(edition: Edition, built_html: Path):
    sources = [img["src"] for article in _site_articles(built_html) for img in article("img")]
    site_sizes = sorted(Image.open(built_html / "chapters" / src).size for src in sources)
    embedded = {}
    for page in edition.reader.pages:
        for ref in page.get("/Resources", {}).get("/XObject", {}).values():
            image = ref.get_object()
            if image["/Subtype"] == "/Image":
                embedded[ref.idnum] = (image["/Width"], image["/Height"])
    assert len(sources) >= 28
    assert sorted(embedded.values()) == site_sizes


@pytest.mark.book
def test_no_tex_or_myst_markup_is_left_in_the_text(edition: Edition, built_html: Path):
    # Code cells may hold TeX in Python strings (labels, SymPy's show), so the prose is checked.
    leftovers = re.findall(r"\\[A-Za-z]+|\\[(\[]|\$\$", edition.prose)
    assert not leftovers, f"raw TeX in the PDF's text: {sorted(set(leftovers))}"
    myst = re.findall(r"\{[a-z]+(?::[a-z]+)?\}`|`{3}\{?|\([a-z0-9-]+\)=", " ".join(edition.texts))
    assert not myst, f"MyST markup in the PDF's text: {sorted(set(myst))}"
    # And the math is there, typeset: each Greek letter of the website's formulas is printed.
    tex = " ".join(m.get_text() for a in _site_articles(built_html) for m in a(class_="math"))
    letters = {name: _greek(name) for name in re.findall(r"\\([A-Za-z]+)", tex) if _greek(name)}
    assert {"theta", "mu", "tau", "sigma"} <= letters.keys()
    characters = set(edition.prose)
    for name, letter in letters.items():
        drawn = {letter, MATHJAX_VARIANTS.get(name, letter)}
        assert drawn & characters, f"no {letter} (\\{name}) in the PDF's text"


@pytest.mark.book
def test_solutions_are_in_an_appendix_that_the_exercises_point_to(edition: Edition,
                                                                   built_html: Path):
    n_solutions = sum(len(a.select("div.solution")) for a in _site_articles(built_html))
    whole = " ".join(edition.texts)
    assert whole.count("Solution to Exercise") == n_solutions > 0
    appendix = int(re.search(r"Solutions to the exercises (\d+)", edition.texts[1]).group(1))
    pointers = [int(page) for page in re.findall(r"Solution on page (\d+)\.", whole)]
    assert len(pointers) == n_solutions
    for page in pointers:
        assert page >= appendix and "Solution to Exercise" in edition.texts[page - 1]


@pytest.mark.book
def test_the_solutions_can_be_left_out(built_html: Path, tmp_path: Path) -> None:
    # A short book (the preface and chapter 4), to assemble quickly.
    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    toc = {"format": "jb-book", "root": "chapters/index", "parts": [
        {"caption": "Chapters", "numbered": True,
         "chapters": [{"file": "chapters/04_metropolis"}]}]}
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc))
    with_solutions = print_book.assemble(built_html, root=tmp_path)
    without = print_book.assemble(built_html, solutions=False, root=tmp_path)
    chapter = BeautifulSoup((built_html / "chapters" / "04_metropolis.html").read_text(),
                            "html.parser")
    n_exercises = len(chapter.select("div.exercise"))
    n_solutions = len(chapter.select("div.solution"))
    assert n_exercises >= n_solutions > 0
    for document, solutions in ((with_solutions, n_solutions), (without, 0)):
        soup = BeautifulSoup(document, "html.parser")
        assert len(soup.select("div.exercise")) == n_exercises
        assert len(soup.select(f"[id='{print_book.SOLUTIONS_ID}'] div.solution")) == solutions
        assert len(soup.select("div.solution")) == solutions
        assert (print_book.SOLUTIONS_TITLE in document) == (solutions > 0)


@pytest.mark.book
def test_what_would_be_cut_or_missing_stops_the_print(edition: Edition, built_html: Path,
                                                      tmp_path: Path) -> None:
    # The print edition's head (style sheets, MathJax) around a part too wide for the page
    # and an image that does not exist.
    start = '<article class="bd-article">'
    head, rest = edition.document.split(start)
    part = ('<section class="print-part" id="wide"><div style="width: 1500px">wide</div>'
            '<img src="../_images/no-such-figure.png" alt="a figure that is not there"></section>')
    document = head + start + part + rest[rest.index("</article>"):]
    with pytest.raises(RuntimeError) as error:
        print_book.print_book(built_html, document, tmp_path / "never.pdf")
    assert "cut at the right edge: wide: <div> wide" in str(error.value)
    assert "image did not load" in str(error.value) and "no-such-figure.png" in str(error.value)
    assert not (tmp_path / "never.pdf").exists()


def test_the_scripts_examples() -> None:
    results = doctest.testmod(print_book)
    assert results.attempted >= 2 and results.failed == 0
