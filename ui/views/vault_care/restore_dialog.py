"""File › Restore from backup (also offered when the vault cannot be opened, and on the
first-run screen of a new laptop).

1. Choose the backup: its date and size show at once (the plaintext header).
2. Its passphrase, then "Show what it holds": the cases, their dates and the size are
   read on the pool from an encrypted temporary copy; the vault in use is not touched.
3. "Restore this backup", confirmed: on the DB worker the backup is checked and staged,
   the vault in use is closed and moved aside (kept, never deleted), the restored one
   put in its place and opened with the backup's passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homestudy.errors import WrongPassphraseError
from homestudy.textutil import format_date
from homestudy.vault import backup
from homestudy.vault.backup import SUFFIX, BackupInfo, BackupPreview
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_job
from ui.views.vault_care.backup_dialog import default_backup_folder
from ui.views.vault_care.common import busy_bar, format_size, wrapped

INTRO_REPLACING = (
    "Restoring puts the cases of a backup in place of those in HomeStudy now. The vault you "
    "have now is not deleted: it is kept, as it is, in a folder beside it (its name ends "
    "“before-restore” and the date), in case you need it again."
)
INTRO_NEW = (
    "Restore the backup you made on your old computer (or before a problem). You need the "
    "passphrase the backup was made with; it becomes this vault's passphrase."
)
COLUMNS = ("Reference", "Applicants", "Last changed", "Archived")


@dataclass(frozen=True)
class RestoreOutcome:
    info: BackupInfo
    aside: Path | None  # where the vault that was there now is
    keyring_protected: bool
    cases: int


def _when(info: BackupInfo) -> str:
    local = info.created_at.astimezone()
    return f"{format_date(local)} at {local:%H:%M}"


class RestoreDialog(QDialog):
    #: the backup was restored and the new vault is open (a RestoreOutcome)
    restored = Signal(object)
    #: the preview is shown (a BackupPreview), for tests and screen readers
    previewed = Signal(object)
    #: the restore failed after the vault in use was closed: unlock it again
    left_closed = Signal()

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, replacing: bool = True
    ) -> None:
        super().__init__(parent)
        self.ctx, self.replacing = ctx, replacing
        self._info: BackupInfo | None = None
        self._preview: BackupPreview | None = None
        self._passphrase = ""
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore from a backup")
        self.file = QLineEdit(self)
        self.file.setObjectName("restoreFile")
        self.file.setAccessibleName("Backup file")
        self.file.setPlaceholderText(f"A HomeStudy backup (…{SUFFIX})")
        self.file.editingFinished.connect(self._read_info)
        self.choose = QPushButton("C&hoose…", self)
        self.choose.setAccessibleName("Choose the backup file")
        self.choose.clicked.connect(self._choose)
        self.about = wrapped("", self, "restoreAbout")
        self.about.setAccessibleName("About this backup")
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("restorePassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("The backup's passphrase")
        self.show_button = QPushButton("&Show what it holds", self)
        self.show_button.setObjectName("restoreShow")
        self.show_button.clicked.connect(self.show_preview)
        self.show_button.setDefault(True)  # Enter in the passphrase shows the backup
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("restoreCases")
        self.table.setAccessibleName("Cases in the backup")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.hide()
        self.summary = wrapped("", self, "restoreSummary")
        self.message = wrapped("", self, "restoreMessage")
        self.message.setAccessibleName("Restore message")
        self.busy = busy_bar(self, "restoreBusy")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = self.buttons.addButton(
            "&Restore this backup", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setObjectName("restoreStart")
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose)
        pass_row = QHBoxLayout()
        pass_row.addWidget(self.passphrase, 1)
        pass_row.addWidget(self.show_button)
        form = QFormLayout()
        for text, row, buddy in (
            ("&Backup file:", file_row, self.file),
            ("Its &passphrase:", pass_row, self.passphrase),
        ):
            label = QLabel(text, self)
            label.setBuddy(buddy)  # the mnemonic moves to the field, not to the row
            form.addRow(label, row)
            if buddy is self.file:
                form.addRow("", self.about)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(INTRO_REPLACING if replacing else INTRO_NEW, self))
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.resize(640, 520)

    # ------------------------------------------------------------------ choosing

    def _choose(self) -> None:
        start = self.file.text() or str(default_backup_folder(self.ctx))
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose a backup", start, f"HomeStudy backups (*{SUFFIX})"
        )
        if chosen:
            self.set_file(Path(chosen))

    def set_file(self, path: Path) -> None:
        self.file.setText(str(path))
        self._read_info()

    def chosen(self) -> Path | None:
        text = self.file.text().strip()
        return Path(text).expanduser() if text else None

    def _read_info(self) -> None:
        path = self.chosen()
        self._clear_preview()
        if path is None:
            return

        def shown(info: BackupInfo) -> None:
            if self.chosen() != path:
                return
            self._info = info
            self.about.setText(f"Made {_when(info)}; {format_size(info.size)}.")
            self.passphrase.setFocus()

        def refused(exc: BaseException) -> None:
            if self.chosen() == path:
                self.about.setText(error_message(exc))

        run_job(self.ctx, self, lambda: backup.read_info(path), shown, on_error=refused)

    def _clear_preview(self) -> None:
        self._info = self._preview = None
        self.show_button.setDefault(True)
        self.about.clear()
        self.summary.clear()
        self.table.setRowCount(0)
        self.table.hide()
        self.restore_button.setEnabled(False)

    # ------------------------------------------------------------------ preview

    def show_preview(self) -> None:
        path, secret = self.chosen(), self.passphrase.text()
        if path is None:
            self.message.setText("Choose the backup file first.")
            return
        if not secret:
            self.message.setText("Type the backup's passphrase first.")
            return
        self._busy(True, "Opening the backup to show what it holds…")
        run_job(
            self.ctx,
            self,
            lambda: backup.preview(path, secret),
            lambda shown: self._shown(shown, secret),
            on_error=self._preview_failed,
        )

    def _shown(self, preview: BackupPreview, secret: str) -> None:
        self._busy(False)
        self._preview, self._info, self._passphrase = preview, preview.info, secret
        self.table.setRowCount(len(preview.cases))
        for row, case in enumerate(preview.cases):
            archived = format_date(case.archived_at.astimezone()) if case.archived_at else ""
            for col, text in enumerate(
                (
                    case.reference,
                    case.applicant_names,
                    format_date(case.updated_at.astimezone()),
                    archived,
                )
            ):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.show()
        count = len(preview.cases)
        cases = f"{count} case" + ("" if count == 1 else "s")
        last = preview.last_change
        self.summary.setText(
            f"This backup, made {_when(preview.info)} ({format_size(preview.info.size)}), "
            f"holds {cases}"
            + (f", last changed {format_date(last.astimezone())}." if last else ".")
        )
        self.message.clear()
        self.restore_button.setEnabled(True)
        self.restore_button.setDefault(True)
        self.restore_button.setFocus()
        self.previewed.emit(preview)

    def _preview_failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, WrongPassphraseError):
            self.message.setText(
                "That is not the passphrase this backup was made with. It is "
                "the passphrase you used on the day of the backup."
            )
            self.passphrase.selectAll()
            self.passphrase.setFocus()
        else:
            self.message.setText(error_message(exc))

    def _busy(self, busy: bool, text: str = "") -> None:
        for widget in (self.file, self.choose, self.passphrase, self.show_button):
            widget.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self._preview is not None)
        self.busy.setVisible(busy)
        if busy:
            self.message.setText(text)

    # ------------------------------------------------------------------ restoring

    def confirm(self) -> QMessageBox | None:
        if self._preview is None:
            return None
        if not self.replacing:
            self.restore()
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore this backup?",
            f"Put the backup made {_when(self._preview.info)} in place of the "
            "cases in HomeStudy now?\n\nThe vault you have now is kept beside "
            "it, unchanged. From now on, unlock HomeStudy with the passphrase "
            "of this backup.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("restoreConfirm")
        yes = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.buttonClicked.connect(lambda button: self.restore() if button is yes else None)
        box.open()
        return box

    def restore(self) -> None:
        assert self._preview is not None
        path, secret, info = self._preview.info.path, self._passphrase, self._preview.info
        folder = self.ctx.vault_dir
        count = len(self._preview.cases)
        self._busy(True, "Checking the backup and putting it in place…")
        self.restore_button.setEnabled(False)
        self.ctx.events.about_to_lock.emit()  # pending saves go first (the worker is FIFO)
        state: dict[str, Any] = {}

        def make(current: Any, on_integrity: Any) -> Any:
            from homestudy.vault import Vault

            staged = backup.prepare_restore(path, folder, secret)
            try:
                if current is not None:
                    current.close()
                    state["closed"] = True
                state["aside"] = backup.finish_restore(staged)
            finally:
                staged.discard()
            return Vault.open(folder, secret, on_integrity=on_integrity)

        def done(keyring_protected: object) -> None:
            self._busy(False)
            self.restored.emit(
                RestoreOutcome(info, state.get("aside"), bool(keyring_protected), count)
            )
            self.accept()

        def failed(exc: BaseException) -> None:
            self._busy(False)
            self.message.setText(f"The backup was not restored. {error_message(exc)}")
            if state.get("closed"):
                self.left_closed.emit()

        self.ctx.db.replace_vault(make, done, failed)


def open_restore_dialog(
    ctx: AppContext,
    parent: QWidget,
    *,
    replacing: bool = True,
) -> RestoreDialog:
    dialog = RestoreDialog(ctx, parent, replacing=replacing)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog
