"""The generic form renderer, driven through its real widgets (offscreen).

The health and safety checklist and the pet assessment are filled with clicks and
key presses; every answer the widget emits is saved to a real vault (as the
workspace's DB worker would) and read back from it.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextEdit,
    QToolButton,
    QWidget,
)

from homestudy.forms import QuestionType, completeness, load_library
from homestudy.model import Animal, Case, ChecklistAnswer
from homestudy.vault import Vault
from ui.widgets.form_inputs import DateInput
from ui.widgets.form_renderer import ACTION_MESSAGE, REQUIRED_MESSAGE, FormWidget
from ui.widgets.markdown_editor import MarkdownEditor

WAIT = 5_000


class Saver:
    """Saves each emitted answer to the vault at once, as the DB worker would."""

    def __init__(self, vault: Vault, case: Case) -> None:
        self.vault, self.case = vault, case
        self.seen: list[ChecklistAnswer] = []

    def __call__(self, answer: ChecklistAnswer) -> None:
        self.seen.append(answer)
        self.vault.cases.save_answers(self.case.id, [answer])


def _form(
    qtbot: Any,
    form_id: str,
    answers: list[ChecklistAnswer] | None = None,
    subject_id: str = "",
    debounce_ms: int = 150,
) -> FormWidget:
    widget = FormWidget(
        load_library().get(form_id), answers or [], subject_id=subject_id, debounce_ms=debounce_ms
    )
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _child(widget: QWidget, cls: type, name: str) -> Any:
    found = widget.findChild(cls, name)
    assert found is not None, name
    return found


def _click(qtbot: Any, widget: FormWidget, cls: type, name: str) -> None:
    button = _child(widget, cls, name)
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot: Any, widget: FormWidget, cls: type, name: str, text: str) -> None:
    edit = _child(widget, cls, name)
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        qtbot.keyClicks(edit, text)


def test_fill_health_and_safety_and_read_it_back_from_the_vault(qtbot: Any, vault: Vault) -> None:
    case = Case(reference="HS-TEST-0001")
    vault.cases.save_case(case)
    saver = Saver(vault, case)
    form = load_library().get("health_safety")
    widget = _form(qtbot, "health_safety")
    widget.answer_changed.connect(saver)
    tenure = _child(widget, QComboBox, "tenure")
    tenure.setFocus()
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        qtbot.keyClicks(tenure, "Rented")  # tenants: the landlord's gas certificate
    assert tenure.currentData() == "tenant"
    assert widget.group_boxes["tenancy"].isVisible()
    assert not widget.group_boxes["owner_occupied"].isVisible()

    items = [
        q
        for q in form.questions
        if q.type is QuestionType.YES_NO_NA and form.group_of(q.id).id != "owner_occupied"
    ]
    for q in items:
        _click(qtbot, widget, QRadioButton, f"{q.id}.{'no' if q.id == 'blind_cords' else 'yes'}")
    _type(qtbot, widget, QLineEdit, "smoke_alarms.comment", "Tested on both floors")
    # a 'no' shows the action row and asks for an action beside the field
    assert widget.validation_message("blind_cords") == ACTION_MESSAGE
    _type(qtbot, widget, QLineEdit, "blind_cords.action", "Fit a cleat")
    assert widget.validation_message("blind_cords") == ""
    due = _child(widget, DateInput, "blind_cords.due")
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):  # typed as people write it
        qtbot.keyClicks(due.line, "1/12/2026")
        qtbot.keyClick(due.line, Qt.Key.Key_Return)
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        _child(widget, DateInput, "checked_on").set_text("20 Nov 2026")
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        _child(widget, DateInput, "gone_through_on").set_text("20 Nov 2026")
    _type(qtbot, widget, QLineEdit, "seen_by", "A. Assessor")

    stored = vault.cases.load_case(case.id).answers_for("health_safety")
    by_id = {a.question_id: a.value for a in stored}
    assert by_id["smoke_alarms"]["answer"] == "yes"
    assert by_id["smoke_alarms"]["comment"] == "Tested on both floors"
    assert by_id["blind_cords"] == {
        "answer": "no",
        "comment": "",
        "action": "Fit a cleat",
        "due": "2026-12-01",
        "done": False,
    }
    assert by_id["checked_on"] == "2026-11-20" and by_id["seen_by"] == "A. Assessor"
    result = completeness(form, stored)
    assert result.missing_required == ()
    assert [(a.question_id, a.action, str(a.due)) for a in result.open_actions] == [
        ("blind_cords", "Fit a cleat", "2026-12-01")
    ]

    _click(qtbot, widget, QCheckBox, "blind_cords.done")
    stored = vault.cases.load_case(case.id).answers_for("health_safety")
    assert completeness(form, stored).is_complete


def test_fill_the_pet_assessment_for_a_dog_and_read_it_back(qtbot: Any, vault: Vault) -> None:
    dog = Animal(name="Biscuit", species="dog", breed="")
    case = Case(reference="HS-TEST-0002", animals=[dog])
    vault.cases.save_case(case)
    saver = Saver(vault, case)
    form = load_library().get("pet_assessment")
    widget = _form(qtbot, "pet_assessment", subject_id=dog.id)
    widget.answer_changed.connect(saver)
    dog_box = widget.group_boxes["dog_assessment"]
    assert not dog_box.isVisible()  # no species yet

    species = _child(widget, QComboBox, "species")
    species.setFocus()
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        qtbot.keyClicks(species, "Dog")
    assert species.currentData() == "dog"
    assert dog_box.isVisible()

    assert widget.findChild(QLineEdit, "breed") is None  # kept on the animal's record

    for qid in (
        "temperament",
        "supervision_plan",
        "separation_plan",
        "reaction_handling",
        "reaction_children",
        "reaction_visitors",
        "worker_observation",
        "clash_plan",
        "dog_reaction_to_children",
        "dog_conclusion",
    ):
        _type(qtbot, widget, MarkdownEditor, qid, f"Notes on {qid.replace('_', ' ')}.")
    for qid, text in (
        ("sleeps", "Crate in the utility room"),
        ("owned_since", "Five years"),
        ("who_walks", "Both; on the lead near roads"),
    ):
        _type(qtbot, widget, QLineEdit, qid, text)
    rating = _child(widget, QComboBox, "risk_rating")
    rating.setFocus()
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        qtbot.keyClicks(rating, "Low")
    for qid in ("bite_history", "dog_type_judgement", "police_council_involvement"):
        _click(qtbot, widget, QRadioButton, f"{qid}.no")
    for qid in (
        "vaccinations_up_to_date",
        "microchipped",
        "dog_obeys_commands",
        "dog_left_alone",
        "dog_insured",
    ):
        _click(qtbot, widget, QRadioButton, f"{qid}.yes")
    _click(qtbot, widget, QRadioButton, "dog_guards_food_toys.no")
    _click(qtbot, widget, QRadioButton, "dog_exemption_certificate.not_applicable")
    _type(qtbot, widget, QLineEdit, "age_years", "5")
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        _child(widget, DateInput, "assessed_on").set_text("20112026")

    loaded = vault.cases.load_case(case.id)
    stored = loaded.answers_for("pet_assessment", dog.id)
    assert not loaded.answers_for("pet_assessment")  # nothing saved without the animal's id
    values = {a.question_id: a.value for a in stored}
    assert values["species"] == "dog" and values["risk_rating"] == "low"
    assert values["age_years"] == 5
    assert values["bite_history"]["answer"] == "no"
    result = completeness(form, stored, dog.id)
    assert result.is_complete and result.flags == ()


def test_typing_is_debounced_into_one_answer(qtbot: Any) -> None:
    widget = _form(qtbot, "health_safety", debounce_ms=200)
    seen: list[ChecklistAnswer] = []
    widget.answer_changed.connect(seen.append)
    with qtbot.waitSignal(widget.answer_changed, timeout=WAIT):
        qtbot.keyClicks(_child(widget, QLineEdit, "seen_by"), "Sam Smith")
    assert [a.value for a in seen] == ["Sam Smith"]


def test_flush_sends_pending_typing_at_once(qtbot: Any) -> None:
    widget = _form(qtbot, "health_safety", debounce_ms=60_000)
    seen: list[ChecklistAnswer] = []
    widget.answer_changed.connect(seen.append)
    qtbot.keyClicks(_child(widget, QLineEdit, "seen_by"), "Jo")
    assert seen == []
    widget.flush()
    assert [(a.question_id, a.value) for a in seen] == [("seen_by", "Jo")]


def test_table_rows_add_fill_and_remove(qtbot: Any) -> None:
    existing = [
        ChecklistAnswer("par_england", 1, "household_members", {"name": "Isla"}, row=0),
        ChecklistAnswer("par_england", 1, "household_members", {"name": "Joshua"}, row=1),
    ]
    widget = _form(qtbot, "par_england", existing)
    seen: list[ChecklistAnswer] = []
    widget.answer_changed.connect(seen.append)
    assert _child(widget, QLineEdit, "household_members[1].name").text() == "Joshua"
    qtbot.mouseClick(
        _child(widget, QPushButton, "household_members.add"), Qt.MouseButton.LeftButton
    )
    _type(qtbot, widget, QLineEdit, "household_members[2].name", "Nan")
    assert (seen[-1].row, seen[-1].value["name"]) == (2, "Nan")
    seen.clear()
    qtbot.mouseClick(
        _child(widget, QPushButton, "household_members[0].remove"), Qt.MouseButton.LeftButton
    )
    # later rows move up and the last row is cleared
    assert [(a.row, a.value and a.value["name"]) for a in seen] == [
        (0, "Joshua"),
        (1, "Nan"),
        (2, None),
    ]
    assert widget.findChild(QLineEdit, "household_members[2].name") is None


def test_number_out_of_range_is_shown_and_not_saved(qtbot: Any) -> None:
    widget = _form(qtbot, "par_england")
    seen: list[ChecklistAnswer] = []
    widget.answer_changed.connect(seen.append)
    qtbot.keyClicks(_child(widget, QLineEdit, "number_of_children"), "9")
    assert widget.validation_message("number_of_children") == "Enter a number no more than 6."
    widget.flush()
    assert seen == []
    edit = _child(widget, QLineEdit, "number_of_children")
    edit.selectAll()
    _type(qtbot, widget, QLineEdit, "number_of_children", "2")
    assert seen[-1].value == 2
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    widget.flush()
    assert widget.validation_message("number_of_children") == REQUIRED_MESSAGE


def test_archived_answers_are_shown_read_only(qtbot: Any) -> None:
    old = ChecklistAnswer(
        "health_safety",
        1,
        "pond_fenced",
        {"answer": "no", "comment": "Pond by the shed"},
        archived=True,
    )
    widget = _form(qtbot, "health_safety", [old])
    box = _child(widget, QPlainTextEdit, "archived.pond_fenced[0]")
    assert box.isReadOnly() and "Pond by the shed" in box.toPlainText()
    assert box.accessibleName().endswith("(archived, read-only)")


def test_help_is_shown_on_demand(qtbot: Any) -> None:
    widget = _form(qtbot, "health_safety")
    row = widget.rows["smoke_alarms"]
    assert row.help_button is not None and not row.help_label.isVisible()
    qtbot.mouseClick(row.help_button, Qt.MouseButton.LeftButton)
    assert row.help_label.isVisible() and "test button" in row.help_label.text()


def test_a_parts_help_is_in_view_in_words_not_a_lone_button(qtbot: Any) -> None:
    """A part's own help ("Owned home": what it is for) reads as a line under its title;
    a "?" on a row of its own, far from any question, said nothing (1024x700 review)."""
    widget = _form(qtbot, "health_safety")
    widget.show()
    box = widget.group_boxes["owner_occupied"]
    about = _child(widget, QLabel, "about.owner_occupied")
    assert about.parent() is box and not about.isHidden()  # shown with its part
    assert about.text().startswith("For owner-occupiers")
    assert [b for b in box.findChildren(QToolButton) if b.parent() is box] == []


@pytest.mark.parametrize("form_id", ["health_safety", "pet_assessment", "par_england"])
def test_every_input_has_a_screen_reader_name(qtbot: Any, form_id: str) -> None:
    widget = _form(qtbot, form_id)
    inputs = [
        w
        for w in widget.findChildren(QWidget)
        if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit | QComboBox | QAbstractButton)
        and not isinstance(w.parent(), QComboBox)
    ]
    assert inputs
    unnamed = [
        w.objectName()
        for w in inputs
        if not w.accessibleName() and not (isinstance(w, QAbstractButton) and w.text())
    ]
    assert unnamed == []


def test_tab_moves_top_to_bottom(qtbot: Any) -> None:
    widget = _form(qtbot, "pet_assessment", debounce_ms=0)
    widget.activateWindow()
    first = widget.rows["species"].input.focus_widgets()[0]
    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=WAIT)
    ys: list[int] = []
    for _ in range(20):
        current = QApplication.focusWidget()
        ys.append(current.mapTo(widget, current.rect().topLeft()).y())
        qtbot.keyClick(current, Qt.Key.Key_Tab)
    assert ys == sorted(ys) and len(set(ys)) > 5


def test_the_whole_par_builds_with_every_section(qtbot: Any) -> None:
    lib = load_library()
    widget = _form(qtbot, "par_england")
    assert list(widget.group_boxes) == list(lib.par.section_ids)


def test_any_definition_renders_reference_guides_and_agency_forms(qtbot: Any) -> None:
    from pathlib import Path

    overrides = Path(__file__).resolve().parents[1] / "data" / "forms" / "overrides" / "acme"
    lib = load_library(overrides)
    forms = [
        *lib.reference_guides.guides,
        lib.get("acme_foster_household"),
        lib.get("health_safety"),
    ]
    for form in forms:
        widget = FormWidget(form, [], subject_id="ref-1")
        qtbot.addWidget(widget)
        assert set(widget.rows) == {q.id for q in form.questions}
    # the agency's added question sits right after the one it follows
    hs = FormWidget(lib.get("health_safety"), [])
    qtbot.addWidget(hs)
    order = list(hs.rows)
    assert order[order.index("knives") + 1] == "acme_magnets"
