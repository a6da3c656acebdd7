"""Print the whole book into one PDF with headless Chromium (`make pdf`); no TeX is involved.

Usage: .venv/bin/python .ci/print_book.py [--html DIR] [--out PDF] [--no-solutions]
(defaults: the website that `make book` builds in _build/html, and _build/pdf/book.pdf).

The print edition is assembled from the built website, in the order of _toc.yml: a title page
(title and author from _config.yml, today's date), the contents, the preface, the numbered
chapters, then the appendices: the solutions to the exercises (taken out of the chapters, where
the website hides them in dropdowns; each exercise says on which page its solution is) and the
bibliography. The package's API reference stays on the website (see LEFT_OUT).

Each page's article is copied into one document, its ids prefixed with the page's name so that
cross-references between pages become links inside the PDF. The website's folder is served over
HTTP on localhost so that its style sheets, MathJax and images load as they do on the site, and
Chromium (Debian's, as in tests/test_website.py) waits until MathJax has typeset every formula
and every image has loaded, fits what is wider than the page (scaled down, or an output's long
lines wrapped), checks that nothing is cut at its right edge, and prints A4 pages numbered in
the footer. It prints
twice: the first PDF tells on which page each chapter and solution starts, and the second
carries those numbers in the contents and in the exercises.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import html
import http.server
import io
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
STYLESHEET = Path(__file__).with_suffix(".css")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]

# Pages of _toc.yml that the print edition leaves out: the package's API reference (60 pages of
# function signatures, a quarter of the book) is for looking things up beside the code, on the
# website. Links to it print as plain text.
LEFT_OUT = {"chapters/api"}

# The preface's heading on the website is the book's title, which the title page shows.
PREFACE_TITLE = "Preface"
SOLUTIONS_ID = "print-solutions"
SOLUTIONS_TITLE = "Solutions to the exercises"
APPENDICES_CAPTION = "Appendices"  # for the solutions, if _toc.yml has no appendices

# The assembled document is served at this address of the website (it is never written into the
# website's folder): beside the chapters, so that the pages' relative addresses still work.
DOCUMENT_PATH = "/chapters/_print_edition.html"

# A4 with these margins; Chromium draws the page number in the bottom one.
PDF_OPTIONS = {
    "format": "A4",
    "margin": {"top": "18mm", "bottom": "20mm", "left": "18mm", "right": "18mm"},
    "print_background": True,
    "display_header_footer": True,
    "header_template": "<span></span>",
    "footer_template": '<div style="width: 100%; font-size: 8pt; color: #555; '
                       'text-align: center;"><span class="pageNumber"></span></div>',
}
# The width of the printed column in CSS pixels (96 per inch): 210 mm less both side margins.
COLUMN_WIDTH_PX = round((210 - 18 - 18) / 25.4 * 96)


@dataclass(frozen=True)
class Part:
    """One page of the book as _toc.yml lists it.

    `docname` is the page's path relative to the book's root without its suffix, as in _toc.yml
    ("chapters/04_metropolis"); `caption` is the caption of its group of pages ("" for the
    root); `numbered` tells whether its chapters are numbered.
    """

    docname: str
    caption: str
    numbered: bool


def read_toc(toc_file: Path) -> list[Part]:
    """The pages of a Jupyter Book table of contents (format jb-book), in reading order.

    >>> [part.docname for part in read_toc(ROOT / "_toc.yml")][:2]
    ['chapters/index', 'chapters/01_separate_and_pooled']
    """
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    if toc.get("format") != "jb-book":
        raise ValueError(f"toc_file: the format must be jb-book, not {toc.get('format')!r}")
    parts = [Part(toc["root"], caption="", numbered=False)]
    for group in toc["parts"]:
        for chapter in group["chapters"]:
            docname = chapter["file"].removesuffix(".ipynb").removesuffix(".md")
            parts.append(Part(docname, group["caption"], group.get("numbered", False)))
    return parts


def local_id(docname: str, element_id: str) -> str:
    """The id that an element of a page has in the print edition, unique in the whole book.

    >>> local_id("chapters/04_metropolis", "ex-ch4-constant")
    'chapters/04_metropolis:ex-ch4-constant'
    """
    return f"{docname}:{element_id}"


def _page_url(docname: str) -> str:
    return f"/{docname}.html"


def _localise(article: Tag, docname: str, printed: set[str]) -> None:
    """Make a page's ids unique in the book and its links point inside the book.

    A link to a printed page points to that page's part, or to the element it names; a link to
    a page that is not printed (the API reference, the index, a source file) becomes its text.
    Images are addressed from the website's root.
    """
    for element in article.find_all(id=True):
        element["id"] = local_id(docname, element["id"])
    page_url = _page_url(docname)
    for link in article.find_all("a", href=True):
        target = urllib.parse.urlsplit(urllib.parse.urljoin(page_url, link["href"]))
        if target.scheme or target.netloc:
            continue
        linked = target.path.removeprefix("/").removesuffix(".html")
        if linked not in printed:
            link.unwrap()
        elif target.fragment:
            link["href"] = "#" + local_id(linked, urllib.parse.unquote(target.fragment))
        else:
            link["href"] = f"#{linked}"
    for image in article.find_all("img", src=True):
        image["src"] = urllib.parse.urljoin(page_url, image["src"])


def _number_and_title(h1: Tag) -> tuple[str, str]:
    """("4", "Sampling ...") from a chapter's heading; ("", "Bibliography") if unnumbered."""
    number = h1.find("span", class_="section-number")
    title = "".join(child.get_text() if isinstance(child, Tag) else str(child)
                    for child in h1.children if child is not number)
    return (number.get_text().strip().rstrip(".") if number else ""), title.strip()


