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
key in flight, the latest value wins, a save at least every ``MAX_WAIT_MS`` while
typing goes on, pending saves are flushed before a lock, and a save that failed for
a passing reason (disk full, read-only, locked) is retried until it succeeds.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from homestudy.errors import ReadOnlyVaultError, StorageFullError, VaultLockedError
from ui.context import AppContext
from ui.errors import error_message, show_error
from ui.workers import PoolJob

T = TypeVar("T")

PROGRESS_DELAY_MS = 500
#: The longest typing waits to be saved: a crash never loses more than this.
MAX_WAIT_MS = 2000


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
    _indicate(ctx)

    def done(result: Any) -> None:
        state.in_flight -= 1
        if state.in_flight == 0 and state.failed:
            state.failed = False  # a save that ran alongside failed: this one clears it
        _indicate(ctx, saved=True)
        ctx.events.case_saved.emit(case_id)
        if on_done is not None and _alive(parent):
            on_done(result)

    def failed(exc: BaseException) -> None:
        state.in_flight -= 1
        state.failed = state.in_flight > 0  # saves still in flight must not hide this
        _indicate(ctx, problem=exc)
        if on_error is not None and _alive(parent):
            on_error(exc)

    ctx.db.submit(fn, done, failed)


# ------------------------------------------------------------------ the save indicator

#: Saves that failed and wait to be tried again, per context: (case id, key) -> _Retry.
_RETRIES: weakref.WeakKeyDictionary[AppContext, dict[tuple[str, str], _Retry]] = (
    weakref.WeakKeyDictionary()
)

#: After this long, "Saving…" says why it is taking time.
SLOW_SAVE_MS = 3000


def _retries(ctx: AppContext) -> dict[tuple[str, str], _Retry]:
    return _RETRIES.setdefault(ctx, {})


def _indicate(
    ctx: AppContext, *, saved: bool = False, problem: BaseException | None = None
) -> None:
    """Tell the indicator the truth: failures waiting to be retried first, then saves
    in flight or waiting, then the time of the last save."""
    retries = _retries(ctx)
    if problem is not None or retries:
        reason = (
            error_message(problem) if problem is not None else next(iter(retries.values())).reason
        )
        again = " HomeStudy will try again by itself." if retries else ""
        ctx.events.save_state_changed.emit("failed", f"Not saved: {reason}{again}")
        return
    state = ctx.saves
    if state.in_flight or state.pending:
        ctx.events.save_state_changed.emit("saving", "Saving…")
    elif saved:
        ctx.events.save_state_changed.emit("saved", f"Saved at {time.strftime('%H:%M')}")


#: Errors worth trying again later: the disk fills up, turns read-only, the vault locks.
RETRYABLE: tuple[type[BaseException], ...] = (
    StorageFullError,
    ReadOnlyVaultError,
    VaultLockedError,
    OSError,
)
RETRY_FIRST_MS = 1000
RETRY_MAX_MS = 30_000


class _Retry(QObject):
    """A save that failed for a passing reason, tried again with a growing pause.

    Owned by the context, not by the editor, so a save waiting for disk space is
    still made after the editor has gone (another case opened, or the app locked:
    after unlocking it is tried again at once)."""

    def __init__(
        self, ctx: AppContext, case_id: str, key: str, fn: Callable[[Any], Any], reason: str
    ) -> None:
        super().__init__(ctx.events)
        self.ctx, self.case_id, self.key, self.fn, self.reason = ctx, case_id, key, fn, reason
        self.delay_ms = RETRY_FIRST_MS
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.attempt)
        ctx.events.unlocked.connect(self.attempt)

    def schedule(self) -> None:
        self.timer.start(self.delay_ms)
        self.delay_ms = min(RETRY_MAX_MS, self.delay_ms * 2)

    def attempt(self) -> None:
        if _retries(self.ctx).get((self.case_id, self.key)) is not self:
            return  # superseded by a newer save of the same thing

        def done(_: Any) -> None:
            if _retries(self.ctx).get((self.case_id, self.key)) is self:
                self.drop()
                _indicate(self.ctx, saved=True)

        def failed(exc: BaseException) -> None:
            if _retries(self.ctx).get((self.case_id, self.key)) is not self:
                return
            self.reason = error_message(exc)
            if isinstance(exc, RETRYABLE):
                self.schedule()
            else:
                self.drop()
            _indicate(self.ctx, problem=exc)

        save_case_part(self.ctx, None, self.case_id, self.fn, done, on_error=failed)

    def drop(self) -> None:
        retries = _retries(self.ctx)
        if retries.get((self.case_id, self.key)) is self:
            del retries[(self.case_id, self.key)]
        self.timer.stop()
        self.deleteLater()


