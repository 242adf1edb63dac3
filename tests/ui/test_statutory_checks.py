"""Statutory checks per person on the Case details tab's Stage 1 page: what each
applicant and adult of the household needs, recorded with the keyboard and mouse, and
read back from a real vault; readiness then agrees with what the page says."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import editors_support
from editors_support import choose, load, settle
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_case_details import page, type_date, type_into

from homestudy.forms import load_library
from homestudy.model import Case, CheckKind, CheckOutcome, HouseholdMemberKind
from homestudy.readiness import assess_readiness
from homestudy.timeline import TimelineRules
from ui.views.case_details import CaseDetailsView

editor_ctx = editors_support.editor_ctx  # fixture
saved_case = editors_support.saved_case  # fixture


def _view(qtbot: Any, ctx: Any, case: Case) -> CaseDetailsView:
    view: CaseDetailsView = editors_support.details_view(qtbot, ctx, case, size=(1300, 900))
    qtbot.waitExposed(view)
    return view


def _rows(panel: Any) -> list[tuple[str, str, str]]:
    tree = panel.needs
    return [
        tuple(tree.topLevelItem(i).text(c) for c in range(3))  # type: ignore[misc]
        for i in range(tree.topLevelItemCount())
    ]


def _status(panel: Any, person: str, check: str) -> str:
    return next(r[2] for r in _rows(panel) if r[:2] == (person, check))


def _missing_codes(case: Case) -> list[str]:
    findings = assess_readiness(case, load_library(), TimelineRules(), date.today())
    return [f.code for f in findings if f.code.startswith("statutory_check")]


def test_each_person_needs_their_checks_and_a_lodger_is_one_of_them(
    qtbot: Any, editor_ctx: Any, saved_case: Case
) -> None:
    view = _view(qtbot, editor_ctx, saved_case)
    panel = view.checks_panel
    page(view, "stage1")
    assert _rows(panel) == [
        ("Hannah Mensah", "Enhanced DBS check", "Not recorded"),
        ("Hannah Mensah", "Local authority check", "Not recorded"),
        ("Daniel Mensah", "Enhanced DBS check", "Not recorded"),
        ("Daniel Mensah", "Local authority check", "Not recorded"),
    ]  # Isla, a child, needs none
    assert panel.summary.text() == "Checks still outstanding: 4, 4 of them not yet recorded."

    # A lodger moves in: on the household page, then back to Stage 1.
    page(view, "household")
    qtbot.mouseClick(view.household.add_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(view.household.inputs["name"], "Sam Lodger")
    choose(view.household.inputs["kind"], HouseholdMemberKind.LODGER.value)
    page(view, "stage1")
    assert ("Sam Lodger", "Enhanced DBS check", "Not recorded") in _rows(panel)
    assert len(_rows(panel)) == 6

    # One click records a pending check for each one missing.
    qtbot.mouseClick(panel.add_needed, Qt.MouseButton.LeftButton)
    assert {r[2] for r in _rows(panel)} == {"Pending"}
    assert not panel.add_needed.isEnabled()

    # Record Hannah's DBS result: choose it from what she needs (Enter on the row).
    panel.needs.setFocus()
    panel.needs.setCurrentItem(panel.needs.topLevelItem(0))
    QTest.keyClick(panel.needs, Qt.Key.Key_Return)
    checks = panel.records
    assert checks.record.kind is CheckKind.DBS
    assert checks.record.person_id == saved_case.applicants[0].id
    choose(checks.inputs["outcome"], CheckOutcome.CLEAR.value)
    type_date(checks.inputs["completed_on"], date.today() - timedelta(days=30))
    hannah_dbs = ("Hannah Mensah", "Enhanced DBS check")
    assert _status(panel, *hannah_dbs) == "Not yet considered by the manager"
    type_into(checks.inputs["considered_by"], "Team manager")
    type_date(checks.inputs["considered_on"], date.today() - timedelta(days=20))
    assert _status(panel, *hannah_dbs) == "Done"
    assert _rows(panel)[-1][:2] == hannah_dbs  # what is done goes below what is not
    assert panel.summary.text() == "Checks still outstanding: 5."
    settle(qtbot, editor_ctx, view)

    stored = load(editor_ctx, qtbot, saved_case.id)
    lodger = next(m for m in stored.household if m.name == "Sam Lodger")
    by_person = {(c.person_id, c.kind): c for c in stored.stage1.checks}
    assert len(stored.stage1.checks) == 6
    assert (lodger.id, CheckKind.DBS) in by_person
    hannah_dbs = by_person[(stored.applicants[0].id, CheckKind.DBS)]
    assert hannah_dbs.outcome is CheckOutcome.CLEAR and hannah_dbs.considered_by == "Team manager"
    assert hannah_dbs.subject == "Hannah Mensah"
    # readiness says the same as the page: five checks still pending
    assert _missing_codes(stored) == ["statutory_check_pending"] * 5


def test_a_check_can_be_given_to_another_person(
    qtbot: Any, editor_ctx: Any, saved_case: Case
) -> None:
    view = _view(qtbot, editor_ctx, saved_case)
    panel = view.checks_panel
    page(view, "stage1")
    qtbot.mouseClick(panel.records.add_button, Qt.MouseButton.LeftButton)
    check = panel.records.record
    assert check.person_id == saved_case.applicants[0].id  # the first person, to start
    choose(panel.records.inputs["person_id"], saved_case.applicants[1].id)
    assert check.subject == "Daniel Mensah"
    assert _rows(panel)[2] == ("Daniel Mensah", "Enhanced DBS check", "Pending")


def test_reveal_person_selects_what_they_still_need(
    qtbot: Any, editor_ctx: Any, saved_case: Case
) -> None:
    view = _view(qtbot, editor_ctx, saved_case)
    panel = view.checks_panel
    page(view, "stage1")
    assert panel.reveal_person(saved_case.applicants[1].id)
    assert panel.needs.currentItem().text(0) == "Daniel Mensah"
    assert not panel.reveal_person("nobody")
