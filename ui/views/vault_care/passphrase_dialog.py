"""File › Change passphrase: the current one, the new one twice.

The vault's key is only re-wrapped (``Vault.change_passphrase``): two key derivations,
about a second, on the DB worker with the dialog showing it is busy. Backups made
before keep the passphrase they were made with, and the dialog says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from homestudy.errors import WrongPassphraseError
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db
from ui.views.unlock import MIN_PASSPHRASE_LENGTH
from ui.views.vault_care.common import busy_bar, wrapped

EXPLAIN = (
    f"Choose a new passphrase of at least {MIN_PASSPHRASE_LENGTH} characters: three or four "
    "ordinary words you will remember. Nobody can recover it for you. Backups made before "
    "today still open with the passphrase they were made with."
)


class ChangePassphraseDialog(QDialog):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("changePassphraseDialog")
        self.setWindowTitle("Change passphrase")
        self.current = self._field("currentPassphrase", "Current passphrase")
        self.new = self._field("newPassphrase", "New passphrase")
        self.repeat = self._field("repeatPassphrase", "Repeat the new passphrase")
        form = QFormLayout()
        form.addRow("&Current passphrase:", self.current)
        form.addRow("&New passphrase:", self.new)
        form.addRow("&Repeat it:", self.repeat)
        self.message = wrapped("", self, "passphraseMessage")
        self.message.setAccessibleName("Passphrase message")
        self.busy = busy_bar(self, "passphraseBusy")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("C&hange passphrase")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(EXPLAIN, self))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.current.setFocus()

    def _field(self, name: str, accessible: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAccessibleName(accessible)
        return field

    def problem(self) -> str:
        old, new, again = self.current.text(), self.new.text(), self.repeat.text()
        if not old:
            return "Type your current passphrase first."
        if len(new) < MIN_PASSPHRASE_LENGTH:
            return f"The new passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters."
        if new.strip() != new:
            return "The new passphrase cannot start or end with a space."
        if new != again:
            return "The two new passphrases are not the same. Type them again."
        if new == old:
            return "The new passphrase is the same as the current one."
        return ""

    def submit(self) -> None:
        problem = self.problem()
        if problem:
            self.message.setText(problem)
            return
        old, new = self.current.text(), self.new.text()
        self._busy(True)
        run_db(
            self.ctx,
            self,
            lambda vault: vault.change_passphrase(old, new),
            self._done,
            on_error=self._failed,
        )

    def _busy(self, busy: bool) -> None:
        for widget in (self.current, self.new, self.repeat, self.ok):
            widget.setEnabled(not busy)
        self.busy.setVisible(busy)
        if busy:
            self.message.setText("Changing your passphrase…")

    def _done(self, _result: object) -> None:
        self._busy(False)
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.changed.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, WrongPassphraseError):
            self.message.setText(
                "That is not your current passphrase. Check Caps Lock and try again."
            )
            self.current.selectAll()
            self.current.setFocus()
            return
        self.message.setText(f"The passphrase was not changed. {error_message(exc)}")


def open_change_passphrase(ctx: AppContext, parent: QWidget) -> ChangePassphraseDialog:
    dialog = ChangePassphraseDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog
