"""Idle detection for the automatic lock.

An application-wide event filter notes the time of the last keyboard, mouse,
wheel or touch input; one single-shot timer checks it, so a mouse move costs a
clock read rather than a timer restart. ``idle`` fires once per idle period.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(
        self,
        interval_ms: int,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.clock = clock  # seconds; tests replace it to step time by hand
        self._interval_ms = max(1, interval_ms)
        self._last = clock()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._running = False
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    def set_interval(self, interval_ms: int) -> None:
        self._interval_ms = max(1, interval_ms)
        if self._running:
            self.start()

    def start(self) -> None:
        """Start (or restart) watching from now."""
        self._running = True
        self._last = self.clock()
        self._timer.start(self._interval_ms)

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    def poke(self) -> None:
        """Count as activity (used by the event filter and by tests)."""
        self._last = self.clock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._running and event.type() in _ACTIVITY:
            self._last = self.clock()
        return False

    def _check(self) -> None:
        if not self._running:
            return
        elapsed_ms = (self.clock() - self._last) * 1000
        if elapsed_ms >= self._interval_ms:
            self._running = False
            self.idle.emit()
        else:
            self._timer.start(max(1, int(self._interval_ms - elapsed_ms) + 1))

    def detach(self) -> None:
        self.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
