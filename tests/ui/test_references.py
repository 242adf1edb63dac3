"""References, driven through their widgets and read back from the vault."""

from __future__ import annotations

from datetime import date

import editors_support
from editors_support import choose, load, settle, shown, unnamed_focusable
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from homestudy.model import (
    Case,
    ContactStatus,
    Reference,
    ReferenceKind,
    SignificantOther,
    VisitMode,
)
from ui.views.references import ReferencesView, summary_text

editor_ctx = editors_support.editor_ctx  # fixture
saved_case = editors_support.saved_case  # fixture


def _view(qtbot, ctx, case: Case) -> ReferencesView:
    return shown(qtbot, ReferencesView(ctx), case)


def test_add_a_family_referee_and_record_the_interview(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    ref_id = view.reference.id
    QTest.keyClicks(view.name_edit, "Grace Owusu")  # the new name is selected: typed over
    choose(view.kind_combo, ReferenceKind.FAMILY.value)
    view.relationship_edit.setFocus()
    QTest.keyClicks(view.relationship_edit, "Hannah's aunt")
    view.years_spin.setFocus()
    view.years_spin.selectAll()
    QTest.keyClicks(view.years_spin, "30")
    view.couple_check.setFocus()
    QTest.keyClick(view.couple_check, Qt.Key.Key_Space)
    choose(view.status_combo, ContactStatus.INTERVIEWED.value)
    QTest.keyClicks(view.interview_edit.line, date.today().strftime("%d/%m/%Y"))
    QTest.keyClick(view.interview_edit.line, Qt.Key.Key_Return)
    choose(view.mode_combo, VisitMode.VIRTUAL.value)
    view.notes_edit.setFocus()
    QTest.keyClicks(view.notes_edit, "Warm about their patience with her grandchildren.")
    settle(qtbot, editor_ctx, view)

    stored = {r.id: r for r in load(editor_ctx, qtbot, saved_case.id).references}[ref_id]
    assert stored.referee_name == "Grace Owusu"
    assert stored.kind is ReferenceKind.FAMILY
    assert stored.relationship == "Hannah's aunt"
    assert stored.years_known == 30
    assert stored.knows_as_couple is True
    assert stored.contact_status is ContactStatus.INTERVIEWED
    assert stored.interview_date == date.today()
    assert stored.interview_mode is VisitMode.VIRTUAL
    assert stored.notes == "Warm about their patience with her grandchildren."
    assert stored.applicant_ids == [a.id for a in saved_case.applicants]
    assert "Personal referees interviewed: 1 of the 3 needed" in view.summary.text()
    assert "family referee interviewed: yes" in view.summary.text()


def test_the_summary_counts_as_readiness_does(qtbot, editor_ctx, saved_case):
    """Per applicant, only what readiness counts: an employer reference only asked for is
    not one, and the number of referees needed is the agency's."""
    from homestudy.readiness import assess_readiness
    from homestudy.timeline import TimelineRules

    first, second = saved_case.applicants
    saved_case.references = [
        Reference(
            ReferenceKind.EMPLOYER,
            "Employer One",
            applicant_ids=[first.id],
            contact_status=ContactStatus.REQUESTED,
        ),
        Reference(
            ReferenceKind.EMPLOYER,
            "Employer Two",
            applicant_ids=[second.id],
            contact_status=ContactStatus.WRITTEN_RECEIVED,
        ),
    ]
    view = _view(qtbot, editor_ctx, saved_case)
    assert view.summary.text().endswith("employer reference: Applicant 1 not yet, Applicant 2 yes.")
    findings = assess_readiness(saved_case, editor_ctx.forms, view.rules, date.today())
    missing = [f.message for f in findings if f.code == "employer_reference_missing"]
    assert [m.split(" has ")[0] for m in missing] == ["Applicant 1"]
    four = TimelineRules(min_personal_referees=4)
    assert "interviewed: 0 of the 4 needed" in summary_text(
        saved_case, editor_ctx.forms, four, None
    )


def test_the_guide_for_the_kind_shows_beside_the_notes(qtbot, editor_ctx, saved_case):
    from homestudy.forms import load_library

    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    lib = load_library()
    personal = lib.reference_guide(ReferenceKind.PERSONAL)
    assert personal.questions[0].label in view.guide.toPlainText()
    choose(view.kind_combo, ReferenceKind.EMPLOYER.value)
    employer = lib.reference_guide(ReferenceKind.EMPLOYER)
    assert employer.questions[0].label in view.guide.toPlainText()
    assert view.reference.kind is ReferenceKind.EMPLOYER


def test_not_contacted_needs_the_reason_and_the_manager(qtbot, editor_ctx, saved_case):
    ex = SignificantOther("Sam Taylor", applicant_id=saved_case.applicants[0].id)
    saved_case.significant_others.append(ex)
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    ref_id = view.reference.id
    assert view.agreed_box.isHidden() and view.person_combo.isHidden()
    QTest.keyClicks(view.name_edit, "Sam Taylor")
    choose(view.kind_combo, ReferenceKind.EX_PARTNER.value)
    assert not view.person_combo.isHidden()
    choose(view.person_combo, ex.id)
    choose(view.status_combo, ContactStatus.NOT_CONTACTED_AGREED.value)
    assert not view.agreed_box.isHidden()
    view.reason_edit.setFocus()
    QTest.keyClicks(view.reason_edit, "A brief relationship twenty years ago; no children.")
    view.manager_edit.setFocus()
    QTest.keyClicks(view.manager_edit, "Priya Raman")
    settle(qtbot, editor_ctx, view)

    stored = {r.id: r for r in load(editor_ctx, qtbot, saved_case.id).references}[ref_id]
    assert stored.kind is ReferenceKind.EX_PARTNER
    assert stored.person_id == ex.id
    assert stored.contact_status is ContactStatus.NOT_CONTACTED_AGREED
    assert stored.not_contacted_reason == "A brief relationship twenty years ago; no children."
    assert stored.manager_decision_by == "Priya Raman"

    view.reveal(ex.id)  # a readiness finding about the ex-partner opens this reference
    assert view.reference.id == ref_id


def test_remove_a_referee_without_notes(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    keep = view.reference.id
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    gone = view.reference.id
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    settle(qtbot, editor_ctx, view)
    stored = [r.id for r in load(editor_ctx, qtbot, saved_case.id).references]
    assert stored == [keep] and gone not in stored
    assert view.table.topLevelItemCount() == 1


def test_every_control_has_an_accessible_name(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    assert unnamed_focusable(view) == []
