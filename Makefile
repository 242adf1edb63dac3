# HomeStudy: the two commands a newcomer needs are `make run` and `make test`.
#
# Installs come from the lock in requirements/ (exact versions with hashes), made from
# pyproject.toml by uv. After changing a dependency in pyproject.toml: `make lock`
# (keeps every other pin); to move everything to the newest allowed: `make upgrade`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9
UV := $(BIN)/uv
LOCK := requirements/dev.txt
# One resolution for every platform (pyobjc only on macOS), for CPython 3.11.
COMPILE = $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--no-strip-markers pyproject.toml
# Wheel and lowest-versions runs happen outside the checkout, in throwaway venvs.
SCRATCH ?= $(or $(TMPDIR),/tmp)/homestudy-ci
# uv uses the machine's Python 3.11; it must never fetch an interpreter of its own.
export UV_PYTHON_DOWNLOADS := never
CORE_TESTS := tests --ignore=tests/ui --ignore=tests/test_sync_ui.py -m "not slow"

.PHONY: run test lint bench screenshots package package-test clean install lock upgrade \
	test-lowest wheel wheel-test pipx-test licences sbom

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

# Exactly the locked versions (uv checks every hash), then HomeStudy itself, editable.
$(STAMP): $(LOCK) pyproject.toml | $(UV)
	$(UV) pip sync --python $(BIN)/python $(LOCK)
	$(UV) pip install --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lock: | $(UV)
	$(COMPILE) --extra gui --extra dev --extra agency --extra package -o $(LOCK)
	$(COMPILE) --extra gui -o requirements/app.txt
	$(COMPILE) --extra gui --extra dev --extra agency --resolution lowest-direct \
		-o requirements/lowest.txt
	$(MAKE) licences

upgrade: | $(UV)
	rm -f $(LOCK) requirements/app.txt requirements/lowest.txt
	$(MAKE) lock

# The third-party licences shipped with the app (Help > About), from the locked app set.
licences: $(STAMP)
	$(BIN)/python packaging/licences.py requirements/app.txt homestudy/data/licences

run: $(STAMP)
	$(BIN)/homestudy

# mypy reads its files and modes from pyproject.toml: strict on homestudy/, standard on ui/.
lint: $(STAMP)
	$(BIN)/ruff check homestudy ui tests packaging
	$(BIN)/ruff format --check homestudy ui tests packaging
	$(BIN)/mypy

test: $(STAMP) lint
	bash tests/setup_system.sh
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The lowest versions pyproject.toml allows (requirements/lowest.txt), and the core tests.
test-lowest: | $(UV)
	rm -rf $(SCRATCH)/lowest
	$(UV) venv --quiet --python $(PYTHON) $(SCRATCH)/lowest
	$(UV) pip sync --python $(SCRATCH)/lowest/bin/python requirements/lowest.txt
	$(UV) pip install --python $(SCRATCH)/lowest/bin/python --no-deps -e .
	$(UV) pip list --python $(SCRATCH)/lowest/bin/python | grep -i -E \
		'^(reportlab|uvicorn|starlette|psycopg|holidays|cryptography|pyside6-essentials) '
	QT_QPA_PLATFORM=offscreen $(SCRATCH)/lowest/bin/python -m pytest -q -p no:cacheprovider \
		$(CORE_TESTS)

wheel: | $(UV)
	rm -rf dist/wheel
	$(UV) build --quiet --wheel --out-dir dist/wheel .

# As a Python user or an agency's IT would: the wheel into an empty venv outside the
# checkout, its dependencies resolved from the index (not the lock), run from elsewhere.
wheel-test: wheel
	rm -rf $(SCRATCH)/wheel && mkdir -p $(SCRATCH)/wheel/home
	$(UV) venv --quiet --python $(PYTHON) $(SCRATCH)/wheel/venv
	$(UV) pip install --python $(SCRATCH)/wheel/venv/bin/python "$$(ls dist/wheel/homestudy-*.whl)[gui]"
	@echo "wheel-test: the laptop install has no server stack:"
	! $(SCRATCH)/wheel/venv/bin/python -c "import starlette" 2>/dev/null
	! $(SCRATCH)/wheel/venv/bin/python -c "import uvicorn" 2>/dev/null
	cd $(SCRATCH)/wheel/home && env -i HOME=$(SCRATCH)/wheel/home LANG=C.UTF-8 \
		QT_QPA_PLATFORM=offscreen $(SCRATCH)/wheel/venv/bin/homestudy --self-test
	$(UV) pip install --python $(SCRATCH)/wheel/venv/bin/python "$$(ls dist/wheel/homestudy-*.whl)[gui,agency]"
	cd $(SCRATCH)/wheel/home && $(SCRATCH)/wheel/venv/bin/homestudy-agency --version
	$(SCRATCH)/wheel/venv/bin/python -c "import starlette, uvicorn, psycopg"

# As a Python user would install an app: pipx (itself in a throwaway venv, from PyPI)
# puts the wheel with the desktop extra into a venv of its own; then its self-test.
PIPX_VERSION := 1.18.4
PIPX_ENV = PIPX_HOME=$(SCRATCH)/pipx/pipx-home PIPX_BIN_DIR=$(SCRATCH)/pipx/bin
pipx-test: wheel
	rm -rf $(SCRATCH)/pipx && mkdir -p $(SCRATCH)/pipx/home
	$(PYTHON) -m venv $(SCRATCH)/pipx/tool
	$(SCRATCH)/pipx/tool/bin/python -m pip install --quiet "pipx==$(PIPX_VERSION)"
	$(PIPX_ENV) $(SCRATCH)/pipx/tool/bin/pipx install --python $(PYTHON) \
		"$$(ls $(CURDIR)/dist/wheel/homestudy-*.whl)[gui]"
	cd $(SCRATCH)/pipx/home && env -i HOME=$(SCRATCH)/pipx/home LANG=C.UTF-8 \
		QT_QPA_PLATFORM=offscreen $(SCRATCH)/pipx/bin/homestudy --self-test

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/bench/run_all.py

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshots docs/screenshots

# The frozen one-folder app in dist/HomeStudy (see packaging/README.md), with its SBOM.
package: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build packaging/homestudy.spec
	$(MAKE) sbom

# CycloneDX SBOM of what the app ships: the locked app set (no dev or server tools).
sbom: $(STAMP)
	$(BIN)/cyclonedx-py requirements --output-reproducible --of JSON \
		-o dist/HomeStudy-sbom.cdx.json requirements/app.txt
	cp dist/HomeStudy-sbom.cdx.json dist/HomeStudy/

# Build, then run the frozen app in an empty environment (no PATH, so no Python to lean on).
FROZEN_ENV := env -i HOME="$$HOME" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen
package-test: package
	$(FROZEN_ENV) dist/HomeStudy/HomeStudy --version
	$(FROZEN_ENV) dist/HomeStudy/HomeStudy --self-test

clean:
	rm -rf build dist .pytest_cache .mypy_cache
