"""An action on the checklists has an owner and the day it was done: typed and
ticked in the real form widget, saved to a real vault and read back."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QRadioButton

from homestudy.forms import completeness, load_library
from homestudy.model import Case, ChecklistAnswer
from homestudy.vault import Vault
from ui.widgets.form_inputs import DateInput
from ui.widgets.form_renderer import FormWidget

WAIT = 5_000


def _form(qtbot: Any, answers: list[ChecklistAnswer]) -> FormWidget:
    widget = FormWidget(load_library().get("health_safety"), answers, debounce_ms=50)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_an_action_gets_an_owner_and_a_done_date(qtbot: Any, vault: Vault) -> None:
    case = Case(reference="HS-ACT-1")
    vault.cases.save_case(case)
    seen: list[ChecklistAnswer] = []

    def save(answer: ChecklistAnswer) -> None:
        seen.append(answer)
        vault.cases.save_answers(case.id, [answer])

    widget = _form(qtbot, [])
    widget.answer_changed.connect(save)
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        qtbot.mouseClick(
            widget.findChild(QRadioButton, "blind_cords.no"), Qt.MouseButton.LeftButton
        )
    for name, text in (("blind_cords.action", "Fit a cleat"), ("blind_cords.owner", "Ben")):
        edit = widget.findChild(QLineEdit, name)
        assert edit is not None and edit.isVisible() and edit.accessibleName()
        with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
            qtbot.keyClicks(edit, text)
    done_on = widget.findChild(DateInput, "blind_cords.done_on")
    assert done_on is not None and done_on.iso() == ""
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        qtbot.mouseClick(widget.findChild(QCheckBox, "blind_cords.done"), Qt.MouseButton.LeftButton)
    assert done_on.iso() == QDate.currentDate().toString("yyyy-MM-dd")  # today offered
    widget.flush()

    stored = vault.cases.load_case(case.id).answers_for("health_safety")
    (cord,) = [a for a in stored if a.question_id == "blind_cords"]
    assert cord.value["owner"] == "Ben" and cord.value["action"] == "Fit a cleat"
    assert cord.value["done"] is True and cord.value["done_on"] == done_on.iso()
    (closed,) = completeness(load_library().get("health_safety"), stored).closed_actions
    assert (closed.question_id, closed.owner) == ("blind_cords", "Ben")

    # Shown again from the vault, the owner and the date are where they were left.
    again = _form(qtbot, stored)
    assert again.findChild(QLineEdit, "blind_cords.owner").text() == "Ben"
    assert again.findChild(DateInput, "blind_cords.done_on").iso() == done_on.iso()


def test_an_older_answer_keeps_its_shape_until_an_owner_is_given(qtbot: Any) -> None:
    old = {"answer": "no", "comment": "", "action": "Fit", "due": "", "done": False}
    widget = _form(qtbot, [ChecklistAnswer("health_safety", 2, "knives", old)])
    assert widget.answers()[0].value == old
