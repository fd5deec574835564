# Everyday commands. `make check` is what .ci/run does, minus the install.
PY := .venv/bin/python

.PHONY: install check test lint fmt types run emulator

install:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'

check: lint types test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

fmt:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

types:
	.venv/bin/mypy

test:
	$(PY) -m pytest

run:
	.venv/bin/foundry-conformance run

emulator:
	.venv/bin/foundry-conformance emulator --port 8800