@dataclass
class _Chapter:
    part: Part
    number: str
    title: str
    article: Tag
    solutions: list[Tag]


def _read_chapter(html_dir: Path, part: Part, printed: set[str]) -> _Chapter:
    """A page's article, localised, with its solutions taken out."""
    path = html_dir / f"{part.docname}.html"
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    if article is None:
        raise ValueError(f"html_dir: {path} has no <article class='bd-article'>")
    for removed in article.select("a.headerlink, script"):
        removed.decompose()
    _localise(article, part.docname, printed)
    number, title = _number_and_title(article.find("h1"))
    solutions = [solution.extract() for solution in article.select("div.solution")]
    for solution in solutions:
        solution["class"] = [name for name in solution["class"] if name != "dropdown"]
    article.name = "section"
    article.attrs = {"class": "print-part", "id": part.docname}
    return _Chapter(part, number, title, article, solutions)


def _page_number(target: str) -> str:
    """A link to an element that prints the number of its page (filled in by the 2nd print)."""
    return f'<a href="#{target}"><span class="print-page" data-target="{target}"></span></a>'


def _cross_reference_solutions(chapter: _Chapter) -> None:
    """Each exercise says on which page its solution is, and each solution where its exercise is.

    A solution's title links to its exercise ("Solution to Exercise 4.1").
    """
    exercises = {exercise["id"]: exercise for exercise in chapter.article.select("div.exercise")}
    for solution in chapter.solutions:
        title = solution.find("p", class_="admonition-title")
        exercise_id = title.find("a")["href"].removeprefix("#")
        exercise = exercises.get(exercise_id)
        if exercise is None:
            raise ValueError(f"html_dir: {solution['id']} answers no exercise on its page")
        title.append(BeautifulSoup(f" (page {_page_number(exercise_id)})", "html.parser"))
        exercise.append(BeautifulSoup(
            f'<p class="print-solution-page">Solution on page {_page_number(solution["id"])}.'
            "</p>", "html.parser"))


def _title_page(config: dict, date: datetime.date) -> str:
    title, author = html.escape(config["title"]), html.escape(config["author"])
    return (
        '<section class="print-title-page">'
        f'<p class="print-book-title">{title}</p>'
        f'<p class="print-authors">{author}</p>'
        f'<p class="print-date">{date:%-d %B %Y}</p>'
        '<p class="print-colophon">The print edition of the book\'s website. '
        f'&#169; {html.escape(str(config["copyright"]))} {author}.</p>'
        "</section>"
    )


