"""Help: PAR guidance from the forms library, the shell's shortcuts table, About."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import PySide6
import pytest
import sqlcipher3
from PySide6.QtCore import qVersion
from PySide6.QtGui import QKeySequence

from homestudy import __version__
from homestudy.forms import load_library
from homestudy.settings import AppSettings
from ui.context import AppContext, make_context
from ui.shortcuts import SHORTCUTS
from ui.views.help import HelpDialog, open_help, shortcut_rows

WAIT_MS = 10_000


@pytest.fixture
def ctx(qapp: object, tmp_path: Path) -> Iterator[AppContext]:
    context = make_context(AppSettings(), tmp_path / "vault")
    yield context
    context.shutdown()


def loaded(dialog: HelpDialog) -> bool:
    return dialog.section_list.count() > 0


def test_guidance_for_every_par_section(qtbot, ctx: AppContext) -> None:
    dialog = HelpDialog(ctx, shortcuts=SHORTCUTS)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: loaded(dialog), timeout=WAIT_MS)
    par = load_library().par
    titles = [dialog.section_list.item(i).text() for i in range(dialog.section_list.count())]
    assert titles == [s.title for s in par.sections]

    health = par.section("health")
    dialog.show_section("health")
    text = dialog.guidance.toPlainText()
    assert health.title in text
    assert health.guidance and all(line in text for line in health.guidance)
    assert "Analysis:" in text  # health needs analysis

    dialog.show_section("statutory_checks")
    assert "left out of the applicants' copy" in dialog.guidance.toPlainText()
    dialog.show_section("pen_picture")
    assert "Written by the applicants" in dialog.guidance.toPlainText()


def test_opens_at_the_section_asked_for(qtbot, ctx: AppContext) -> None:
    dialog = HelpDialog(ctx, shortcuts=(), section_id="matching")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: loaded(dialog), timeout=WAIT_MS)
    assert dialog.section_list.currentItem().text() == load_library().par.section("matching").title


def test_shortcuts_are_the_shells_table(qtbot, ctx: AppContext) -> None:
    dialog = HelpDialog(ctx)  # no table given: it reads ui.main_window.SHORTCUTS itself
    qtbot.addWidget(dialog)
    table = dialog.shortcut_table
    assert table.rowCount() == len(SHORTCUTS)
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    lock = next(s for s in SHORTCUTS if s.action == "lock")
    native = QKeySequence(lock.keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
    assert rows[lock.description] == native
    search = next(s for s in SHORTCUTS if len(s.keys) > 1)
    assert rows[search.description].count(",") == len(search.keys) - 1


def test_shortcut_rows_accept_portable_text_and_sequences() -> None:
    class Entry:
        def __init__(self, keys: object, description: str) -> None:
            self.keys, self.description = keys, description

    rows = shortcut_rows([Entry("Ctrl+L", "Lock"), Entry(QKeySequence("F1"), "Help")])
    assert rows[0][1] == "Lock" and "L" in rows[0][0]
    assert rows[1] == ("F1", "Help", "")


def test_about_shows_app_qt_and_sqlcipher_versions(qtbot, ctx: AppContext) -> None:
    dialog = open_help(ctx, None, SHORTCUTS)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: loaded(dialog), timeout=WAIT_MS)
    conn = sqlcipher3.connect(":memory:")
    cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
    conn.close()
    about = dialog.about.text()
    for expected in (__version__, qVersion(), PySide6.__version__, cipher):
        assert expected in about
    assert "PAR form:" in about


def test_broken_forms_are_reported_not_crashed(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    empty = tmp_path / "no-forms"
    empty.mkdir()
    ctx.forms_loader = lambda: load_library(base_dir=empty)
    dialog = HelpDialog(ctx, shortcuts=())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "could not be loaded" in dialog.guidance.toPlainText(), timeout=WAIT_MS)
    assert dialog.section_list.count() == 0
    assert __version__ in dialog.about.text()


def test_f1_in_the_main_window_opens_help(qtbot, make_app, demo_vault_dir) -> None:
    from PySide6.QtWidgets import QApplication

    folder, _ = demo_vault_dir
    window, _ = make_app(folder)  # on the lock screen: help needs no unlocked vault
    window.actions["help"].trigger()

    def opened() -> list[HelpDialog]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, HelpDialog) and w.parent() is window and w.isVisible()
        ]

    qtbot.waitUntil(lambda: len(opened()) == 1, timeout=WAIT_MS)
    dialog = opened()[0]
    qtbot.waitUntil(lambda: loaded(dialog), timeout=WAIT_MS)
    assert dialog.shortcut_table.rowCount() == len(SHORTCUTS)
    window.actions["help"].trigger()  # F1 again: the same window comes forward
    assert opened() == [dialog]
    assert open_help(window.ctx, window, SHORTCUTS, section_id="health") is dialog
    assert dialog.section_list.currentItem().text() == load_library().par.section("health").title
    dialog.close()
