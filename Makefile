# Everything a new user needs: `make demo`, `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# uv resolves and installs from uv.lock (exact versions, hashes checked). It is itself
# installed from deploy/python/bootstrap.txt with pip --require-hashes. README "Dependencies".
UV_HOME := .local/uv
UV := $(UV_HOME)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help system-deps setup bytecode jars kafka-tools lock lock-check verify-env audit sbom up down status demo seed test test-unit lint typecheck schemas faults bench clean

help:
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(UV): deploy/python/bootstrap.txt
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install -q --require-hashes --no-deps -r deploy/python/bootstrap.txt
	touch $(UV)

$(STAMP): pyproject.toml uv.lock $(UV)
	@$(MAKE) --no-print-directory lock-check
	$(UV) sync -q --frozen --extra dev --compile-bytecode --python $(PYTHON)
	touch $(STAMP)

lock-check: $(UV) ## fail when pyproject.toml and uv.lock disagree
	@$(UV) lock --check -q 2>/dev/null || { \
		echo "pyproject.toml and uv.lock disagree: run 'make lock', then commit uv.lock" >&2; exit 1; }

lock: $(UV) ## re-resolve uv.lock and the Kafka jar checksums (then run make test and make bench)
	$(UV) lock
	$(MAKE) --no-print-directory $(STAMP)
	$(PY) -m deploy.local.kafka_jars --write-checksums

verify-env: $(STAMP) ## the virtualenv holds exactly the locked versions (pip freeze vs uv.lock)
	$(UV) export -q --frozen --extra dev --no-emit-project --no-hashes --format requirements.txt \
		-o .local/locked-requirements.txt
	$(PY) -m deploy.python.verify_env .local/locked-requirements.txt

audit: $(STAMP) ## known vulnerabilities of the locked packages (pip-audit, PyPI advisories)
	$(UV) export -q --frozen --extra dev --no-emit-project --format requirements.txt \
		-o .local/audit-requirements.txt
	$(PY) -m deploy.python.audit .local/audit-requirements.txt $(if $(AUDIT_ALLOW_UNREACHABLE),--allow-unreachable)

sbom: $(STAMP) ## CycloneDX SBOM of every locked package -> build/sbom.cdx.json
	@mkdir -p build
	$(UV) export -q --frozen --extra dev --format cyclonedx1.5 -o build/sbom.cdx.json
	@echo "wrote build/sbom.cdx.json"

system-deps: ## Java, Maven, PostgreSQL, Chromium (apt, as root) if missing
	bash deploy/local/system-deps.sh

setup: system-deps $(STAMP) jars ## system packages + virtualenv + dependencies + Kafka jars

# Every worker, gateway and sandbox process the tests and the demo start imports the project;
# with PYTHONDONTWRITEBYTECODE set (as on these machines) each would compile it from source
# again (about 1 CPU-second a process). Compiled once here; stale files are simply ignored.
bytecode: $(STAMP) ## compile the project's modules once (processes start faster)
	$(PY) -m compileall -q -j 0 services deploy bench tests > /dev/null

jars: $(STAMP) ## resolve the Kafka broker jars from Maven Central (cached in .local/)
	$(PY) -c 'from deploy.local.kafka import ensure_jars; ensure_jars()'

kafka-tools: $(STAMP) ## re-resolve .local/kafka-libs with the broker's admin tools (README "Operations")
	rm -f .local/kafka-libs/.complete
	$(PY) -c 'from deploy.local.kafka import ensure_jars; ensure_jars()'

up: setup bytecode ## start Kafka, PostgreSQL, sandbox, worker, gateway in the background
	$(PY) -m deploy.local.stack up

down: ## stop everything `make up` started
	@if [ -x $(PY) ]; then $(PY) -m deploy.local.stack down; else echo "stack is not up"; fi

status: ## show the local stack's processes
	$(PY) -m deploy.local.stack status

demo: setup bytecode ## set up, start the stack, run the main job end to end, stop (KEEP=1: leave it running)
	$(PY) -m deploy.local.demo $(if $(KEEP),--keep)

seed: $(STAMP) ## a demo tenant with mapped products and invoices in the running stack (make up first)
	$(PY) -m deploy.local.seed $(if $(TENANT),--tenant $(TENANT))

test: setup ## set up and run lint, types, schema check and the whole test suite
	@$(MAKE) --no-print-directory lock-check verify-env
	$(PY) -m ruff check services tests deploy bench
	$(PY) -m ruff format --check services tests deploy bench
	$(PY) -m mypy
	$(PY) -m services.contract.generate --check
	$(PY) -m services.gateway.openapi --check
	@$(MAKE) --no-print-directory bytecode
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
	rm -rf .local $(VENV) build
