"""The Export dialog, driven through its widgets; the files read back with python-docx/pypdf."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import editors_support
import pypdf
from editors_support import choose, on_worker
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest

from homestudy.demo import build_demo_case
from homestudy.report.confidentiality import record_may_share, unreviewed_flags
from ui.views.export_dialog import ExportDialog

editor_ctx = editors_support.editor_ctx  # fixture
WAIT_MS = 30_000


def _dialog(qtbot, ctx, tmp_path: Path, *, reviewed: bool = True):
    case = build_demo_case(date(2026, 11, 20))
    if reviewed:  # every flagged passage of the shared sections recorded as may be shared
        for flag in unreviewed_flags(case, ctx.forms):
            record_may_share(case, flag, by="test")
    on_worker(ctx, qtbot, lambda vault: vault.cases.save_case(case))
    dialog = ExportDialog(ctx, case.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=WAIT_MS)
    return dialog, case


def _set_destination(qtbot, dialog, path: Path) -> None:
    dialog.destination.setFocus()
    dialog.destination.selectAll()
    QTest.keyClicks(dialog.destination, str(path))


def test_export_the_applicants_copy_as_docx(qtbot, editor_ctx, tmp_path):
    dialog, case = _dialog(qtbot, editor_ctx, tmp_path)
    assert case.reference in dialog.destination.text()  # a sensible default name
    assert "Hannah" not in dialog.destination.text()  # never a person's name
    choose(dialog.variant, "applicant")
    qtbot.mouseClick(dialog.docx, Qt.MouseButton.LeftButton)
    target = tmp_path / "out" / "applicants.docx"
    _set_destination(qtbot, dialog, target)
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        assert dialog.progress.isVisible()  # busy while the pool works
    assert Path(blocker.args[0]) == target and target.exists()
    assert not dialog.progress.isVisible() and dialog.open_folder.isEnabled()
    assert "Saved applicants.docx" in dialog.status.text()
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(target.read_bytes())).paragraphs)
    assert "This section is confidential and has been removed" in body
    assert case.stage1.medical_adviser_summary[:50] in body  # their own health: shared
    assert sorted(p.name for p in target.parent.iterdir()) == ["applicants.docx"]


def test_the_applicants_copy_waits_for_flagged_passages_and_opens_the_first(
    qtbot, editor_ctx, tmp_path
):
    dialog, case = _dialog(qtbot, editor_ctx, tmp_path, reviewed=False)
    choose(dialog.variant, "applicant")
    target = tmp_path / "out" / "applicants.pdf"
    _set_destination(qtbot, dialog, target)
    assert not dialog.open_passage.isVisible()
    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    message = blocker.args[0]
    assert "cannot be exported yet" in message and "and 12 more" in message
    assert "Claire" not in message  # counts and section titles only
    assert message in dialog.status.text() and dialog.open_passage.isVisible()
    assert not target.exists()
    with qtbot.waitSignal(editor_ctx.events.open_requested, timeout=WAIT_MS) as opened:
        QTest.keyClick(dialog.open_passage, Qt.Key.Key_Space)
    assert opened.args[0] == case.id and opened.args[1].startswith("par:cover/passage:")
    assert not dialog.isVisible()


def test_export_checklists_as_pdf_and_open_the_folder(qtbot, editor_ctx, tmp_path):
    dialog, _case = _dialog(qtbot, editor_ctx, tmp_path)
    choose(dialog.what, "checklists")
    assert not dialog.variant.isEnabled()  # copies are for the PAR only
    target = tmp_path / "checklists.pdf"
    _set_destination(qtbot, dialog, target)
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS):
        qtbot.keyClick(dialog.destination, Qt.Key.Key_Return)  # Export is the default
    reader = pypdf.PdfReader(io.BytesIO(target.read_bytes()))
    assert all("OFFICIAL-SENSITIVE" in page.extract_text() for page in reader.pages)

    class Catcher(QObject):  # Qt's own hook for file: URLs, so no file manager opens
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[QUrl] = []

        @Slot(QUrl)
        def take(self, url: QUrl) -> None:
            self.urls.append(url)

    catcher = Catcher()
    QDesktopServices.setUrlHandler("file", catcher, "take")
    try:
        qtbot.mouseClick(dialog.open_folder, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(u.toLocalFile()) for u in catcher.urls] == [tmp_path]


def test_a_visit_record_and_a_failed_export(qtbot, editor_ctx, tmp_path):
    dialog, case = _dialog(qtbot, editor_ctx, tmp_path)
    visit = case.visits[0]
    choose(dialog.what, f"visit:{visit.id}")
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    _set_destination(qtbot, dialog, blocker_file / "visit.pdf")
    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as failed:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "could not save the export there" in failed.args[0]
    assert dialog.export_button.isEnabled() and not dialog.open_folder.isEnabled()
    target = tmp_path / "visit.docx"
    qtbot.mouseClick(dialog.docx, Qt.MouseButton.LeftButton)
    _set_destination(qtbot, dialog, target)
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(target.read_bytes())).paragraphs)
    assert visit.title in body
