"""``homestudy --self-test``: passes on this install, reports real faults clearly,
keeps going after a failure, and leaves nothing behind."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from homestudy.commands import selftest

CONSOLE_SCRIPT = Path(sys.executable).parent / "homestudy"
NAMES = [name for name, _ in selftest.CHECKS]
# Surnames of the fictional demo family: case content that must stay inside the vault.
CASE_WORDS = (b"Whitfield", b"Mensah")


def run_selftest(tmp_path: Path, **env_changes: str) -> subprocess.CompletedProcess[str]:
    """The installed ``homestudy --self-test`` in a clean environment under ``tmp_path``."""
    home = tmp_path / "home"
    temp = tmp_path / "tmp"
    for folder in (home, temp):
        folder.mkdir(exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HOMESTUDY_", "XDG_"))
    }
    env.update(
        HOME=str(home),
        TMPDIR=str(temp),
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        HOMESTUDY_SETTINGS=str(home / "settings.json"),
    )
    env.update(env_changes)
    command = (
        [str(CONSOLE_SCRIPT)]
        if CONSOLE_SCRIPT.exists()
        else [sys.executable, "-m", "homestudy.cli"]
    )
    return subprocess.run(
        [*command, "--self-test"], env=env, capture_output=True, text=True, timeout=240, check=False
    )


def status_of(output: str) -> dict[str, str]:
    """Check name -> "ok" / "FAILED" from the printed lines."""
    found = {}
    for line in output.splitlines():
        for name in NAMES:
            if line.strip().startswith(name + "."):
                found[name] = "ok" if "... ok (" in line or ". ok (" in line else "FAILED"
    return found


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_passes_on_this_install_and_leaves_nothing_behind(tmp_path: Path) -> None:
    result = run_selftest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("HomeStudy ")
    assert status_of(result.stdout) == dict.fromkeys(NAMES, "ok")
    assert f"All {len(NAMES)} checks passed." in result.stdout
    assert "SQLCipher 4." in result.stdout
    # The temporary vault is gone, and no case text was written anywhere else.
    assert list((tmp_path / "tmp").iterdir()) == []  # no folders left either
    for path in files_under(tmp_path):
        data = path.read_bytes()
        assert not any(word in data for word in CASE_WORDS), path


def test_an_unusable_temp_folder_fails_that_check_only(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "tmp-is-a-file"
    not_a_folder.write_text("TMPDIR points at a file, not a folder", encoding="utf-8")
    result = run_selftest(tmp_path, TMPDIR=str(not_a_folder))
    assert result.returncode == 1
    status = status_of(result.stdout)
    assert status["Encrypted vault: write and read a case"] == "FAILED"
    assert "cannot make a temporary folder in " + str(not_a_folder) in result.stdout
    # Every other check still ran and passed: one fault does not hide the rest.
    assert {n for n, s in status.items() if s == "ok"} == set(NAMES) - {
        "Encrypted vault: write and read a case"
    }
    assert (
        f"1 of {len(NAMES)} checks FAILED: Encrypted vault: write and read a case" in result.stdout
    )


def test_a_missing_qt_platform_plugin_is_reported_not_a_crash(tmp_path: Path) -> None:
    result = run_selftest(tmp_path, QT_QPA_PLATFORM="no-such-platform")
    assert result.returncode == 1
    assert status_of(result.stdout)["Desktop libraries (Qt)"] == "FAILED"
    assert "platform plugin 'no-such-platform' is not installed" in result.stdout
    assert status_of(result.stdout)["PDF export (one page)"] == "ok"


def test_run_checks_reports_each_failure_and_cleans_up(tmp_path: Path) -> None:
    """In-process: a check that cannot find its data fails with the reason, the next
    one still runs, and the scratch folder made by another check is removed."""
    made: list[Path] = []

    def uses_scratch(scratch: selftest.Scratch) -> str:
        folder = scratch.folder("work")
        (folder / "file.bin").write_bytes(b"x")
        made.append(folder)
        return "wrote a file"

    def reads_missing(scratch: selftest.Scratch) -> str:
        (tmp_path / "absent.yaml").read_text(encoding="utf-8")
        return "unreachable"

    out = io.StringIO()
    results = selftest.run_checks(
        [("Reads a missing file", reads_missing), ("Uses scratch", uses_scratch)],
        temp_parent=tmp_path,
        out=out,
    )
    assert [(r.name, r.ok) for r in results] == [
        ("Reads a missing file", False),
        ("Uses scratch", True),
    ]
    assert results[0].detail.startswith("FileNotFoundError:")
    assert "FAILED: FileNotFoundError" in out.getvalue()
    assert made and not made[0].exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # absent.yaml was never there either


def test_every_check_passes_in_process(tmp_path: Path, qapp: object) -> None:
    out = io.StringIO()
    results = selftest.run_checks(temp_parent=tmp_path, out=out)
    assert [r.name for r in results if not r.ok] == [], out.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_the_throwaway_vault_leaves_no_keyring_entry(tmp_path: Path, memory_keyring) -> None:
    checks = [c for c in selftest.CHECKS if c[0] == "Encrypted vault: write and read a case"]
    out = io.StringIO()
    results = selftest.run_checks(checks, temp_parent=tmp_path, out=out)
    assert results[0].ok, out.getvalue()
    assert "passphrase and keyring" in results[0].detail  # the keyring path was used
    assert memory_keyring.entries == {}
    assert list(tmp_path.iterdir()) == []
