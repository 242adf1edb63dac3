"""Atomic writes: private before the data, durable on each platform, Windows-safe.

The macOS and Windows branches cannot run here, so those two tests stand in the
platform's pieces (``fcntl.F_FULLFSYNC``, no ``os.fchmod``) and check that the code
takes them; everything else writes real files.
"""

from __future__ import annotations

import os
import stat
import sys
import types
from pathlib import Path

import pytest

from homestudy import atomic
from homestudy.vault import store


def test_write_and_copy_are_private_and_leave_no_temp_files(tmp_path: Path) -> None:
    out = atomic.write_atomic(tmp_path / "a" / "f.bin", b"data")
    assert out.read_bytes() == b"data" and stat.S_IMODE(out.stat().st_mode) == 0o600
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024))
    copy = atomic.copy_atomic(big, tmp_path / "copy.bin")
    assert copy.read_bytes() == big.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "big.bin", "copy.bin"]


def test_macos_uses_f_fullfsync(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    fake_fcntl = types.SimpleNamespace(F_FULLFSYNC=51, fcntl=lambda fd, op: calls.append((fd, op)))
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setitem(sys.modules, "fcntl", fake_fcntl)
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    atomic.write_atomic(tmp_path / "f.bin", b"durable")
    assert [op for _fd, op in calls] == [51, 51]  # the file, then its folder
    assert synced == []  # F_FULLFSYNC instead of fsync, not as well


def test_macos_falls_back_to_fsync_where_f_fullfsync_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(fd: int, op: int) -> None:
        raise OSError(45, "Operation not supported")  # e.g. an SMB share

    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setitem(sys.modules, "fcntl", types.SimpleNamespace(F_FULLFSYNC=51, fcntl=refuse))
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    atomic.write_atomic(tmp_path / "f.bin", b"still durable")
    assert len(synced) == 2


def test_without_fchmod_nothing_breaks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Windows before Python 3.13 has no os.fchmod: the upgrade copy and every atomic
    write must not call it."""
    monkeypatch.delattr(os, "fchmod")
    atomic.write_atomic(tmp_path / "f.bin", b"x")
    atomic.copy_atomic(tmp_path / "f.bin", tmp_path / "g.bin")
    monkeypatch.setattr(os, "name", "nt")
    atomic.set_private(0, tmp_path / "g.bin")  # on Windows: the folder's ACL, no chmod


def test_no_vault_code_calls_fchmod() -> None:
    root = Path(__file__).resolve().parents[1] / "homestudy"
    users = [
        p.relative_to(root)
        for p in root.rglob("*.py")
        if "os.fchmod(" in p.read_text(encoding="utf-8") and p.name != "atomic.py"
    ]
    assert users == []


def test_the_store_asks_sqlite_for_full_fsync(vault) -> None:
    with vault.reading() as conn:
        assert conn.execute("PRAGMA fullfsync").fetchone()[0] == 1
        assert conn.execute("PRAGMA checkpoint_fullfsync").fetchone()[0] == 1
    assert ("fullfsync", "ON", 1) in store._SAFETY
