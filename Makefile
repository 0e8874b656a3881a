# Everything a new user needs: `make demo`, `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help system-deps setup jars kafka-tools up down status demo test test-unit lint typecheck schemas faults bench clean

help:
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

system-deps: ## Java, Maven, PostgreSQL, Chromium (apt, as root) if missing
	bash deploy/local/system-deps.sh

setup: system-deps $(STAMP) jars ## system packages + virtualenv + dependencies + Kafka jars

jars: $(STAMP) ## resolve the Kafka broker jars from Maven Central (cached in .local/)
	$(PY) -c 'from deploy.local.kafka import ensure_jars; ensure_jars()'

kafka-tools: $(STAMP) ## re-resolve .local/kafka-libs with the broker's admin tools (README "Operations")
	rm -f .local/kafka-libs/.complete
	$(PY) -c 'from deploy.local.kafka import ensure_jars; ensure_jars()'

up: setup ## start Kafka, PostgreSQL, sandbox, worker, gateway in the background
	$(PY) -m deploy.local.stack up

down: ## stop everything `make up` started
	@if [ -x $(PY) ]; then $(PY) -m deploy.local.stack down; else echo "stack is not up"; fi

status: ## show the local stack's processes
	$(PY) -m deploy.local.stack status

demo: setup ## set up, start the stack, run the main job end to end, stop
	$(PY) -m deploy.local.demo

test: setup ## set up and run lint, types, schema check and the whole test suite
	$(PY) -m ruff check services tests deploy bench
	$(PY) -m ruff format --check services tests deploy bench
	$(PY) -m mypy
	$(PY) -m services.contract.generate --check
	$(PY) -m services.gateway.openapi --check
	$(PY) -m pytest -q -ra

test-unit: $(STAMP) ## unit tests only (no servers)
	$(PY) -m pytest -q tests/unit

lint: $(STAMP)
	$(PY) -m ruff check services tests deploy bench
	$(PY) -m ruff format --check services tests deploy bench

typecheck: $(STAMP)
	$(PY) -m mypy

schemas: $(STAMP) ## regenerate schemas/ from the contract models
	$(PY) -m services.contract.generate

faults: setup ## the fault suite alone (kills, restarts, QuickBooks storms), prints a table
	$(PY) -m pytest -q -rA tests/faults

bench: setup ## benchmarks (not part of make test); writes bench/results/*.json
	$(PY) -m bench run

clean: down
	rm -rf .local $(VENV)