def pending_retries(ctx: AppContext) -> int:
    """How many failed saves are waiting to be tried again."""
    return len(_retries(ctx))


class AutoSaver(QObject):
    """Coalesce frequent edits into saves. ``schedule(case_id, key, fn)`` per edit.

    A save for ``key`` starts ``delay_ms`` after the last edit, and never later than
    ``max_wait_ms`` after the first edit not yet saved, so a burst of typing is saved
    at least every two seconds and a crash loses at most that. While one save is in
    flight, newer edits wait and only the latest is saved next. ``flush()`` starts
    every pending save now (it runs automatically before the vault locks). A save that
    fails for a passing reason (disk full or read-only, vault locked) is tried again by
    itself with a growing pause until it succeeds or a newer edit replaces it.
    """

    def __init__(
        self, ctx: AppContext, parent: QWidget, delay_ms: int = 150, max_wait_ms: int = MAX_WAIT_MS
    ) -> None:
        super().__init__(parent)
        self._ctx, self._widget = ctx, parent
        self._pending: dict[str, tuple[str, Callable[[Any], Any]]] = {}
        self._in_flight: set[str] = set()
        self._waiting = [0]  # len(self._pending), readable after the saver is deleted
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._deadline = QTimer(self)  # the maximum wait: not restarted by more typing
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(max(delay_ms, max_wait_ms))
        self._deadline.timeout.connect(self.flush)
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(SLOW_SAVE_MS)
        self._slow.timeout.connect(self._still_saving)
        ctx.events.about_to_lock.connect(self.flush)
        # edits still waiting when the saver goes no longer count as "Saving…"
        waiting, saves = self._waiting, ctx.saves
        self.destroyed.connect(lambda *_: setattr(saves, "pending", saves.pending - waiting[0]))

    @property
    def idle(self) -> bool:
        """Nothing pending and nothing in flight."""
        return not self._pending and not self._in_flight

    def schedule(self, case_id: str, key: str, fn: Callable[[Any], Any]) -> None:
        retry = _retries(self._ctx).get((case_id, key))
        if retry is not None:
            retry.drop()  # this newer value replaces the one waiting to be retried
        if key not in self._pending:
            self._ctx.saves.pending += 1
            self._waiting[0] += 1
        self._pending[key] = (case_id, fn)
        _indicate(self._ctx)
        self._timer.start()
        if not self._deadline.isActive():
            self._deadline.start()

    def flush(self) -> None:
        self._timer.stop()
        self._deadline.stop()
        for key in list(self._pending):
            if key not in self._in_flight:
                self._start(key)

    def _start(self, key: str) -> None:
        case_id, fn = self._pending.pop(key)
        self._ctx.saves.pending -= 1
        self._waiting[0] -= 1
        self._in_flight.add(key)
        self._slow.start()
        ctx = self._ctx

        def finished(_: Any = None) -> None:
            if not shiboken6.isValid(self):
                return
            self._in_flight.discard(key)
            if not self._in_flight:
                self._slow.stop()
            if key in self._pending:
                self._start(key)

        def failed(exc: BaseException) -> None:
            superseded = shiboken6.isValid(self) and key in self._pending
            if isinstance(exc, RETRYABLE) and not superseded:
                retry = _Retry(ctx, case_id, key, fn, error_message(exc))
                _retries(ctx)[(case_id, key)] = retry
                retry.schedule()
                _indicate(ctx, problem=exc)
            finished()

        # parent=None: the indicator must settle even if the editor has gone
        save_case_part(ctx, None, case_id, fn, finished, on_error=failed)

    def _still_saving(self) -> None:
        if self._in_flight and not _retries(self._ctx):
            self._ctx.events.save_state_changed.emit(
                "saving", "Saving… (this is taking longer than usual)"
            )
