# prioslo — `make help` lists the targets. Every target creates .venv and installs the pinned
# dependencies on first use, so a fresh clone needs nothing but Python 3.11+ and make.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[explore,dev]'
	touch $@

.PHONY: help install report report-all test baselines bench prepare indicators synth explore clean

help: ## Show this help
	@echo "prioslo — PRIOslo indicators and report. Targets:"
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv with the pinned dependencies (the other targets do this themselves)

report: $(STAMP) ## Build outputs/oslo/report.html from the shipped sample data (ARGS="..." adds options)
	$(BIN)/prioslo build $(ARGS)

report-all: $(STAMP) ## Build the Oslo report, the 15 bydel reports and outputs/index.html
	$(BIN)/prioslo build --all-bydeler $(ARGS)

test: $(STAMP) ## Run the whole test suite: unit, reconciliation, hostile corpus, builds, leak check, browser, nbval
	$(BIN)/python -m pytest $(ARGS)
	$(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $$($(BIN)/python -m prioslo.baselines --list)

baselines: $(STAMP) ## Re-execute the chapter notebooks in place on the sample (the nbval regression baselines)
	$(BIN)/python -m prioslo.baselines

bench: $(STAMP) ## Speed benchmark of issue 6: prints every figure with PASS/FAIL and writes bench/RESULTS.md (~15 min)
	$(BIN)/python bench/run.py $(ARGS)

prepare: $(STAMP) ## Clean and pseudonymise data/raw into data/processed
	$(BIN)/prioslo prepare $(ARGS)

indicators: $(STAMP) ## Write outputs/oslo/tables/indicators.csv from data/raw
	$(BIN)/prioslo indicators $(ARGS)

synth: $(STAMP) ## Regenerate the synthetic record-level sample extracts in data/raw
	$(BIN)/prioslo synth $(ARGS)

explore: $(STAMP) ## Serve the bydel explorer (notebooks/explore.ipynb) as a Voilà dashboard on localhost; Ctrl-C stops it
	$(BIN)/python -m prioslo.dashboard $(ARGS)

clean: ## Remove outputs and processed data (keeps .venv)
	rm -rf outputs/* data/processed/*
