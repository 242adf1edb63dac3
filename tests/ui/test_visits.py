"""The visit planner and record, driven through its widgets, read back from the vault."""

from __future__ import annotations

from datetime import date, timedelta

import editors_support
from editors_support import load, settle, shown, unnamed_focusable
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from homestudy.forms import load_library
from homestudy.model import Case, VisitMode
from homestudy.workdays import add_months, is_working_day
from ui.views.visit_planning import plan_visits, split_visit, spread_dates
from ui.views.visits import VisitsView

PLANNED = len(load_library().visit_plan.visits)  # the default plan's visits (11 since v2)

editor_ctx = editors_support.editor_ctx  # fixture
saved_case = editors_support.saved_case  # fixture


def _view(qtbot, ctx, case: Case) -> VisitsView:
    return shown(qtbot, VisitsView(ctx), case)


def test_plan_from_template_spreads_six_or_more_visits(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.plan_button, Qt.MouseButton.LeftButton)
    settle(qtbot, editor_ctx, view)

    stored = sorted(load(editor_ctx, qtbot, saved_case.id).visits, key=lambda v: v.sequence)
    assert len(stored) == PLANNED >= 6
    assert [v.sequence for v in stored] == list(range(1, PLANNED + 1))
    hannah, daniel = saved_case.applicants
    assert stored[1].title == "Hannah alone" and stored[1].who_seen == [hannah.id]
    assert stored[2].who_seen == [daniel.id]
    household = next(v for v in stored if v.template_visit_id == "v5_joint_network")
    assert saved_case.household[0].id in household.who_seen  # the household visit
    assert stored[4].template_visit_id == "v_midway_review"  # after the first four
    start = saved_case.stage2_notice_on
    dates = [v.planned_date for v in stored]
    assert dates == sorted(dates) and all(is_working_day(d) for d in dates)
    assert start < dates[0] and dates[-1] < add_months(start, 4)
    assert view.table.topLevelItemCount() == PLANNED
    assert f"0 of {PLANNED} visits done" in view.summary.text()

    # Planning again adds nothing twice.
    qtbot.mouseClick(view.plan_button, Qt.MouseButton.LeftButton)
    assert len(saved_case.visits) == PLANNED


def test_record_a_visit_through_the_keyboard(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.plan_button, Qt.MouseButton.LeftButton)
    view.select_visit(sorted(saved_case.visits, key=lambda v: v.sequence)[0].id)
    visit_id = view.visit.id

    view.title_edit.selectAll()
    QTest.keyClicks(view.title_edit, "First joint visit")
    view.notes_edit.setFocus()
    QTest.keyClicks(view.notes_edit, "Talked about the plan; the colour scheme of the spare room.")
    view.mode_combo.setFocus()
    QTest.keyClick(view.mode_combo, Qt.Key.Key_Down)  # In person -> Virtual
    people_label = view.details.layout().labelForField(view.people_list)
    assert people_label.text() == "&Who will be seen:"  # a planned visit
    qtbot.mouseClick(view.done_today, Qt.MouseButton.LeftButton)
    assert people_label.text() == "&Who was seen:"  # held today
    assert view.people_list.accessibleName() == "Who was seen"
    # Untick Hannah from who was seen: the space bar on the list's current row.
    view.people_list.setFocus()
    view.people_list.setCurrentRow(0)
    QTest.keyClick(view.people_list, Qt.Key.Key_Space)
    settle(qtbot, editor_ctx, view)

    stored = {v.id: v for v in load(editor_ctx, qtbot, saved_case.id).visits}[visit_id]
    assert stored.title == "First joint visit"
    assert stored.notes == "Talked about the plan; the colour scheme of the spare room."
    assert stored.mode is VisitMode.VIRTUAL
    assert stored.done_date == date.today()
    assert stored.who_seen == [saved_case.applicants[1].id]
    assert view.table.currentItem().text(1) == "First joint visit"
    assert f"1 of {PLANNED} visits done" in view.summary.text()


def test_notes_are_saved_while_typing_and_flushed_on_hide(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    visit_id = view.visit.id
    view.notes_edit.setFocus()
    QTest.keyClicks(view.notes_edit, "Seen in the kitchen")
    view.hide()  # hiding (tab change, lock, close) starts the pending save at once
    qtbot.waitUntil(lambda: view.saver.idle and not editor_ctx.db.busy, timeout=10_000)
    stored = {v.id: v for v in load(editor_ctx, qtbot, saved_case.id).visits}[visit_id]
    assert stored.notes == "Seen in the kitchen"


def test_reorder_split_add_and_remove(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.plan_button, Qt.MouseButton.LeftButton)
    first = view.visit
    qtbot.mouseClick(view.down_button, Qt.MouseButton.LeftButton)
    assert first.sequence == 2 and view.visit is first

    topics = list(first.topics)
    qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    new = view.visit
    assert new is not first and new.sequence == 3
    assert first.topics + new.topics == topics and new.title.endswith("(continued)")

    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    added = view.visit
    assert added.sequence == PLANNED + 2
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)  # no notes: no question
    settle(qtbot, editor_ctx, view)

    stored = sorted(load(editor_ctx, qtbot, saved_case.id).visits, key=lambda v: v.sequence)
    assert [v.sequence for v in stored] == list(range(1, PLANNED + 2))
    assert added.id not in {v.id for v in stored}
    by_id = {v.id: v for v in stored}
    assert by_id[first.id].sequence == 2 and by_id[new.id].topics == new.topics


def test_reveal_selects_a_visit_or_the_applicants_alone_visit(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.plan_button, Qt.MouseButton.LeftButton)
    daniel = saved_case.applicants[1]
    view.reveal(daniel.id)
    assert view.visit.who_seen == [daniel.id]
    last = max(saved_case.visits, key=lambda v: v.sequence)
    view.reveal(last.id)
    assert view.visit is last
    view.reveal("no-such-id")  # ignored
    assert view.visit is last


def test_single_applicant_gets_no_second_applicant_visit(saved_case):
    saved_case.applicants = saved_case.applicants[:1]
    visits = plan_visits(saved_case, load_library().visit_plan, date(2027, 1, 4))
    assert len(visits) == PLANNED - 1
    assert all(v.template_visit_id != "v3_applicant2_alone" for v in visits)


def test_spread_dates_are_working_days_inside_the_period():
    start = date(2026, 12, 14)  # Christmas and New Year fall inside
    dates = spread_dates(start, 8)
    assert len(dates) == 8 and all(is_working_day(d) for d in dates)
    assert dates[0] >= start + timedelta(days=7) and dates[-1] < add_months(start, 4)
    assert date(2026, 12, 25) not in dates


def test_split_keeps_a_single_topic_in_both(saved_case):
    from homestudy.model import Visit

    visit = Visit(sequence=1, title="Home", topics=["home_safety"], planned_date=date(2027, 2, 1))
    new = split_visit(visit)
    assert visit.topics == new.topics == ["home_safety"]
    assert new.planned_date == date(2027, 2, 15)


def test_every_control_has_an_accessible_name(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    assert unnamed_focusable(view) == []


def test_removing_a_visit_with_notes_asks_first(qtbot, editor_ctx, saved_case):
    from PySide6.QtWidgets import QMessageBox

    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    visit = view.visit
    view.notes_edit.setFocus()
    QTest.keyClicks(view.notes_edit, "Important notes")
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    box = view.confirm_box
    assert box.isVisible() and visit in saved_case.visits
    with qtbot.waitSignal(box.finished):
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert visit in saved_case.visits  # cancelled: kept

    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    box = view.confirm_box
    remove = next(b for b in box.buttons() if b.text() == "Remove visit")
    with qtbot.waitSignal(box.finished):
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    settle(qtbot, editor_ctx, view)
    assert visit.id not in {v.id for v in load(editor_ctx, qtbot, saved_case.id).visits}
