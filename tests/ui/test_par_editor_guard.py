"""The confidentiality guard in the PAR editor: flagged passages marked in the text, and
reviewed with the panel's buttons (read back from the vault and from readiness)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import editors_support
from editors_support import load, on_worker, settle
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat

from homestudy.demo import build_demo_case
from homestudy.model import ChecklistAnswer
from homestudy.readiness import assess_readiness
from homestudy.report.confidentiality import plain_passage
from homestudy.timeline import TimelineRules
from ui.views.par_editor import ParEditorView

editor_ctx = editors_support.editor_ctx  # fixture
TODAY = date(2026, 11, 20)
CODE = "shared_passage_unreviewed"
SHOTS = Path(os.environ.get("HOMESTUDY_SHOTS", "/tmp/shots"))


def _open(qtbot, ctx):
    case = build_demo_case(TODAY)
    on_worker(ctx, qtbot, lambda vault: vault.cases.save_case(case))
    case = load(ctx, qtbot, case.id)
    view = ParEditorView(ctx)
    qtbot.addWidget(view)
    view.set_case(case)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    return view, case


def _targets(case, ctx) -> set[str]:
    findings = assess_readiness(case, ctx.forms, TimelineRules(), TODAY)
    return {f.fix_at.target for f in findings if f.code == CODE}


def _marked_at(view, position: int) -> list[tuple[int, object]]:
    """(background alpha, underline style) of each extra selection over ``position``."""
    out = []
    for selection in view.editor.extraSelections():
        cursor, fmt = selection.cursor, selection.format
        if cursor.selectionStart() <= position < cursor.selectionEnd():
            out.append((fmt.background().color().alpha(), fmt.underlineStyle()))
    return out


def test_a_flagged_passage_is_marked_and_moves_to_the_confidential_references(qtbot, editor_ctx):
    view, case = _open(qtbot, editor_ctx)
    target = next(t for t in sorted(_targets(case, editor_ctx)) if t.startswith("relationships/"))
    view.reveal(target)
    assert view.section_id == "relationships"
    assert view.passages.isVisible() and view.flags
    flag = view.passages.current
    assert flag is not None and f"passage:{flag.key}" in target
    assert view.focusWidget() is view.passages.list  # keyboard: straight to the list

    # the passage is marked in the text where it is
    text = view.editor.document().toPlainText()
    where = text.index(plain_passage(flag.text))
    ((alpha, underline),) = _marked_at(view, where + 1)
    assert alpha > 0 and underline == QTextCharFormat.UnderlineStyle.WaveUnderline
    assert view.editor.textCursor().selectedText() == plain_passage(flag.text)
    unmarked = text.index("Hannah and Daniel met in 2014")  # the opening names no one else
    assert _marked_at(view, unmarked) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SHOTS / "guard.png"))

    before = len(view.flags)
    qtbot.mouseClick(view.passages.move_button, Qt.MouseButton.LeftButton)
    assert flag.key not in {f.key for f in view.flags}
    assert len(view.flags) == before - 1
    assert plain_passage(flag.text) not in view.editor.document().toPlainText()
    assert f"relationships/passage:{flag.key}" not in _targets(view.case, editor_ctx)
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, case.id)
    assert flag.text not in stored.par_sections["relationships"].text
    assert plain_passage(flag.text) in stored.par_sections["references_summary"].text
    assert f"relationships/passage:{flag.key}" not in _targets(stored, editor_ctx)


def test_may_be_shared_is_recorded_with_its_note_by_keyboard(qtbot, editor_ctx):
    view, case = _open(qtbot, editor_ctx)
    view.reveal("pen_picture")
    flag = next(f for f in view.flags if f.who == ("Isla Mensah-Whitfield",))
    view.reveal(f"pen_picture/passage:{flag.key}")
    assert view.passages.current == flag
    qtbot.keyClick(view.passages.list, Qt.Key.Key_Tab)
    assert view.focusWidget() is view.passages.note
    qtbot.keyClicks(view.passages.note, "Their own daughter")
    qtbot.keyClick(view.passages.note, Qt.Key.Key_Tab)
    assert view.focusWidget() is view.passages.share_button
    qtbot.keyClick(view.passages.share_button, Qt.Key.Key_Space)
    assert flag.key not in {f.key for f in view.flags}
    assert "1 already recorded as may be shared" in view.passages.summary.text()
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, case.id)
    (review,) = stored.par_sections["pen_picture"].shared_text_reviews
    assert (review.key, review.note, review.by) == (flag.key, "Their own daughter", "Priya Raman")
    assert f"pen_picture/passage:{flag.key}" not in _targets(stored, editor_ctx)


def test_typing_a_name_flags_it_and_confidential_sections_have_no_panel(qtbot, editor_ctx):
    view, _case = _open(qtbot, editor_ctx)
    view.reveal("references_summary")
    assert not view.passages.isVisible() and view.editor.extraSelections() == []
    view.reveal("matching")  # empty in the demo
    assert view.passages.isVisible() and view.flags == []
    view.editor.setFocus()
    qtbot.keyClicks(view.editor, "Marcus Adeyemi will help.")
    assert [f.who for f in view.flags] == [("Marcus Adeyemi",)]
    assert _marked_at(view, 3)
    view.editor.setExtraSelections([])  # what the find bar does when it closes
    assert _marked_at(view, 3)  # the flags stay marked


def test_the_medical_summary_follows_the_cases_agency_rule(
    qtbot, editor_ctx, tmp_path, monkeypatch
):
    """An agency that withholds the medical adviser's summary from the applicants: the
    editor does not ask for its passages to be reviewed, as its exports do not; the same
    text in a case of the laptop's own is shared, so it does."""
    from readiness_helpers import add_agency_profile

    from homestudy.model import AgencyProfile

    monkeypatch.setenv("HOMESTUDY_FORM_OVERRIDES", str(tmp_path))
    (tmp_path / "withholds").mkdir()
    (tmp_path / "withholds" / "rules.yaml").write_text(
        "version: 1\nmedical_summary_shared: false\n", encoding="utf-8"
    )
    profile = AgencyProfile(name="Withholds", agency_id="WH", form_overrides="withholds")
    on_worker(editor_ctx, qtbot, lambda vault: add_agency_profile(vault, profile))
    view, case = _open(qtbot, editor_ctx)
    referee = case.references[0].referee_name
    case.section("medical_summary").text = f"{referee} told us about Hannah's asthma."
    view.set_case(case)
    view.reveal("medical_summary")
    assert view.section_id == "medical_summary"
    assert view.passages.isVisible() and view.flags  # the laptop's own case: shared

    case.agency_profile_id = profile.id
    view.set_case(case)
    view.reveal("medical_summary")
    qtbot.waitUntil(lambda: not view.passages.isVisible(), timeout=10_000)
    assert view.flags == []


