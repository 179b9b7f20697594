# The two commands of the README: `make run` and `make test`.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED = false
export DO_NOT_TRACK = 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS = 120
unexport PREFECT_API_URL

.PHONY: install run test lint bench

install:
	bash scripts/install.sh

run: install
	.venv/bin/nianbao extract samples/*.txt samples/*.pdf --out output/
	.venv/bin/nianbao load output/

test: install
	$(MAKE) --no-print-directory lint
	.venv/bin/python -m pytest -q

lint:
	.venv/bin/ruff check extractors flows tests bench
	.venv/bin/ruff format --check extractors flows tests bench
	.venv/bin/mypy


bench:
	.venv/bin/python bench/run.py
