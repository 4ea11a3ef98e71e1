# scimops.totango — build and test entry points.
#
#   make test    unit, integration, sanity, lint, docs-lint, changelog-lint, reuse, docs
#   make demo    simulator + onboarding, then offboarding: each --check --diff, apply, rerun
#
# Every target uses .venv, created on first use from requirements-dev.txt.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
VENV_STAMP := $(VENV)/.installed

# Where tools/collection-tree.py lays the collection out
# (ansible_collections/scimops/totango under each).
COLLECTIONS_LINK := $(CURDIR)/.build/collections
COLLECTIONS_COPY := $(CURDIR)/.build/sanity
COLLECTION_COPY := $(COLLECTIONS_COPY)/ansible_collections/scimops/totango

# Tools from the venv come first on PATH; the collection is importable as
# ansible_collections.scimops.totango and findable by ansible-playbook.
RUN := env PATH="$(BIN):$$PATH" \
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_LINK)" \
	PYTHONPATH="$(COLLECTIONS_LINK)$${PYTHONPATH:+:$$PYTHONPATH}" \
	PYTEST="$(BIN)/python -m pytest"

# CI logs: no colour escapes
ifdef CI
export NO_COLOR := 1
export ANSIBLE_NOCOLOR := 1
export PY_COLORS := 0
endif

PYTEST_ARGS ?= -p no:cacheprovider
UNIT_ARGS ?=
# Integration tests run in 2 xdist workers; INTEGRATION_ARGS= runs them serially.
INTEGRATION_ARGS ?= -n 2 --durations=10
# ansible-test sanity: extra options, e.g. SANITY_ARGS="--test pylint"
SANITY_ARGS ?=
SANITY_PYTHONS ?= 3.9 3.10 3.11 3.12 3.13
# make matrix: some releases only, e.g. MATRIX="2.16 2.21"; MATRIX=--except-pinned: all but make test's
MATRIX ?=

.PHONY: help venv tree-link tree-copy unit integration sanity lint docs-lint \
	changelog-lint reuse ruff test matrix demo bench docs build clean distclean

help:
	@echo "make test            unit + integration + sanity + lint + docs-lint + changelog-lint + reuse + docs"
	@echo "make matrix          unit + integration + sanity on each ansible-core 2.16 to 2.21 (.venv-matrix/)"
	@echo "make demo            simulator + onboarding then offboarding: --check --diff, apply, rerun"
	@echo "make venv            create .venv from requirements-dev.txt"
	@echo "make unit | integration | sanity | lint | docs-lint | changelog-lint | reuse | ruff"
	@echo "make bench | docs | build | clean | distclean"

# --- environment -----------------------------------------------------------

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt requirements.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@echo "installing requirements-dev.txt into $(VENV) (log: $(VENV)/pip-install.log)"
	@$(VENV)/bin/python -m pip install --disable-pip-version-check -r requirements-dev.txt \
		>$(VENV)/pip-install.log 2>&1 || { tail -n 40 $(VENV)/pip-install.log; exit 1; }
	@touch $@

# symlinked tree for ansible-playbook (integration tests, demo)
tree-link: $(VENV_STAMP)
	@$(BIN)/python tools/collection-tree.py link >/dev/null

# real copy for ansible-test / ansible-lint / antsibull-docs
tree-copy: $(VENV_STAMP)
	@$(BIN)/python tools/collection-tree.py copy

# --- tests -----------------------------------------------------------------

unit: tree-link
	$(RUN) bash tools/run-pytest.sh tests/unit $(PYTEST_ARGS) $(UNIT_ARGS)

integration: tree-link
	$(RUN) bash tools/run-pytest.sh tests/integration $(PYTEST_ARGS) $(INTEGRATION_ARGS)

# Compile and import run on every Python the modules support (tests/config.yml) that this machine has:
# tools/pythons.py links pyenv's (or PATH's) python3.X into .build/pythons, where ansible-test finds them.
sanity: tree-copy
	@bash tools/seed-ansible-test-cache.sh $(BIN)/python
	@echo "sanity: target Pythons $$($(BIN)/python tools/pythons.py link $(CURDIR)/.build/pythons $(SANITY_PYTHONS))"
	cd $(COLLECTION_COPY) && env PATH="$(CURDIR)/.build/pythons:$(BIN):$$PATH" ansible-test sanity --venv \
		--color no $(SANITY_ARGS)

lint: tree-copy
	cd $(COLLECTION_COPY) && env PATH="$(BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_COPY)" \
		ansible-lint --offline --strict --profile production

docs-lint: tree-copy
	cd $(COLLECTION_COPY) && env PATH="$(BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_COPY)" \
		antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs .

changelog-lint: $(VENV_STAMP)
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	bash tools/release.sh --check

# licensing: every file has SPDX information (its own header or REUSE.toml), LICENSES/ the texts
reuse: $(VENV_STAMP)
	$(BIN)/reuse lint --lines

# style check for Python code (not part of `make test`)
ruff: $(VENV_STAMP)
	$(BIN)/ruff check plugins tests tools

test: venv unit integration sanity lint docs-lint changelog-lint reuse docs

# every supported ansible-core minor, each in .venv-matrix/<minor>; a summary table at the end
matrix: tree-link
	$(BIN)/python tools/matrix.py $(MATRIX)

# --- the rest --------------------------------------------------------------

demo: tree-link
	$(RUN) bash tools/demo.sh

bench: tree-link
	$(RUN) python tests/bench/bench.py

# the HTML docsite, offline, into docs/_build/html/ (guides: docs/docsite/)
docs: tree-link
	$(RUN) bash tools/build-docs.sh

# the collection artifact, into .build/dist/
build: $(VENV_STAMP)
	$(BIN)/ansible-galaxy collection build --force --output-path .build/dist .

clean:
	rm -rf .build tests/output .pytest_cache .ruff_cache .hypothesis docs/_build
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .venv-matrix
