"""A pytest plugin (loaded with ``-p nbval_images``): nbval does not compare glued figures.

nbval already leaves ``image/png`` out of its comparison, but MyST-NB's ``glue`` stores a
figure under ``application/papermill.record/image/png``, which nbval compares byte for byte.
Antialiasing follows the last bits of the plotted numbers, so that comparison would fail on
another CPU. This plugin leaves out exactly that mime type; the glued figure's text record,
every printed number, and the numbers behind each figure (in the unit tests) are still checked,
and the browser test checks that each figure is on its page.
"""

from __future__ import annotations

import pytest

GLUED_IMAGES = ("application/papermill.record/image/png", "application/papermill.record/image/jpeg")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Add the glued image types to the ``skip_compare`` list of every notebook nbval collects."""
    for notebook in {item.parent for item in items}:
        skip = getattr(notebook, "skip_compare", None)
        if skip is not None:
            notebook.skip_compare = tuple(skip) + GLUED_IMAGES
