"""The one way UI code changes or reads data (after Anki's ``CollectionOp``).

    run_db(ctx, parent, lambda vault: vault.cases.load_case(cid), self._show)
    save_case_part(ctx, parent, cid, lambda vault: vault.cases.save_visit(cid, visit))
    run_job(ctx, parent, lambda: write_docx(...), on_done, progress="Exporting…")

``fn`` runs off the GUI thread (the DB worker for ``run_db``/``save_case_part``, the
pool for ``run_job``); ``on_done(result)`` / ``on_error(exc)`` run on the GUI thread,
and are skipped if ``parent`` has been deleted meanwhile. Without ``on_error`` the
error is shown with ``ui.errors.show_error``. With ``progress`` a busy dialog appears
if the work takes more than half a second.

``fn`` must capture *values* (a copied draft, a new Visit), not objects the GUI keeps
editing, because it runs on another thread.

``AutoSaver`` coalesces rapid edits (keystrokes) into saves: at most one save per
key in flight, the latest value wins, and pending saves are flushed before a lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from homestudy.errors import VaultLockedError
from ui.context import AppContext
from ui.errors import error_message, show_error
from ui.workers import PoolJob

T = TypeVar("T")

PROGRESS_DELAY_MS = 500


def _alive(parent: QObject | None) -> bool:
    return parent is None or shiboken6.isValid(parent)


class _Progress:
    """A busy dialog that only appears if the work outlasts PROGRESS_DELAY_MS."""

    def __init__(self, parent: QWidget | None, label: str | None) -> None:
        self._done = False
        self._dialog: QProgressDialog | None = None
        self._parent, self._label = parent, label
        if label:
            QTimer.singleShot(PROGRESS_DELAY_MS, self._show)

    def _show(self) -> None:
        if self._done or not _alive(self._parent):
            return
        dialog = QProgressDialog(self._label or "", "", 0, 0, self._parent)
        dialog.setCancelButton(None)
        dialog.setWindowTitle("HomeStudy")
        dialog.setAccessibleName(self._label or "Working")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.show()
        self._dialog = dialog

    def finish(self) -> None:
        self._done = True
        if self._dialog is not None and shiboken6.isValid(self._dialog):
            self._dialog.close()
            self._dialog.deleteLater()
        self._dialog = None


def _callbacks(
    parent: QWidget | None,
    on_done: Callable[[Any], None] | None,
    on_error: Callable[[BaseException], None] | None,
    progress: str | None,
) -> tuple[Callable[[Any], None], Callable[[BaseException], None]]:
    busy = _Progress(parent, progress)

    def done(result: Any) -> None:
        busy.finish()
        if on_done is not None and _alive(parent):
            on_done(result)

    def failed(exc: BaseException) -> None:
        busy.finish()
        if not _alive(parent):
            return
        if on_error is not None:
            on_error(exc)
        elif not isinstance(exc, VaultLockedError):  # the lock screen already says so
            show_error(parent, exc)

    return done, failed


def run_db(
    ctx: AppContext,
    parent: QWidget | None,
    fn: Callable[[Any], T],
    on_done: Callable[[T], None] | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    progress: str | None = None,
) -> None:
    """Run ``fn(vault)`` on the DB worker; results on the GUI thread."""
    done, failed = _callbacks(parent, on_done, on_error, progress)
    ctx.db.submit(fn, done, failed)


def run_job(
    ctx: AppContext,
    parent: QWidget | None,
    fn: Callable[[], T],
    on_done: Callable[[T], None] | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    progress: str | None = None,
) -> None:
    """Run ``fn()`` (no vault: files, network) on the context's thread pool."""
    done, failed = _callbacks(parent, on_done, on_error, progress)
    ctx.pool.start(PoolJob(ctx.bridge, fn, done, failed))


def save_case_part(
    ctx: AppContext,
    parent: QWidget | None,
    case_id: str,
    fn: Callable[[Any], T],
    on_done: Callable[[T], None] | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
) -> None:
    """Save part of a case on the DB worker, drive the save indicator, emit case_saved.

    Errors go to the indicator ("Not saved: <reason>") rather than a dialog unless
    ``on_error`` is given; the caller's ``on_done`` runs only if its parent lives.
    """
    state = ctx.saves
    state.in_flight += 1
    ctx.events.save_state_changed.emit("saving", "Saving…")

    def done(result: Any) -> None:
        state.in_flight -= 1
        if state.in_flight == 0:
            if state.failed:  # a save that ran alongside failed: keep saying so
                state.failed = False
            else:
                ctx.events.save_state_changed.emit("saved", f"Saved at {time.strftime('%H:%M')}")
        ctx.events.case_saved.emit(case_id)
        if on_done is not None and _alive(parent):
            on_done(result)

    def failed(exc: BaseException) -> None:
        state.in_flight -= 1
        ctx.events.save_state_changed.emit("failed", f"Not saved: {error_message(exc)}")
        # saves still in flight must not hide this; the next save after them clears it
        state.failed = state.in_flight > 0
        if on_error is not None and _alive(parent):
            on_error(exc)

    ctx.db.submit(fn, done, failed)


class AutoSaver(QObject):
    """Coalesce frequent edits into saves. ``schedule(case_id, key, fn)`` per edit.

    A save for ``key`` starts ``delay_ms`` after the last edit; while one is in
    flight, newer edits wait and only the latest is saved next. ``flush()`` starts
    every pending save now (it runs automatically before the vault locks).
    """

    def __init__(self, ctx: AppContext, parent: QWidget, delay_ms: int = 150) -> None:
        super().__init__(parent)
        self._ctx, self._widget = ctx, parent
        self._pending: dict[str, tuple[str, Callable[[Any], Any]]] = {}
        self._in_flight: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        ctx.events.about_to_lock.connect(self.flush)

    @property
    def idle(self) -> bool:
        """Nothing pending and nothing in flight."""
        return not self._pending and not self._in_flight

    def schedule(self, case_id: str, key: str, fn: Callable[[Any], Any]) -> None:
        self._pending[key] = (case_id, fn)
        self._ctx.events.save_state_changed.emit("saving", "Saving…")
        self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        for key in list(self._pending):
            if key not in self._in_flight:
                self._start(key)

    def _start(self, key: str) -> None:
        case_id, fn = self._pending.pop(key)
        self._in_flight.add(key)

        def finished(_: Any = None) -> None:
            self._in_flight.discard(key)
            if key in self._pending:
                self._start(key)

        # parent=None: the indicator must settle even if the editor has gone
        save_case_part(self._ctx, None, case_id, fn, finished, on_error=finished)
