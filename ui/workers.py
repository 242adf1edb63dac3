"""Background work for the UI: one thread that owns the vault, and a pool for the rest.

``DbWorker`` is a single long-lived Python thread (Anki's single-worker executor,
git-cola's ``Task``): the SQLCipher connection is made on it and only ever used on it,
so opening, creating, locking and unlocking the vault (and so the KDF) never run on
the GUI thread. Results come back to the GUI thread through a queued Qt signal.

``PoolJob`` is a ``QRunnable`` for work that does not touch the vault (export files,
network, KDF calibration) on the context's ``QThreadPool``.

Callbacks are plain callables; they always run on the GUI thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal, Slot

from homestudy.errors import VaultDamagedError, VaultLockedError

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class GuiBridge(QObject):
    """Lives on the GUI thread; ``post`` from any thread runs a callable there."""

    _call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(self._run)

    def post(self, fn: Callable[[], None]) -> None:
        self._call.emit(fn)  # queued: the emitting thread differs from ours

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


@dataclass
class _Job:
    fn: Callable[[], Any]
    on_done: Callback | None
    on_error: ErrorCallback | None


class DbWorker:
    """The one thread that owns the ``Vault``. Jobs run in submission order."""

    def __init__(
        self, bridge: GuiBridge, on_integrity_problem: Callable[[], None] | None = None
    ) -> None:
        self._bridge = bridge
        self._on_integrity_problem = on_integrity_problem
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._vault: Any = None  # homestudy.vault.Vault, only touched on the worker thread
        self._damage_told = False  # the GUI heard this vault is damaged
        self._thread = threading.Thread(target=self._loop, name="homestudy-db", daemon=True)
        self._thread.start()
        self._pending = 0
        self._pending_lock = threading.Lock()

    # ------------------------------------------------------------------ submitting

    def submit(
        self,
        fn: Callable[[Any], Any],
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        """Run ``fn(vault)`` on the worker; VaultLockedError when no vault is unlocked."""

        def call() -> Any:
            vault = self._vault
            if vault is None or getattr(vault, "is_locked", False):
                raise VaultLockedError()
            return fn(vault)

        self._put(_Job(call, on_done, on_error))

    def submit_raw(
        self,
        fn: Callable[[], Any],
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        """Run ``fn()`` on the worker thread, with or without an open vault."""
        self._put(_Job(fn, on_done, on_error))

    def _put(self, job: _Job) -> None:
        with self._pending_lock:
            self._pending += 1
        self._queue.put(job)

    @property
    def busy(self) -> bool:
        with self._pending_lock:
            return self._pending > 0

    # ------------------------------------------------------------------ vault lifecycle

    def open_vault(
        self, folder: Path, passphrase: str, on_done: Callback, on_error: ErrorCallback
    ) -> None:
        """Open (KDF and all) on the worker; on_done gets the Vault's keyring_protected."""

        def call() -> bool:
            from homestudy.vault import Vault

            self._close_current()
            self._vault = Vault.open(folder, passphrase, on_integrity=self._integrity_checked)
            return bool(self._vault.keyring_protected)

        self.submit_raw(call, on_done, on_error)

    def create_vault(
        self, folder: Path, passphrase: str, on_done: Callback, on_error: ErrorCallback
    ) -> None:
        def call() -> bool:
            from homestudy.vault import Vault

            self._close_current()
            self._vault = Vault.create(folder, passphrase)
            return bool(self._vault.keyring_protected)

        self.submit_raw(call, on_done, on_error)

    def replace_vault(
        self,
        make: Callable[[Any, Callable[[list[str]], None]], Any],
        on_done: Callback,
        on_error: ErrorCallback,
    ) -> None:
        """Put another vault in place of the current one (a restore), on the worker:
        ``make(current_or_None, on_integrity)`` closes the current one when it is ready
        to and returns the new, open Vault, which this worker then owns."""

        def call() -> bool:
            self._damage_told = False  # before the new vault's check can report
            new = make(self._vault, self._integrity_checked)
            self._vault = new
            return bool(new.keyring_protected)

        self.submit_raw(call, on_done, on_error)

    def lock(self, on_done: Callback | None = None) -> None:
        def call() -> None:
            if self._vault is not None and not self._vault.is_locked:
                self._vault.lock()

        self.submit_raw(
            call, on_done, lambda exc: log.error("lock failed: %s", type(exc), exc_info=exc)
        )

    def unlock(self, passphrase: str, on_done: Callback, on_error: ErrorCallback) -> None:
        def call() -> None:
            if self._vault is None:
                raise VaultLockedError()
            self._vault.unlock(passphrase)

        self.submit_raw(call, on_done, on_error)

    def _integrity_checked(self, problems: list[str]) -> None:
        # called from the vault's checker thread (or this one, when a read met damage);
        # the vault has turned read-only. The user is told once per vault.
        if not problems or self._damage_told:
            return
        self._damage_told = True
        if self._on_integrity_problem is not None:
            self._bridge.post(self._on_integrity_problem)

    @property
    def has_vault(self) -> bool:
        """True once a vault was opened in this session (it may be locked now)."""
        return self._vault is not None

    def _close_current(self) -> None:
        self._damage_told = False  # a new vault comes next
        if self._vault is not None:
            self._vault.close()
            self._vault = None

    def shutdown(self, timeout: float = 10.0) -> None:
        """Close the vault on its own thread and stop the worker (waits for queued jobs)."""
        if not self._thread.is_alive():
            return
        self.submit_raw(self._close_current, None, None)
        self._queue.put(None)
        self._thread.join(timeout)

    # ------------------------------------------------------------------ the thread

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                result = job.fn()
            except BaseException as exc:  # delivered to the GUI, never swallowed
                if isinstance(exc, VaultDamagedError) and self._vault is not None:
                    # met while reading an open vault (a failed open says so itself)
                    self._integrity_checked(["damaged page"])
                self._deliver(job.on_error, exc, failed=True)
            else:
                self._deliver(job.on_done, result, failed=False)

    def _deliver(self, callback: Callable[[Any], None] | None, value: Any, failed: bool) -> None:
        def run() -> None:
            with self._pending_lock:
                self._pending -= 1
            if callback is not None:
                callback(value)
            elif failed:
                log.error("background job failed: %s", type(value).__name__, exc_info=value)

        self._bridge.post(run)


class PoolJob(QRunnable):
    """``fn()`` on a QThreadPool; the result or the exception comes back on the GUI thread."""

    def __init__(
        self,
        bridge: GuiBridge,
        fn: Callable[[], Any],
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._bridge, self._fn = bridge, fn
        self._on_done, self._on_error = on_done, on_error

    def run(self) -> None:
        on_done, on_error = self._on_done, self._on_error
        try:
            value = self._fn()
        except BaseException as exc:

            def fail(exc: BaseException = exc) -> None:
                if on_error is not None:
                    on_error(exc)
                else:
                    log.error("pool job failed: %s", type(exc).__name__, exc_info=exc)

            self._bridge.post(fail)
        else:
            if on_done is not None:
                self._bridge.post(lambda: on_done(value))