def test_a_passage_in_a_sections_details_is_listed_and_may_be_shared(qtbot, editor_ctx):
    case = build_demo_case(TODAY)
    par = editor_ctx.forms.par
    case.checklist_answers.append(
        ChecklistAnswer(
            par.id,
            par.version,
            "vulnerabilities",
            {"vulnerability": "Temper", "evidence": "Claire Robson told me he punched a wall."},
            "",
            7,
        )
    )
    on_worker(editor_ctx, qtbot, lambda vault: vault.cases.save_case(case))
    case = load(editor_ctx, qtbot, case.id)
    view = ParEditorView(editor_ctx)
    qtbot.addWidget(view)
    view.set_case(case)
    view.show()
    qtbot.waitExposed(view)
    view.reveal("strengths_vulnerabilities")
    flag = next(f for f in view.flags if f.field)
    assert f"strengths_vulnerabilities/passage:{flag.key}" in _targets(case, editor_ctx)
    view.reveal(f"strengths_vulnerabilities/passage:{flag.key}")
    item = view.passages.list.currentItem().text()
    assert "In the details, Vulnerabilities: Evidence:" in item and "punched a wall" in item
    assert not view.passages.move_button.isEnabled()  # reworded there or accepted, not moved
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SHOTS / "guard_details.png"))
    assert view.passages.share_button.isEnabled()
    qtbot.mouseClick(view.passages.share_button, Qt.MouseButton.LeftButton)
    assert flag.key not in {f.key for f in view.flags}
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, case.id)
    assert f"strengths_vulnerabilities/passage:{flag.key}" not in _targets(stored, editor_ctx)


def test_a_passage_that_names_no_one_says_what_it_reports(qtbot, editor_ctx):
    view, _case = _open(qtbot, editor_ctx)
    view.reveal("matching")  # empty in the demo
    view.editor.setFocus()
    qtbot.keyClicks(view.editor, "His ex-wife described him as controlling.")
    assert [f.kind for f in view.flags] == ["source"]
    assert view.passages.list.item(0).text() == (
        "Reports someone else — “His ex-wife described him as controlling.”"
    )
