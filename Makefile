# HomeStudy: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshots package package-test clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -e ".[gui,dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/homestudy

lint: $(STAMP)
	$(BIN)/ruff check homestudy ui tests packaging

test: $(STAMP) lint
	bash tests/setup_system.sh
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/bench/run_all.py

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshots docs/screenshots

$(VENV)/.package-installed: $(STAMP)
	$(BIN)/python -m pip install -e ".[gui,dev,package]"
	touch $@

# The frozen one-folder app in dist/HomeStudy (see packaging/README.md).
package: $(VENV)/.package-installed
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build packaging/homestudy.spec

# Build, then run the frozen app in an empty environment (no PATH, so no Python to lean on).
FROZEN_ENV := env -i HOME="$$HOME" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen
package-test: package
	$(FROZEN_ENV) dist/HomeStudy/HomeStudy --version
	$(FROZEN_ENV) dist/HomeStudy/HomeStudy --self-test

clean:
	rm -rf build dist .pytest_cache
