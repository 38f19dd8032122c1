# Everything a fresh machine needs is set up by the targets themselves: `make verify-deps` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.setup-stamp
SETUP_INPUTS := requirements-dev.txt pyproject.toml tools/pyproject.toml $(wildcard staging/*/pyproject.toml) tools/scripts/setup-env.sh

.PHONY: help setup test test-all update-vendor verify-vendor verify-deps verify-rules lint graph report footprint demo stage-demo publish bench clean new-provider conformance

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-15s %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv with every dependency (and graphviz, chromium when missing)

$(STAMP): $(SETUP_INPUTS)
	@PYTHON=$(PYTHON) VENV=$(VENV) bash tools/scripts/setup-env.sh
	@touch $@

# The tests start ~130 Python processes (the CLIs where a process matters, pre-commit, pip; the other CLI calls
# run in the test's process: tools/tests/cli_inprocess.py): they run with bytecode caches written
# (__pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set, or each process compiles depgraph,
# publish, click, GitPython... from source again (a third of the suite's CPU time when it started ~320).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 2 --dist loadgroup

test: setup ## Run every test suite (core, staging packages, tools) and the linters; the `slow` tests are left out
	$(PYTEST) -m "not slow"
	@$(MAKE) --no-print-directory lint

test-all: setup ## As `make test`, with the `slow` tests (the whole standard library against the oracle, ...)
	$(PYTEST)
	@$(MAKE) --no-print-directory lint

update-vendor: setup ## Create exactly the vendor/ links the staging packages imply
	$(BIN)/depgraph vendor update

verify-vendor: setup ## Fail with one line per broken, missing or stale vendor/ link
	$(BIN)/depgraph vendor verify

verify-rules: setup ## Check the publishing rules against the staging packages
	$(BIN)/publish verify-rules

verify-deps: setup ## The main CI job: vendor tree, import graph checks (depgraph's own layers too), publishing rules, no cycle in our tools
	$(BIN)/depgraph vendor verify
	$(BIN)/depgraph check
	$(BIN)/publish verify-rules
	$(BIN)/python tools/scripts/own_import_cycles.py depgraph publish stage

lint: setup ## ruff and mypy --strict on tools/
	cd tools && ../$(BIN)/ruff check . && ../$(BIN)/ruff format --check . && ../$(BIN)/mypy depgraph publish stage

graph: setup ## Draw the distribution graph to _output/graph.svg
	@mkdir -p _output
	$(BIN)/depgraph graph -o _output/graph.svg

report: setup ## Write the self-contained HTML report to _output/depgraph-report.html (with the conformance matrix when `make conformance` wrote it)
	@mkdir -p _output
	$(BIN)/depgraph report --python $(BIN)/python -o _output/depgraph-report.html $(if $(wildcard _output/conformance.json),--section _output/conformance.json)

conformance: setup ## Run every provider's conformance suite; print the matrix (and write _output/conformance.json for the report)
	$(BIN)/cloud-provider conformance staging/cloud_provider_*/tests --section _output/conformance.json

new-provider: setup ## Add a provider: make new-provider NAME=my_cloud (package, publish rule, extra, vendor link, install)
	@$(BIN)/python tools/scripts/new_provider.py "$(NAME)"
	@touch $(STAMP)

footprint: setup ## What each distribution costs the core, with and without each staging package
	$(BIN)/depgraph footprint --python $(BIN)/python

demo: setup ## One reconcile pass of the core against the fake and baremetal providers (examples/)
	bash examples/demo.sh

stage-demo: setup ## Move an in-tree provider out of the core on a temporary copy: plan, cut, apply, rewrite, finish, publish
	$(BIN)/python -m stage.demo

publish: setup ## Publish every staging package to the demo destinations (local bare repositories)
	$(BIN)/publish sync

bench: setup ## Benchmarks against outside repositories (paths in BENCH_* variables); not part of CI
	bash tools/bench/run.sh

clean: ## Remove the environment and generated output
	rm -rf $(VENV) _output .depgraph-cache
