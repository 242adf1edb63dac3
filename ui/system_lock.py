"""Lock HomeStudy when the computer sleeps or its screen locks.

``SystemLockWatcher(parent)`` emits ``lock_requested(reason)`` from whichever source
the platform has (each is optional; a missing one is simply not used):

- Linux and other freedesktop systems, over D-Bus (QtDBus): logind's
  ``PrepareForSleep(true)`` (system bus) and its session ``Lock`` signal, and the
  screen saver's ``ActiveChanged(true)`` (``org.freedesktop.ScreenSaver`` and GNOME's,
  session bus).
- Windows: ``WM_POWERBROADCAST``/``PBT_APMSUSPEND`` and, after
  ``WTSRegisterSessionNotification``, ``WM_WTSSESSION_CHANGE``/``WTS_SESSION_LOCK``,
  read by a native event filter.
- macOS: ``NSWorkspaceWillSleepNotification``, ``NSWorkspaceScreensDidSleepNotification``
  and the distributed ``com.apple.screenIsLocked``, when PyObjC is installed.

``sources`` lists what was connected, for the About box and the tests.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication, QObject, Signal, Slot

log = logging.getLogger(__name__)

LOGIN1 = ("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager")
SCREEN_SAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("org.freedesktop.ScreenSaver", "/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
)

# Windows messages (winuser.h, wtsapi32.h)
WM_POWERBROADCAST = 0x0218
PBT_APMSUSPEND = 0x0004
WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
NOTIFY_FOR_THIS_SESSION = 0


class SystemLockWatcher(QObject):
    #: the system is going to sleep or its screen locked: lock now (the reason, in words)
    lock_requested = Signal(str)

    def __init__(
        self, parent: QObject | None = None, *, session_bus: Any = None, system_bus: Any = None
    ) -> None:
        super().__init__(parent)
        self.sources: list[str] = []
        self._native: _WindowsFilter | None = None
        self._mac: Any = None
        if sys.platform == "win32":
            self._watch_windows()
        elif sys.platform == "darwin":
            self._watch_macos()
        else:
            self._watch_dbus(session_bus, system_bus)

    # ------------------------------------------------------------------ D-Bus

    def _watch_dbus(self, session_bus: Any, system_bus: Any) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # a Qt without D-Bus: idle time still locks
            return
        system = system_bus if system_bus is not None else QDBusConnection.systemBus()
        session = session_bus if session_bus is not None else QDBusConnection.sessionBus()
        # connect(..., receiver, "1slot(...)"): PySide6 takes the slot as a string, which its
        # stubs do not list (hence the ignores)
        if system.isConnected() and system.connect(  # type: ignore[call-overload]
            LOGIN1[0], LOGIN1[1], LOGIN1[2], "PrepareForSleep", self, "1prepare_for_sleep(bool)"
        ):
            self.sources.append("logind: sleep")
        if system.isConnected() and system.connect(  # type: ignore[call-overload]
            LOGIN1[0], "", "org.freedesktop.login1.Session", "Lock", self, "1session_locked()"
        ):
            self.sources.append("logind: session lock")
        if session.isConnected():
            for service, path, interface in SCREEN_SAVERS:
                if session.connect(  # type: ignore[call-overload]
                    service, path, interface, "ActiveChanged", self, "1screen_saver_changed(bool)"
                ):
                    self.sources.append(f"{service}{path}")

    @Slot(bool)
    def prepare_for_sleep(self, going: bool) -> None:
        if going:
            self.lock_requested.emit("The computer is going to sleep.")

    @Slot()
    def session_locked(self) -> None:
        self.lock_requested.emit("The screen was locked.")

    @Slot(bool)
    def screen_saver_changed(self, active: bool) -> None:
        if active:
            self.lock_requested.emit("The screen was locked.")

    # ------------------------------------------------------------------ Windows

    def _watch_windows(self) -> None:
        app = QCoreApplication.instance()
        if app is None:
            return
        self._native = _WindowsFilter(self.lock_requested.emit)
        app.installNativeEventFilter(self._native)
        self.sources.append("Windows: sleep")

    def register_window(self, win_id: Callable[[], int]) -> None:
        """Windows sends session lock messages only to windows that ask for them."""
        if sys.platform != "win32":
            return
        try:
            wtsapi = ctypes.WinDLL("wtsapi32")  # type: ignore[attr-defined]
            if wtsapi.WTSRegisterSessionNotification(
                ctypes.c_void_p(win_id()), NOTIFY_FOR_THIS_SESSION
            ):
                self.sources.append("Windows: session lock")
        except OSError as exc:
            log.warning("session lock notifications unavailable: %s", type(exc).__name__)

    # ------------------------------------------------------------------ macOS

    def _watch_macos(self) -> None:
        try:
            from AppKit import NSWorkspace  # type: ignore[import-not-found]
            from Foundation import (  # type: ignore[import-not-found]
                NSDistributedNotificationCenter,
                NSObject,
            )
        except ImportError:  # PyObjC not installed: idle time still locks
            return
        emit = self.lock_requested.emit

        class _Observer(NSObject):  # type: ignore[misc, valid-type]
            def sleeping_(self, _note: Any) -> None:
                emit("The computer is going to sleep.")

            def locked_(self, _note: Any) -> None:
                emit("The screen was locked.")

        observer = _Observer.alloc().init()
        centre = NSWorkspace.sharedWorkspace().notificationCenter()
        centre.addObserver_selector_name_object_(
            observer, "sleeping:", "NSWorkspaceWillSleepNotification", None
        )
        centre.addObserver_selector_name_object_(
            observer, "locked:", "NSWorkspaceScreensDidSleepNotification", None
        )
        NSDistributedNotificationCenter.defaultCenter().addObserver_selector_name_object_(
            observer, "locked:", "com.apple.screenIsLocked", None
        )
        self._mac = observer
        self.sources += ["macOS: sleep", "macOS: screen lock"]


class _WindowsFilter(QAbstractNativeEventFilter):
    """Reads the two Windows messages that mean "lock now"."""

    def __init__(self, emit: Any) -> None:
        super().__init__()
        self._emit = emit

    def nativeEventFilter(self, event_type: Any, message: Any) -> Any:
        if bytes(event_type) != b"windows_generic_MSG":
            return False, 0
        msg = _MSG.from_address(int(message))
        if msg.message == WM_POWERBROADCAST and msg.wParam == PBT_APMSUSPEND:
            self._emit("The computer is going to sleep.")
        elif msg.message == WM_WTSSESSION_CHANGE and msg.wParam == WTS_SESSION_LOCK:
            self._emit("The screen was locked.")
        return False, 0


class _MSG(ctypes.Structure):
    _fields_ = [
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint),
        ("wParam", ctypes.c_size_t),
        ("lParam", ctypes.c_ssize_t),
        ("time", ctypes.c_ulong),
        ("pt_x", ctypes.c_long),
        ("pt_y", ctypes.c_long),
    ]
