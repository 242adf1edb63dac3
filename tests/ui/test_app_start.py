"""Starting the app: the vault folder it picks, and run_app through the CLI entry."""

from __future__ import annotations

import argparse
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from homestudy.settings import AppSettings
from ui.app import resolve_vault_dir
from ui.main_window import MainWindow


def test_vault_folder_order(tmp_path: Path, monkeypatch) -> None:
    settings = AppSettings(vault_dir=str(tmp_path / "from-settings"))
    monkeypatch.delenv("HOMESTUDY_VAULT", raising=False)
    assert resolve_vault_dir(argparse.Namespace(vault=None), settings) == \
        tmp_path / "from-settings"
    monkeypatch.setenv("HOMESTUDY_VAULT", str(tmp_path / "from-env"))
    assert resolve_vault_dir(argparse.Namespace(vault=None), settings) == tmp_path / "from-env"
    assert resolve_vault_dir(argparse.Namespace(vault=str(tmp_path / "arg")), settings) == \
        tmp_path / "arg"


def test_homestudy_with_no_command_opens_the_lock_screen(
    qapp, qtbot, demo_vault_dir, isolated_settings
) -> None:
    from homestudy.cli import main

    folder, _ = demo_vault_dir
    seen: list[str] = []

    def look_and_quit() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows or windows[0].stack.currentWidget() is not windows[0].unlock_view:
            QTimer.singleShot(20, look_and_quit)  # the vault check is still on its way
            return
        window = windows[0]
        seen.append(window.unlock_view.title.text())
        window.close()
        window.deleteLater()
        QApplication.quit()

    QTimer.singleShot(0, look_and_quit)
    assert main(["--vault", str(folder)]) == 0
    assert seen == ["Open HomeStudy"]
