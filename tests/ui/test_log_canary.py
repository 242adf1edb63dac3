"""No case content in the log: canaries through a day's work in the real app, with errors.

The app logs to a folder in ``tmp_path`` (as ``homestudy`` does to the user log folder).
A case in a real SQLCipher vault carries a unique canary in names, notes, a visit, a
reference and a PAR section. The day: a mistyped passphrase (itself a canary), unlock,
open the case, type a canary into the PAR, a tab that fails to show the case, an export
whose writer fails with the case's text in its message, an export to a folder that
cannot be written, a background job that fails unheard, an unexpected error shown to
the user, a good PDF export, lock, unlock, and "Copy diagnostic report". Then every
file in the log folder is read in UTF-8 and UTF-16: the errors are there (type, frames),
the canaries are not.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import WAIT_MS, vault_dir_with
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtTest import QTest

import homestudy.report.pdf
from homestudy.demo import build_demo_case
from homestudy.diagnostics import start_logging, stop_logging
from homestudy.model import ParSectionDraft
from ui.errors import error_message
from ui.views.export_dialog import ExportDialog
from ui.views.help import HelpDialog
from ui.workers import PoolJob

TAG = "Zqx7"
CANARIES = {
    k: f"Canary{k}{TAG}"
    for k in ("First", "Last", "Notes", "Visit", "Referee", "Par", "Typed", "Passphrase", "Error")
}


def _planted_case():
    case = build_demo_case()
    case.applicants[0].first_name = CANARIES["First"]
    case.applicants[0].last_name = CANARIES["Last"]
    case.household[0].notes = CANARIES["Notes"]
    case.visits[0].notes = CANARIES["Visit"]
    case.references[0].referee_name = CANARIES["Referee"]
    case.par_sections["health"] = ParSectionDraft("health", f"{CANARIES['Par']} is well.")
    return case


def _log_texts(folder: Path) -> list[str]:
    texts = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            texts += [
                data.decode("utf-8", "replace"),
                data.decode("utf-16-le", "replace"),
                data.decode("utf-16-be", "replace"),
            ]
    return texts


def _export(qtbot, window, target: Path, expect: str) -> ExportDialog:
    window.actions["export"].trigger()
    dialog = next(d for d in window.findChildren(ExportDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(dialog.pdf, Qt.MouseButton.LeftButton)
    dialog.destination.setText(str(target))
    signal = dialog.finished_export if expect == "done" else dialog.failed
    with qtbot.waitSignal(signal, timeout=30_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    dialog.close()
    dialog.deleteLater()
    return dialog


@pytest.mark.slow
def test_a_days_work_with_errors_leaves_no_case_content_in_the_log(
    qtbot, make_app, unlock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = start_logging(tmp_path / "logs")
    try:
        folder, case = vault_dir_with(tmp_path / "vault", _planted_case())
        window, ctx = make_app(folder)
        view = window.unlock_view
        qtbot.waitUntil(lambda: window.stack.currentWidget() is view, timeout=WAIT_MS)
        view.passphrase.setText(CANARIES["Passphrase"])
        qtbot.keyClick(view.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "not right" in view.message.text(), timeout=WAIT_MS)
        unlock(window)

        # a tab that cannot show the case (a bug): the others carry on
        def broken(_case):
            raise ValueError(f"cannot show {CANARIES['Error']}")

        window.open_case(case.id, "par:health")
        qtbot.waitUntil(
            lambda: window.workspace is not None and window.workspace.case is not None,
            timeout=WAIT_MS,
        )
        monkeypatch.setattr(window.workspace.views["visits"], "set_case", broken)
        window.actions["tab_visits"].trigger()
        qtbot.waitUntil(lambda: "visits" in window.workspace.failed_tabs, timeout=WAIT_MS)

        par = window.workspace.views["par"]
        window.actions["tab_par"].trigger()
        par.editor.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(par.editor, f" {CANARIES['Typed']}")
        qtbot.waitUntil(
            lambda: window.save_indicator.text().startswith("Saved at"), timeout=WAIT_MS
        )

        # exports: a writer bug quoting the case, a folder that is a file, then a good one
        real_render = homestudy.report.pdf.render_pdf

        def failing_render(document):
            raise RuntimeError(f"layout failed at {CANARIES['Par']}")

        monkeypatch.setattr(homestudy.report.pdf, "render_pdf", failing_render)
        _export(qtbot, window, tmp_path / "out" / "par.pdf", "failed")
        monkeypatch.setattr(homestudy.report.pdf, "render_pdf", real_render)
        (tmp_path / "a-file").write_text("x")
        _export(qtbot, window, tmp_path / "a-file" / "par.pdf", "failed")
        _export(qtbot, window, tmp_path / "par.pdf", "done")
        assert (tmp_path / "par.pdf").stat().st_size > 1000

        # a background job that fails with nobody listening, and an unexpected error shown
        def job():
            raise KeyError(CANARIES["Last"])

        ctx.pool.start(PoolJob(ctx.bridge, job))
        qtbot.waitUntil(
            lambda: "pool job failed" in (logs / "homestudy.log").read_text(encoding="utf-8"),
            timeout=WAIT_MS,
        )
        assert "unexpected" in error_message(LookupError(CANARIES["First"]))

        window.lock()
        unlock(window)
        window.show_about()
        about = window.findChild(HelpDialog)
        qtbot.mouseClick(about.copy_report, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: about.report_status.text().startswith("Copied"), timeout=WAIT_MS)
        report = QGuiApplication.clipboard().text()
        qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
        logging.getLogger("homestudy").info("end of the day")
    finally:
        stop_logging()

    texts = _log_texts(logs)
    found = [name for name, canary in CANARIES.items() for text in texts if canary in text]
    assert not found, f"case content in the log: {sorted(set(found))}"
    assert not [name for name, canary in CANARIES.items() if canary in report]
    log = (logs / "homestudy.log").read_text(encoding="utf-8")
    # the errors are there for IT: type, where, and the frames
    assert "the visits tab could not show the case: ValueError" in log
    assert "export failed while rendering pdf: RuntimeError" in log
    assert "builtins.RuntimeError (message withheld)" in log and "in failing_render" in log
    assert "pool job failed: KeyError" in log and "in job" in log
    assert "unexpected error: LookupError" in log
    assert "end of the day" in log
    assert "pool job failed: KeyError" in report
