"""Drive headless Chromium through every page of the built website.

On every page: MathJax has finished and, where the page has math, typeset it; no raw TeX and no
e-notation in the text; every image loaded and has its own alt text; no console error and no
failed request. Each page is loaded once, then checked at a desktop (1280 px) and a phone
(390 px) width in light and dark mode: nothing cut off at the right, no sideways page scroll,
equations clear of their numbers, figures undimmed, table text legible. Each chapter page weighs
at most 1 MB gzipped with everything it loads. Search results show no TeX.
Every internal link resolves to an existing page and, if it names one, an existing anchor.
Solutions to exercises are hidden until their title is clicked.

Playwright's own browser download does not work on these machines: the test launches Debian's
Chromium from /usr/bin/chromium.
"""

from __future__ import annotations

import functools
import gzip
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import load_print_book

# The print script's Chromium (Debian's) and local web server: one copy of each.
print_book = load_print_book()
CHROMIUM = print_book.CHROMIUM
CHROMIUM_ARGS = print_book.CHROMIUM_ARGS


@pytest.fixture(scope="module")
def server(built_html: Path) -> Iterator[str]:
    with print_book.serve(built_html) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


_REFRESH = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.I)


def _pages(built_html: Path) -> list[str]:
    """Every content page (redirect stubs, such as the root index.html, excluded)."""
    return sorted(
        p.relative_to(built_html).as_posix()
        for p in built_html.rglob("*.html")
        if not p.relative_to(built_html).parts[0].startswith("_")
        and not _REFRESH.search(p.read_text(encoding="utf-8")[:500])
    )


def test_redirects_resolve(built_html: Path) -> None:
    # The root index.html only redirects to the preface; its target must exist.
    stubs = [p for p in built_html.rglob("*.html") if _REFRESH.search(p.read_text()[:500])]
    assert stubs, "expected the root redirect page"
    for stub in stubs:
        target = _REFRESH.search(stub.read_text()[:500]).group(1)
        assert (stub.parent / target).is_file(), f"{stub.name} redirects to missing {target}"


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for k, v in attrs:
            if k in ("id", "name") and v:
                self.ids.add(v)


@functools.cache
def _anchors(path: Path) -> frozenset[str]:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def _visit(browser: Browser, url: str) -> tuple[Page, list[str], list[str]]:
    """Open a page; return it, the problems seen while loading, and the URLs it loaded."""
    problems: list[str] = []
    loaded: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else loaded.append(r.url))
    page.goto(url, wait_until="load")
    # Scroll through the page so that anything loaded lazily is requested, then wait.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    if page.locator(".math").count():
        try:
            page.wait_for_function(
                "() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise",
                timeout=15_000,
            )
            page.evaluate("() => window.MathJax.startup.promise")
        except PlaywrightTimeout:
            problems.append("the page has math but MathJax never started")
    return page, problems, loaded


# A chapter page, with everything it loads on a cold cache, may weigh at most this much, counted
# as the sum of the gzip-compressed sizes of its files (what a server sends with compression on).
MAX_PAGE_BYTES = 1_000_000

# TeX source a reader should never see: delimiters, and a backslash command such as \tau.
_RAW_TEX = re.compile(r"\\\(|\\\[|\$\$|\$\\|\\(?:[a-z]{2,}|[A-Z][a-z]+)\b")
# A number in e-notation (1.3e-07) in prose.
_E_NOTATION = re.compile(r"\b\d+(?:\.\d+)?e[-+]?\d+\b")

