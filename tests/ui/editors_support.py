"""Fixtures for the editor views' tests: a real AppContext whose DB worker holds a
real SQLCipher vault (cheap KDF), and helpers that read results back from it.

Imported by tests/ui/test_visits*.py, test_references*.py, test_checklists*.py,
test_par_editor*.py, test_spellcheck*.py, test_case_details*.py, test_export_dialog.py and
test_stage2_walkthrough.py (``from editors_support import ...``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest

from homestudy.model import Applicant, Case, HouseholdMember, HouseholdMemberKind, LineOfEnquiry
from homestudy.settings import AppSettings
from homestudy.vault import KdfParams, Vault
from ui.context import AppContext, make_context

PASSPHRASE = "editor tests passphrase"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=64, parallelism=1)
V = TypeVar("V")


def on_worker(ctx: AppContext, qtbot: Any, fn: Callable[[Vault], Any]) -> Any:
    """Run ``fn(vault)`` on the DB worker (after every queued save) and return its result."""
    box: dict[str, Any] = {}
    ctx.db.submit(
        fn, lambda value: box.setdefault("value", value), lambda exc: box.setdefault("error", exc)
    )
    qtbot.waitUntil(lambda: "value" in box or "error" in box, timeout=10_000)
    if "error" in box:
        raise box["error"]
    return box["value"]


def settle(qtbot: Any, ctx: AppContext, *views: Any) -> None:
    """Start every pending save and wait until the worker has written them all."""
    for view in views:
        view.flush()
    qtbot.waitUntil(lambda: all(v.saver.idle for v in views) and not ctx.db.busy, timeout=10_000)


def load(ctx: AppContext, qtbot: Any, case_id: str) -> Case:
    return on_worker(ctx, qtbot, lambda vault: vault.cases.load_case(case_id))


def shown(qtbot: Any, view: V, case: Case, size: tuple[int, int] | None = None) -> V:
    """``view`` (owned by qtbot) showing ``case``, on screen, at ``size`` if given."""
    qtbot.addWidget(view)
    view.set_case(case)  # type: ignore[attr-defined]
    if size is not None:
        view.resize(*size)  # type: ignore[attr-defined]
    view.show()  # type: ignore[attr-defined]
    return view


def details_view(
    qtbot: Any, ctx: AppContext, case: Case, size: tuple[int, int] = (1300, 850)
) -> Any:
    """A case details view (owned by qtbot) at ``size``, showing ``case``, on screen."""
    from ui.views.case_details import CaseDetailsView

    view = CaseDetailsView(ctx)
    qtbot.addWidget(view)
    view.resize(*size)
    view.set_case(case)
    view.show()
    return view


def choose(combo: Any, value: str) -> None:
    """Pick an entry the way a keyboard user does: focus, then arrow keys."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    combo.setFocus()
    target = combo.findData(value)
    assert target >= 0, value
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        QTest.keyClick(combo, key)


def sample_case(couple: bool = True) -> Case:
    applicants = [Applicant("Hannah", "Mensah", occupation="Teacher")]
    if couple:
        applicants.append(Applicant("Daniel", "Mensah", occupation="Engineer"))
    case = Case(
        reference="HS-TEST-0001",
        applicants=applicants,
        household=[HouseholdMember("Isla", HouseholdMemberKind.BIRTH_CHILD)],
        stage2_notice_on=date(2027, 1, 4),
        lines_of_enquiry=[
            LineOfEnquiry(
                "Explore the support offered by the wider family.",
                source="Stage 1 references",
                par_section_ids=["support_network"],
            ),
            LineOfEnquiry(
                "Discuss the 2015 caution disclosed on the DBS check.",
                source="DBS check",
                par_section_ids=["statutory_checks"],
            ),
        ],
    )
    return case


