"""Crash dumps are switched off: a HomeStudy process that crashes leaves no core file.

Each test crashes a real child process (SIGSEGV after putting a canary in memory) in
its own folder. The control child, not hardened, must leave a core there (else this
system writes no core files at all and the comparison means nothing, so the test is
skipped with that reason); the hardened child must not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import os, resource, signal, sys
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))  # as a user could, before
    canary = "CrashCanary" + sys.argv[2]
    if sys.argv[1] == "harden":
        from homestudy.vault.hardening import harden_process, is_dumpable
        result = harden_process()
        assert result.core_limit_zero, result
        assert resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
        if sys.platform.startswith("linux"):
            assert result.not_dumpable and is_dumpable() is False, result
    elif sys.argv[1] == "cli":  # the real entry point, as `homestudy cases` runs it
        from homestudy.cli import main
        main(["cases", "--vault", sys.argv[3]])
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGSEGV)
""")


def _crash(mode: str, folder: Path, *extra: str) -> list[Path]:
    folder.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HOMESTUDY_PASSPHRASE": "x" * 12,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, os.urandom(4).hex(), *extra],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -11, done.stderr  # it did crash, with SIGSEGV
    return [p for p in folder.iterdir() if p.name.startswith("core")]


def _core_files_possible(tmp_path: Path) -> None:
    pattern = Path("/proc/sys/kernel/core_pattern")
    if not pattern.exists():
        pytest.skip("no /proc/sys/kernel/core_pattern: not Linux")
    if pattern.read_text().startswith("|"):
        pytest.skip("core dumps go to a handler program here, not a file we can look for")
    if not _crash("plain", tmp_path / "control"):
        pytest.skip("this system writes no core file even for an unhardened crash")


def test_hardened_process_leaves_no_core(tmp_path: Path) -> None:
    _core_files_possible(tmp_path)
    assert _crash("harden", tmp_path / "hardened") == []


def test_the_homestudy_command_hardens_itself(tmp_path: Path) -> None:
    _core_files_possible(tmp_path)
    assert _crash("cli", tmp_path / "cli", str(tmp_path / "no-vault")) == []
