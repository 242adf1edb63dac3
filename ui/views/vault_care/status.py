"""The backup line in the main window's status bar, and the backup schedule's timer.

``BackupStatusWidget`` says when the last good backup was made; with none for a week
(or when the automatic backup failed) it turns into a warning with a "Back up now"
button. ``BackupScheduler`` checks, while the vault is unlocked, whether a scheduled
backup is due (``homestudy.vault.backup_schedule.run_if_due``, on the DB worker).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from homestudy.model import utc_now
from homestudy.vault import backup_schedule
from homestudy.vault.backup_schedule import BackupStatus
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db

FIRST_CHECK_MS = 60_000  # a minute after unlocking: the first screens come first
CHECK_EVERY_MS = 10 * 60_000


class BackupStatusWidget(QWidget):
    back_up_requested = Signal()
    shown = Signal(object)  # the BackupStatus now on screen

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.status: BackupStatus | None = None
        self.setObjectName("backupStatus")
        self.label = QLabel("", self)
        self.label.setObjectName("backupStatusText")
        self.label.setAccessibleName("Backup status")
        self.button = QToolButton(self)
        self.button.setObjectName("backupStatusButton")
        self.button.setText("Back up now…")
        self.button.setAccessibleName("Back up now")
        self.button.clicked.connect(self.back_up_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.hide()
        ctx.events.unlocked.connect(self.refresh)
        ctx.events.locked.connect(self.clear)

    def refresh(self) -> None:
        run_db(
            self.ctx,
            self,
            backup_schedule.status,
            self.show_status,
            on_error=lambda _exc: self.clear(),
        )

    def show_status(self, status: BackupStatus) -> None:
        self.status = status
        warn = status.stale or bool(status.error)
        self.label.setText(f"⚠ {status.text}" if warn else status.text)
        font = self.label.font()
        font.setBold(warn)  # no colours of our own: weight and a sign, as the save line
        self.label.setFont(font)
        self.label.setToolTip(status.last_file)
        self.button.setVisible(warn)
        self.setVisible(True)
        self.shown.emit(status)

    def clear(self) -> None:
        self.status = None
        self.label.clear()
        self.hide()


class BackupScheduler(QObject):
    #: a scheduled check finished: the BackupInfo made, or None when none was due
    checked = Signal(object)
    #: a scheduled backup failed (the plain message)
    failed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.clock = ctx, clock
        self._unlocked = False
        self._running = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check_now)
        ctx.events.unlocked.connect(self._on_unlocked)
        ctx.events.locked.connect(self._on_locked)

    def _on_unlocked(self) -> None:
        self._unlocked = True
        self.timer.start(FIRST_CHECK_MS)

    def _on_locked(self) -> None:
        self._unlocked = False
        self.timer.stop()

    def check_now(self) -> bool:
        """Make a backup if one is due; False when nothing was started (locked, no
        folder chosen, or a check already running)."""
        self.timer.stop()
        settings = self.ctx.settings
        folder = backup_schedule.resolve_folder(settings.backup_dir)
        if not self._unlocked or folder is None or self._running:
            if self._unlocked:
                self.timer.start(CHECK_EVERY_MS)
            return False
        self._running = True
        every, keep, now = settings.backup_every_hours, settings.backup_keep, self.clock()

        def run(vault: object) -> object:
            return backup_schedule.run_if_due(vault, folder, every, keep, now)

        run_db(self.ctx, None, run, self._done, on_error=self._failed)
        return True

    def _done(self, info: object) -> None:
        self._finished()
        self.checked.emit(info)

    def _failed(self, exc: BaseException) -> None:
        self._finished()
        self.failed.emit(error_message(exc))

    def _finished(self) -> None:
        self._running = False
        if self._unlocked:
            self.timer.start(CHECK_EVERY_MS)
