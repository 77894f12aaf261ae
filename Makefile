# Quick start: `make demo` runs the dashboard on the embedded simulator; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test sim bench bench-ecs bench-hosts bench-table bench-startup bench-fetch bench-poll bench-age bench-all sdk clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	# An editable install under PYTHONDONTWRITEBYTECODE=1 would compile tui/ and widgets/ on
	# every launch (~45 ms); bytecode written once here is read even then.
	$(BIN)/python -m compileall -q tui widgets
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/migdash --demo

# In parallel (pytest-xdist; worksteal evens out the long app tests). The app tests spend much
# of their time waiting on timers, not the CPU, so two workers per core: on the 2-core machine
# the suite took 214 s with one worker per core and 142 s with four. pytest's own exit status
# passes through: a failure, or no test collected (5), fails the target.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
test: $(STAMP)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal

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

# Issue 14's figures, each from one command with its baseline measured in the same run.
# Launch -> first frame with fleet data beside a bare Textual app, in tmux (about a minute).
bench-startup: $(STAMP)
	$(BIN)/python bench/bench_startup.py

# Fetch 10k sources: official SDK (own .venv-sdk, made on first use) / ours, against
# migdash-sim and a replay server; simulator CPU per full fetch (a few minutes).
bench-fetch: $(STAMP)
	$(BIN)/python bench/bench_fetch.py

# Dashboard at 10k in tmux: CPU share, RSS growth, longest event-loop stall (sort, ?, polls).
# DURATION=120 for the CPU figure; the RSS figure wants DURATION=900.
DURATION ?= 120
bench-poll: $(STAMP)
	$(BIN)/python bench/bench_poll.py --duration $(DURATION)

# Data age under 30 % 500s at --refresh 1 (issue 13), simulated time (about a minute).
bench-age: $(STAMP)
	$(BIN)/python bench/bench_data_age.py

bench-all: bench bench-startup bench-fetch bench-poll bench-age

# Opt-in: the official Huawei Cloud SDKs, for the wire-compatibility tests (pytest -m sdk).
sdk: $(STAMP)
	$(BIN)/pip install --quiet huaweicloudsdksms
	$(BIN)/pip install --quiet huaweicloudsdkecs huaweicloudsdkdeh

clean:
	rm -rf $(VENV) build *.egg-info
