"""Tests of eightschools.editions: the reader and student editions read and run anywhere.

The truths are the built website (the session's `built_html`): what it shows for each glued
value, reference, citation, number and included function must be what the reader edition says;
a kernel that cannot import myst_nb, which must run the editions; and JupyterLab, which must
serve them.
"""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from eightschools import editions

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.name for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))

# MyST left in a notebook: a role, a fenced directive, a target, a labelled display.
MYST = re.compile(r"\{[\w:-]+\}`|^\s*(`{3,}|:{3,})\{|^\([\w-]+\)=|^\$\$ *\(", re.M)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("editions")
    for kind in ("reader", "student"):
        editions.write_edition(kind, out / kind, ROOT)
    return out


def _markdown(nb: nbformat.NotebookNode) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _text(fragment: str) -> str:
    """Visible text of HTML, with whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _plain(markdown: str) -> str:
    """Markdown without emphasis, with whitespace collapsed."""
    return re.sub(r"\s+", " ", markdown.replace("*", "")).strip()


def _in_order(items: list[str], text: str) -> list[str]:
    """The items that are not found in `text` in the given order."""
    missing, at = [], 0
    for item in items:
        found = text.find(item, at)
        if found < 0:
            missing.append(item)
        else:
            at = found + len(item)
    return missing


@pytest.mark.parametrize("kind", ["reader", "student"])
@pytest.mark.parametrize("name", CHAPTERS)
def test_no_myst_left(folder: Path, kind: str, name: str) -> None:
    # Truth: MyST's own syntax for roles, directives, targets and labelled math; and the
    # chapter's code must not import myst_nb.
    nb = nbformat.read(folder / kind / name, as_version=4)
    nbformat.validate(nb)
    left = [m.group(0) for c in nb.cells for m in MYST.finditer(c.source)]
    assert not left, f"MyST markup left: {left[:5]}"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"^\s*(from|import) myst_nb", code, re.M)


@pytest.mark.book
@pytest.mark.parametrize("name", CHAPTERS)
def test_reader_edition_says_what_the_site_shows(
    built_html: Path, folder: Path, name: str
) -> None:
    # Truth: the built website's page of the chapter. Everything Sphinx generated inline (glued
    # values, references, equation numbers, citations, chapter titles) appears in the reader
    # edition, in the page's order; and every glued value that follows a plain phrase of the
    # source follows the same phrase, with the same digits, on the page and in the edition.
    page = (built_html / "chapters" / name).with_suffix(".html").read_text(encoding="utf-8")
    body = page[page.index('<article class="bd-article">'):page.index("</article>")]
    generated = re.findall(
        r'<span class="(?:pasted-text|std std-numref|doc)">(.*?)</span>'
        r'|<span class="bibtex-citation"[^>]*>(.*?)</span>'
        r'|<a class="reference internal" href="[^"#]*#equation-[^"]*">(.*?)</a>', body)
    items = [_text("".join(groups)) for groups in generated]
    reader = _plain(_markdown(nbformat.read(folder / "reader" / name, as_version=4)))
    assert len(items) > 20
    assert not _in_order(items, reader)
    cells = [_plain(c.source) for c in nbformat.read(ROOT / "chapters" / name, as_version=4).cells
             if c.cell_type == "markdown"]
    phrases = [m.group(1) for cell in cells
               for m in re.finditer(r"([A-Za-z][\w ,.;:()]{19})\{glue:text\}`", cell)]
    site = _text(body)
    checked = 0
    for phrase in [p for p in phrases if "".join(cells).count(p) == 1]:
        on_site = re.search(re.escape(phrase) + r"(\S+)", site)
        assert on_site, phrase
        in_reader = re.search(re.escape(phrase) + r"(\S+)", reader)
        assert in_reader and in_reader.group(1) == on_site.group(1), phrase
        checked += 1
    assert checked >= 3


@pytest.mark.book
def test_numbers_are_the_sites(built_html: Path, folder: Path) -> None:
    # Truth: the numbers the website gives each figure, equation and exercise, and the text
    # of every numbered reference on it; the reader edition's captions, tags and headings
    # carry the same numbers in the same order.
    book = editions.read_book(ROOT)
    for name in CHAPTERS:
        page = (built_html / "chapters" / name).with_suffix(".html").read_text(encoding="utf-8")
        figures = re.findall(r'<figure[^>]*id="([^"]+)">.*?"caption-number">([^<]+)<', page, re.S)
        equations = re.findall(r'"eqno">(\([\d.]+\))<a class="headerlink" href="#equation-'
                               r'([^"]+)"', page)
        exercises = re.findall(r'<div class="exercise admonition" id="([^"]+)">\s*<p class='
                               r'"admonition-title"><span class="caption-number">([^<]+)<', page)
        site = {label: _text(text) for label, text in figures + exercises}
        site |= {label: number for number, label in equations}
        assert site and {k: book.numbers[k] for k in site} == site, name
        refs = re.findall(r'href="[^"]*#([^"]+)"><span class="std std-numref">([^<]+)<', page)
        assert all(book.numbers[label] == text for label, text in refs), name
        reader = _markdown(nbformat.read(folder / "reader" / name, as_version=4))
        assert re.findall(r"\\tag\{([\d.]+)\}", reader) == [n[1:-1] for n, _ in equations]
        assert re.findall(r"^### (Exercise [\d.]+)", reader, re.M) == [
            _text(t) for _, t in exercises]
        assert re.findall(r"^\*\*(Fig\. [\d.]+)\.\*\*", reader, re.M) == [
            _text(t) for _, t in figures]


@pytest.mark.book
def test_included_code_is_the_sites(built_html: Path, folder: Path) -> None:
    # Truth: the code blocks Sphinx's literalinclude put on the website (python highlighting;
    # the notebooks' own cells are highlighted as ipython3).
    for name in CHAPTERS:
        page = (built_html / "chapters" / name).with_suffix(".html").read_text(encoding="utf-8")
        site = [html.unescape(re.sub(r"<[^>]+>", "", block)).strip("\n") for block in re.findall(
            r'<div class="highlight-python notranslate"><div class="highlight"><pre>(.*?)</pre>',
            page, re.S)]
        reader = _markdown(nbformat.read(folder / "reader" / name, as_version=4))
        assert re.findall(r"^```python\n(.*?)\n```$", reader, re.M | re.S) == site, name


@pytest.mark.book
def test_download_button_gives_the_reader_edition(built_html: Path) -> None:
    # Truth: the theme's download button links to _sources/chapters/NAME.ipynb; the build
    # (book_ext) must have replaced myst-nb's copy there by the reader edition.
    for name in CHAPTERS:
        page = (built_html / "chapters" / name).with_suffix(".html").read_text(encoding="utf-8")
        assert f"_sources/chapters/{name}" in page
        nb = nbformat.read(built_html / "_sources" / "chapters" / name, as_version=4)
        assert not [m.group(0) for c in nb.cells for m in MYST.finditer(c.source)], name
        assert any(c.source.count("def glue(name, value, display=True):") for c in nb.cells)


@pytest.fixture
def no_myst_nb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels started in the test cannot import myst_nb (a package that raises ImportError
    comes first on their PYTHONPATH), as on a machine where only the package is installed."""
    blocker = tmp_path / "blocker" / "myst_nb"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('myst_nb is not installed')\n")
    monkeypatch.setenv("PYTHONPATH", str(blocker.parent))


