# The book's two commands (see README.md):
#   make book   install everything into .venv and build the website into _build/html
#   make test   run every test (unit tests, doctests, ruff, nbval, the book build, the browser)
# Other targets: make execute (refresh the chapters' stored outputs), make reader (the chapters
# as plain notebooks, into reader/), make student (the student edition, into student/),
# make pdf (the print edition, _build/pdf/book.pdf), make assignments (otter-grader
# assignments, into _build/assignments), make bench, make clean.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MATHJAX := .mathjax/static/mathjax/tex-chtml.js

.PHONY: book test install execute reader student pdf assignments bench clean

book: install
	$(BIN)/jupyter-book build . --all -W -n --keep-going

# Two pytest-xdist workers per core pair; each test file (and so each notebook) stays on one
# worker, as nbval needs, and the website is built once for both (tests/conftest.py).
test: install
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=25

install: $(VENV)/.installed $(MATHJAX)

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# MathJax 3 served from the built site, so that math renders with no network (MathJax 4 loads
# its fonts from a CDN). It comes from PyPI (django-static-mathjax, pinned in requirements.txt,
# the MathJax 3.2.2 release); only what the pages load is copied: the TeX-to-HTML component,
# its web fonts and MathJax's licence (the chapters use no TeX extension that MathJax would
# fetch on demand; the browser test fails on any request that does not resolve).
$(MATHJAX): $(VENV)/.installed
	rm -rf .mathjax
	mkdir -p .mathjax/static/mathjax/output/chtml/fonts
	src=$$($(BIN)/python -c 'import mathjax, pathlib; print(pathlib.Path(mathjax.__file__).parent / "static" / "mathjax")') && \
	cp $$src/LICENSE $$src/es5/tex-chtml.js .mathjax/static/mathjax/ && \
	cp -r $$src/es5/output/chtml/fonts/woff-v2 .mathjax/static/mathjax/output/chtml/fonts/

execute: install
	$(BIN)/python .ci/execute_notebooks.py

reader: install
	$(BIN)/python -m eightschools.editions reader reader

student: install
	$(BIN)/python -m eightschools.editions student student

# The print edition: the whole book as one PDF, printed by Debian's Chromium (no TeX).
pdf: book
	$(BIN)/python .ci/print_book.py

# Course assignments: each chapter's exercises as an otter-grader assignment and its autograder.
assignments: install
	$(BIN)/python -m eightschools.assignments _build/assignments

bench: install
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build .pytest_cache .ruff_cache