# Layout checks, run at each width and colour mode on the page as it stands. Anything that
# reaches past the right edge of the article must sit in a box that scrolls sideways and shows
# that it does (a background shadow, code/sphinx_ext/static/book.css); a display equation must
# not run under its number; the page itself must not scroll sideways; figures are not dimmed;
# table text keeps a contrast of at least 4.5:1 with what is behind it (WCAG AA for text).
_LAYOUT_JS = """
(strictEquations) => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    problems.push(`the page scrolls sideways by ${doc.scrollWidth - doc.clientWidth} px`);
  }
  const article = document.querySelector('article.bd-article');
  if (!article) return problems;
  const edge = article.getBoundingClientRect().right + 1;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== article; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o !== 'visible') return a;
    }
    return null;
  };
  const reported = new Set();
  for (const el of article.querySelectorAll('*')) {
    // A formula's hidden MathML copy, and an inline formula's glyphs, are checked below.
    if (el.closest('mjx-assistive-mml, span.math')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= edge) continue;
    const box = scroller(el);
    if (box === null) {
      problems.push(`${describe(el)} reaches ${Math.round(r.right - edge)} px past the column`);
      break;
    }
    if (reported.has(box)) continue;
    const style = getComputedStyle(box);
    if (!['auto', 'scroll'].includes(style.overflowX)) {
      problems.push(`${describe(box)} cuts off its content (overflow-x: ${style.overflowX})`);
      reported.add(box);
    } else if (style.backgroundImage === 'none') {
      problems.push(`${describe(box)} scrolls sideways with no sign that it does`);
      reported.add(box);
    }
  }
  for (const span of article.querySelectorAll('span.math')) {
    // The theme clips an inline formula to its line: it must fit in the column.
    const formula = span.querySelector('mjx-container');
    const r = span.getBoundingClientRect();
    if (formula && (formula.getBoundingClientRect().width > r.width + 2 || r.right > edge)) {
      problems.push(`inline formula "${formula.textContent.slice(0, 40)}" is cut off`);
    }
  }
  for (const eq of article.querySelectorAll('div.math > mjx-container[display="true"]')) {
    const wide = eq.scrollWidth > eq.clientWidth + 1;
    if (wide && strictEquations && !eq.closest('.cell_output')) {
      problems.push(`equation ${eq.parentElement.id || '(unnumbered)'} is wider than the column`);
    }
    const number = eq.parentElement.querySelector('.eqno');
    const math = eq.querySelector('mjx-math');
    if (number && math) {
      const n = number.getBoundingClientRect(), m = math.getBoundingClientRect();
      const box = eq.getBoundingClientRect();
      const left = Math.max(m.left, box.left), right = Math.min(m.right, box.right);
      if (n.left < right && left < n.right && n.top < m.bottom && m.top < n.bottom) {
        problems.push(`equation ${eq.parentElement.id} runs under its number`);
      }
    }
  }
  for (const img of article.querySelectorAll('img')) {
    const filter = getComputedStyle(img).filter;
    if (filter !== 'none') problems.push(`${img.alt.slice(0, 40)}...: image drawn with ${filter}`);
  }
  const rgb = (c) => c.match(/[0-9.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    for (let a = el; a; a = a.parentElement) {
      const c = rgb(getComputedStyle(a).backgroundColor);
      if (c.length < 4 || c[3] > 0.5) return c;
    }
    return [255, 255, 255];
  };
  for (const cell of article.querySelectorAll('table caption, table th, table td')) {
    if (!cell.textContent.trim()) continue;
    const a = luminance(rgb(getComputedStyle(cell).color)), b = luminance(background(cell));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) {
      problems.push(`table text "${cell.textContent.trim().slice(0, 30)}" has contrast ` +
                    `${ratio.toFixed(1)}:1`);
      break;
    }
  }
  return problems;
}
"""


def _weight(built_html: Path, server: str, urls: list[str]) -> int:
    """The sum of the gzip-compressed sizes of the site's files among `urls`."""
    total = 0
    for url in set(urls):
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        file = built_html / path
        if url.startswith(server) and file.is_file():
            total += len(gzip.compress(file.read_bytes(), compresslevel=6))
    return total


def test_every_page(built_html: Path, server: str, browser: Browser) -> None:
    """Every page, visited once, then checked at 1280 and 390 px, in light and dark mode."""
    pages = _pages(built_html)
    assert "chapters/index.html" in pages
    failures: list[str] = []
    all_alts: list[str] = []
    weights: dict[str, int] = {}
    icons: set[str] = set()
    n_math_pages = 0
    for rel in pages:
        page, problems, loaded = _visit(browser, f"{server}/{rel}")
        try:
            n_math = page.locator(".math").count()
            if n_math:
                n_math_pages += 1
                typeset = page.locator("mjx-container").count()
                if typeset == 0:
                    problems.append(f"{n_math} math elements but nothing typeset")
            # The page's text, without code, outputs and the formulas MathJax typeset.
            prose = page.evaluate("""() => {
                const walker = document.createTreeWalker(document.querySelector('main'),
                                                         NodeFilter.SHOW_TEXT);
                const skip = 'pre, code, .cell_output, mjx-container, script, style';
                const parts = [];
                while (walker.nextNode()) {
                    if (!walker.currentNode.parentElement.closest(skip)) {
                        parts.push(walker.currentNode.textContent);
                    }
                }
                return parts.join(' ');
            }""")
            problems += [f"raw TeX {m.group()!r} in the text" for m in _RAW_TEX.finditer(prose)]
            problems += [f"e-notation {m.group()!r} in the text"
                         for m in _E_NOTATION.finditer(prose)]
            bad_images = page.evaluate(
                "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                ".map(i => i.src)"
            )
            problems += [f"image did not load: {src}" for src in bad_images]
            # Content images (the module index's +/- togglers are buttons, not content).
            alts = page.evaluate("Array.from(document.querySelectorAll('main img:not(.toggler)'))"
                                 ".map(i => i.alt || '')")
            problems += [f"image without an alt text that describes it: {alt!r}" for alt in alts
                         if len(alt.split()) < 5 or re.search(r"[0-9a-f]{16}|\.png$", alt)]
            all_alts += alts
            icons.update(page.evaluate(
                "Array.from(document.querySelectorAll('i[class*=\"fa-\"]'))"
                ".map(i => getComputedStyle(i, '::before').content.replace(/\"/g, ''))"
                ".filter(c => c.length === 1)"))
            tab_stops = page.locator("mjx-container[tabindex='0']").count()
            if tab_stops:
                problems.append(f"{tab_stops} formulas are tab stops (each one a keyboard stop)")
            for width in (1280, 390):
                for mode in ("light", "dark"):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.emulate_media(color_scheme=mode)
                    page.evaluate(f"document.documentElement.dataset.theme = '{mode}'")
                    strict = width == 1280 and re.match(r"chapters/\d\d_", rel) is not None
                    problems += [f"{width} px, {mode}: {p}"
                                 for p in page.evaluate(_LAYOUT_JS, strict)]
        finally:
            page.close()
        if re.match(r"chapters/\d\d_", rel):
            weights[rel] = _weight(built_html, server, loaded)
        failures += [f"{rel}: {p}" for p in problems]
    assert n_math_pages > 0
    assert not failures, "\n".join(failures)
    assert len(all_alts) >= 20 and len(set(all_alts)) == len(all_alts), "images share alt text"
    assert len(weights) >= 9
    heavy = {rel: n for rel, n in weights.items() if n > MAX_PAGE_BYTES}
    assert not heavy, f"pages over {MAX_PAGE_BYTES:,} bytes gzipped: {heavy}"
    # Every icon the pages show has its glyph in the (subset) icon font they load.
    font = TTFont(built_html / "_static/vendor/fontawesome/webfonts/fa-solid-900.woff2")
    missing = {f"U+{ord(c):04X}" for c in icons} - {f"U+{u:04X}" for u in font.getBestCmap()}
    assert len(icons) >= 5 and not missing, f"icons without a glyph: {sorted(missing)}"


