# Quick start: `make demo` runs the dashboard on the embedded simulator; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test sim bench sdk clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/migdash --demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

sim: $(STAMP)
	$(BIN)/migdash-sim

bench: $(STAMP)
	$(BIN)/python bench/bench_sim.py

# Opt-in: the official Huawei Cloud SDK, for the wire-compatibility tests (pytest -m sdk).
sdk: $(STAMP)
	$(BIN)/pip install --quiet huaweicloudsdksms

clean:
	rm -rf $(VENV) build *.egg-info