@pytest.fixture
def editor_ctx(qtbot: Any, tmp_path: Path) -> Iterator[AppContext]:
    """An AppContext with an open vault on its DB worker."""
    folder = tmp_path / "vault"
    Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF).close()
    ctx = make_context(AppSettings(), folder)
    opened: dict[str, Any] = {}
    ctx.db.open_vault(
        folder,
        PASSPHRASE,
        lambda v: opened.setdefault("ok", v),
        lambda exc: opened.setdefault("error", exc),
    )
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    assert "error" not in opened, opened
    try:
        yield ctx
    finally:
        ctx.shutdown()


@pytest.fixture
def saved_case(editor_ctx: AppContext, qtbot: Any) -> Case:
    """A couple with a birth child and two lines of enquiry, saved in the vault and loaded."""
    case = sample_case()
    on_worker(editor_ctx, qtbot, lambda vault: vault.cases.save_case(case))
    return load(editor_ctx, qtbot, case.id)


def fill_form(qtbot: Any, widget: Any, answers: dict[str, str] | None = None) -> None:
    """Answer every visible required question of a ``FormWidget`` through its inputs:
    mouse clicks on Yes/No radios (the answer that needs no action), keys for text,
    numbers and choices, today for dates. ``answers`` gives text or choice ids by id.
    Two passes: an answer (a dog) can show a group with more required questions."""
    for _ in range(2):
        _fill_once(qtbot, widget, answers or {})
    widget.flush()


def _fill_once(qtbot: Any, widget: Any, given: dict[str, str]) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QComboBox, QLineEdit, QRadioButton, QTextEdit

    from homestudy.forms import QuestionType
    from ui.widgets.form_inputs import DateInput

    for group in widget.definition.groups:
        box = widget.group_boxes.get(group.id)
        if box is not None and box.isHidden():
            continue
        for q in group.questions:
            if not (q.required or q.id in given):
                continue
            if q.type is QuestionType.YES_NO_NA:
                choice = given.get(q.id) or ("yes" if "yes" not in q.action_when else "no")
                radio = widget.findChild(QRadioButton, f"{q.id}.{choice}")
                qtbot.mouseClick(radio, Qt.MouseButton.LeftButton)
            elif q.type is QuestionType.CHOICE:
                combo = widget.findChild(QComboBox, q.id)
                combo.setFocus()
                want = combo.findData(given.get(q.id) or q.choices[0].id)
                while combo.currentIndex() < want:
                    QTest.keyClick(combo, Qt.Key.Key_Down)
            elif q.type is QuestionType.DATE:
                widget.findChild(DateInput, q.id).set_text(date.today().strftime("%d/%m/%Y"))
            elif q.type is QuestionType.NARRATIVE:
                edit = widget.findChild(QTextEdit, q.id)
                if not edit.toPlainText():
                    QTest.keyClicks(edit, given.get(q.id, "Seen and discussed; no concerns."))
            elif q.type in (QuestionType.TEXT, QuestionType.NUMBER):
                edit = widget.findChild(QLineEdit, q.id)
                if not edit.text():
                    QTest.keyClicks(
                        edit, given.get(q.id, "3" if q.type is QuestionType.NUMBER else "Checked")
                    )


def unnamed_focusable(view: Any) -> list[str]:
    """Widgets a keyboard user can reach in ``view`` that have no accessible name (the
    generic form renderer's own inputs, and spin boxes' inner line edits, excepted)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractSpinBox, QWidget

    from ui.widgets.form_renderer import FormWidget

    missing = []
    for child in view.findChildren(QWidget):
        if not (child.focusPolicy() & Qt.FocusPolicy.TabFocus) or not child.isVisibleTo(view):
            continue
        if isinstance(child.parentWidget(), QAbstractSpinBox):
            continue
        parent, in_form = child, False
        while parent is not None and not in_form:
            in_form = isinstance(parent, FormWidget)
            parent = parent.parentWidget()
        if not in_form and not child.accessibleName():
            missing.append(f"{type(child).__name__} {child.objectName()}")
    return missing
