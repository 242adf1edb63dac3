"""Start the desktop app: ``homestudy`` with no subcommand, or ``python -m ui``.

``run_app(args)`` makes the QApplication, the explicit ``AppContext`` and the main
window, and returns the exit code. ``first_run_screen`` chooses what a user sees
when there is no vault yet (one line to change for a fuller welcome flow).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QWidget

from homestudy import __version__
from homestudy.settings import APP_AUTHOR, APP_NAME, AppSettings, load_settings
from ui.context import AppContext, make_context
from ui.main_window import MainWindow

#: What the app needs right after unlocking, imported while the passphrase is typed.
WARM_UP_MODULES = (
    "homestudy.vault",
    "homestudy.timeline",
    "homestudy.readiness",
    "homestudy.readiness_rules",
    "homestudy.readiness_checks",
    "ui.views.overview",
    "ui.views.case_details",
    "ui.views.visits",
    "ui.views.references",
    "ui.views.checklists",
    "ui.views.par_editor",
    "ui.widgets.sync_status",
    "ui.views.search",
)


def first_run_screen(ctx: AppContext, parent: QWidget) -> QWidget:
    """The screen for a computer with no vault: it must emit ``vault_created(bool)``
    once it has created the vault through ``ctx.db.create_vault``."""
    from ui.views.welcome import WelcomeView

    return WelcomeView(ctx, parent)


def resolve_vault_dir(args: argparse.Namespace | None, settings: AppSettings) -> Path:
    """``--vault``, else ``$HOMESTUDY_VAULT``, else the settings' (or platform) folder."""
    chosen = getattr(args, "vault", None) if args is not None else None
    chosen = chosen or os.environ.get("HOMESTUDY_VAULT")
    return Path(chosen).expanduser() if chosen else settings.default_vault_dir()


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists). Qt 6 scales for high DPI by itself and
    follows the system's light or dark scheme; no colours are set here."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_AUTHOR)
    QCoreApplication.setApplicationVersion(__version__)
    assert isinstance(app, QApplication)
    app.setDesktopFileName("homestudy")
    return app


def build_window(
    args: argparse.Namespace | None = None,
    settings: AppSettings | None = None,
    idle_ms: int | None = None,
) -> tuple[MainWindow, AppContext]:
    """The context and a started main window (not shown), for run_app, tests and tools."""
    settings = settings or load_settings()
    ctx = make_context(settings, resolve_vault_dir(args, settings))
    window = MainWindow(ctx, first_run_screen, idle_ms=idle_ms, warm_up=WARM_UP_MODULES)
    window.start()
    return window, ctx


def run_app(args: argparse.Namespace) -> int:
    from homestudy.vault.hardening import harden_process

    harden_process()  # no core dump may hold the cases the app opens
    app = make_application()
    window, ctx = build_window(args)
    window.show()
    try:
        return int(app.exec())
    finally:
        ctx.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Start HomeStudy.")
    parser.add_argument("--vault", metavar="DIR", help="the vault folder")
    return run_app(parser.parse_args(argv))
