"""Case details in the real app: a case made from scratch gets its household, Stage 1
and key dates here, and the overview's clock and readiness follow from the vault."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import WAIT_MS, vault_dir_with
from editors_support import on_worker
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_case_details import choose, page, tick, tick_row, type_date, type_into

from homestudy.forms import load_library
from homestudy.model import Applicant, Case, CheckKind, CheckOutcome, HouseholdMemberKind
from homestudy.readiness import assess_readiness
from homestudy.readiness_stage import CHECKS_TARGET_PREFIX
from homestudy.timeline import TimelineRules, stage2_progress

NOT_STARTED = "The Stage 2 clock has not started."


@pytest.fixture
def bare_case_dir(tmp_path):
    """A vault holding a case with names only, as an assignment or a quick start leaves it."""
    case = Case(
        reference="HS-2027-0009",
        applicants=[Applicant("Hannah", "Mensah"), Applicant("Daniel", "Mensah")],
    )
    return vault_dir_with(tmp_path / "vault", case)


def _codes(ctx, qtbot, case_id: str) -> tuple[Case, set[str], list]:
    case = on_worker(ctx, qtbot, lambda vault: vault.cases.load_case(case_id))
    findings = assess_readiness(case, load_library(), TimelineRules(), date.today())
    return case, {f.code for f in findings}, findings


def _open(qtbot, window, case_id: str):
    window.open_case(case_id)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    overview = window.workspace.views["overview"]
    qtbot.waitUntil(lambda: overview.data is not None, timeout=WAIT_MS)
    return window.workspace, overview


def test_details_drive_the_clock_and_readiness(qtbot, make_app, bare_case_dir, unlock):
    folder, case = bare_case_dir
    window, ctx = make_app(folder)
    unlock(window)
    workspace, overview = _open(qtbot, window, case.id)
    assert overview.clock_label.text() == NOT_STARTED
    _, codes, findings = _codes(ctx, qtbot, case.id)
    assert "no_stage2_start" in codes  # (no panel date is asked for once Stage 2 starts)
    assert not codes & {
        "ex_partner_not_contacted",
        "adult_child_not_contacted",
        "line_of_enquiry_not_addressed",
        "applicant_copy_not_shared",
    }

    # A finding in the area "case" opens this tab on the field it names.
    view = workspace.views["case"]
    targets = [f.fix_at.target for f in findings if f.fix_at.area == "case" and f.fix_at.target]
    assert "stage2_notice_on" in targets
    people = {a.id for a in case.applicants}
    stage1 = {"medical_adviser_summary", "training_completed_on"}
    # a check not yet recorded: the checks panel at that person
    stage1 |= {CHECKS_TARGET_PREFIX + p for p in people}
    assert stage1 & set(targets) - {"medical_adviser_summary", "training_completed_on"}
    for target in targets:
        workspace.tabs.setCurrentWidget(overview)
        workspace.show_location(f"case:{target}")
        assert workspace.current_tab() == "case"
        if target in people:
            assert view.current_page() == "applicants"
        elif target in stage1 or target.startswith("checks:"):  # a missing check: the person
            assert view.current_page() == "stage1"
        elif target == "stage":
            assert view.current_page() == "dates"
        elif target == "applicant_copy_shared_on":  # read-only: recorded at export
            assert view.current_page() == "dates"
            assert window.focusWidget() is view.key_dates.shared
            assert view.key_dates.shared.isReadOnly()
        else:
            assert view.current_page() == "dates"
            assert window.focusWidget() is view.key_dates.dates[target].check  # not set yet

    # Ctrl+2 is the Case details tab; Ctrl+1 the overview.
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert workspace.current_tab() == "overview"
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert workspace.current_tab() == "case"

    today = date.today()
    notice, panel = today - timedelta(days=30), today + timedelta(days=90)
    page(view, "dates")
    type_date(view.key_dates.dates["stage2_notice_on"], notice)
    type_date(view.key_dates.dates["provisional_panel_date"], panel)
    progress = stage2_progress(Case("x", stage2_notice_on=notice), today)
    assert f"Stage 2 day {progress[0]} of {progress[1]}." in view.key_dates.meaning.text()

    page(view, "household")
    qtbot.mouseClick(view.household.add_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(view.household.inputs["name"], "Isla")
    type_date(view.household.inputs["date_of_birth"], date(today.year - 3, 1, 15))  # under 5
    qtbot.mouseClick(view.add_adult_child, Qt.MouseButton.LeftButton)
    QTest.keyClicks(view.household.inputs["name"], "Marcus")

    page(view, "significant_others")
    qtbot.mouseClick(view.others.add_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(view.others.inputs["name"], "Chris Lowe")
    tick(view.others.inputs["lived_together"])

    page(view, "stage1")
    qtbot.mouseClick(view.checks.add_button, Qt.MouseButton.LeftButton)
    choose(view.checks.inputs["outcome"], CheckOutcome.CLEAR.value)
    type_date(view.checks.inputs["completed_on"], today - timedelta(days=60))

    page(view, "lines_of_enquiry")
    qtbot.mouseClick(view.lines.add_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(view.lines.inputs["text"], "How the wider family will support them.")
    type_into(view.lines.inputs["source"].lineEdit(), "Stage 1 references")
    tick_row(view.lines.inputs["par_section_ids"], "Social and support networks")

    # Back to the overview (leaving the tab starts the pending save): it reloads.
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    clock = f"Stage 2 day {progress[0]} of {progress[1]}"
    qtbot.waitUntil(lambda: overview.clock_label.text() == clock, timeout=WAIT_MS)
    stored, codes, findings = _codes(ctx, qtbot, case.id)
    qtbot.waitUntil(
        lambda: [e.columns[1] for e in overview.data.findings] == [f.message for f in findings],
        timeout=WAIT_MS,
    )
    assert not codes & {"no_stage2_start", "no_panel_date"}
    assert {
        "ex_partner_not_contacted",
        "adult_child_not_contacted",
        "line_of_enquiry_not_addressed",
        "applicant_copy_not_shared",
        "school_reference_missing",
        "health_visitor_reference_missing",
    } <= codes
    assert overview.clock_bar.isVisible() and overview.clock_bar.value() == progress[0]

    # What the vault holds.
    assert (stored.stage2_notice_on, stored.provisional_panel_date) == (notice, panel)
    assert [(m.name, m.kind, m.lives_in_household) for m in stored.household] == [
        ("Isla", HouseholdMemberKind.BIRTH_CHILD, True),
        ("Marcus", HouseholdMemberKind.ADULT_CHILD_AWAY, False),
    ]
    [ex] = stored.significant_others
    assert ex.name == "Chris Lowe" and ex.lived_together
    assert ex.applicant_id == case.applicants[0].id
    [check] = stored.stage1.checks
    assert (check.kind, check.subject, check.outcome) == (
        CheckKind.DBS,
        "Hannah Mensah",
        CheckOutcome.CLEAR,
    )
    assert check.person_id == case.applicants[0].id
    [line] = stored.lines_of_enquiry
    assert (line.source, line.par_section_ids) == ("Stage 1 references", ["support_network"])
    assert window.save_indicator.text().startswith("Saved at")
