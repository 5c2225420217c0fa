# The two commands of the README quickstart. Both create .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test quick lint contracts bench bench-smoke corpus-run docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## make run: the contract suite against the embedded mock; reports in reports/
run: $(STAMP)
	$(BIN)/graph-contracts run --report-dir reports

## make test: the project's own tests (lint first: a ruff error fails CI)
# -n auto: one pytest-xdist worker per core (the plugin keeps each endpoint on one worker).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto

## make quick: the same without the tests marked slow (real servers, the reference proof)
quick: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto -m "not slow"

## make contracts: regenerate contracts/ from the seed pages beside the checkout
contracts: $(STAMP)
	$(BIN)/graph-contracts extract ../shared/seeds --out contracts

## make docs: the manual (docs/) as a site in site/, strict: a broken link or a page left out fails
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict  # not --quiet: it hides the warnings strict mode counts

## make bench: every benchmark at full size; each prints its figure and its baseline (docs/performance.md)
bench: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

## make bench-smoke: every benchmark and script at a small size, as make test runs them (tests/test_benchmarks.py)
bench-smoke: $(STAMP)
	for b in benchmarks/*.py scripts/*.py; do $(BIN)/python $$b --smoke || exit 1; done

## make corpus-run: the whole 2021-07 corpus against the embedded mock (about 11 min); asserts 0 failed
corpus-run: $(STAMP)
	$(BIN)/python scripts/corpus_run.py

clean:
	rm -rf $(VENV) site reports/allure-results reports/junit.xml reports/summary.*
