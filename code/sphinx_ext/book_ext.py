"""A small Sphinx extension with the book's fixes to its toolchain (loaded from _config.yml).

1. ``nitpick_ignore`` written in ``_config.yml`` arrives as a list of two-item *lists*, but
   Sphinx looks up ``(type, target)`` *tuples* in it, so no entry would ever match. The
   extension turns the entries into tuples when the configuration is read.

2. Jupyter Book 1.0.4 with Sphinx 7.4 emits sphinx-thebe's inline configuration script twice on
every page, and the second copy throws "Identifier 'THEBE_JS_URL' has already been declared" in
the browser console. This extension removes exact duplicates from each page's scripts, keeping
the first copy, so the website runs with no console error.

3. The download button gives ``_sources/chapters/NN_x.ipynb``, a copy of the chapter as written
   for the website: MyST markup that JupyterLab shows raw, and ``from myst_nb import glue``.
   When the build has finished, the extension writes each chapter's reader edition
   (:mod:`eightschools.editions`, from the outputs the website shows) over that copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from sphinx.application import Sphinx

from eightschools import editions


def _dedupe_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for s in scripts:
        # The two copies of an inline script differ only in a filename of None or "" (one
        # comes from the registry, one from the builder): compare what the page will contain.
        attrs = getattr(s, "attributes", {})
        name = str(getattr(s, "filename", s) or "")
        key = (name, tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key not in seen:
            seen.add(key)
            unique.append(s)
    # In place: later handlers (MathJax on pages with math) add to this same list.
    scripts[:] = unique


def _tuple_nitpick_ignore(app: Sphinx, config: Any) -> None:
    for key in ("nitpick_ignore", "nitpick_ignore_regex"):
        entries = getattr(config, key, None) or []
        setattr(config, key, {tuple(e) for e in entries})


def _reader_downloads(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    book = editions.read_book(app.srcdir)
    for chapter in book.chapters:
        name = chapter.relative_to(app.srcdir)
        download = Path(app.outdir) / "_sources" / name
        # The chapter as the website shows it: myst-nb's copy (executed by this build, or with
        # the stored outputs), whose glued values myst-nb has moved to a .glue.json beside it.
        shown = Path(app.outdir).parent / "jupyter_execute" / name
        if download.exists() and shown.exists():
            glue_file = shown.with_suffix(".glue.json")  # absent if the chapter glues nothing
            glue_text = glue_file.read_text(encoding="utf-8") if glue_file.exists() else "{}"
            glued = {key: record["data"] for key, record in json.loads(glue_text).items()}
            nb = nbformat.read(shown, as_version=4)
            reader = editions.reader_notebook(nb, book, chapter.parent, glued)
            nbformat.write(reader, download)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the fixes with Sphinx."""
    app.connect("config-inited", _tuple_nitpick_ignore)
    app.connect("html-page-context", _dedupe_scripts, priority=1)
    app.connect("build-finished", _reader_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