def _contents(lines: list[tuple[str, str, str, str]]) -> str:
    """The contents: one line per (id, caption, number, title), under each caption once."""
    out = ['<nav class="print-contents"><h1>Contents</h1>']
    caption = ""
    for part_id, part_caption, number, title in lines:
        if part_caption != caption:
            out.append(f'<p class="print-contents-caption">{html.escape(part_caption)}</p>')
            caption = part_caption
        out.append(
            f'<p class="print-contents-line"><a href="#{part_id}">'
            f'<span class="print-contents-number">{number}</span>'
            f'<span class="print-contents-title">{html.escape(title)}</span></a>'
            f'{_page_number(part_id)}</p>'
        )
    out.append("</nav>")
    return "\n".join(out)


def _solutions_appendix(chapters: list[_Chapter]) -> str:
    out = [f'<section class="print-part" id="{SOLUTIONS_ID}"><h1>{SOLUTIONS_TITLE}</h1>']
    for chapter in chapters:
        if chapter.solutions:
            out.append(f"<section><h2>{chapter.number}. {html.escape(chapter.title)}</h2>")
            out += [str(solution) for solution in chapter.solutions]
            out.append("</section>")
    out.append("</section>")
    return "\n".join(out)


def _head(html_dir: Path, docname: str) -> str:
    """A page's style sheets and MathJax (its configuration, then its script)."""
    path = html_dir / f"{docname}.html"
    head = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").head
    kept = []
    for link in head.find_all("link", rel="stylesheet"):
        link["href"] = urllib.parse.urljoin(_page_url(docname), link["href"])
        kept.append(str(link))
    config = [s for s in head.find_all("script") if (s.string or "").startswith("window.MathJax")]
    mathjax = [s for s in head.find_all("script") if "/mathjax/" in s.get("src", "")]
    if not mathjax:
        raise ValueError(f"html_dir: {path} does not load MathJax")
    # MathJax's settings, then MathJax itself, once.
    mathjax[0]["src"] = urllib.parse.urljoin(_page_url(docname), mathjax[0]["src"])
    kept += [str(script) for script in config[:1] + mathjax[:1]]
    return "\n".join(kept)


