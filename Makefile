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

package: $(STAMP)
	$(BIN)/python -m pip install -e ".[gui,package]"
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build packaging/homestudy.spec

package-test: package
	QT_QPA_PLATFORM=offscreen dist/HomeStudy/HomeStudy --self-test

clean:
	rm -rf build dist .pytest_cache