def test_search_results_show_no_tex(built_html: Path, server: str, browser: Browser) -> None:
    # Sphinx's search quotes the pages' text, in which a formula is its TeX source;
    # code/sphinx_ext/static/search-math.js writes formulas in plain text first.
    page = browser.new_page()
    try:
        for query in ("shrinkage", "tau"):
            page.goto(f"{server}/search.html?q={query}", wait_until="load")
            page.wait_for_function(
                "() => /Search finished/.test(document.querySelector('#search-results')"
                "?.innerText || '')", timeout=15_000)
            page.wait_for_load_state("networkidle")
            text = page.inner_text("#search-results")
            assert text.count("\n") > 5, f"too few results for {query!r}"
            raw = [m.group() for m in _RAW_TEX.finditer(text)]
            assert not raw, f"search results for {query!r} show TeX: {raw[:5]}"
            assert re.search("[τμθσ]", text), "formulas should read as plain text"
    finally:
        page.close()


def test_internal_links_resolve(built_html: Path, server: str, browser: Browser) -> None:
    failures: list[str] = []
    checked: set[str] = set()
    for rel in _pages(built_html):
        page = browser.new_page()
        page.goto(f"{server}/{rel}", wait_until="domcontentloaded")
        hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        page.close()
        for href in hrefs:
            if not href.startswith(server) or href in checked:
                continue
            checked.add(href)
            parts = urllib.parse.urlsplit(href)
            target = urllib.parse.unquote(parts.path).lstrip("/")
            file = built_html / target
            if target == "" or target.endswith("/"):
                file = file / "index.html"
            try:
                with urllib.request.urlopen(href.split("#")[0]) as resp:
                    status = resp.status
            except urllib.error.HTTPError as err:
                status = err.code
            if status != 200 or not file.is_file():
                failures.append(f"{rel}: link to {href} gives HTTP {status}")
                continue
            frag = urllib.parse.unquote(parts.fragment)
            if frag and file.suffix == ".html" and frag not in _anchors(file):
                failures.append(f"{rel}: link to {href}: no anchor #{frag} on {target}")
    assert checked
    assert not failures, "\n".join(failures)


def test_solutions_are_hidden_until_clicked(built_html: Path, server: str, browser: Browser):
    chapters = [p for p in _pages(built_html) if p.startswith("chapters/")]
    n_solutions = 0
    for rel in chapters:
        page = browser.new_page()
        page.goto(f"{server}/{rel}", wait_until="load")
        solutions = page.locator("div.solution")
        for i in range(solutions.count()):
            sol = solutions.nth(i)
            body = sol.locator(".section, section, .admonition-title ~ *").first
            assert "dropdown" in (sol.get_attribute("class") or ""), f"{rel}: solution {i}"
            assert not body.is_visible(), f"{rel}: solution {i} is visible before a click"
            sol.locator(".admonition-title").first.click()
            body.wait_for(state="visible", timeout=5000)
            n_solutions += 1
        page.close()
    assert n_solutions > 0