def assemble(html_dir: Path, *, solutions: bool = True, date: datetime.date | None = None,
             root: Path = ROOT) -> str:
    """The print edition of the website built in `html_dir`, as one HTML document.

    Parameters
    ----------
    html_dir : Path
        The built website (`_build/html`).
    solutions : bool
        True: the solutions are printed in an appendix; False: they are left out.
    date : datetime.date, optional
        The date on the title page (default: today).
    root : Path
        The book's sources, for _config.yml and _toc.yml.

    Returns
    -------
    str
        The document, to be served at DOCUMENT_PATH of the website (see `print_book`).
    """
    if not (html_dir / "_static").is_dir():
        raise ValueError(f"html_dir: {html_dir} must be a built website (it has no _static)")
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    parts = [part for part in read_toc(root / "_toc.yml") if part.docname not in LEFT_OUT]
    printed = {part.docname for part in parts}
    chapters = [_read_chapter(html_dir, part, printed) for part in parts]
    preface = chapters[0]
    preface.title = PREFACE_TITLE
    preface.article.find("h1").string = PREFACE_TITLE

    contents = [(c.part.docname, c.part.caption, c.number, c.title) for c in chapters]
    if solutions:
        for chapter in chapters:
            _cross_reference_solutions(chapter)
    parts_html = [str(c.article) for c in chapters]
    if solutions:
        # First among the appendices (the pages after the numbered chapters), or last.
        appendices = [i for i, c in enumerate(chapters) if c.part.caption and not c.part.numbered]
        at = appendices[0] if appendices else len(chapters)
        caption = chapters[at].part.caption if appendices else APPENDICES_CAPTION
        contents.insert(at, (SOLUTIONS_ID, caption, "", SOLUTIONS_TITLE))
        parts_html.insert(at, _solutions_appendix(chapters))
    body = [_title_page(config, date or datetime.date.today()), _contents(contents), *parts_html]
    return (
        '<!DOCTYPE html>\n<html lang="en" data-theme="light" data-mode="light">\n'
        f'<head><meta charset="utf-8"><title>{html.escape(config["title"])}</title>\n'
        f"{_head(html_dir, preface.part.docname)}\n"
        f"<style>\n{STYLESHEET.read_text(encoding='utf-8')}</style></head>\n"
        '<body><main class="bd-main"><div class="bd-content"><div class="bd-article-container">'
        '<article class="bd-article">\n' + "\n".join(body) + "\n"
        "</article></div></div></main></body></html>\n"
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder over HTTP on localhost from a thread; yields the base address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# Resolves once MathJax has typeset the page, the fonts are ready and every image has loaded or
# failed; returns the addresses of the images that failed.
_WAIT_UNTIL_READY = """async () => {
  await MathJax.startup.promise;
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(img => img.complete ? null
    : new Promise(resolve => { img.onload = img.onerror = resolve; })));
  return Array.from(document.images).filter(img => img.naturalWidth === 0).map(img => img.src);
}"""

# Fits what is wider than the column (the website scrolls it sideways, which paper cannot): each
# box that would scroll or clip its content (a displayed formula, an output, a table's container)
# is scaled down to its own width, and each table that reaches past its parent to the parent's
# width; but an output's text that would shrink below 3/4 of its size wraps instead. MathJax's
# own boxes inside a formula are left alone. Returns [how many scaled, how many wrapped].
_FIT_WIDE_ELEMENTS = """() => {
  const counts = [0, 0];
  const fit = (el, width) => {
    const zoom = Math.floor(1000 * width / el.scrollWidth) / 1000;
    if (width <= 0 || zoom >= 1) return;
    if (el.localName === 'pre' && zoom < 0.75) {
      el.style.whiteSpace = 'pre-wrap';
      el.style.overflowWrap = 'anywhere';
      counts[1] += 1;
    } else {
      el.style.zoom = zoom;
      counts[0] += 1;
    }
  };
  for (const el of document.querySelectorAll('article.bd-article *')) {
    if (el.parentElement.closest('mjx-container')) continue;
    if (getComputedStyle(el).overflowX !== 'visible') {
      fit(el, el.clientWidth);
    } else if (el.localName === 'table') {
      const parent = getComputedStyle(el.parentElement);
      fit(el, el.parentElement.clientWidth - parseFloat(parent.paddingLeft)
        - parseFloat(parent.paddingRight));
    }
  }
  return counts;
}"""

# Everything that would be cut at the right edge of the page: an element that reaches past the
# column, or whose content is wider than its box (which clips it, or would scroll it). MathJax
# clips the parts of stretched delimiters on purpose, so a formula is checked as one element.
# Only the outermost such element is named.
_CUT_AT_THE_EDGE = """() => {
  const article = document.querySelector('article.bd-article');
  const right = article.getBoundingClientRect().right + 1;
  const cut = el => {
    const box = el.getBoundingClientRect();
    const past = box.right > right;
    const clipped = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1
      && getComputedStyle(el).overflowX !== 'visible';
    return box.width > 0 && (past || clipped);
  };
  const problems = [];
  for (const el of article.querySelectorAll('*')) {
    const parent = el.parentElement;
    if (parent.closest('mjx-container') || !cut(el) || cut(parent)) continue;
    const part = el.closest('.print-part');
    const text = (el.textContent || '').trim().slice(0, 60);
    problems.push(`${part ? part.id : 'front matter'}: <${el.localName}> ${text}`);
  }
  return problems;
}"""

_PAGE_NUMBER_TARGETS = """() => Array.from(document.querySelectorAll('.print-page'),
  span => span.dataset.target)"""

# Hides everything (visibility: hidden keeps the layout) or shows it again.
_PAINT_NOTHING = """hide => {
  if (hide) {
    const style = document.createElement('style');
    style.id = 'print-paint-nothing';
    style.textContent = 'body * { visibility: hidden !important; }';
    document.head.append(style);
  } else {
    document.getElementById('print-paint-nothing').remove();
  }
}"""

_FILL_IN_PAGE_NUMBERS = """pages => {
  for (const span of document.querySelectorAll('.print-page')) {
    span.textContent = pages[span.dataset.target];
  }
}"""


@dataclass(frozen=True)
class Printed:
    """What `print_book` did.

    `pages` maps each element that a printed page number points to onto its page (from 1);
    `scaled` counts the formulas, tables and outputs scaled down to the width of the page, and
    `wrapped` the outputs whose long lines were wrapped instead.
    """

    pages: dict[str, int]
    scaled: int
    wrapped: int


def pages_of(pdf: bytes, ids: list[str]) -> dict[str, int]:
    """The page (counted from 1) on which each element is, from the PDF's named destinations.

    Chromium writes a named destination for each element that a link of the document targets.
    """
    reader = PdfReader(io.BytesIO(pdf))
    destinations = reader.named_destinations
    pages = {}
    for element_id in ids:
        destination = destinations.get(element_id) or destinations.get(f"/{element_id}")
        if destination is None:
            raise ValueError(f"ids: {element_id!r} is not a named destination of the PDF")
        pages[element_id] = reader.get_destination_page_number(destination) + 1
    return pages


def print_book(html_dir: Path, document: str, pdf_path: Path) -> Printed:
    """Print `document` (from `assemble`) into `pdf_path` with headless Chromium.

    Raises RuntimeError if a request fails, an image does not load, or anything is cut at the
    right edge of the page once the wide tables and formulas have been scaled to fit it.
    """
    failures: list[str] = []
    with serve(html_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": COLUMN_WIDTH_PX, "height": 1100})
            page.on("requestfailed", lambda r: failures.append(f"request failed: {r.url}"))
            page.on("response", lambda r: failures.append(f"HTTP {r.status}: {r.url}")
                    if r.status >= 400 else None)
            page.on("pageerror", lambda error: failures.append(f"page error: {error}"))
            page.route(base + DOCUMENT_PATH,
                       lambda route: route.fulfill(body=document, content_type="text/html"))
            page.emulate_media(media="print")
            # Generous time limits: on a busy machine, loading takes 5 s or several times that.
            page.goto(base + DOCUMENT_PATH, wait_until="load", timeout=180_000)
            page.wait_for_function("() => window.MathJax && MathJax.startup"
                                   " && MathJax.startup.promise", timeout=180_000)
            failures += [f"image did not load: {src}" for src in page.evaluate(_WAIT_UNTIL_READY)]
            scaled, wrapped = page.evaluate(_FIT_WIDE_ELEMENTS)
            failures += [f"cut at the right edge: {p}" for p in page.evaluate(_CUT_AT_THE_EDGE)]
            if failures:
                raise RuntimeError("cannot print the book:\n" + "\n".join(failures))
            targets = sorted(set(page.evaluate(_PAGE_NUMBER_TARGETS)))
            # The first print only has to tell the pages: with nothing painted (the layout,
            # and so each page, is the same) it takes a quarter of the time.
            page.evaluate(_PAINT_NOTHING, True)
            pages = pages_of(page.pdf(**PDF_OPTIONS), targets) if targets else {}
            page.evaluate(_PAINT_NOTHING, False)
            page.evaluate(_FILL_IN_PAGE_NUMBERS, pages)
            pdf_path.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=pdf_path, **PDF_OPTIONS)
        finally:
            browser.close()
    return Printed(pages, scaled, wrapped)


def main(argv: list[str] | None = None) -> int:
    """The command: assemble the print edition, print it, say what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html",
                        help="the built website (default: _build/html)")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "book.pdf",
                        help="the PDF to write (default: _build/pdf/book.pdf)")
    parser.add_argument("--no-solutions", action="store_true",
                        help="leave the solutions out (default: an appendix)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    document = assemble(args.html, solutions=not args.no_solutions)
    printed = print_book(args.html, document, args.out)
    n_pages = len(PdfReader(args.out).pages)
    print(f"wrote {args.out}: {n_pages} pages in {time.perf_counter() - start:.0f} s "
          f"({printed.scaled} formulas, tables or outputs scaled to the width of the page, "
          f"{printed.wrapped} outputs wrapped)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
