"""The automatic lock after idle time hides every trace of case content."""

from __future__ import annotations

from conftest import WAIT_MS
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from homestudy.errors import VaultLockedError
from ui.operations import run_db


def _case_words(case) -> list[str]:
    """What is surely on screen with the case open: its reference and the applicants."""
    words = [
        case.reference,
        *(a.first_name for a in case.applicants),
        *(a.last_name for a in case.applicants),
    ]
    return [w for w in words if w]


def _secret_words(case) -> list[str]:
    """Everything that must be gone after the lock (the dog is in the search hits)."""
    return [*_case_words(case), *(m.name for m in case.household), *(a.name for a in case.animals)]


def _all_visible_text(visible_texts) -> str:
    return "\n".join(
        t
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QWidget) and w.isVisible()
        for t in visible_texts(w)
    )


def test_idle_lock_hides_all_case_content_and_needs_the_passphrase(
    qtbot, make_app, demo_vault_dir, unlock, visible_texts
):
    folder, case = demo_vault_dir
    window, ctx = make_app(folder, idle_ms=60_000)
    unlock(window)
    # open the case on the PAR tab and the search window, so content is everywhere
    with qtbot.waitSignal(ctx.events.open_requested, timeout=WAIT_MS):
        ctx.events.open_requested.emit(case.id, "par:health")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    window.show_search()
    window._search.query.setText("Biscuit")
    with qtbot.waitSignal(window._search.results_shown, timeout=WAIT_MS):
        window._search.search_now()
    before = _all_visible_text(visible_texts)
    for word in _case_words(case):
        assert word in before, f"{word!r} should be on screen before the lock"

    window.idle.set_interval(150)  # now go idle: nobody touches anything
    with qtbot.waitSignal(ctx.events.locked, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    after = _all_visible_text(visible_texts)
    for word in _secret_words(case):
        assert word not in after, f"{word!r} is still visible after the lock"
    assert window.windowTitle() == "HomeStudy — locked"
    assert window.stack.currentWidget() is window.unlock_view
    assert window.workspace is None and window._spare is None  # widgets destroyed
    assert window.case_list.model.rows == []
    assert not window._search.isVisible()
    # the vault itself is locked: a read now fails until the passphrase is given
    errors: list[BaseException] = []
    run_db(ctx, None, lambda vault: vault.cases.list_cases(), on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    assert isinstance(errors[0], VaultLockedError)
    # the lock shortcut and the search shortcut do nothing while locked
    assert not window.actions["search"].isEnabled()
    window.idle.set_interval(60_000)  # not idle again at once after unlocking
    unlock(window)  # and the passphrase brings the worker back to the case they were in
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    assert window.workspace.case.id == case.id and window.workspace.current_tab() == "par"


class SteppedClock:
    """A clock the test moves by hand, so idle time does not depend on machine load."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _stepped(window) -> SteppedClock:
    clock = SteppedClock()
    window.idle.clock = clock
    window.idle.set_interval(60_000)  # the real timer stays far away; _check is called here
    window.idle.start()
    return clock


def test_mouse_activity_postpones_the_idle_lock(qtbot, make_app, demo_vault_dir, unlock):
    folder, _ = demo_vault_dir
    window, ctx = make_app(folder, idle_ms=60_000)
    unlock(window)
    clock = _stepped(window)
    table = window.case_list.table.viewport()
    for i in range(5):  # a minute's worth of use, in 50-second steps, never idle
        clock.now += 50
        qtbot.mouseMove(table, QPoint(10 + i, 10 + i))
        window.idle._check()
        assert not window.is_locked
    clock.now += 59
    window.idle._check()
    assert not window.is_locked
    with qtbot.waitSignal(ctx.events.locked, timeout=WAIT_MS):
        clock.now += 2  # 61 s since the last move
        window.idle._check()
    assert window.is_locked


def test_keyboard_counts_as_activity(qtbot, make_app, demo_vault_dir, unlock):
    folder, _ = demo_vault_dir
    window, _ = make_app(folder, idle_ms=60_000)
    unlock(window)
    clock = _stepped(window)
    for _ in range(5):
        clock.now += 50
        qtbot.keyClick(window.case_list.table, Qt.Key.Key_Down)
        window.idle._check()
        assert not window.is_locked
    clock.now += 61
    window.idle._check()
    assert window.is_locked


def test_a_load_under_way_at_lock_time_does_not_refill_the_screen(
    qtbot, make_app, demo_vault_dir, unlock
):
    import threading

    from ui.operations import run_db as run

    folder, _ = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    gate = threading.Event()
    run(ctx, None, lambda vault: gate.wait(10))  # hold the DB worker for a moment
    window.case_list.refresh()  # queued behind it, so it finishes after the lock starts
    window.lock()
    gate.set()
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    assert window.case_list.model.rows == []
