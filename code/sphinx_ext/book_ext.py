"""A small Sphinx extension with the book's fixes to its toolchain (loaded from _config.yml).

1. ``nitpick_ignore`` written in ``_config.yml`` arrives as a list of two-item *lists*, but
   Sphinx looks up ``(type, target)`` *tuples* in it, so no entry would ever match. The
   extension turns the entries into tuples when the configuration is read.

2. Jupyter Book 1.0.4 with Sphinx 7.4 emits sphinx-thebe's inline configuration script twice on
every page, and the second copy throws "Identifier 'THEBE_JS_URL' has already been declared" in
the browser console. This extension removes exact duplicates from each page's scripts, keeping
the first copy, so the website runs with no console error.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


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


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the fixes with Sphinx."""
    app.connect("config-inited", _tuple_nitpick_ignore)
    app.connect("html-page-context", _dedupe_scripts, priority=1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

