"""Help › About: the third-party licences, and "Copy diagnostic report" for IT."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from homestudy import __version__
from homestudy.diagnostics import start_logging, stop_logging
from homestudy.settings import AppSettings
from ui.context import AppContext, make_context
from ui.views.help import HelpDialog

WAIT_MS = 10_000


@pytest.fixture
def ctx(qapp: object, tmp_path: Path) -> Iterator[AppContext]:
    settings = AppSettings(proxy_url="http://jo:s3cret-pw@proxy.example:3128")
    context = make_context(settings, tmp_path / "vault")
    yield context
    context.shutdown()


def test_help_about_shows_the_licences(qtbot, make_app, demo_vault_dir) -> None:
    folder, _case = demo_vault_dir
    window, _ = make_app(folder)
    assert window.about_action.isEnabled()  # also while locked: IT may need it most then
    window.about_action.trigger()
    dialog = window.findChild(HelpDialog)
    assert dialog.tabs.currentWidget() is dialog.about_tab
    text = dialog.licences.toPlainText()
    for line in (
        "pyside6-essentials",
        "LGPL-3.0",
        "python-bidi",
        "reportlab",
        "sqlcipher3",
        "Noto Sans fonts: OFL-1.1",
    ):
        assert line in text
    assert dialog.licences.isReadOnly() and dialog.licences.isVisible()


def test_copy_diagnostic_report_puts_it_on_the_clipboard(
    qtbot, ctx: AppContext, tmp_path: Path
) -> None:
    start_logging(tmp_path / "logs")
    try:
        logging.getLogger("ui.workers").error("pool job failed: %s", "ValueError")
        dialog = HelpDialog(ctx, shortcuts=())
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.show_about()
        QGuiApplication.clipboard().clear()
        qtbot.mouseClick(dialog.copy_report, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.report_status.text().startswith("Copied"), timeout=WAIT_MS)
    finally:
        stop_logging()
    report = QGuiApplication.clipboard().text()
    assert report.startswith("HomeStudy diagnostic report")
    assert f"HomeStudy: {__version__}" in report and "PySide6: " in report and "Qt: " in report
    assert "SQLCipher: " in report and "System: " in report
    assert "proxy.example:3128" in report and "s3cret-pw" not in report
    assert "pool job failed: ValueError" in report
    assert dialog.copy_report.isEnabled()
    assert dialog.report_status.text() == "Copied. Paste it into an email to your IT team."
