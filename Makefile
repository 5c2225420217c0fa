# The two commands of the README quickstart. Both create .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test quick lint contracts bench docs clean

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

bench: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) site reports/allure-results reports/junit.xml reports/summary.*
