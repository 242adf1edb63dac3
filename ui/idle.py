"""Idle detection for the automatic lock.

An application-wide event filter notes the time of the last keyboard, mouse,
wheel or touch input; one single-shot timer checks it, so a mouse move costs a
clock read rather than a timer restart. ``idle`` fires once per idle period.

Idle time is counted on a clock that goes on while the computer sleeps
(``suspend_clock``: ``CLOCK_BOOTTIME`` on Linux, ``CLOCK_MONOTONIC`` on macOS, where
it counts sleep; elsewhere a monotonic clock that also follows the wall clock
forward), and the check runs at least every ``CHECK_EVERY_MS``: a timer does not
run during sleep, so after a laptop wakes the lock comes within seconds, not after
the rest of the interval.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

#: The longest the idle check waits, so a wake from sleep is noticed quickly.
CHECK_EVERY_MS = 5000


class _FollowsWallClock:
    """Monotonic seconds that also advance when the wall clock jumps forward (a sleep on
    a platform whose monotonic clock stops during it); never goes back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = time.monotonic()
        self._mono, self._wall = time.monotonic(), time.time()

    def __call__(self) -> float:
        with self._lock:
            mono, wall = time.monotonic(), time.time()
            self._value += max(0.0, mono - self._mono, wall - self._wall)
            self._mono, self._wall = mono, wall
            return self._value


def suspend_clock() -> Callable[[], float]:
    """A clock (seconds) that includes time spent asleep."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        return lambda: time.clock_gettime(boottime)
    if sys.platform == "darwin":
        return lambda: time.clock_gettime(time.CLOCK_MONOTONIC)  # counts sleep on macOS
    return _FollowsWallClock()


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
        clock: Callable[[], float] | None = None,
        check_every_ms: int = CHECK_EVERY_MS,
    ) -> None:
        super().__init__(parent)
        self._check_every_ms = max(1, check_every_ms)
        self.clock = clock or suspend_clock()  # seconds; tests step time by hand
        self._interval_ms = max(1, interval_ms)
        self._last = self.clock()
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
        self._timer.start(min(self._interval_ms, self._check_every_ms))

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    def poke(self) -> None:
        """Count as activity (used by the event filter and by tests)."""
        self._last = self.clock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._running and event.type() in _ACTIVITY:
            self._last = self.clock()
        elif self._running and event.type() == QEvent.Type.ApplicationStateChange:
            QTimer.singleShot(0, self._check)  # back from sleep or another app: time yet?
        return False

    def _check(self) -> None:
        if not self._running:
            return
        elapsed_ms = (self.clock() - self._last) * 1000
        if elapsed_ms >= self._interval_ms:
            self._running = False
            self.idle.emit()
        else:
            remaining = int(self._interval_ms - elapsed_ms) + 1
            self._timer.start(max(1, min(remaining, self._check_every_ms)))

    def detach(self) -> None:
        self.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
