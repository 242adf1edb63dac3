"""Real storage faults for tests: a small tmpfs that can be filled up or made read-only.

Mounting needs root (CAP_SYS_ADMIN), as in the project's CI container. Without it, a
read-only folder falls back to ``chmod`` (which binds a normal user, not root), and
full-disk tests are skipped with that reason: ``RLIMIT_FSIZE`` would give EFBIG and a
signal, not the ENOSPC a real full disk gives, so it would not test the same thing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def mount_problem() -> str:
    """'' when this process can mount a tmpfs, else why not."""
    if os.name != "posix" or not Path("/proc/mounts").exists():
        return "needs Linux to mount a tmpfs"
    if os.geteuid() != 0:
        return "needs root to mount a small tmpfs (a real full or read-only disk)"
    if shutil.which("mount") is None:
        return "no mount command"
    return ""


@contextlib.contextmanager
def tmpfs(where: Path, size_kib: int) -> Iterator[Path]:
    """A fresh tmpfs of ``size_kib`` mounted at ``where`` (unmounted afterwards)."""
    reason = mount_problem()
    if reason:
        pytest.skip(reason)
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"could not mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount(where: Path, *, read_only: bool) -> None:
    subprocess.run(
        ["mount", "-o", f"remount,{'ro' if read_only else 'rw'}", str(where)],
        check=True,
        capture_output=True,
    )


def fill(where: Path, leave_kib: int = 0) -> Path:
    """Fill the file system at ``where`` until at most ``leave_kib`` are free."""
    filler = where / f"filler-{os.urandom(3).hex()}"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        free = shutil.disk_usage(where).free - leave_kib * 1024
        block = b"\0" * 65536
        while free > 0:
            try:
                free -= os.write(fd, block[: max(4096, min(len(block), free))])
            except OSError:
                break
    finally:
        os.close(fd)
    return filler


def free_kib(where: Path) -> int:
    return shutil.disk_usage(where).free // 1024
