"""File › Automatic backups: the folder, how often, and how many to keep.

The values are app settings (``backup_dir``, ``backup_every_hours``, ``backup_keep``);
IT can fix any of them centrally, and then they are shown greyed out with "Set by your
organisation". Saving writes the user's settings file on the pool.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from homestudy.settings import AppSettings, replace, save_settings
from homestudy.vault import backup_schedule
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_job
from ui.views.vault_care.common import LOCKED_TEXT, PASSPHRASE_ALONE, wrapped

EVERY = ((1, "Every hour"), (4, "Every 4 hours"), (24, "Every day"), (24 * 7, "Every week"))
EXPLAIN = (
    "While HomeStudy is open and unlocked, it makes an encrypted backup to this folder as "
    "often as you choose, and removes the oldest of its automatic backups beyond the number "
    "to keep. Choose a folder on another drive, a USB stick or your organisation's network "
    "folder, so a lost or broken laptop does not take the backups with it. Leave the folder "
    "empty to turn automatic backups off."
)


class ScheduleDialog(QDialog):
    #: the new AppSettings, after they were written
    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._settings: AppSettings = ctx.settings
        current = self._settings
        self.setObjectName("scheduleDialog")
        self.setWindowTitle("Automatic backups")
        self.folder = QLineEdit(current.backup_dir, self)
        self.folder.setObjectName("backupFolder")
        self.folder.setAccessibleName("Backup folder")
        self.folder.setPlaceholderText("No folder: automatic backups are off")
        self.choose = QPushButton("C&hoose…", self)
        self.choose.setAccessibleName("Choose the backup folder")
        self.choose.clicked.connect(self._choose)
        self.every = QComboBox(self)
        self.every.setObjectName("backupEvery")
        self.every.setAccessibleName("How often")
        for hours, text in EVERY:
            self.every.addItem(text, hours)
        if self.every.findData(current.backup_every_hours) < 0:  # IT's own choice
            self.every.addItem(
                f"Every {current.backup_every_hours} hours", current.backup_every_hours
            )
        self.every.setCurrentIndex(self.every.findData(current.backup_every_hours))
        self.keep = QSpinBox(self)
        self.keep.setObjectName("backupKeep")
        self.keep.setAccessibleName("Backups to keep")
        self.keep.setRange(1, 1000)
        self.keep.setValue(current.backup_keep)
        self.keep.setSuffix(" backups")

        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose)
        folder_box = QWidget(self)
        folder_box.setLayout(folder_row)
        folder_box.setFocusProxy(self.folder)  # Alt+F goes to the folder field
        self.lock_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label, field, parts in (
            ("backup_dir", "&Folder", folder_box, (self.folder, self.choose)),
            ("backup_every_hours", "&Back up", self.every, (self.every,)),
            ("backup_keep", "&Keep the newest", self.keep, (self.keep,)),
        ):
            form.addRow(label, self._locked(key, field, parts))
        self.message = wrapped("", self, "scheduleMessage")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(EXPLAIN, self))
        layout.addWidget(wrapped(PASSPHRASE_ALONE, self, "passphraseAloneNote"))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _locked(self, key: str, field: QWidget, parts: tuple[QWidget, ...]) -> QWidget:
        if key not in self._settings.locked_keys:
            return field
        for widget in parts:
            widget.setEnabled(False)
            widget.setToolTip(LOCKED_TEXT)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        note = QLabel(LOCKED_TEXT, self)
        note.setObjectName(f"locked_{key}")
        self.lock_labels[key] = note
        row.addWidget(note)
        box = QWidget(self)
        box.setLayout(row)
        return box

    def _choose(self) -> None:
        start = self.folder.text() or str(backup_schedule.resolve_folder("~"))
        chosen = QFileDialog.getExistingDirectory(self, "Choose the backup folder", start)
        if chosen:
            self.folder.setText(chosen)

    def edited(self) -> AppSettings:
        values = {
            "backup_dir": self.folder.text().strip(),
            "backup_every_hours": int(self.every.currentData()),
            "backup_keep": self.keep.value(),
        }
        changes = {k: v for k, v in values.items() if k not in self._settings.locked_keys}
        return replace(self._settings, **changes, problems=())

    def save(self) -> None:
        new = self.edited()
        folder = backup_schedule.resolve_folder(new.backup_dir)
        if folder is not None and folder.exists() and not folder.is_dir():
            self.message.setText("That is a file, not a folder. Choose a folder.")
            return
        self.buttons.setEnabled(False)

        def write() -> None:
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            save_settings(new)

        def done(_result: object) -> None:
            self.ctx.settings = new
            self.saved.emit(new)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(f"The backup settings were not saved. {error_message(exc)}")

        run_job(self.ctx, self, write, done, on_error=failed)


def open_schedule_dialog(ctx: AppContext, parent: QWidget) -> ScheduleDialog:
    dialog = ScheduleDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog
