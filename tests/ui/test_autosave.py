"""Autosave that a worker can trust: a save at least every 2 s while typing, an indicator
that tells the truth, and saves that wait out a full disk and then happen by themselves.

The full disk is real: the vault lives on a small tmpfs (needs root to mount; skipped
with a note otherwise) that a filler file fills up, and deleting the filler frees it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TEST_PASSPHRASE, WAIT_MS, vault_dir_with
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from homestudy.demo import build_demo_case
from homestudy.errors import StorageFullError
from homestudy.vault import Vault
from ui.operations import AutoSaver, pending_retries


def test_typing_without_a_pause_is_saved_at_least_every_two_seconds(
    qtbot, make_app, demo_vault_dir, unlock
) -> None:
    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    window.open_case(case.id, "par:matching")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    par = window.workspace.views["par"]
    par.editor.setFocus()
    par.editor.moveCursor(QTextCursor.MoveOperation.End)
    saves: list[str] = []  # the section's text at each save
    ctx.events.case_saved.connect(lambda _case_id: saves.append(par.draft.text))
    words = iter(f" word{n}" for n in range(10_000))
    typist = QTimer()
    typist.setInterval(100)  # far quicker than the 400 ms pause: the pause never comes
    typist.timeout.connect(lambda: QTest.keyClicks(par.editor, next(words)))
    typist.start()
    try:
        # the typist never pauses for 400 ms, yet a save comes within the 2 s maximum wait
        qtbot.waitUntil(lambda: len(saves) >= 1, timeout=2600)
        first = saves[0]
        # and again, with the words typed since, while the typing still goes on
        qtbot.waitUntil(lambda: any(text != first for text in saves), timeout=2600)
        assert typist.isActive()
    finally:
        typist.stop()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs (a disk that can fill up) needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_keeps_the_text_says_why_and_saves_when_freed(
    qtbot, make_app, small_disk, unlock
) -> None:
    folder, case = vault_dir_with(small_disk / "vault", build_demo_case())
    window, ctx = make_app(folder)
    unlock(window)
    window.open_case(case.id, "par:matching")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    par = window.workspace.views["par"]
    par.editor.setFocus()
    filler = _fill(small_disk)
    typed = " Written while the disk was full, and never lost."
    par.editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(par.editor, typed)
    indicator = window.save_indicator
    qtbot.waitUntil(lambda: indicator.state == "failed", timeout=WAIT_MS)
    assert StorageFullError.default_message.split(",")[0] in indicator.text()
    assert "try again by itself" in indicator.text()
    assert par.editor.toPlainText().endswith(typed.strip())  # the words stay on screen
    assert pending_retries(ctx) == 1
    filler.unlink()  # space again: no click needed, it saves by itself
    qtbot.waitUntil(lambda: indicator.state == "saved", timeout=15_000)
    assert pending_retries(ctx) == 0
    window.close()
    ctx.shutdown()
    vault = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
    try:
        assert vault.cases.load_case(case.id).par_sections["matching"].text.endswith(typed.strip())
    finally:
        vault.close()


def test_a_failed_save_waits_across_a_lock_and_is_made_after_unlocking(
    qtbot, make_app, small_disk, unlock
) -> None:
    folder, case = vault_dir_with(small_disk / "vault", build_demo_case())
    window, ctx = make_app(folder)
    unlock(window)
    window.open_case(case.id, "visits")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    visits = window.workspace.views["visits"]
    filler = _fill(small_disk)
    visits.notes_edit.setFocus()
    visits.notes_edit.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(visits.notes_edit, " Seen alone; open about her childhood.")
    qtbot.waitUntil(lambda: pending_retries(ctx) == 1, timeout=WAIT_MS)
    visit_id = visits.visit.id
    window.lock()  # the editor is deleted; the save waiting for space is not
    filler.unlink()
    unlock(window)
    qtbot.waitUntil(lambda: pending_retries(ctx) == 0, timeout=15_000)
    with_vault = {}

    def read(vault):
        return {v.id: v.notes for v in vault.cases.load_case(case.id).visits}[visit_id]

    ctx.db.submit(read, lambda notes: with_vault.setdefault("notes", notes))
    qtbot.waitUntil(lambda: "notes" in with_vault, timeout=WAIT_MS)
    assert with_vault["notes"].endswith("Seen alone; open about her childhood.")


def test_a_newer_edit_replaces_the_one_waiting_to_be_retried(qtbot, demo_vault_dir) -> None:
    from homestudy.settings import AppSettings
    from ui.context import make_context

    folder, case = demo_vault_dir
    ctx = make_context(AppSettings(), folder)
    opened: list[object] = []
    ctx.db.open_vault(folder, TEST_PASSPHRASE, opened.append, opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    try:
        widget = QWidget()
        qtbot.addWidget(widget)
        saver = AutoSaver(ctx, widget, delay_ms=10)
        runs: list[str] = []

        def full(vault):  # a fault we cannot make with a real disk in this test: injected
            runs.append("full")
            raise StorageFullError()

        saver.schedule(case.id, "par:health", full)
        qtbot.waitUntil(lambda: pending_retries(ctx) == 1, timeout=WAIT_MS)
        saver.schedule(case.id, "par:health", lambda vault: runs.append("newer"))
        assert pending_retries(ctx) == 0  # the newer value supersedes the failed one
        qtbot.waitUntil(lambda: runs[-1:] == ["newer"] and saver.idle, timeout=WAIT_MS)
        assert runs == ["full", "newer"]
    finally:
        ctx.shutdown()
