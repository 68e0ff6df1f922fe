# Two commands for a newcomer: `make run` (the worker) and `make test` (the checks).
# Each creates .venv if missing and installs the project into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test check lint typecheck pytest bench clean

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The figure extractor's compiled modules (worker/figures/native.py): built again when its
# sources change, since a build older than the sources is not used.
NATIVE := worker/figures/native.sha256
$(NATIVE): setup.py $(wildcard worker/figures/*.py) | $(STAMP)
	$(BIN)/python setup.py --quiet build_ext --inplace

install: $(STAMP) $(NATIVE)

# `make run` keeps its database in the checkout (data/worker.db) unless WORKER_DATABASE_URL
# says otherwise; a plain `worker` command uses the user's data directory (`worker info`).
run: export WORKER_DATABASE_URL ?= sqlite:///$(CURDIR)/data/worker.db
run: install
	@mkdir -p data
	$(BIN)/worker info
	$(BIN)/worker db upgrade
	$(BIN)/worker replay seeds/
	$(BIN)/worker figures
	$(BIN)/worker changes --subject KP --metric killed
	$(BIN)/worker report
	$(BIN)/worker run

lint: install
	$(BIN)/ruff check worker tests benchmarks alembic/env.py setup.py

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest

test: lint typecheck pytest

# The inner loop (under 30 s): lint, types, and the unit tests of the pure code, without the
# ones marked slow. `make test` before a commit runs everything.
check: lint typecheck
	$(BIN)/pytest -q -m "not slow" tests/unit

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache build worker/figures/*.so worker/figures/native.sha256 *__mypyc*.so
