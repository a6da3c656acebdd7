"""Re-execute chapter notebooks in place, top to bottom, to refresh their stored outputs.

Usage: .venv/bin/python .ci/execute_notebooks.py [NOTEBOOK ...]   (default: chapters/*.ipynb)

Run it (through `make execute`) after any change to code/ that changes what a chapter prints;
nbval then checks the refreshed outputs. Each notebook runs in a fresh kernel with the chapters
folder as its working directory, as in the book build; no timing metadata is recorded, and a
cell's consecutive prints are stored as one stream (however the kernel happened to flush them),
so the stored notebook changes only where an output does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> None:
    """Execute one notebook in a fresh kernel and store its outputs in place."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        allow_errors=False,
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
    nbformat.write(nb, path)


def _merge_streams(outputs: list) -> list:
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (out.output_type == "stream" and last is not None
                and last.output_type == "stream" and last.name == out.name):
            last.text += out.text
        else:
            merged.append(out)
    return merged


def main(argv: list[str]) -> int:
    """Execute the notebooks named in `argv`, or every chapter."""
    paths = [Path(a) for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for p in paths:
        print(f"executing {p}", flush=True)
        execute(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
