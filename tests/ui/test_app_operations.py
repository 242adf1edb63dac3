"""The operations layer: the DB worker, errors, progress, the save indicator, AutoSaver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import TEST_PASSPHRASE, WAIT_MS
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from homestudy.errors import ReadOnlyVaultError, VaultLockedError
from homestudy.settings import AppSettings
from homestudy.vault import Vault
from ui.context import AppContext, make_context
from ui.operations import AutoSaver, run_db, run_job, save_case_part
from ui.widgets.save_indicator import SaveIndicator


@pytest.fixture
def ctx(qapp, demo_vault_dir) -> Iterator[AppContext]:
    folder, _ = demo_vault_dir
    context = make_context(AppSettings(), folder)
    done: list[object] = []
    context.db.open_vault(folder, TEST_PASSPHRASE, done.append, done.append)
    yield context
    context.shutdown()


def _wait_opened(qtbot, ctx: AppContext) -> None:
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    assert ctx.db.has_vault


def test_jobs_run_off_the_gui_thread_in_order(qtbot, ctx) -> None:
    _wait_opened(qtbot, ctx)
    gui = threading.get_ident()
    seen: list[tuple[int, int]] = []
    results: list[int] = []
    for i in range(20):
        run_db(
            ctx,
            None,
            lambda vault, i=i: seen.append((i, threading.get_ident())) or i,
            results.append,
        )
    qtbot.waitUntil(lambda: len(results) == 20, timeout=WAIT_MS)
    assert results == list(range(20))  # one worker: submission order
    threads = {t for _, t in seen}
    assert len(threads) == 1 and gui not in threads
    pool: list[int] = []
    run_job(ctx, None, threading.get_ident, pool.append)
    qtbot.waitUntil(lambda: bool(pool), timeout=WAIT_MS)
    assert pool[0] != gui


def test_errors_reach_on_error_or_a_message_box(qtbot, ctx) -> None:
    _wait_opened(qtbot, ctx)
    errors: list[BaseException] = []

    def fail(vault):
        raise ReadOnlyVaultError()

    run_db(ctx, None, fail, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    assert isinstance(errors[0], ReadOnlyVaultError)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    run_db(ctx, parent, fail)
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    box = parent.findChild(QMessageBox)
    assert box.text() == ReadOnlyVaultError.default_message
    box.close()


def test_results_for_a_deleted_widget_are_dropped(qtbot, ctx) -> None:
    _wait_opened(qtbot, ctx)
    release = threading.Event()
    parent = QWidget()
    called: list[object] = []
    run_db(ctx, parent, lambda vault: release.wait(5), called.append)
    parent.deleteLater()
    qtbot.waitUntil(lambda: not _alive(parent), timeout=WAIT_MS)
    release.set()
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    assert called == []


def _alive(widget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_progress_shows_only_for_slow_work(qtbot, ctx) -> None:
    _wait_opened(qtbot, ctx)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    quick: list[object] = []
    run_db(ctx, parent, lambda vault: 1, quick.append, progress="Quick…")
    qtbot.waitUntil(lambda: bool(quick), timeout=WAIT_MS)
    release = threading.Event()
    slow: list[object] = []
    run_db(ctx, parent, lambda vault: release.wait(10), slow.append, progress="Exporting…")
    qtbot.waitUntil(lambda: _visible_progress(parent) is not None, timeout=WAIT_MS)
    assert _visible_progress(parent).labelText() == "Exporting…"
    release.set()
    qtbot.waitUntil(lambda: bool(slow) and _visible_progress(parent) is None, timeout=WAIT_MS)
    # the quick job's dialog never appeared
    assert all(d.labelText() != "Quick…" for d in parent.findChildren(QProgressDialog))


def _visible_progress(parent: QWidget) -> QProgressDialog | None:
    return next((d for d in parent.findChildren(QProgressDialog) if d.isVisible()), None)


def test_save_case_part_drives_the_indicator(qtbot, ctx, demo_vault_dir) -> None:
    folder, case = demo_vault_dir
    _wait_opened(qtbot, ctx)
    indicator = SaveIndicator(ctx.events)
    qtbot.addWidget(indicator)
    draft = replace(case.par_sections["health"], text="Rewritten for the test.")
    with qtbot.waitSignal(ctx.events.case_saved, timeout=WAIT_MS) as saved:
        save_case_part(
            ctx, None, case.id, lambda vault: vault.cases.save_par_section(case.id, draft)
        )
        assert indicator.text() == "Saving…"
    assert saved.args == [case.id]
    assert indicator.state == "saved" and indicator.text().startswith("Saved at ")

    def refuse(vault):
        raise ReadOnlyVaultError()

    save_case_part(ctx, None, case.id, refuse)
    qtbot.waitUntil(lambda: indicator.state == "failed", timeout=WAIT_MS)
    assert "Not saved: " in indicator.text()
    assert ReadOnlyVaultError.default_message in indicator.text()
    assert not QApplication.activeModalWidget()  # autosave errors do not pop up
    # a later good save clears the warning
    save_case_part(ctx, None, case.id, lambda vault: vault.cases.save_par_section(case.id, draft))
    qtbot.waitUntil(lambda: indicator.state == "saved", timeout=WAIT_MS)
    # the text really is in the vault, read back apart from the app
    ctx.db.shutdown()
    vault = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
    try:
        assert vault.cases.load_case(case.id).par_sections["health"].text == draft.text
    finally:
        vault.close()


def test_autosaver_coalesces_keystrokes_and_flushes_before_lock(qtbot, ctx, demo_vault_dir):
    folder, case = demo_vault_dir
    _wait_opened(qtbot, ctx)
    widget = QWidget()
    qtbot.addWidget(widget)
    saver = AutoSaver(ctx, widget, delay_ms=10_000)  # only a flush will save
    saves: list[str] = []

    def save_text(text: str):
        def fn(vault):
            saves.append(text)
            vault.cases.save_par_section(case.id, replace(case.par_sections["health"], text=text))

        return fn

    for i in range(30):
        saver.schedule(case.id, "health", save_text(f"version {i}"))
    assert saves == [] and not saver.idle
    with qtbot.waitSignal(ctx.events.case_saved, timeout=WAIT_MS):
        ctx.events.about_to_lock.emit()  # what the main window does before locking
    qtbot.waitUntil(lambda: saver.idle, timeout=WAIT_MS)
    assert saves == ["version 29"]  # only the latest text was written
    ctx.db.lock()
    locked: list[BaseException] = []
    run_db(ctx, None, lambda vault: None, on_error=locked.append)
    qtbot.waitUntil(lambda: bool(locked), timeout=WAIT_MS)
    assert isinstance(locked[0], VaultLockedError)
    ctx.db.shutdown()
    vault = Vault.open(Path(folder), TEST_PASSPHRASE, check_integrity=False)
    try:
        assert vault.cases.load_case(case.id).par_sections["health"].text == "version 29"
    finally:
        vault.close()
