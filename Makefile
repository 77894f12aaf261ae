# Quick start: `make demo` runs the dashboard on the embedded simulator; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test sim bench bench-ecs bench-hosts bench-table sdk clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/migdash --demo

test: $(STAMP)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q

sim: $(STAMP)
	$(BIN)/migdash-sim

bench: $(STAMP)
	$(BIN)/python bench/bench_sim.py

# ECS/DeH: 300 hosts and 5,000 servers read through the client, against SMS sources.
bench-ecs: $(STAMP)
	$(BIN)/python bench/bench_ecs.py

# The hosts view at 300 hosts / 5,000 servers against the source list at 5,000 (a minute).
bench-hosts: $(STAMP)
	$(BIN)/python bench/bench_hosts.py

# The fleet table at 10k/100k rows against a bare app and DataTable (about two minutes).
bench-table: $(STAMP)
	$(BIN)/python bench/bench_table.py

# Opt-in: the official Huawei Cloud SDKs, for the wire-compatibility tests (pytest -m sdk).
sdk: $(STAMP)
	$(BIN)/pip install --quiet huaweicloudsdksms
	$(BIN)/pip install --quiet huaweicloudsdkecs huaweicloudsdkdeh

clean:
	rm -rf $(VENV) build *.egg-info
