"""The Case details tab, driven through its widgets and read back from a real vault.

The keyboard helpers here are shared with test_case_details_app.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import editors_support
from editors_support import choose, load, on_worker, settle, unnamed_focusable
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from homestudy.model import (
    Case,
    CheckKind,
    CheckOutcome,
    HouseholdMemberKind,
    SignificantOtherKind,
    Visit,
)
from ui.views.case_details import CONFIDENTIAL, CaseDetailsView

editor_ctx = editors_support.editor_ctx  # fixture
saved_case = editors_support.saved_case  # fixture


def page(view: Any, key: str) -> None:
    """Move to a part of the tab with the arrow keys in its list of parts."""
    target = view.page_index[key]
    view.nav.setFocus()
    while view.nav.currentRow() != target:
        down = target > view.nav.currentRow()
        QTest.keyClick(view.nav, Qt.Key.Key_Down if down else Qt.Key.Key_Up)
    assert view.current_page() == key


def type_date(optional: Any, value: date) -> None:
    """Type the date into the field as people write it, and press Enter."""
    optional.line.setFocus()
    optional.line.selectAll()
    QTest.keyClicks(optional.line, f"{value:%d/%m/%Y}")
    QTest.keyClick(optional.line, Qt.Key.Key_Return)
    assert optional.value() == value, (optional.value(), value)


def tick(check: Any) -> None:
    check.setFocus()
    QTest.keyClick(check, Qt.Key.Key_Space)


def tick_row(ticks: Any, label: str) -> None:
    """Tick the row labelled ``label`` in a list of tick boxes, by keyboard."""
    row = next(i for i in range(ticks.count()) if ticks.item(i).text() == label)
    ticks.setFocus()
    ticks.setCurrentRow(row)
    QTest.keyClick(ticks, Qt.Key.Key_Space)


def type_into(widget: Any, text: str) -> None:
    widget.setFocus()
    QTest.keyClicks(widget, text)


# --------------------------------------------------------------------------- the view alone


def _view(qtbot: Any, ctx: Any, case: Case) -> CaseDetailsView:
    view: CaseDetailsView = editors_support.details_view(qtbot, ctx, case)
    return view


def test_applicants_details_are_recorded_and_corrected(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    assert view.current_page() == "applicants"
    people = view.applicants
    assert people.table.topLevelItemCount() == 2
    assert not people.add_button.isEnabled()  # a couple: no third applicant
    people.select(saved_case.applicants[1].id)
    type_date(people.inputs["date_of_birth"], date(1984, 3, 9))
    type_into(people.inputs["ethnicity"], "Black British: Ghanaian")
    type_into(people.inputs["religion"], "Methodist")
    type_into(people.inputs["languages"], "English, Twi")
    occupation = people.inputs["occupation"]
    occupation.setFocus()
    occupation.selectAll()
    QTest.keyClicks(occupation, "Civil engineer")
    settle(qtbot, editor_ctx, view)

    stored = load(editor_ctx, qtbot, saved_case.id).applicants[1]
    assert stored.date_of_birth == date(1984, 3, 9)
    assert (stored.ethnicity, stored.religion) == ("Black British: Ghanaian", "Methodist")
    assert stored.languages == ["English", "Twi"]
    assert stored.occupation == "Civil engineer"
    assert people.table.currentItem().text(2) == "Civil engineer"

    # removing an applicant asks first; cancelling keeps both
    qtbot.mouseClick(people.remove_button, Qt.MouseButton.LeftButton)
    box = people.confirm_box
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert len(saved_case.applicants) == 2


def test_household_others_checks_and_lines_are_saved(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    # another tab saves a visit meanwhile: a whole-case save from here must keep it
    visit = Visit(1, "Joint visit: the plan")
    on_worker(editor_ctx, qtbot, lambda vault: vault.cases.save_visit(saved_case.id, visit))

    page(view, "household")
    home = view.household
    qtbot.mouseClick(home.add_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(home.inputs["name"], "Theo")
    type_date(home.inputs["date_of_birth"], date(2016, 6, 2))
    type_into(home.inputs["relationship"], "Hannah's nephew, lives with them")
    choose(home.inputs["kind"], HouseholdMemberKind.OTHER_CHILD.value)
    qtbot.mouseClick(view.add_adult_child, Qt.MouseButton.LeftButton)
    QTest.keyClicks(home.inputs["name"], "Marcus")
    assert not home.inputs["lives_in_household"].isChecked()
    # a lodger made an adult child living away stops living at home, and the box says so
    qtbot.mouseClick(home.add_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(home.inputs["name"], "Sam")
    choose(home.inputs["kind"], HouseholdMemberKind.ADULT_CHILD_AWAY.value)
    assert not home.inputs["lives_in_household"].isChecked()
    choose(home.inputs["kind"], HouseholdMemberKind.LODGER.value)
    assert home.inputs["lives_in_household"].isChecked()

    page(view, "significant_others")
    others = view.others
    qtbot.mouseClick(others.add_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(others.inputs["name"], "Chris Lowe")
    choose(others.inputs["applicant_id"], saved_case.applicants[1].id)
    tick(others.inputs["had_children_together"])
    type_into(others.inputs["notes"], "Separated 2012; one son, Marcus.")

    page(view, "stage1")
    assert CONFIDENTIAL in visible_texts_of(view)
    checks = view.checks
    qtbot.mouseClick(checks.add_button, Qt.MouseButton.LeftButton)
    choose(checks.inputs["kind"], CheckKind.LOCAL_AUTHORITY.value)
    whose = checks.inputs["person_id"]  # a person of the case, not a name typed in
    assert "Daniel Mensah" in [whose.itemText(i) for i in range(whose.count())]
    choose(whose, saved_case.applicants[1].id)
    choose(checks.inputs["outcome"], CheckOutcome.INFORMATION_DISCLOSED.value)
    type_date(checks.inputs["completed_on"], date(2026, 9, 14))
    type_into(checks.inputs["notes"], "Contact with children's services in 2009.")
    type_into(view.medical, "No health concerns affecting parenting.")
    type_into(view.training, "Engaged well; reflective about contact.")
    type_date(view.training_done, date(2026, 10, 1))

    page(view, "lines_of_enquiry")
    lines = view.lines
    qtbot.mouseClick(lines.add_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(lines.inputs["text"], "Explore the 2009 children's services contact.")
    type_into(lines.inputs["source"].lineEdit(), "Local authority check")
    tick_row(lines.inputs["par_section_ids"], "Relationships, past and present")
    settle(qtbot, editor_ctx, view)

    stored = load(editor_ctx, qtbot, saved_case.id)
    assert [v.id for v in stored.visits] == [visit.id]
    kinds = {m.name: (m.kind, m.lives_in_household) for m in stored.household}
    assert kinds == {
        "Isla": (HouseholdMemberKind.BIRTH_CHILD, True),
        "Theo": (HouseholdMemberKind.OTHER_CHILD, True),
        "Marcus": (HouseholdMemberKind.ADULT_CHILD_AWAY, False),
        "Sam": (HouseholdMemberKind.LODGER, True),
    }
    theo = next(m for m in stored.household if m.name == "Theo")
    assert theo.date_of_birth == date(2016, 6, 2)
    assert theo.relationship == "Hannah's nephew, lives with them"
    [ex] = stored.significant_others
    assert (ex.name, ex.kind, ex.applicant_id) == (
        "Chris Lowe",
        SignificantOtherKind.EX_PARTNER,
        saved_case.applicants[1].id,
    )
    assert ex.had_children_together and not ex.lived_together
    assert ex.notes == "Separated 2012; one son, Marcus."
    [check] = stored.stage1.checks
    assert (check.kind, check.subject, check.outcome, check.completed_on) == (
        CheckKind.LOCAL_AUTHORITY,
        "Daniel Mensah",
        CheckOutcome.INFORMATION_DISCLOSED,
        date(2026, 9, 14),
    )
    assert check.person_id == saved_case.applicants[1].id
    assert check.notes == "Contact with children's services in 2009."
    assert stored.stage1.medical_adviser_summary == "No health concerns affecting parenting."
    assert stored.stage1.preparation_training == "Engaged well; reflective about contact."
    assert stored.stage1.training_completed_on == date(2026, 10, 1)
    new_line = stored.lines_of_enquiry[-1]
    assert len(stored.lines_of_enquiry) == 3
    assert new_line.text == "Explore the 2009 children's services contact."
    assert new_line.source == "Local authority check"
    assert new_line.par_section_ids == ["relationships"]
    # the search index sees the new words (save_case indexes the core)
    hits = on_worker(editor_ctx, qtbot, lambda vault: vault.cases.search("children's services"))
    assert {h.kind for h in hits} >= {"check", "line_of_enquiry"}


def test_removing_a_person_with_notes_asks_first(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    page(view, "household")
    home = view.household
    type_into(home.inputs["notes"], "Year 4 at the village school.")
    qtbot.mouseClick(home.remove_button, Qt.MouseButton.LeftButton)
    box = home.confirm_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    next(b for b in box.buttons() if b.text() == "Remove household member").click()
    assert home.table.topLevelItemCount() == 0
    settle(qtbot, editor_ctx, view)
    assert load(editor_ctx, qtbot, saved_case.id).household == []


def test_reveal_lands_on_the_field_or_record(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("provisional_panel_date")
    assert view.current_page() == "dates"
    assert view.focusWidget() is view.key_dates.dates["provisional_panel_date"].check
    view.reveal("stage2_notice_on")  # set: the date itself takes the focus
    assert view.focusWidget() is view.key_dates.dates["stage2_notice_on"].edit
    view.reveal("medical_adviser_summary")
    assert view.current_page() == "stage1" and view.focusWidget() is view.medical
    member = saved_case.household[0]
    view.reveal(member.id)
    assert view.current_page() == "household"
    assert view.household.record is member
    assert view.focusWidget() is view.household.inputs["name"]
    line = saved_case.lines_of_enquiry[1]
    view.reveal(line.id)
    assert view.current_page() == "lines_of_enquiry" and view.lines.record is line
    view.reveal("no-such-thing")  # ignored
    assert view.current_page() == "lines_of_enquiry"


def test_every_input_has_a_name_and_the_dates_explain_the_clock(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    for key in view.page_index:
        page(view, key)
        assert unnamed_focusable(view) == [], key
    page(view, "dates")
    meaning = view.key_dates.meaning.text()
    assert "Stage 2 should end by" in meaning
    assert "Stage 2 day" in meaning or date.today() < saved_case.stage2_notice_on
    type_date(view.key_dates.dates["provisional_panel_date"], date(2026, 12, 1))
    assert view.key_dates.problems.isVisible()
    assert "before the Stage 2 notice" in view.key_dates.problems.text()
    assert "The applicants must have the PAR by" in view.key_dates.meaning.text()


def visible_texts_of(view: Any) -> list[str]:
    from conftest import visible_texts

    return visible_texts(view)
