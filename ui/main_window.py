"""The main window: it only assembles the screens and routes between them.

Pages of the central stack: a blank page while the vault folder is checked, the
first-run screen, the lock screen, and "home" (the case list or one case's
workspace). Locking (idle or Ctrl+L) flushes pending saves, deletes the workspace,
empties the case list, closes dialogs and shows only the lock screen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QStackedWidget, QWidget

from ui.context import AppContext
from ui.idle import IdleWatcher
from ui.menus import WindowPlace, add_edit_menu, add_mnemonics, find_in_text
from ui.shortcuts import SHORTCUTS
from ui.system_lock import SystemLockWatcher
from ui.views.case_list import CaseListView
from ui.views.case_workspace import TABS, CaseWorkspace
from ui.views.unlock import UnlockView
from ui.widgets.save_indicator import SaveIndicator

if TYPE_CHECKING:
    from ui.views.search import SearchDialog
    from ui.widgets.sync_status import SyncStatusWidget

APP_TITLE = "HomeStudy"
#: Edit menu entries: they act on the focused field, locked or not (the passphrase too)
EDITING = ("undo", "redo", "cut", "copy", "paste", "select_all")


class MainWindow(QMainWindow):
    unlocked_ready = Signal()  # unlocked and the case list is drawn

    def __init__(
        self,
        ctx: AppContext,
        first_run_factory: Callable[[AppContext, QWidget], QWidget],
        idle_ms: int | None = None,
        warm_up: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self._warm_up = warm_up
        self._first_run_factory = first_run_factory
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.resize(1200, 800)
        self.place = WindowPlace()
        self.place.restore(self)  # the size and place it had last time, if any
        self.stack = QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self.blank = QWidget(self.stack)
        self.unlock_view = UnlockView(ctx, self.stack)
        self.unlock_view.unlocked.connect(self._after_unlock)
        self.first_run: QWidget | None = None
        self.home = QStackedWidget(self.stack)
        self.case_list = CaseListView(ctx, self.home)
        self.case_list.open_case.connect(self.open_case)
        self.case_list.new_case_requested.connect(self.new_case)
        self.case_list.assignment_requested.connect(self.from_assignment)
        self.case_list.loaded.connect(self._case_list_loaded)
        self.home.addWidget(self.case_list)
        self.workspace: CaseWorkspace | None = None
        self._spare: CaseWorkspace | None = None  # built while idle, so opening is quick
        for page in (self.blank, self.unlock_view, self.home):
            self.stack.addWidget(page)
        self.is_locked = True
        self._read_only = False  # set when the vault fails its integrity check
        self._awaiting_ready = False
        self._search: SearchDialog | None = None
        self._place: dict[str, Any] = {}
        self.system_lock = SystemLockWatcher(self)
        self.system_lock.lock_requested.connect(self._system_lock)
        self.system_lock.register_window(lambda: int(self.winId()))  # Windows only

        self.save_indicator = SaveIndicator(ctx.events, self)
        self.statusBar().addPermanentWidget(self.save_indicator)
        self._sync_status: SyncStatusWidget | None = None

        minutes = ctx.settings.idle_lock_minutes
        self.idle = IdleWatcher(idle_ms if idle_ms is not None else minutes * 60_000, self)
        self.idle.idle.connect(self.lock)
        ctx.events.open_requested.connect(self.open_case)
        ctx.events.integrity_failed.connect(self._integrity_failed)
        ctx.events.cases_changed.connect(self._refresh_if_home)

        # shadows QWidget.actions(), which nothing here calls
        self.actions: dict[str, QAction] = {}  # type: ignore[assignment]
        self._build_actions()
        add_edit_menu(self, SHORTCUTS, self.actions, lambda: find_in_text(self))
        from ui.views.vault_care import install_vault_care

        self.vault_care = install_vault_care(self)  # File menu: backups, passphrase, cases
        from ui.views.agency_cases import install_agency_cases

        self.agency_cases = install_agency_cases(self)  # File menu: link a case, messages
        self._set_unlocked_actions(False)
        add_mnemonics(self.menuBar())

    # ------------------------------------------------------------------ actions, menus

    def _build_actions(self) -> None:
        handlers: dict[str, Callable[..., object]] = {
            "search": self.show_search,
            "new_case": self.new_case,
            "cases": self.show_case_list,
            "save_now": self.flush_saves,
            "export": self.export_case,
            "refresh": self.refresh,
            "lock": self.lock,
            "settings": self.show_settings,
            "help": self.show_help,
            "quit": self.close,
        }
        for spec in TABS:  # triggered(bool) passes "checked" first: keep it out of key
            handlers[f"tab_{spec.key}"] = lambda _checked=False, key=spec.key: self._select_tab(key)
        menus = {
            "&File": ("new_case", "save_now", "export", "lock", "settings", "quit"),
            "&Go": ("cases", *(f"tab_{s.key}" for s in TABS), "search", "refresh"),
            "&Help": ("help",),
        }
        by_id = {s.action: s for s in SHORTCUTS}
        made = {}
        for menu_title, ids in menus.items():
            menu = made[menu_title] = self.menuBar().addMenu(menu_title)
            for action_id in ids:
                shortcut = by_id[action_id]
                action = QAction(shortcut.description, self)
                action.setObjectName(f"action_{action_id}")
                action.setShortcuts([QKeySequence(k) for k in shortcut.keys])
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                action.triggered.connect(handlers[action_id])
                menu.addAction(action)
                self.actions[action_id] = action
        self.actions["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        # Help > About: versions, licences and "Copy diagnostic report" (no shortcut key)
        self.about_action = QAction("&About HomeStudy", self)
        self.about_action.setObjectName("action_about")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        made["&Help"].addAction(self.about_action)

    def _set_unlocked_actions(self, unlocked: bool) -> None:
        for action_id, action in self.actions.items():
            if action_id not in ("quit", "help", *EDITING):
                action.setEnabled(unlocked)
        in_case = unlocked and self.workspace is not None
        for spec in TABS:
            self.actions[f"tab_{spec.key}"].setEnabled(in_case)
        self.actions["export"].setEnabled(in_case)

    def _add_sync_status(self) -> None:
        if self._sync_status is not None:
            return
        from ui.widgets.sync_status import SyncStatusWidget

        self._sync_status = SyncStatusWidget(self.ctx, self.case_list)
        self.case_list.add_panel("Agencies and sync", self._sync_status)
        self._sync_status.refresh()  # made after `unlocked`, so it asks now

    # ------------------------------------------------------------------ start-up

    def start(self) -> None:
        """Check for a vault on the DB worker, then show the lock or first-run screen."""
        folder: Path = self.ctx.vault_dir

        def exists() -> bool:
            from homestudy.vault import Vault  # imported on the worker: it takes a while

            return Vault.exists(folder)

        self.stack.setCurrentWidget(self.blank)
        self.ctx.db.submit_raw(exists, self._vault_checked, lambda _exc: self._vault_checked(False))

    def _vault_checked(self, exists: object) -> None:
        # the first screen is up: load what comes next while the passphrase is typed
        self.ctx.preload_forms()
        if self._warm_up:
            self.ctx.warm_up(self._warm_up)
        if exists:
            self.unlock_view.set_first_open(True)
            self._show_unlock()
        else:
            self.first_run = self._first_run_factory(self.ctx, self.stack)
            self.first_run.vault_created.connect(self._after_create)  # type: ignore[attr-defined]
            self.vault_care.connect_first_run(self.first_run)
            self.stack.addWidget(self.first_run)
            self.stack.setCurrentWidget(self.first_run)
            self.first_run.setFocus()
            reset = getattr(self.first_run, "reset", None)
            if reset:
                reset()

    def _after_create(self, keyring_protected: bool = True) -> None:
        if self.first_run is not None:
            self.stack.removeWidget(self.first_run)
            self.first_run.deleteLater()
            self.first_run = None
        if not keyring_protected:
            self.statusBar().showMessage(
                "No keyring on this computer: your vault is protected by your passphrase alone.",
                15_000,
            )
        self._after_unlock()

    def _show_unlock(self) -> None:
        self.stack.setCurrentWidget(self.unlock_view)
        self.unlock_view.reset()

    def _after_unlock(self) -> None:
        self.is_locked = False
        self.ctx.events.unlocked.emit()
        self._set_unlocked_actions(True)
        self.stack.setCurrentWidget(self.home)
        self.show_case_list()
        self._awaiting_ready = True
        self.case_list.refresh()
        self.idle.start()
        place, self._place = self._place, {}
        if place.get("case"):
            self._return_to(place)

    def _return_to(self, place: dict[str, Any]) -> None:
        """Open the case the lock closed, then put back tab, section, scroll and cursor."""
        self.open_case(str(place["case"]), str(place.get("tab") or ""))
        workspace = self.workspace
        if workspace is None:
            return
        generation = workspace.load_generation

        def restore() -> None:
            workspace.loaded.disconnect(restore)
            if workspace.load_generation != generation:
                return  # opened again before it loaded: the newer choice stands
            moves = workspace.moves

            def put_back() -> None:
                # not if the worker has gone somewhere since (a search result, a finding)
                if shiboken6.isValid(workspace) and workspace.moves == moves:
                    workspace.restore_place(place)

            QTimer.singleShot(0, put_back)

        workspace.loaded.connect(restore)

    def _case_list_loaded(self) -> None:
        if self._awaiting_ready:
            self._awaiting_ready = False
            self.case_list.focus_table()
            self.unlocked_ready.emit()
            QTimer.singleShot(0, self._after_ready)

    def _after_ready(self) -> None:
        """Work that need not delay the first usable screen."""
        if self.is_locked:
            return
        self._add_sync_status()
        if self._spare is None and self.workspace is None:
            self._spare = self._new_workspace()

    # ------------------------------------------------------------------ navigation

    def show_case_list(self) -> None:
        self._close_workspace()
        self.home.setCurrentWidget(self.case_list)
        self._title("Cases")
        self._set_unlocked_actions(not self.is_locked)
        self.case_list.focus_table()

    def open_case(self, case_id: str, location: str = "") -> None:
        if self.is_locked:
            return
        if (
            self.workspace is not None
            and self.workspace.case is not None
            and self.workspace.case.id == case_id
        ):
            self.workspace.show_location(location)
            return
        self._close_workspace()
        workspace, self._spare = self._spare or self._new_workspace(), None
        self.home.setCurrentWidget(workspace)
        self.workspace = workspace
        self._set_unlocked_actions(True)
        workspace.load(case_id, location)

    def _new_workspace(self) -> CaseWorkspace:
        workspace = CaseWorkspace(self.ctx, self.home)
        workspace.back_requested.connect(self.show_case_list)
        workspace.title_changed.connect(self._title)
        self.home.addWidget(workspace)
        return workspace

    def _close_workspace(self) -> None:
        """Leave the case: save what is pending and keep the widgets for the next case."""
        if self.workspace is None:
            return
        self.workspace.flush()
        self._spare, self.workspace = self.workspace, None
        self.case_list.refresh()

    def _select_tab(self, key: str) -> None:
        if self.workspace is not None:
            self.workspace.select_tab(key)

    def refresh(self) -> None:
        if not self.is_locked:
            self.case_list.refresh()

    def _refresh_if_home(self) -> None:
        if not self.is_locked and self.workspace is None:
            self.case_list.refresh()

    def flush_saves(self) -> None:
        self.ctx.events.about_to_lock.emit()  # AutoSavers start pending saves now

    # ------------------------------------------------------------------ dialogs

    def show_search(self) -> None:
        from ui.views.search import SearchDialog

        if self.is_locked:
            return
        if self._search is None:
            self._search = SearchDialog(self.ctx, self)
        if self._search.isVisible():
            self._search.raise_()  # already open behind the window: bring it forward
        self._search.show()
        self._search.activateWindow()
        self._search.query.setFocus()
        self._search.query.selectAll()

    def new_case(self) -> None:
        from ui.views.new_case import NewCaseDialog

        if self.is_locked:
            return
        dialog = NewCaseDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.created.connect(self.open_case)
        dialog.open()

    def from_assignment(self) -> None:
        """Cases assigned by an agency arrive by sync: enrol first if there is no agency,
        else fetch new assignments now (they join the case list when they arrive)."""
        if self.is_locked:
            return
        self._add_sync_status()
        sync = self._sync_status
        assert sync is not None  # made just above
        if not sync.labels:
            sync.add_agency()
        else:
            self.statusBar().showMessage("Asking your agencies for new assignments…", 8000)
            sync.sync_now(force=True)

    def export_case(self) -> None:
        if self.workspace is None or self.workspace.case is None:
            return
        from ui.views.export_dialog import open_export_dialog

        open_export_dialog(self.ctx, self, self.workspace.case.id)

    def show_settings(self) -> None:
        from ui.views.settings_dialog import open_settings_dialog

        open_settings_dialog(self.ctx, self)

    def show_help(self) -> None:
        from ui.views.help import open_help

        open_help(self.ctx, self, SHORTCUTS)

    def show_about(self) -> None:
        from ui.views.help import open_help

        open_help(self.ctx, self, SHORTCUTS).show_about()

    def _title(self, place: str) -> None:
        note = " (read-only)" if self._read_only else ""
        self.setWindowTitle(f"{APP_TITLE} — {place}{note}")

    def _integrity_failed(self) -> None:
        from homestudy.errors import IntegrityError

        self._read_only = True
        self._title(self.windowTitle().removeprefix(f"{APP_TITLE} — "))
        self.vault_care.report_damage(IntegrityError())  # with "Restore from a backup…"

    # ------------------------------------------------------------------ locking

    def lock(self) -> None:
        """Hide every trace of case content and require the passphrase again."""
        if self.is_locked:
            return
        self.is_locked = True
        self.idle.stop()
        # where the worker was (ids and positions only), to go back there after unlocking
        self._place = self.workspace.capture_place() if self.workspace is not None else {}
        self.ctx.events.about_to_lock.emit()  # pending saves are queued before the lock
        self._close_dialogs()
        self._close_workspace_for_lock()
        self.case_list.clear()
        if self._search is not None:
            self._search.clear()
        self.statusBar().clearMessage()
        self._set_unlocked_actions(False)
        self.setWindowTitle(f"{APP_TITLE} — locked")  # never a case reference
        self.unlock_view.set_first_open(False)
        self._show_unlock()
        self.ctx.db.lock()
        self.ctx.events.locked.emit()
        from homestudy import richtext

        richtext.forget()  # the Markdown writer's memory of lines of case text

    def _system_lock(self, reason: str) -> None:
        if not self.is_locked:
            self.lock()
            self.unlock_view.message.setText(f"{reason} HomeStudy locked itself.")

    def _close_workspace_for_lock(self) -> None:
        """Destroy the workspace and the spare: no widget may keep case content."""
        for workspace in (self.workspace, self._spare):
            if workspace is None:
                continue
            self.home.removeWidget(workspace)
            workspace.hide()
            workspace.setParent(None)
            workspace.deleteLater()
        self.workspace = self._spare = None

    def _close_dialogs(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.events.about_to_lock.emit()  # save what is pending before quitting
        self.place.save(self)
        self.idle.detach()
        super().closeEvent(event)
