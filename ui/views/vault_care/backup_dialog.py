"""File › Back up now: an encrypted backup to a file the worker chooses.

The backup is made on the DB worker (checked end to end, see
``homestudy.vault.backup``) while the dialog shows it is busy; it is then recorded as
the latest good backup, which clears the main window's warning.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import utc_now
from homestudy.textutil import format_date
from homestudy.vault import backup_schedule
from homestudy.vault.backup import SUFFIX, BackupInfo
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db
from ui.views.vault_care.common import PASSPHRASE_ALONE, busy_bar, format_size, wrapped


def default_backup_folder(ctx: AppContext) -> Path:
    chosen = backup_schedule.resolve_folder(ctx.settings.backup_dir)
    if chosen is not None:
        return chosen
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents else Path.home()


class BackupNowDialog(QDialog):
    #: a good backup was written (its BackupInfo)
    backup_made = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("backupNowDialog")
        self.setWindowTitle("Back up now")
        intro = wrapped(
            "HomeStudy will save an encrypted copy of every case in your vault to the file below.",
            self,
        )
        self.alone = wrapped(PASSPHRASE_ALONE, self, "passphraseAloneNote")
        name = backup_schedule.default_file_name(utc_now().astimezone())
        self.path = QLineEdit(str(default_backup_folder(ctx) / name), self)
        self.path.setObjectName("backupPath")
        self.path.setAccessibleName("Backup file")
        self.choose = QPushButton("C&hoose…", self)
        self.choose.setAccessibleName("Choose where to save the backup")
        self.choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)
        self.message = wrapped("", self, "backupMessage")
        self.message.setAccessibleName("Backup message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = busy_bar(self, "backupBusy")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.start = self.buttons.addButton("&Back up", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start.setObjectName("backupStart")
        self.start.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.alone)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _choose(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the backup as", self.path.text(), f"HomeStudy backups (*{SUFFIX})"
        )
        if chosen:
            self.path.setText(chosen if chosen.endswith(SUFFIX) else chosen + SUFFIX)

    def target(self) -> Path | None:
        text = self.path.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.name.endswith(SUFFIX) else path.with_name(path.name + SUFFIX)

    def submit(self) -> None:
        out = self.target()
        if out is None:
            self.message.setText("Say where to save the backup first.")
            return
        if out.exists():
            self.message.setText(
                "A file of that name is already there. Choose another name, "
                "so no earlier backup is replaced."
            )
            return
        self._busy(True)
        run_db(
            self.ctx,
            self,
            lambda vault: backup_schedule.back_up_now(vault, out),
            self._done,
            on_error=self._failed,
        )

    def _busy(self, busy: bool) -> None:
        for widget in (self.path, self.choose, self.start):
            widget.setEnabled(not busy)
        self.busy.setVisible(busy)
        if busy:
            self.message.setText("Making the backup and checking it…")

    def _done(self, info: BackupInfo) -> None:
        self._busy(False)
        when = info.created_at.astimezone()
        self.message.setText(
            f"Backup saved and checked: {info.path} ({format_size(info.size)}, "
            f"{format_date(when)} at {when:%H:%M})."
        )
        self.start.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        self.backup_made.emit(info)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.message.setText(f"No backup was made. {error_message(exc)}")


def open_backup_now(ctx: AppContext, parent: QWidget) -> BackupNowDialog:
    dialog = BackupNowDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog
