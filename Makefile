# Quick start: `make demo` runs the dashboard on the embedded simulator; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test sim bench bench-table sdk clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/migdash --demo

# On every core (pytest-xdist; worksteal evens out the long app tests). pytest's own exit
# status passes through: a failure, or no test collected (5), fails the target.
test: $(STAMP)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q -n auto --dist worksteal

sim: $(STAMP)
	$(BIN)/migdash-sim

bench: $(STAMP)
	$(BIN)/python bench/bench_sim.py

# The fleet table at 10k/100k rows against a bare app and DataTable (about two minutes).
bench-table: $(STAMP)
	$(BIN)/python bench/bench_table.py

# Opt-in: the official Huawei Cloud SDK, for the wire-compatibility tests (pytest -m sdk).
sdk: $(STAMP)
	$(BIN)/pip install --quiet huaweicloudsdksms

clean:
	rm -rf $(VENV) build *.egg-info
