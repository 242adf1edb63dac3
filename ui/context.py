"""The application context: what every window and view is given (no globals).

``AppContext`` holds the settings, the vault folder, the ``DbWorker`` that owns the
vault, a ``QThreadPool`` for other slow work, the ``AppEvents`` hub and the form
definitions (loaded once, lazily). Views receive it in their constructor:
``View(ctx, parent=None)``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from homestudy.settings import AppSettings
from ui.workers import DbWorker, GuiBridge


class AppEvents(QObject):
    """Application-wide notifications, always emitted on the GUI thread."""

    #: a part of a case was saved durably (case id)
    case_saved = Signal(str)
    #: the save indicator: state is "saving" | "saved" | "failed"; text is what to show
    save_state_changed = Signal(str, str)
    #: the vault is about to lock: start any pending save now (AutoSaver listens)
    about_to_lock = Signal()
    #: the vault was locked (idle or Ctrl+L): drop every reference to case content
    locked = Signal()
    #: the vault was unlocked (or opened/created) and may be used
    unlocked = Signal()
    #: the set of cases or their list figures changed (new case, deleted, sync)
    cases_changed = Signal()
    #: the vault failed its background integrity check and is now read-only
    integrity_failed = Signal()
    #: ask the main window to open a case at a place: (case id, location), location
    #: as in docs/DESIGN.md "UI API" ("par:health", "visits:<visit id>", "" = overview)
    open_requested = Signal(str, str)


def _default_forms_loader() -> Any:
    # The forms engine (issue 3) owns this API; imported late so start-up stays fast.
    from homestudy import forms

    loader = getattr(forms, "load_library", None) or getattr(forms, "load_all", None)
    if loader is None:
        raise RuntimeError("homestudy.forms has no loader yet")
    return loader()


@dataclass
class SaveState:
    """Saves in flight (drives the save indicator); touched on the GUI thread only."""

    in_flight: int = 0
    failed: bool = False
    pending: int = 0  # edits waiting in an AutoSaver's pause


@dataclass(eq=False)
class AppContext:
    settings: AppSettings
    vault_dir: Path
    bridge: GuiBridge
    db: DbWorker
    pool: QThreadPool
    events: AppEvents
    forms_loader: Callable[[], Any] = _default_forms_loader
    saves: SaveState = field(default_factory=SaveState)
    _forms: Any = field(default=None, repr=False)
    _forms_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def forms(self) -> Any:
        """The form definitions (homestudy.forms), loaded on first use and kept."""
        with self._forms_lock:
            if self._forms is None:
                self._forms = self.forms_loader()
            return self._forms

    def preload_forms(self) -> None:
        """Load the form definitions on the pool so the first view does not wait."""
        from ui.workers import PoolJob

        def load() -> None:
            # a failure is reported again, with a message, when a view needs the forms
            with contextlib.suppress(Exception):
                _ = self.forms

        self.pool.start(PoolJob(self.bridge, load))

    def warm_up(self, modules: tuple[str, ...]) -> None:
        """Import ``modules`` while the user types the passphrase, so that the first case
        list and the first case open without that wait: the core's (no Qt) on the pool,
        the views one at a time on the GUI thread between events, because a module that
        defines widgets must not be imported beside the GUI thread's own use of Qt (a
        test run crashed so, once)."""
        import importlib

        from PySide6.QtCore import QTimer

        from ui.workers import PoolJob

        def load_quietly(name: str) -> None:
            with contextlib.suppress(Exception):  # a missing module is left out later
                importlib.import_module(name)

        core = [m for m in modules if not m.startswith("ui.")]
        views = [m for m in modules if m.startswith("ui.")]

        def load_core() -> None:
            for name in core:
                load_quietly(name)

        def next_view() -> None:
            if views:
                load_quietly(views.pop(0))
                QTimer.singleShot(0, next_view)

        self.pool.start(PoolJob(self.bridge, load_core))
        QTimer.singleShot(0, next_view)

    def shutdown(self) -> None:
        self.pool.waitForDone(10_000)
        self.db.shutdown()


def make_context(
    settings: AppSettings, vault_dir: Path, parent: QObject | None = None
) -> AppContext:
    """Build the context (call on the GUI thread, after the QApplication exists)."""
    bridge = GuiBridge(parent)
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(max(2, min(4, QThreadPool.globalInstance().maxThreadCount())))
    events = AppEvents(parent)
    return AppContext(
        settings=settings,
        vault_dir=vault_dir,
        bridge=bridge,
        db=DbWorker(bridge, on_integrity_problem=events.integrity_failed.emit),
        pool=pool,
        events=events,
    )
