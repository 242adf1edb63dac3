"""A new case from scratch: the reference, the applicants' names and the key dates.

The case is saved on the DB worker; ``created(case_id)`` fires once it is durable.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import Applicant, Case, Stage
from homestudy.validation import DateKind
from ui.context import AppContext
from ui.operations import run_db
from ui.widgets.date_input import DateEdit


class NewCaseDialog(QDialog):
    created = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("newCaseDialog")
        self.setWindowTitle("New case")
        self.setAccessibleName("New case")
        self.reference = self._line("Household reference", "for example HS-2026-0142")
        self.assessor = self._line("Your name (the assessor)")
        self.first1, self.last1 = (
            self._line("Applicant 1 first name"),
            self._line("Applicant 1 last name"),
        )
        self.first2, self.last2 = (
            self._line("Applicant 2 first name"),
            self._line("Applicant 2 last name"),
        )
        today = date.today()
        self.notice = DateEdit("Stage 2 notice given on", self, kind=DateKind.DONE)
        self.notice.set_value(today)  # shown, and usually right: the case starts today
        self.panel = DateEdit(
            "Provisional panel date (leave empty if not agreed)", self, kind=DateKind.DUE
        )

        form = QFormLayout()
        form.addRow("&Reference:", self.reference)
        form.addRow("&Assessor:", self.assessor)
        one = QGroupBox("Applicant 1", self)
        one_form = QFormLayout(one)
        one_form.addRow("&First name:", self.first1)
        one_form.addRow("&Last name:", self.last1)
        two = QGroupBox("Applicant 2 (leave empty for a single applicant)", self)
        two_form = QFormLayout(two)
        two_form.addRow("F&irst name:", self.first2)
        two_form.addRow("La&st name:", self.last2)
        dates = QFormLayout()
        dates.addRow("Stage 2 &notice given on:", self.notice)
        dates.addRow("Provisional &panel date:", self.panel)
        for field in (self.notice, self.panel):
            label = dates.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field.line)

        self.message = QLabel("", self)
        self.message.setObjectName("newCaseMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create case")
        ok.setAccessibleName("Create case")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(one)
        layout.addWidget(two)
        layout.addLayout(dates)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        ctx.events.locked.connect(self.reject)

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        field = QLineEdit(self)
        field.setAccessibleName(name)
        field.setPlaceholderText(placeholder)
        return field

    def build_case(self) -> Case:
        """The case from the fields; ValueError with a plain message when incomplete."""
        reference = self.reference.text().strip()
        if not reference:
            raise ValueError("Give the household reference the agency uses.")
        applicants = []
        for first, last in ((self.first1, self.last1), (self.first2, self.last2)):
            f, la = first.text().strip(), last.text().strip()
            if f or la:
                applicants.append(Applicant(f, la))
        if not applicants:
            raise ValueError("Give at least one applicant's name.")
        for field in (self.notice, self.panel):
            field.commit()  # what is typed counts, even without Enter
            if field.message():
                raise ValueError(field.message())
        notice = self.notice.value()
        if notice is None:
            raise ValueError("Give the day the applicants gave notice for Stage 2.")
        panel = self.panel.value()
        if panel is not None and panel <= notice:
            raise ValueError("The panel date must come after the Stage 2 notice.")
        return Case(
            reference=reference,
            stage=Stage.STAGE_2,
            assessor_name=self.assessor.text().strip(),
            stage2_notice_on=notice,
            provisional_panel_date=panel,
            applicants=applicants,
        )

    def submit(self) -> None:
        try:
            case = self.build_case()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.buttons.setEnabled(False)
        self.message.setText("Saving…")
        run_db(
            self.ctx, self, lambda vault: _save_new(vault, case), self._saved, on_error=self._failed
        )

    def _saved(self, case_id: str) -> None:
        self.ctx.events.cases_changed.emit()
        self.created.emit(case_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        from ui.errors import error_message

        self.buttons.setEnabled(True)
        self.message.setText(error_message(exc))


def _save_new(vault: object, case: Case) -> str:
    from homestudy.errors import NotFoundError, ValidationError

    cases = vault.cases  # type: ignore[attr-defined]
    try:
        cases.find_by_reference(case.reference)
    except NotFoundError:
        cases.save_case(case)
        return case.id
    raise ValidationError("A case with that reference is already in the vault.", "reference")
