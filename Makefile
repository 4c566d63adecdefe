# Pith: `make boot` sets everything up and boots; `make test` runs every check.
VENV := .venv
PY   := python3

.DEFAULT_GOAL := help
.PHONY: help venv test soak bench boot clean

help:
	@echo "Pith make targets:"
	@echo "  venv   create $(VENV) and install pith with dev tools (pinned by constraints.txt)"
	@echo "  test   every check: ruff, mypy --strict (kernel, lib, protocols, servers, drivers), kernel size, pytest"
	@echo "  soak   long Hypothesis run of the kernel core, then pith inject with 10,000 faults"
	@echo "  bench  pith bench: every operation, microkernel/hybrid/monolithic and the host, in one run"
	@echo "  boot   boot Pith to a shell"
	@echo "  clean  remove $(VENV) and caches"

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

test: venv
	$(VENV)/bin/ruff check pith tests
	$(VENV)/bin/mypy --strict pith/kernel pith/lib pith/protocols pith/servers pith/drivers
	$(VENV)/bin/python -m pith.tools.kernel_size
	$(VENV)/bin/pytest

# soak: no per-test timeout, a soak run is meant to take long. Then 10,000 faults of every
# kind into every isolated server (about an hour on 2 cores): survival, nothing lost, fsck-clean.
SOAK_FAULTS ?= 10000
soak: venv
	HYPOTHESIS_PROFILE=soak $(VENV)/bin/pytest tests/kernel/core -x --timeout=0
	$(VENV)/bin/pith inject --faults $(SOAK_FAULTS) --seed 7 --heartbeat 0.1 --progress

# bench: the whole comparison (pith bench core, ipc, fs and system are the narrower parts).
bench: venv
	$(VENV)/bin/pith bench --json bench.json --chart bench.png

boot: venv
	$(VENV)/bin/pith boot

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
