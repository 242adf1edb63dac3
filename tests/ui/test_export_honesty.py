"""The Export dialog keeps exports honest: it says why a copy will be marked INCOMPLETE
(with the blockers to read), never replaces a file without asking, and records the
export and "shared with the applicants" in the vault's audit trail. Real vault, real
widgets (offscreen), files read back with pypdf."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

import editors_support
import pypdf
from editors_support import choose, on_worker
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from report_helpers import accept_every_passage

from homestudy import exports
from homestudy.demo import build_demo_case
from ui.views.export_dialog import ExportDialog

editor_ctx = editors_support.editor_ctx  # fixture
WAIT_MS = 30_000


def _dialog(qtbot, ctx):
    case = accept_every_passage(build_demo_case(date(2026, 11, 20)), ctx.forms)
    on_worker(ctx, qtbot, lambda vault: vault.cases.save_case(case))
    dialog = ExportDialog(ctx, case.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(dialog.readiness.blockers), timeout=WAIT_MS)
    return dialog, case


def _set_destination(qtbot, dialog, path: Path) -> None:
    dialog.destination.setFocus()
    dialog.destination.selectAll()
    QTest.keyClicks(dialog.destination, str(path))


def _pages(path: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages]


def test_a_panel_copy_of_a_case_with_blockers_says_why_and_is_marked(qtbot, editor_ctx, tmp_path):
    dialog, case = _dialog(qtbot, editor_ctx)
    assert dialog.readiness.isVisible()
    n = len(dialog.readiness.blockers["panel"])
    assert f"{n} blockers" in dialog.readiness.text.text()
    assert "INCOMPLETE – NOT FOR PANEL" in dialog.readiness.text.text()
    qtbot.mouseClick(dialog.readiness.toggle, Qt.MouseButton.LeftButton)
    assert dialog.readiness.list.isVisible() and dialog.readiness.list.count() == n
    choose(dialog.variant, "supervisor")
    assert not dialog.readiness.isVisible()  # the draft is marked DRAFT instead
    choose(dialog.variant, "panel")
    target = tmp_path / "panel.pdf"
    _set_destination(qtbot, dialog, target)
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "Marked “INCOMPLETE – NOT FOR PANEL”" in dialog.status.text()
    assert f"{n} blockers" in dialog.status.text()
    for text in _pages(target):
        assert "INCOMPLETE – NOT FOR PANEL" in text and dialog.last_export.version in text
    assert not dialog.share.isVisible()  # only an applicants' copy is shared
    [record] = on_worker(editor_ctx, qtbot, lambda v: exports.history(v, case.id))
    assert record.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert record.incomplete and record.what == "par:panel"


def test_an_existing_file_is_never_replaced_without_asking(qtbot, editor_ctx, tmp_path):
    dialog, case = _dialog(qtbot, editor_ctx)
    target = tmp_path / "out" / "panel.pdf"
    target.parent.mkdir()
    target.write_bytes(b"the copy sent last week")
    _set_destination(qtbot, dialog, target)

    def answer(button: str) -> None:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: dialog.replace_box is not None and dialog.replace_box.isVisible(),
            timeout=WAIT_MS,
        )
        box, dialog.replace_box = dialog.replace_box, None
        assert "already a file called panel.pdf" in box.text()
        [chosen] = [b for b in box.buttons() if b.text().replace("&", "") == button]
        qtbot.mouseClick(chosen, Qt.MouseButton.LeftButton)

    answer("Cancel")
    qtbot.waitUntil(lambda: "left as it is" in dialog.status.text(), timeout=WAIT_MS)
    assert target.read_bytes() == b"the copy sent last week"
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS) as kept:
        answer("Keep both")
    second = target.with_name("panel (2).pdf")
    assert Path(kept.args[0]) == second and second.read_bytes()[:5] == b"%PDF-"
    assert target.read_bytes() == b"the copy sent last week"
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS) as replaced:
        answer("Replace")
    assert Path(replaced.args[0]) == target and target.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in target.parent.iterdir()) == ["panel (2).pdf", "panel.pdf"]
    history = on_worker(editor_ctx, qtbot, lambda v: exports.history(v, case.id))
    assert len(history) == 2  # the cancelled one was not exported, so not recorded


def test_sharing_the_applicants_copy_is_recorded_from_the_dialog(qtbot, editor_ctx, tmp_path):
    dialog, case = _dialog(qtbot, editor_ctx)
    choose(dialog.variant, "applicant")
    qtbot.mouseClick(dialog.docx, Qt.MouseButton.LeftButton)
    target = tmp_path / "applicants.docx"
    _set_destination(qtbot, dialog, target)
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.share.isVisible() and dialog.share.day() == date.today()
    with qtbot.waitSignal(dialog.shared, timeout=WAIT_MS) as shared:
        qtbot.mouseClick(dialog.share.record_button, Qt.MouseButton.LeftButton)
    assert shared.args[0] == date.today().isoformat()
    assert "was shared with the applicants on" in dialog.share.done.text()
    stored = on_worker(editor_ctx, qtbot, lambda v: v.cases.load_case(case.id))
    assert stored.applicant_copy_shared_on == date.today()
    [record] = on_worker(editor_ctx, qtbot, lambda v: exports.history(v, case.id))
    assert record.shared_on == date.today() and record.variant == "applicant"
    assert record.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()


def test_the_share_date_is_shown_not_typed(qtbot):
    from homestudy.timeline import TimelineRules
    from ui.views.case_details import DETAIL_FIELDS
    from ui.widgets.key_dates import KeyDatesPanel

    panel = KeyDatesPanel(TimelineRules())
    qtbot.addWidget(panel)
    case = build_demo_case(date(2026, 11, 20))
    case.applicant_copy_shared_on = None
    panel.set_case(case)
    assert "applicant_copy_shared_on" not in panel.dates  # no date input for it
    assert panel.shared.isReadOnly() and "Not recorded yet" in panel.shared.text()
    QTest.keyClicks(panel.shared, "1 Dec 2026")
    assert case.applicant_copy_shared_on is None and "Not recorded yet" in panel.shared.text()
    case.applicant_copy_shared_on = date(2026, 12, 1)
    panel.set_case(case)
    assert panel.shared.text().startswith("1 Dec 2026")
    # the Case details tab never saves it, so a stale tab cannot undo a recorded share
    assert "applicant_copy_shared_on" not in DETAIL_FIELDS
