"""The app's one date input: typed in the forms people use, empty until set, a calendar
that opens somewhere sensible, never 1900, and refused dates said in plain words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from homestudy.validation import DateKind
from ui.widgets.date_input import DateEdit

TODAY = date(2026, 12, 2)
#: the offscreen platform cannot raise a popup or let it grab the keyboard, and says so
OFFSCREEN_POPUP = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


def _field(qtbot, kind: DateKind = DateKind.ANY, label: str = "Date of birth") -> DateEdit:
    field = DateEdit(label, kind=kind, today=lambda: TODAY)
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    return field


def _type(qtbot, field: DateEdit, text: str) -> list[object]:
    """Type ``text`` as a user would, press Enter; what ``date_changed`` sent."""
    sent: list[object] = []
    field.date_changed.connect(sent.append)
    field.line.setFocus()
    field.line.selectAll()
    QTest.keyClicks(field.line, text)
    QTest.keyClick(field.line, Qt.Key.Key_Return)
    return sent


@pytest.mark.parametrize(
    "text",
    [
        "14/03/1986",
        "14 Mar 1986",
        "14 March 1986",
        "14031986",
        "1986-03-14",
        "14Mar1986",
        "14.3.86",
    ],
)
def test_every_form_people_type_gives_the_day(qtbot, text: str) -> None:
    field = _field(qtbot, DateKind.BIRTH)
    assert _type(qtbot, field, text) == [date(1986, 3, 14)]
    assert field.value() == date(1986, 3, 14)
    assert field.line.text() == "14 Mar 1986"  # shown as the app shows dates
    assert field.message() == "" and not field.error.isVisible()


def test_empty_stays_empty_and_arrows_do_nothing_to_it(qtbot) -> None:
    field = _field(qtbot)
    field.set_value(None)
    assert field.line.text() == "" and field.value() is None
    sent: list[object] = []
    field.date_changed.connect(sent.append)
    field.line.setFocus()
    for key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_Tab):
        QTest.keyClick(field.line, key)
    field.commit()
    assert sent == [] and field.value() is None and field.line.text() == ""
    assert "1900" not in field.line.text()


def test_arrows_move_a_set_date_by_a_day_and_deleting_clears_it(qtbot) -> None:
    field = _field(qtbot)
    field.set_value(date(2026, 3, 1))
    sent: list[object] = []
    field.date_changed.connect(sent.append)
    field.line.setFocus()
    QTest.keyClick(field.line, Qt.Key.Key_Down)
    assert field.value() == date(2026, 2, 28)
    QTest.keyClick(field.line, Qt.Key.Key_Up)
    QTest.keyClick(field.line, Qt.Key.Key_Up)
    assert field.value() == date(2026, 3, 2)
    field.line.selectAll()
    QTest.keyClick(field.line, Qt.Key.Key_Delete)
    QTest.keyClick(field.line, Qt.Key.Key_Return)
    assert field.value() is None and sent[-1] is None


def test_nonsense_is_kept_as_typed_explained_and_not_sent(qtbot) -> None:
    field = _field(qtbot)
    field.set_value(date(2020, 1, 1))
    assert _type(qtbot, field, "31/02/2026") == []
    assert field.value() == date(2020, 1, 1)  # the saved date is untouched
    assert field.line.text() == "31/02/2026"  # what was typed stays, to correct it
    assert field.error.isVisible() and "14/03/1986" in field.error.text()
    assert _type(qtbot, field, "1/1/1850") == []
    assert "1850" in field.error.text()
    assert _type(qtbot, field, "3/2/2021") == [date(2021, 2, 3)]
    assert not field.error.isVisible()


def test_a_visit_done_in_the_future_is_refused_in_the_field(qtbot) -> None:
    field = _field(qtbot, DateKind.DONE, "Done on")
    tomorrow = TODAY + timedelta(days=1)
    assert _type(qtbot, field, tomorrow.strftime("%d/%m/%Y")) == []
    assert field.value() is None
    assert "cannot be after today" in field.error.text()
    assert field.line.accessibleDescription() == field.error.text()  # read out too
    assert _type(qtbot, field, TODAY.strftime("%d %B %Y")) == [TODAY]


def test_a_birth_after_today_is_refused(qtbot) -> None:
    field = _field(qtbot, DateKind.BIRTH)
    assert _type(qtbot, field, "1/1/2030") == []
    assert field.error.text() == "A date of birth cannot be after today."


def _open_calendar(qtbot, field: DateEdit):
    field.line.setFocus()
    QTest.keyClick(field.line, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: field.popup is not None and field.popup.isVisible(), timeout=5000)
    return field.popup.calendar


@OFFSCREEN_POPUP
def test_the_calendar_opens_on_a_sensible_date_never_1900(qtbot) -> None:
    born = _field(qtbot, DateKind.BIRTH)
    birth = _open_calendar(qtbot, born)
    assert birth.selectedDate().toPython() == date(1991, 12, 2)  # about 35 years back
    assert birth.maximumDate().toPython() == TODAY  # nobody is born tomorrow
    QTest.keyClick(birth, Qt.Key.Key_Escape)
    action = _field(qtbot, DateKind.DUE, "Action due by")
    due = _open_calendar(qtbot, action)
    assert due.selectedDate().toPython() == TODAY  # this month
    assert due.yearShown() != 1900
    QTest.keyClick(due, Qt.Key.Key_Escape)


@OFFSCREEN_POPUP
def test_picking_in_the_calendar_sets_the_date(qtbot) -> None:
    field = _field(qtbot, DateKind.DUE, "Action due by")
    sent: list[object] = []
    field.date_changed.connect(sent.append)
    calendar = _open_calendar(qtbot, field)
    view = calendar.focusWidget() or calendar
    QTest.keyClick(view, Qt.Key.Key_Right)  # moving about does not pick
    assert sent == [] and field.popup.isVisible()
    QTest.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(sent), timeout=5000)
    assert sent == [TODAY + timedelta(days=1)]
    assert field.line.text() == "3 Dec 2026"
    assert not field.popup.isVisible()
    # a click on a day picks it too
    calendar = _open_calendar(qtbot, field)
    view = calendar.findChild(QTableView)
    cell = view.model().index(4, 3)  # a day cell of the month shown
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(cell).center())
    qtbot.waitUntil(lambda: len(sent) == 2, timeout=5000)
    assert sent[1] == calendar.selectedDate().toPython() and not field.popup.isVisible()


@OFFSCREEN_POPUP
def test_the_default_offered_by_the_owner_is_only_where_the_calendar_opens(qtbot) -> None:
    field = _field(qtbot, DateKind.ANY, "Stage 1 ended")
    field.set_value(None, default=date(2026, 6, 1))
    assert field.line.text() == "" and field.value() is None  # never filled in by itself
    calendar = _open_calendar(qtbot, field)
    assert calendar.selectedDate().toPython() == date(2026, 6, 1)
    QTest.keyClick(calendar, Qt.Key.Key_Escape)
