"""The vault's care in the app: backups (now, on a schedule, restore), the passphrase,
and deleting or archiving a case.

``install_vault_care(window)`` is the one call the main window makes: it adds the File
menu entries, the backup line in the status bar and the backup schedule, and offers a
restore wherever the vault cannot be used (the lock screen, the first-run screen, a
failed integrity check). The dialogs live beside this module; the work they start
runs off the GUI thread (``ui.operations``), and all of it is in ``homestudy.vault``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from homestudy.errors import HomeStudyError
from homestudy.textutil import format_date
from ui.errors import error_message
from ui.operations import run_db
from ui.views.vault_care.backup_dialog import open_backup_now
from ui.views.vault_care.case_dialogs import ArchiveCaseDialog, DeleteCaseDialog
from ui.views.vault_care.common import case_in_hand, file_menu
from ui.views.vault_care.passphrase_dialog import open_change_passphrase
from ui.views.vault_care.restore_dialog import RestoreOutcome, open_restore_dialog
from ui.views.vault_care.schedule_dialog import open_schedule_dialog
from ui.views.vault_care.status import BackupScheduler, BackupStatusWidget

#: (action id, menu text with its mnemonic, what it does) in menu order
ACTIONS = (
    ("vault_backup_now", "&Back up now…", "Make an encrypted backup of every case now"),
    (
        "vault_automatic_backups",
        "A&utomatic backups…",
        "Choose the folder, how often, and how many backups to keep",
    ),
    ("vault_restore", "&Restore from backup…", "Put the cases of a backup back in place"),
    ("vault_change_passphrase", "Change &passphrase…", "Change the vault's passphrase"),
    ("vault_archive", "&Archive case…", "Take a finished case out of the list (kept)"),
    ("vault_delete", "&Delete case…", "Delete a case and everything in it, for good"),
)


class VaultCare(QObject):
    """Owns the vault-care actions of one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window, self.ctx = window, window.ctx
        self.status = BackupStatusWidget(self.ctx, window)
        window.statusBar().addPermanentWidget(self.status)
        self.status.back_up_requested.connect(self.back_up_now)
        self.scheduler = BackupScheduler(self.ctx, self)
        self.scheduler.checked.connect(lambda _info: self.status.refresh())
        self.scheduler.failed.connect(lambda _message: self.status.refresh())
        self.actions: dict[str, QAction] = {}
        self._add_menu_entries()
        window.unlock_view.restore_requested.connect(self.restore)

    # ------------------------------------------------------------------ menu

    def _add_menu_entries(self) -> None:
        menu = file_menu(self.window)
        handlers = {
            "vault_backup_now": self.back_up_now,
            "vault_automatic_backups": self.automatic_backups,
            "vault_restore": self.restore,
            "vault_change_passphrase": self.change_passphrase,
            "vault_archive": self.archive_or_unarchive,
            "vault_delete": self.delete_case,
        }
        before = self.window.actions.get("settings")
        groups = (ACTIONS[:3], ACTIONS[3:4], ACTIONS[4:])
        menu.insertSeparator(before)  # then each group goes in after it, before Settings
        for group in groups:
            for action_id, text, tip in group:
                action = QAction(text, self.window)
                action.setObjectName(f"action_{action_id}")
                action.setStatusTip(tip)
                action.triggered.connect(lambda _checked=False, f=handlers[action_id]: f())
                menu.insertAction(before, action)
                self.actions[action_id] = action
            menu.insertSeparator(before)
        menu.aboutToShow.connect(self.update_case_actions)
        self._unlocked(False)
        self.ctx.events.unlocked.connect(lambda: self._unlocked(True))
        self.ctx.events.locked.connect(lambda: self._unlocked(False))

    def _unlocked(self, unlocked: bool) -> None:
        # while locked nothing may change the vault; a vault that will not open is
        # restored from the button the lock screen shows then
        for action in self.actions.values():
            action.setEnabled(unlocked)

    def update_case_actions(self) -> None:
        """Archive/Delete follow the case in hand (open, else selected in the list)."""
        case = case_in_hand(self.window) if not self.window.is_locked else None
        archive, delete = self.actions["vault_archive"], self.actions["vault_delete"]
        archive.setText("Un-&archive case" if case and case.archived else "&Archive case…")
        archive.setEnabled(case is not None and not self.window._read_only)
        delete.setEnabled(case is not None and not self.window._read_only)

    # ------------------------------------------------------------------ backups

    def back_up_now(self) -> None:
        if self.window.is_locked:
            return
        dialog = open_backup_now(self.ctx, self.window)
        dialog.backup_made.connect(lambda _info: self.status.refresh())

    def automatic_backups(self) -> None:
        if self.window.is_locked:
            return
        dialog = open_schedule_dialog(self.ctx, self.window)
        dialog.saved.connect(lambda _settings: self.scheduler.check_now())

    def restore(self) -> None:
        """Restore over the vault in use, or over one that cannot be opened."""
        dialog = open_restore_dialog(self.ctx, self.window, replacing=True)
        dialog.restored.connect(self._restored)
        dialog.left_closed.connect(self.window.lock)

    def restore_on_first_run(self) -> None:
        dialog = open_restore_dialog(self.ctx, self.window, replacing=False)
        dialog.restored.connect(self._restored)

    def _restored(self, outcome: RestoreOutcome) -> None:
        window = self.window
        window._read_only = False  # a restored vault passed its checks
        if window.first_run is not None:
            window._after_create(outcome.keyring_protected)
        elif window.is_locked:
            window._after_unlock()
        else:
            window._close_workspace_for_lock()  # no widget may keep the old cases
            window.show_case_list()
            window.case_list.refresh()
            self.ctx.events.cases_changed.emit()
            self.status.refresh()
        where = f" The vault you had is kept in {outcome.aside}." if outcome.aside else ""
        when = format_date(outcome.info.created_at.astimezone())
        window.statusBar().showMessage(
            f"Restored the backup of {when} ({outcome.cases} cases).{where}", 30_000
        )

    def report_damage(self, exc: HomeStudyError) -> QMessageBox:
        """The vault is damaged: say so, and offer the way back."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "HomeStudy",
            error_message(exc),
            QMessageBox.StandardButton.Close,
            self.window,
        )
        box.setObjectName("damageBox")
        restore = box.addButton("&Restore from a backup…", QMessageBox.ButtonRole.ActionRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.buttonClicked.connect(lambda button: self.restore() if button is restore else None)
        box.open()
        return box

    def connect_first_run(self, screen: QWidget) -> None:
        signal = getattr(screen, "restore_requested", None)
        if signal is not None:
            signal.connect(self.restore_on_first_run)

    # ------------------------------------------------------------------ the passphrase

    def change_passphrase(self) -> None:
        if self.window.is_locked:
            return
        dialog = open_change_passphrase(self.ctx, self.window)
        dialog.changed.connect(
            lambda: self.window.statusBar().showMessage(
                "Your passphrase has been changed. Use the new one from now on.", 15_000
            )
        )

    # ------------------------------------------------------------------ cases

    def archive_or_unarchive(self) -> None:
        case = case_in_hand(self.window)
        if case is None or self.window.is_locked:
            return
        if case.archived:
            run_db(
                self.ctx,
                self.window,
                lambda vault: vault.cases.unarchive_case(case.case_id),
                lambda _c: self._case_moved(f"{case.reference} is back in your case list."),
                progress="Un-archiving…",
            )
            return
        dialog = ArchiveCaseDialog(self.ctx, case, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.archived.connect(
            lambda _id: self._case_moved(
                f"{case.reference} is archived. Tick “Show archived cases” to see it."
            )
        )
        dialog.open()

    def _case_moved(self, message: str) -> None:
        window = self.window
        window.case_list.refresh()
        self.ctx.events.cases_changed.emit()
        window.statusBar().showMessage(message, 15_000)

    def delete_case(self) -> None:
        case = case_in_hand(self.window)
        if case is None or self.window.is_locked:
            return
        dialog = DeleteCaseDialog(self.ctx, case, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.deleted.connect(lambda _id, reclaimed: self._deleted(case.reference, reclaimed))
        if case.open_in_workspace:
            self.ctx.events.about_to_lock.emit()  # its pending saves land before the delete
        dialog.open()

    def _deleted(self, reference: str, reclaimed: bool) -> None:
        window = self.window
        was_open = window.workspace is not None
        window._close_workspace_for_lock()  # the workspace and its spare may show the case
        if was_open:
            window.show_case_list()
        window.case_list.refresh()
        self.ctx.events.cases_changed.emit()
        note = (
            ""
            if reclaimed
            else (
                " The disk is too full to clear the space it used now; "
                "that is done after the next deletion."
            )
        )
        window.statusBar().showMessage(f"{reference} has been deleted.{note}", 20_000)


def install_vault_care(window: Any) -> VaultCare:
    return VaultCare(window)
