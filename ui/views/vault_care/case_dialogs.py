"""File › Delete case and File › Archive case.

Deleting is for good, so it is confirmed by typing the case's reference; it runs on
the DB worker (the vault also reclaims the space, which takes a moment on a big vault).
Archiving is undone by File › Un-archive case, so it only asks for an optional reason.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db
from ui.views.vault_care.common import CaseInHand, busy_bar, wrapped

ARCHIVE_REASONS = (
    "Approved by the agency decision maker",
    "Not approved",
    "Withdrawn by the applicants",
    "Closed by the agency",
    "Transferred to another agency",
)


class DeleteCaseDialog(QDialog):
    #: the case was deleted: (case id, whether the space was reclaimed)
    deleted = Signal(str, bool)

    def __init__(
        self,
        ctx: AppContext,
        case: CaseInHand,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.case = ctx, case
        self.setObjectName("deleteCaseDialog")
        self.setWindowTitle(f"Delete case {case.reference}")
        explain = wrapped(
            f"This deletes the case {case.reference} ({case.applicants}) and everything in "
            "it: visits, references, checklists, the PAR and attached files. It cannot be "
            "undone. It is removed from this computer's vault and from every backup made "
            "from now on; backups made before today still hold it until they are removed.",
            self,
            "deleteExplain",
        )
        if not case.archived:
            explain.setText(
                explain.text() + " If the case is only finished, archive it "
                "instead: it leaves the list but is kept."
            )
        self.confirm = QLineEdit(self)
        self.confirm.setObjectName("deleteConfirm")
        self.confirm.setAccessibleName(f"Type {case.reference} to confirm")
        self.confirm.setPlaceholderText(case.reference)
        self.confirm.textChanged.connect(self._typed)
        form = QFormLayout()
        form.addRow(f"&Type {case.reference} to confirm:", self.confirm)
        self.message = wrapped("", self, "deleteMessage")
        self.busy = busy_bar(self, "deleteBusy")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.delete_button = self.buttons.addButton(
            "&Delete for good", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setObjectName("deleteStart")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setDefault(True)  # Enter never deletes by accident
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.confirm.setFocus()

    def matches(self) -> bool:
        return self.confirm.text().strip() == self.case.reference

    def _typed(self, _text: str) -> None:
        self.delete_button.setEnabled(self.matches())

    def submit(self) -> None:
        if not self.matches():
            return
        case_id = self.case.case_id
        self.confirm.setEnabled(False)
        self.delete_button.setEnabled(False)
        self.busy.show()
        self.message.setText("Deleting the case and clearing the space it used…")
        run_db(
            self.ctx,
            self,
            lambda vault: vault.cases.delete_case(case_id),
            self._done,
            on_error=self._failed,
        )

    def _done(self, reclaimed: object) -> None:
        self.busy.hide()
        self.deleted.emit(self.case.case_id, bool(reclaimed))
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy.hide()
        self.confirm.setEnabled(True)
        self._typed("")
        self.message.setText(f"The case was not deleted. {error_message(exc)}")


class ArchiveCaseDialog(QDialog):
    #: the case was archived (case id)
    archived = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        case: CaseInHand,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.case = ctx, case
        self.setObjectName("archiveCaseDialog")
        self.setWindowTitle(f"Archive case {case.reference}")
        explain = wrapped(
            f"Archiving takes {case.reference} ({case.applicants}) out of your list of "
            "current cases. Nothing is deleted: it can still be found by search, opened and "
            "exported, and File › Un-archive case brings it back. Show it with “Show archived "
            "cases” under the list.",
            self,
            "archiveExplain",
        )
        self.reason = QComboBox(self)
        self.reason.setObjectName("archiveReason")
        self.reason.setAccessibleName("Why the case is archived")
        self.reason.setEditable(True)
        self.reason.addItems(["", *ARCHIVE_REASONS])
        line = self.reason.lineEdit()  # there once editable
        assert line is not None
        line.setPlaceholderText("Optional: why, in a few words")
        form = QFormLayout()
        form.addRow("&Reason:", self.reason)
        self.message = wrapped("", self, "archiveMessage")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.archive_button = self.buttons.addButton(
            "&Archive", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.archive_button.setObjectName("archiveStart")
        self.archive_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(500)

    def submit(self) -> None:
        case_id, reason = self.case.case_id, self.reason.currentText()  # cleaned by the core
        self.archive_button.setEnabled(False)
        run_db(
            self.ctx,
            self,
            lambda vault: vault.cases.archive_case(case_id, reason),
            lambda _case: self._done(),
            on_error=self._failed,
        )

    def _done(self) -> None:
        self.archived.emit(self.case.case_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.archive_button.setEnabled(True)
        self.message.setText(f"The case was not archived. {error_message(exc)}")
