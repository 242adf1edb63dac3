"""Locking that fits the working day: after unlocking the worker is back in the same
case, tab, section, scroll position and cursor; the app locks when the computer sleeps
or its screen locks (D-Bus signals, tested on a private bus); idle time is counted on a
clock that goes on during sleep."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from conftest import WAIT_MS
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from homestudy.demo import build_demo_case
from ui.idle import IdleWatcher, _FollowsWallClock, suspend_clock


def _open(qtbot, window, case, location):
    window.open_case(case.id, location)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    return window.workspace


def _long_case():
    case = build_demo_case()
    draft = case.section("matching")
    draft.text = "\n\n".join(
        f"Paragraph {n}: the applicants discussed matching at length, "
        "the ages and needs they could consider."
        for n in range(60)
    )
    return case


def test_unlock_returns_to_the_same_section_scroll_and_cursor(
    qtbot, make_app, tmp_path, unlock
) -> None:
    from conftest import vault_dir_with

    folder, case = vault_dir_with(tmp_path / "vault", _long_case())
    window, _ = make_app(folder)
    window.resize(1024, 700)
    unlock(window)
    workspace = _open(qtbot, window, case, "par:matching")
    par = workspace.views["par"]
    editor = par.editor
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.setPosition(editor.visible_text().index("Paragraph 41") + 5)
    editor.setTextCursor(cursor)
    editor.ensureCursorVisible()
    qtbot.waitUntil(lambda: editor.verticalScrollBar().value() > 0, timeout=WAIT_MS)
    scroll, position = editor.verticalScrollBar().value(), editor.textCursor().position()
    window.lock()
    assert window.workspace is None  # nothing of the case is kept on screen
    unlock(window)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    workspace = window.workspace
    par = workspace.views["par"]
    qtbot.waitUntil(lambda: par.editor.textCursor().position() == position, timeout=WAIT_MS)
    assert workspace.current_tab() == "par" and par.section_id == "matching"
    assert par.editor.textCursor().position() == position
    assert par.editor.verticalScrollBar().value() == scroll
    assert window.focusWidget() is par.editor
    QTest.keyClicks(par.editor, "X")  # the worker carries on typing where they were
    assert "ParagXraph 41" in par.editor.visible_text()


def test_unlock_returns_to_the_visit_and_its_notes(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    visit = case.visits[3]
    workspace = _open(qtbot, window, case, f"visits:{visit.id}")
    visits = workspace.views["visits"]
    visits.notes_edit.setFocus()
    visits.notes_edit.moveCursor(QTextCursor.MoveOperation.End)
    position = visits.notes_edit.textCursor().position()
    window.lock()
    unlock(window)
    qtbot.waitUntil(
        lambda: (
            window.workspace is not None
            and window.workspace.case is not None
            and window.workspace.views["visits"].visit is not None
        ),
        timeout=WAIT_MS,
    )
    visits = window.workspace.views["visits"]
    qtbot.waitUntil(lambda: visits.visit.id == visit.id, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: visits.notes_edit.textCursor().position() == position, timeout=WAIT_MS)
    assert window.workspace.current_tab() == "visits"


def test_a_place_chosen_while_the_case_opens_is_where_it_lands(
    qtbot, make_app, demo_vault_dir, unlock
):
    """Opening a case again before it has loaded (the worker picks a section while the
    app puts them back after unlocking, or clicks twice): the newest choice wins, not
    the overview, and the place from before the lock does not override it."""
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    window.open_case(case.id, "visits")
    assert window.workspace is not None and window.workspace.case is None  # still loading
    window.open_case(case.id, "par:motivation")
    qtbot.waitUntil(lambda: window.workspace.case is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.ctx.db.busy, timeout=WAIT_MS)
    QCoreApplication.processEvents()
    assert window.workspace.current_tab() == "par"
    assert window.workspace.views["par"].section_id == "motivation"

    window.open_case(case.id, "visits")  # loaded: on the visits tab now
    window.lock()
    unlock(window)  # back to the visits tab is on its way ...
    window.open_case(case.id, "par:health")  # ... when the worker asks for a section
    qtbot.waitUntil(lambda: window.workspace.case is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.ctx.db.busy, timeout=WAIT_MS)
    for _ in range(3):  # the put-back runs on a zero timer after the load
        QCoreApplication.processEvents()
    assert window.workspace.current_tab() == "par"
    assert window.workspace.views["par"].section_id == "health"


@pytest.fixture
def private_bus() -> Iterator[str]:
    if not shutil.which("dbus-daemon"):
        pytest.skip("dbus-daemon is not installed, so there is no bus to test on")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--print-address=1", "--nofork"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    try:
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)
        daemon.stdout.close()


@pytest.mark.parametrize("signal", ["sleep", "screen saver", "session lock"])
def test_sleep_or_a_screen_lock_locks_the_app(
    qtbot, make_app, demo_vault_dir, unlock, private_bus, signal
) -> None:
    from PySide6.QtDBus import QDBusConnection, QDBusMessage

    from ui.system_lock import SystemLockWatcher

    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    _open(qtbot, window, case, "par:health")
    bus = QDBusConnection.connectToBus(private_bus, f"watch-{signal}")
    window.system_lock = SystemLockWatcher(window, session_bus=bus, system_bus=bus)
    window.system_lock.lock_requested.connect(window._system_lock)
    assert len(window.system_lock.sources) >= 3
    sender = QDBusConnection.connectToBus(private_bus, f"send-{signal}")
    if signal == "sleep":
        assert sender.registerService("org.freedesktop.login1")
        message = QDBusMessage.createSignal(
            "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep"
        )
        message.setArguments([True])
    elif signal == "screen saver":
        assert sender.registerService("org.freedesktop.ScreenSaver")
        message = QDBusMessage.createSignal(
            "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged"
        )
        message.setArguments([True])
    else:
        assert sender.registerService("org.freedesktop.login1")
        message = QDBusMessage.createSignal(
            "/org/freedesktop/login1/session/_32", "org.freedesktop.login1.Session", "Lock"
        )
    with qtbot.waitSignal(ctx.events.locked, timeout=WAIT_MS):
        assert sender.send(message)
    assert window.stack.currentWidget() is window.unlock_view
    assert "locked itself" in window.unlock_view.message.text()
    QDBusConnection.disconnectFromBus(f"watch-{signal}")
    QDBusConnection.disconnectFromBus(f"send-{signal}")


def test_waking_from_sleep_is_not_a_screen_lock(qtbot, private_bus) -> None:
    from PySide6.QtDBus import QDBusConnection, QDBusMessage

    from ui.system_lock import SystemLockWatcher

    bus = QDBusConnection.connectToBus(private_bus, "watch-wake")
    watcher = SystemLockWatcher(None, session_bus=bus, system_bus=bus)
    got: list[str] = []
    watcher.lock_requested.connect(got.append)
    sender = QDBusConnection.connectToBus(private_bus, "send-wake")
    sender.registerService("org.freedesktop.login1")
    waking = QDBusMessage.createSignal(
        "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep"
    )
    waking.setArguments([False])
    sleeping = QDBusMessage.createSignal(
        "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep"
    )
    sleeping.setArguments([True])
    sender.send(waking)
    with qtbot.waitSignal(watcher.lock_requested, timeout=WAIT_MS):
        sender.send(sleeping)  # signals arrive in order: the wake-up came first, unheard
    assert got == ["The computer is going to sleep."]
    QDBusConnection.disconnectFromBus("watch-wake")
    QDBusConnection.disconnectFromBus("send-wake")


def test_the_idle_clock_counts_time_asleep() -> None:
    clock = suspend_clock()
    if hasattr(time, "CLOCK_BOOTTIME"):  # Linux: the kernel's clock that includes suspend
        assert abs(clock() - time.clock_gettime(time.CLOCK_BOOTTIME)) < 1.0
    follows = _FollowsWallClock()
    start = follows()
    follows._wall -= 3600  # as if the wall clock had moved an hour while monotonic stopped
    assert follows() - start >= 3600
    follows._wall += 7200  # a wall clock put back never makes it go back
    assert follows() >= start + 3600


def test_after_waking_the_lock_comes_at_the_next_check(qtbot) -> None:
    """A timer does not run in sleep: the watcher checks often, on a clock that slept on."""
    now = [1000.0]
    watcher = IdleWatcher(10 * 60_000, clock=lambda: now[0], check_every_ms=20)
    watcher.start()
    now[0] += 11 * 60  # eleven minutes asleep; only milliseconds of timers went by
    with qtbot.waitSignal(watcher.idle, timeout=2000):
        pass
    watcher.start()
    now[0] += 11 * 60
    with qtbot.waitSignal(watcher.idle, timeout=2000):  # waking (the app active again)
        QCoreApplication.sendEvent(
            QCoreApplication.instance(), QEvent(QEvent.Type.ApplicationStateChange)
        )
    watcher.detach()
