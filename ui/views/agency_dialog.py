"""The "Add agency" dialog: choose the enrolment file the agency sent, check it, enrol.

Reading the file runs on the pool and enrolling (making this laptop's keys for the
agency, kept in the vault) on the DB worker; the dialog only shows the results.
Then it runs a sync round for that agency, which registers the laptop's public keys
with the inbox (or, offline, leaves that to the next sync), and emits
``enrolled(profile_id)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.sync.enrolment import EnrolmentFile
from homestudy.sync.enrolment_flow import enrol
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db, run_job


class AgencyDialog(QDialog):
    enrolled = Signal(str)
    #: the chosen file was read: the EnrolmentFile, or None when it could not be used
    checked = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._enrolment: EnrolmentFile | None = None
        self._checked_path = ""
        self.setWindowTitle("Add agency")
        self.setAccessibleName("Add agency")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Choose the enrolment file your agency sent you. HomeStudy makes this "
            "laptop's own keys for that agency and keeps them in your vault.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        row = QHBoxLayout()
        self.path_edit = QLineEdit(self)
        self.path_edit.setAccessibleName("Enrolment file")
        self.path_edit.editingFinished.connect(self._check)
        self.browse_button = QPushButton("&Choose…", self)
        self.browse_button.setAccessibleName("Choose enrolment file")
        self.browse_button.clicked.connect(self._browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        form.addRow("&Enrolment file:", row)
        self.agency_label = QLabel("", self)
        self.agency_label.setAccessibleName("Agency")
        form.addRow("Agency:", self.agency_label)
        self.assessor_label = QLabel("", self)
        self.assessor_label.setAccessibleName("Assessor")
        for label in (self.agency_label, self.assessor_label):  # the agency's words, as sent
            label.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("Assessor:", self.assessor_label)
        layout.addLayout(form)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.enrol_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.enrol_button.setText("&Enrol")
        self.enrol_button.setEnabled(False)
        self.buttons.accepted.connect(self._enrol)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def choose_file(self, path: Path | str) -> None:
        """Use ``path`` as the enrolment file (what "Choose…" does after the file dialog)."""
        self.path_edit.setText(str(path))
        self._check()

    def _browse(self) -> None:
        dialog = QFileDialog(
            self,
            "Choose the enrolment file",
            "",
            "Enrolment files (*.json *.homestudy-enrol);;All files (*)",
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.choose_file)
        dialog.open()

    def _check(self) -> None:
        text = self.path_edit.text().strip()
        if text and text == self._checked_path:
            return  # leaving the field (e.g. to click Enrol) is not a new choice
        self._checked_path = text
        self._enrolment = None
        self.enrol_button.setEnabled(False)
        if not text:
            return
        self.message.setText("Checking the file…")
        run_job(
            self._ctx,
            self,
            lambda: EnrolmentFile.read(text),
            self._checked,
            on_error=self._check_failed,
        )

    def _checked(self, enrolment: EnrolmentFile) -> None:
        self._enrolment = enrolment
        self.agency_label.setText(enrolment.agency_name)
        self.assessor_label.setText(enrolment.assessor_name or enrolment.assessor_id)
        self.message.setText("The file is ready. Enrol to add this agency.")
        self.enrol_button.setEnabled(True)
        self.checked.emit(enrolment)

    def _check_failed(self, exc: BaseException) -> None:
        self.agency_label.setText("")
        self.assessor_label.setText("")
        self.message.setText(error_message(exc))
        self.checked.emit(None)

    def _enrol(self) -> None:
        enrolment = self._enrolment
        if enrolment is None:
            return
        self.enrol_button.setEnabled(False)
        self.message.setText("Making this laptop's keys…")

        def work(vault: Any) -> str:
            return enrol(vault, enrolment).id

        run_db(
            self._ctx, self, work, self._done, on_error=self._enrol_failed, progress="Enrolling…"
        )

    def _done(self, profile_id: str) -> None:
        from ui.sync_round import run_round

        self.message.setText("Registering this laptop with the agency…")

        def registered(reports: list[Any]) -> None:
            self.enrolled.emit(profile_id)
            self.accept()

        def later(exc: BaseException) -> None:  # enrolled; the next sync registers it
            self.enrolled.emit(profile_id)
            self.accept()

        run_round(self._ctx, self, registered, later, profile_id=profile_id)

    def _enrol_failed(self, exc: BaseException) -> None:
        self.message.setText(error_message(exc))
        self.enrol_button.setEnabled(self._enrolment is not None)
