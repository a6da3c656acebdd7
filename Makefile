# The book's two commands (see README.md):
#   make book   install everything into .venv and build the website into _build/html
#   make test   run every test (unit tests, doctests, ruff, nbval, the book build, the browser)
# Other targets: make execute (refresh the chapters' stored outputs), make student (the
# student edition, into student/), make bench, make clean.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MATHJAX_VERSION := 3.2.2
MATHJAX := .mathjax/static/mathjax/tex-chtml.js

.PHONY: book test install execute student bench clean

book: install
	$(BIN)/jupyter-book build . --all -W -n --keep-going

test: install
	$(BIN)/python -m pytest

install: $(VENV)/.installed $(MATHJAX)

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# MathJax 3 served from the built site, so that math renders with no network (MathJax 4 loads
# its fonts from a CDN). Fetched from the npm registry at install time, never committed.
$(MATHJAX):
	rm -rf .mathjax
	npm install --silent --no-audit --no-fund --prefix .mathjax mathjax@$(MATHJAX_VERSION)
	mkdir -p .mathjax/static
	cp -r .mathjax/node_modules/mathjax/es5 .mathjax/static/mathjax

execute: install
	$(BIN)/python .ci/execute_notebooks.py

student: install
	$(BIN)/python -m eightschools.student student

bench: install
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build .pytest_cache .ruff_cache