# Executing all nine reader editions takes about 110 s on the project's 2-core machine (chapter 9
# alone, with PyMC, about 50 s), too much for the suite: these are the three fastest reader
# editions (about 3 s each) and the two student editions the student tests always executed.
# Every chapter imports glue the same way, so the stand-in is exercised by each of them.
EXECUTED = [("reader", "01_separate_and_pooled.ipynb"), ("reader", "03_laplace.ipynb"),
            ("reader", "08_capstone.ipynb"), ("student", "01_separate_and_pooled.ipynb"),
            ("student", "08_capstone.ipynb")]


@pytest.mark.parametrize(("kind", "name"), EXECUTED)
def test_edition_runs_without_myst_nb(folder: Path, no_myst_nb: None, kind: str,
                                      name: str) -> None:
    # Truth: a fresh kernel, in the edition's folder (not the book's), runs every cell without
    # error; its last, added cell proves that myst_nb could not be imported.
    nb = nbformat.read(folder / kind / name, as_version=4)
    probe = "try:\n    import myst_nb\nexcept ImportError:\n    print('no myst_nb')"
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder / kind)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert nb.cells[-1].outputs[0].text == "no myst_nb\n"


def test_jupyter_lab_serves_a_reader_notebook(folder: Path, tmp_path: Path) -> None:
    # Truth: JupyterLab's own server, started as the README says, answers /api/status, serves
    # its application page and gives the reader notebook's cells.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    name = "06_shrinkage.ipynb"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--IdentityProvider.token=",
         "--ServerApp.ip=127.0.0.1", "--allow-root", name],  # (root: a container, CI)
        cwd=folder / "reader", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        status = None
        deadline = time.monotonic() + 120
        while status is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=5) as r:
                    status = json.load(r)
            except OSError:
                time.sleep(0.5)
        assert status is not None, "jupyter lab did not answer /api/status"
        with urllib.request.urlopen(f"{url}/lab/tree/{name}", timeout=30) as r:
            assert "JupyterLab" in r.read().decode()
        with urllib.request.urlopen(f"{url}/api/contents/{name}?content=1", timeout=30) as r:
            served = json.load(r)
        assert served["type"] == "notebook"
        expected = nbformat.read(folder / "reader" / name, as_version=4)
        assert [c["source"] for c in served["content"]["cells"]] == [
            c.source for c in expected.cells]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Truth: the documented commands write one notebook per numbered chapter and exit 0;
    # writing into the chapters folder, an unknown kind or a folder without a book exit 2.
    assert editions.main(["reader", str(tmp_path / "r"), "--book", str(ROOT)]) == 0
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == CHAPTERS
    assert "wrote 9 notebooks" in capsys.readouterr().out
    assert editions.main(["reader", str(ROOT / "chapters" / "x"), "--book", str(ROOT)]) == 2
    assert "out_dir must lie outside" in capsys.readouterr().err
    assert editions.main(["student", str(tmp_path / "s"), "--book", str(tmp_path)]) == 2
    assert "root must be a book's folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        editions.main(["teacher", str(tmp_path / "t")])
    assert exc.value.code == 2


def test_unknown_markup_is_refused(tmp_path: Path) -> None:
    # Truth: the rule that no MyST may pass through unconverted.
    book = editions.Book((), {}, {}, {})
    for source in ("{term}`prior`", "```{mermaid}\ngraph\n```"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)])
        with pytest.raises(ValueError, match="has no reader-edition form"):
            editions.reader_notebook(nb, book, tmp_path)
