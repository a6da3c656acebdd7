"""Drive headless Chromium through every page of the built website.

On every page: MathJax has finished and, where the page has math, typeset it (no raw TeX
delimiters left in the visible text); every image loaded; no console error and no failed request.
Every internal link resolves to an existing page and, if it names one, an existing anchor.
Solutions to exercises are hidden until their title is clicked.

Playwright's own browser download does not work on these machines: the test launches Debian's
Chromium from /usr/bin/chromium.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(built_html: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


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


def _visit(browser: Browser, url: str) -> tuple[Page, list[str]]:
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
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
    return page, problems


def test_every_page(built_html: Path, server: str, browser: Browser) -> None:
    pages = _pages(built_html)
    assert "chapters/index.html" in pages
    failures: list[str] = []
    all_alts: list[str] = []
    n_math_pages = 0
    for rel in pages:
        page, problems = _visit(browser, f"{server}/{rel}")
        try:
            n_math = page.locator(".math").count()
            if n_math:
                n_math_pages += 1
                typeset = page.locator("mjx-container").count()
                if typeset == 0:
                    problems.append(f"{n_math} math elements but nothing typeset")
                text = page.evaluate("document.body.innerText")
                for raw in ("\\(", "\\[", "$$"):
                    if raw in text:
                        problems.append(f"raw TeX delimiter {raw!r} left in the visible text")
            bad_images = page.evaluate(
                "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                ".map(i => i.src)"
            )
            problems += [f"image did not load: {src}" for src in bad_images]
            alts = page.evaluate(
                "Array.from(document.querySelectorAll('main figure img')).map(i => i.alt || '')")
            problems += [f"figure without an alt text that describes it: {alt!r}" for alt in alts
                         if len(alt.split()) < 5 or re.search(r"[0-9a-f]{16}|\.png$", alt)]
            all_alts += alts
            tab_stops = page.locator("mjx-container[tabindex='0']").count()
            if tab_stops:
                problems.append(f"{tab_stops} formulas are tab stops (each one a keyboard stop)")
        finally:
            page.close()
        failures += [f"{rel}: {p}" for p in problems]
    assert n_math_pages > 0
    assert not failures, "\n".join(failures)
    assert len(all_alts) >= 20 and len(set(all_alts)) == len(all_alts), "figures share alt text"


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
