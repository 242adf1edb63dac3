"""Checklists: health and safety and pet assessments through the generic form renderer."""

from __future__ import annotations

import editors_support
from editors_support import fill_form, load, settle, shown, unnamed_focusable
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QRadioButton, QWidget

from homestudy.forms import completeness, load_library
from homestudy.model import Case
from ui.views.checklists import ChecklistsView

editor_ctx = editors_support.editor_ctx  # fixture
saved_case = editors_support.saved_case  # fixture


def _view(qtbot, ctx, case: Case) -> ChecklistsView:
    return shown(qtbot, ChecklistsView(ctx), case, size=(1200, 900))


def _add_animal(qtbot, view: ChecklistsView, name: str, breed: str) -> None:
    qtbot.mouseClick(view.add_animal_button, Qt.MouseButton.LeftButton)
    dialog = view.animal_dialog
    QTest.keyClicks(dialog.name_edit, name)
    QTest.keyClicks(dialog.breed_edit, breed)
    with qtbot.waitSignal(dialog.accepted):
        QTest.keyClick(dialog.name_edit, Qt.Key.Key_Return)  # the default button: OK


def test_health_and_safety_answers_are_saved_and_completeness_shown(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    assert view.title.text() == load_library().get("health_safety").title
    assert "Not started." in view.status.text()

    qtbot.mouseClick(
        view.form_widget.findChild(QRadioButton, "smoke_alarms.no"), Qt.MouseButton.LeftButton
    )
    assert "Open action – " in view.status.text()
    assert "required questions not answered" in view.status.text()
    fill_form(qtbot, view.form_widget, {"smoke_alarms": "yes"})
    settle(qtbot, editor_ctx, view)
    assert view.status.text().startswith("Complete")

    stored = load(editor_ctx, qtbot, saved_case.id)
    form = load_library().get("health_safety")
    answers = stored.answers_for("health_safety")
    assert completeness(form, answers).is_complete
    smoke = next(a for a in answers if a.question_id == "smoke_alarms")
    assert smoke.value["answer"] == "yes" and smoke.form_version == form.version


def test_a_dog_gets_its_own_assessment(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    _add_animal(qtbot, view, "Biscuit", "Labrador")
    assert view.subjects.count() == 2
    assert view.subjects.currentItem().text() == (
        "Pet assessment: Biscuit (dog, Labrador) – not started"
    )
    dog = saved_case.animals[0]
    assert view.subject == dog.id and view.title.text().endswith(": Biscuit")

    assert not view.form_widget.findChildren(QWidget, "breed")  # the record keeps the breed
    fill_form(
        qtbot,
        view.form_widget,
        {"species": "dog", "dog_type_judgement": "no", "bite_history": "no"},
    )
    assert not view.form_widget.group_boxes["dog_assessment"].isHidden()
    settle(qtbot, editor_ctx, view)

    stored = load(editor_ctx, qtbot, saved_case.id)
    assert [(a.name, a.species, a.breed) for a in stored.animals] == [
        ("Biscuit", "dog", "Labrador")
    ]
    form = load_library().get("pet_assessment")
    result = completeness(form, stored.answers_for("pet_assessment", dog.id), dog.id)
    assert result.is_complete, result
    assert any(
        a.question_id == "dog_conclusion" for a in stored.answers_for("pet_assessment", dog.id)
    )
    assert view.status.text().startswith("Complete")

    # Back to health and safety and to the dog again: the answers are still shown.
    view.select_subject("")
    view.reveal(dog.id)
    assert view.form_widget.answers() and view.subject == dog.id


def test_a_banned_breed_is_flagged_in_the_dialog(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    qtbot.mouseClick(view.add_animal_button, Qt.MouseButton.LeftButton)
    dialog = view.animal_dialog
    QTest.keyClicks(dialog.breed_edit, "Bully, XL (cross)")  # any order, any punctuation
    assert "\u201cXL Bully\u201d is on the agency's list of banned types" in dialog.warning.text()
    assert "judge it in the dog assessment" in dialog.warning.text()
    dialog.breed_edit.clear()
    QTest.keyClicks(dialog.breed_edit, "Staffordshire Bull Terrier")
    assert dialog.warning.text() == ""
    dialog.reject()


def test_edit_an_animal(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    _add_animal(qtbot, view, "Biscuit", "Labrador")
    qtbot.mouseClick(view.edit_animal_button, Qt.MouseButton.LeftButton)
    dialog = view.animal_dialog
    dialog.name_edit.selectAll()
    QTest.keyClicks(dialog.name_edit, "Biscuit Senior")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id)
    assert [a.name for a in stored.animals] == ["Biscuit Senior"]
    assert stored.animals[0].id == saved_case.animals[0].id


def test_the_list_says_how_far_each_checklist_has_got(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    item = view.subjects.item(0)
    assert item.text() == "Health and safety of the home and car – not started"
    qtbot.mouseClick(
        view.form_widget.findChild(QRadioButton, "stairs.yes"), Qt.MouseButton.LeftButton
    )
    assert item.text().endswith("– to finish")
    fill_form(qtbot, view.form_widget)
    assert item.text().endswith("– complete")


def test_a_long_entry_wraps_so_its_state_stays_in_view(qtbot, editor_ctx, saved_case):
    """At 1024x700 the list is narrow: an animal's entry wraps onto a second line
    rather than hiding "– complete" behind a sideways scroll."""
    view = shown(qtbot, ChecklistsView(editor_ctx), saved_case, size=(1024, 700))
    _add_animal(qtbot, view, "Biscuit", "Labrador Retriever")
    view.subjects.resize(240, view.subjects.height())
    row = view.subjects.visualItemRect(view.subjects.item(1))
    assert row.width() <= view.subjects.viewport().width()
    assert row.height() >= 2 * view.subjects.fontMetrics().lineSpacing()  # two lines
    assert not view.subjects.horizontalScrollBar().isVisible()


def test_every_control_has_an_accessible_name(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    assert unnamed_focusable(view) == []


def test_reveal_opens_the_checklist_at_the_question(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    _add_animal(qtbot, view, "Biscuit", "Labrador")
    view.reveal("health_safety/co_detector")
    assert view.subject == ""
    focused = view.focusWidget()  # the window's focus child, active or not
    assert focused is not None and focused.objectName().startswith("co_detector.")
    view.reveal("pet_assessment")  # the first animal's assessment
    assert view.subject == saved_case.animals[0].id
    view.reveal("no-such-animal")  # ignored
    assert view.subject == saved_case.animals[0].id
    # a readiness finding's target: this animal's assessment, at the question
    view.select_subject("")
    view.reveal(f"pet_assessment/{saved_case.animals[0].id}/who_walks")
    assert view.subject == saved_case.animals[0].id
    focused = view.focusWidget()
    assert focused is not None and focused.objectName() == "who_walks"
