"""Starting the app: the vault folder it picks, and run_app through the CLI entry."""

from __future__ import annotations

import argparse
from pathlib import Path

from conftest import run_app_child

from homestudy.settings import AppSettings
from ui.app import resolve_vault_dir


def test_vault_folder_order(tmp_path: Path, monkeypatch) -> None:
    settings = AppSettings(vault_dir=str(tmp_path / "from-settings"))
    monkeypatch.delenv("HOMESTUDY_VAULT", raising=False)
    assert resolve_vault_dir(argparse.Namespace(vault=None), settings) == tmp_path / "from-settings"
    monkeypatch.setenv("HOMESTUDY_VAULT", str(tmp_path / "from-env"))
    assert resolve_vault_dir(argparse.Namespace(vault=None), settings) == tmp_path / "from-env"
    assert (
        resolve_vault_dir(argparse.Namespace(vault=str(tmp_path / "arg")), settings)
        == tmp_path / "arg"
    )


CHILD = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from homestudy.cli import main
from ui.app import make_application
from ui.main_window import MainWindow

app = make_application()
seen = []

def look_and_quit():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    if not windows or windows[0].stack.currentWidget() is not windows[0].unlock_view:
        QTimer.singleShot(20, look_and_quit)  # the vault check is still on its way
        return
    seen.append(windows[0].unlock_view.title.text())
    windows[0].close()
    QApplication.quit()

QTimer.singleShot(0, look_and_quit)
code = main(["--vault", sys.argv[1]])
print(code, seen)
"""


def test_homestudy_with_no_command_opens_the_lock_screen(tmp_path, demo_vault_dir) -> None:
    # a child process: quitting the application would end the test session's own
    folder, _ = demo_vault_dir
    result = run_app_child(tmp_path, "-c", CHILD, str(folder))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "0 ['Open HomeStudy']"
