"""Fixtures for the Qt tests (offscreen; see tests/conftest.py for vaults and keyring).

- ``isolated_settings``: settings files in ``tmp_path`` (never the user's own).
- ``demo_vault_dir``: a closed vault folder holding the demo case, made with the
  cheap test KDF; returns ``(folder, case)``. The app opens it itself.
  ``vault_dir_with(folder, case)`` makes one holding any case.
- ``make_app``: ``make_app(folder, idle_ms=None)`` builds and shows the real main
  window over ``folder``; everything is shut down after the test.
- ``unlock`` fixture: ``unlock(window, passphrase=TEST_PASSPHRASE)`` types the
  passphrase and waits for the case list.
- ``visible_texts`` fixture: ``visible_texts(widget)``, every text a user could see.
- ``read_back`` fixture: ``with read_back(window, folder) as vault:`` locks the app, waits
  for its DB worker, and opens the vault apart from the app (closed after the block).
- ``run_app_child(tmp_path, *args)``: ``python ARGS`` from the repository root, in the
  environment the app gets as a child process (``app_child_env(tmp_path)``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from homestudy.demo import build_demo_case
from homestudy.model import Case
from homestudy.settings import AppSettings
from homestudy.vault import KdfParams, Vault
from ui.app import build_window
from ui.context import AppContext
from ui.main_window import MainWindow

WAIT_MS = 10_000
TEST_PASSPHRASE = "correct horse battery staple"  # as tests/conftest.py
TEST_KDF = KdfParams(time_cost=1, memory_kib=64, parallelism=1)  # tests only


def app_child_env(folder: Path) -> dict[str, str]:
    """The environment of the app in a child process: offscreen, its settings and
    temporary files in ``folder``, no OS keyring."""
    return dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        TMPDIR=str(folder),
        HOMESTUDY_SETTINGS=str(folder / "settings.json"),
        HOMESTUDY_CENTRAL_SETTINGS=str(folder / "central.json"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )


def run_app_child(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` from the repository root in ``app_child_env(folder)``."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=Path(__file__).resolve().parents[2],
        env=app_child_env(folder),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings" / "settings.json"
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(path))
    monkeypatch.setenv("HOMESTUDY_CENTRAL_SETTINGS", str(tmp_path / "settings" / "central.json"))
    monkeypatch.delenv("HOMESTUDY_VAULT", raising=False)
    return path


def vault_dir_with(folder: Path, case: Case) -> tuple[Path, Case]:
    """A new, closed vault in ``folder`` (cheap test KDF) holding ``case``."""
    vault = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    try:
        vault.cases.save_case(case)
    finally:
        vault.close()
    return folder, case


@pytest.fixture
def demo_vault_dir(tmp_path: Path) -> tuple[Path, Case]:
    return vault_dir_with(tmp_path / "vault", build_demo_case())


AppFactory = Callable[..., tuple[MainWindow, AppContext]]


@pytest.fixture
def make_app(qtbot, isolated_settings: Path) -> Iterator[AppFactory]:
    made: list[tuple[MainWindow, AppContext]] = []

    def make(
        folder: Path, idle_ms: int | None = None, settings: AppSettings | None = None
    ) -> tuple[MainWindow, AppContext]:
        args = argparse.Namespace(vault=str(folder))
        window, ctx = build_window(args, settings or AppSettings(), idle_ms=idle_ms)
        qtbot.addWidget(window)
        window.show()
        made.append((window, ctx))
        return window, ctx

    yield make
    for window, ctx in made:
        window.close()
        ctx.shutdown()


@pytest.fixture
def unlock(qtbot) -> Callable[..., None]:
    def do(window: MainWindow, passphrase: str = TEST_PASSPHRASE) -> None:
        """Type the passphrase into the lock screen and wait for the case list."""
        view = window.unlock_view
        qtbot.waitUntil(lambda: window.stack.currentWidget() is view, timeout=WAIT_MS)
        with qtbot.waitSignal(window.unlocked_ready, timeout=WAIT_MS):
            view.passphrase.setText(passphrase)
            qtbot.keyClick(view.passphrase, Qt.Key.Key_Return)

    return do


@pytest.fixture
def read_back(qtbot) -> Callable[[MainWindow, Path], AbstractContextManager[Vault]]:
    @contextmanager
    def opened(window: MainWindow, folder: Path) -> Iterator[Vault]:
        """What the app saved, read independently of it: lock, then open the vault."""
        window.lock()
        qtbot.waitUntil(lambda: not window.ctx.db.busy, timeout=WAIT_MS)
        vault = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
        try:
            yield vault
        finally:
            vault.close()

    return opened


@pytest.fixture(name="visible_texts")
def visible_texts_fixture() -> Callable[..., list[str]]:
    return visible_texts


def visible_texts(root) -> list[str]:
    """Every piece of text a user could see in ``root`` and its visible descendants:
    labels, buttons, fields, window titles, tabs, and the cells of item views."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTabWidget,
        QTextEdit,
        QWidget,
    )

    texts: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not w.isVisible():
            continue
        texts.append(w.windowTitle())
        texts.append(w.accessibleName())
        texts.append(w.accessibleDescription())
        texts.append(w.toolTip())
        if isinstance(w, QLabel | QAbstractButton | QLineEdit):
            texts.append(w.text())
        elif isinstance(w, QTextEdit | QPlainTextEdit):
            texts.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            texts.extend(w.itemText(i) for i in range(w.count()))
        elif isinstance(w, QTabWidget):
            texts.extend(w.tabText(i) for i in range(w.count()))
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            texts.extend(_model_texts(model))
    return [t for t in texts if t]


def _model_texts(model, parent=None) -> list[str]:
    from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex

    parent = QModelIndex() if parent is None else parent
    flat = isinstance(model, QAbstractListModel | QAbstractTableModel)
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)
    out: list[str] = []
    for row in range(model.rowCount(parent)):
        for col in range(columns):
            index = model.index(row, col, parent)
            value = model.data(index)
            if value is not None:
                out.append(str(value))
            if not flat and model.hasChildren(index):
                out.extend(_model_texts(model, index))
    return out
