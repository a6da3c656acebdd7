r"""The website's own additions to the theme (loaded from _config.yml).

1. ``static/book.css`` (beside this file): equations, tables and code that fit any screen from
   390 px up (what is wider scrolls, with a shadow at the edge that shows it), figures shown
   undimmed in dark mode.
2. ``static/search-math.js``: search results quote formulas in plain text ("given τ"), not
   as TeX source ("given \(\tau\)").
3. Lighter pages. pydata-sphinx-theme loads Font Awesome twice on every page:
   ``fontawesome.js`` (1.49 MB, 0.54 MB gzipped), which redraws icons as SVG, and the solid
   web font ``fa-solid-900.woff2`` (156 kB) that its stylesheet already uses for the same
   icons. After the build, the script is replaced by an empty one (the stylesheet's
   ``.fa-*:before`` rules and the web font draw every icon without it), and the font is
   rewritten with only the glyphs of the ``fa-*`` classes that the built pages and scripts
   name (fontTools' subsetter; about 2 kB).

tests/test_website.py checks all three: no equation or table cut off, no raw TeX in search
results, every chapter page at most 1 MB gzipped, the icons drawn.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fontTools import subset
from sphinx.application import Sphinx

STUB = "/* Not used: the theme's icons come from its web font (code/sphinx_ext/site_ext.py). */\n"

# In the theme's stylesheet: ".fa-search:before,.fa-magnifying-glass:before{content:"\f002"}".
_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:"\\([0-9a-f]+)"')
_NAME = re.compile(r"fa-[a-z0-9-]+")


def _codepoints(static: Path, html: Path) -> set[int]:
    """The code points of every icon class named in the built pages and scripts."""
    css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    glyph = {}
    for selectors, hex_code in _RULE.findall(css):
        for name in _NAME.findall(selectors):
            glyph[name] = int(hex_code, 16)
    used: set[str] = set()
    for path in [*html.rglob("*.html"), *static.rglob("*.js")]:
        if path.name != "fontawesome.js":
            used.update(_NAME.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return {glyph[name] for name in used if name in glyph}


def _lighten(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    html = Path(app.outdir)
    static = html / "_static"
    script = static / "scripts" / "fontawesome.js"
    font = static / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2"
    if not (script.is_file() and font.is_file()):
        return
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    face = subset.load_font(str(font), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_codepoints(static, html))
    subsetter.subset(face)
    subset.save_font(face, str(font), options)
    script.write_text(STUB, encoding="utf-8")
    script.with_name("fontawesome.js.map").unlink(missing_ok=True)


def _add_static(app: Sphinx, config: Any) -> None:
    # Not a folder named _static at the book's root: Jupyter Book adds every script it finds
    # there to every page a second time, without its attributes.
    config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the stylesheet, the search script and the post-build step with Sphinx."""
    app.connect("config-inited", _add_static)
    app.add_css_file("book.css")
    app.add_js_file("search-math.js", defer="defer")
    app.connect("build-finished", _lighten)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
