"""``homestudy demo | cases | backup | restore | passwd`` through cli.main and a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from homestudy.cli import main
from homestudy.demo import build_demo_case
from homestudy.vault import Vault
from tests.conftest import bare_process_env

PASS = "cli passphrase"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", PASS)
    monkeypatch.delenv("HOMESTUDY_VAULT", raising=False)
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))
    # creating a vault calibrates Argon2id to ~0.5 s; keep CLI tests quick
    from homestudy.vault import keys

    monkeypatch.setattr(keys, "calibrate", lambda *a, **k: keys.KdfParams(1, 64, 1))
    return tmp_path / "vault"


def test_demo_then_cases(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--vault", str(env)]) == 0
    out, err = capsys.readouterr()
    reference = build_demo_case().reference
    assert out.strip() == reference
    assert "passphrase alone" in err  # no keyring in tests: the user is told
    assert main(["--vault", str(env), "demo"]) == 0  # again: same vault, no duplicate
    capsys.readouterr()
    assert main(["--vault", str(env), "cases"]) == 0
    out = capsys.readouterr().out
    assert reference in out and "Hannah Whitfield and Daniel Mensah" in out
    assert "visits 5/8" in out
    assert main(["cases", "--vault", str(env), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["reference"] == reference and row["visits_done"] == 5
    assert row["visits_planned"] == 8 and row["stage"] == "stage_2"


def test_vault_from_environment(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOMESTUDY_VAULT", str(env))
    assert main(["demo"]) == 0
    assert Vault.exists(env)
    capsys.readouterr()
    assert main(["cases"]) == 0
    assert "Hannah" in capsys.readouterr().out


def test_wrong_passphrase_is_a_plain_message(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--vault", str(env), "demo"])
    capsys.readouterr()
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", "wrong")
    assert main(["--vault", str(env), "cases"]) == 1
    err = capsys.readouterr().err
    assert "passphrase is not right" in err and "Traceback" not in err


def test_not_a_vault(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.mkdir()
    assert main(["--vault", str(env), "cases"]) == 1
    assert "not a HomeStudy vault" in capsys.readouterr().err


def test_backup_restore_passwd(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--vault", str(env), "demo"])
    out_file = tmp_path / "b.hsbackup"
    assert main(["--vault", str(env), "backup", "--out", str(out_file)]) == 0
    assert out_file.exists()
    other = tmp_path / "restored"
    assert main(["--vault", str(other), "restore", str(out_file)]) == 0
    assert "Restored 1 case(s)" in capsys.readouterr().out

    monkeypatch.setenv("HOMESTUDY_NEW_PASSPHRASE", "the new passphrase")
    assert main(["--vault", str(env), "passwd"]) == 0
    assert main(["--vault", str(env), "cases"]) == 1  # old one no longer works
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", "the new passphrase")
    capsys.readouterr()
    assert main(["--vault", str(env), "cases"]) == 0
    assert "Hannah" in capsys.readouterr().out


def test_a_short_new_passphrase_is_refused(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As in the app: a new passphrase has at least MIN_PASSPHRASE_LENGTH characters."""
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", "ab")
    assert main(["--vault", str(env), "demo"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert not Vault.exists(env)

    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", PASS)
    assert main(["--vault", str(env), "demo"]) == 0
    monkeypatch.setenv("HOMESTUDY_NEW_PASSPHRASE", "abcdefghi")  # one short
    capsys.readouterr()
    assert main(["--vault", str(env), "passwd"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.delenv("HOMESTUDY_NEW_PASSPHRASE")
    assert main(["--vault", str(env), "cases"]) == 0  # unchanged


def _typed(tmp_path: Path, folder: Path, command: str, lines: str) -> subprocess.CompletedProcess:
    """``homestudy --vault FOLDER COMMAND`` in its own session (no terminal), with
    ``lines`` as what the user types; no passphrase in the environment."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "HOMESTUDY_SETTINGS": str(tmp_path / "s.json"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    return subprocess.run(
        [sys.executable, "-m", "homestudy.cli", "--vault", str(folder), command],
        env=env,
        cwd=Path(__file__).parent.parent,
        input=lines,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )


def test_prompted_passphrase_must_match(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    differ = _typed(tmp_path, folder, "demo", "first try here\nsecond try here\n")
    assert differ.returncode == 1
    assert "not the same" in differ.stderr
    assert not Vault.exists(folder)
    made = _typed(tmp_path, folder, "demo", "the same one\nthe same one\n")
    assert made.returncode == 0, made.stderr
    assert _typed(tmp_path, folder, "cases", "the same one\n").returncode == 0


def test_with_no_terminal_the_answers_come_from_standard_input_in_plain_words(
    tmp_path: Path,
) -> None:
    """No Python warning or file path; running out of input at either prompt is the same
    plain sentence."""
    folder = tmp_path / "v"
    made = _typed(tmp_path, folder, "demo", f"{PASS}\n{PASS}\n")
    assert made.returncode == 0, made.stderr
    assert "no terminal is available" in made.stderr
    assert "Warning" not in made.stderr and ".py" not in made.stderr
    for typed in ("", f"{PASS}\n"):  # out of input at "New passphrase:", at "Type it again:"
        ended = _typed(tmp_path, tmp_path / "other", "demo", typed)
        assert ended.returncode == 1
        assert "No passphrase was given" in ended.stderr, ended.stderr
        assert "unexpected" not in ended.stderr and "Traceback" not in ended.stderr


def test_passwd_asks_for_the_current_passphrase_once_and_refuses_a_short_one(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "v"
    made = _typed(tmp_path, folder, "demo", f"{PASS}\n{PASS}\n")
    assert made.returncode == 0, made.stderr
    short = _typed(tmp_path, folder, "passwd", f"{PASS}\nab\nab\n")
    assert short.returncode == 1
    assert "at least 10 characters" in short.stderr
    assert "Passphrase changed" not in short.stdout
    changed = _typed(
        tmp_path, folder, "passwd", f"{PASS}\nthe new passphrase\nthe new passphrase\n"
    )
    assert changed.returncode == 0, changed.stderr
    assert "Passphrase changed." in changed.stdout
    assert changed.stderr.count("Current passphrase") + changed.stderr.count("Passphrase:") == 1
    listed = _typed(tmp_path, folder, "cases", "the new passphrase\n")
    assert listed.returncode == 0, listed.stderr


def test_real_process(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    env = bare_process_env(tmp_path, PASS)
    exe = [sys.executable, "-m", "homestudy.cli"]
    cwd = Path(__file__).parent.parent
    made = subprocess.run(
        [*exe, "--vault", str(folder), "demo"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    listed = subprocess.run(
        [*exe, "--vault", str(folder), "cases", "--json"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["reference"] == made.stdout.strip()


def test_vault_dir_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import argparse

    from homestudy.commands.common import vault_dir

    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"vault_dir": str(tmp_path / "from-settings")}))
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(settings))
    monkeypatch.setenv("HOMESTUDY_CENTRAL_SETTINGS", str(tmp_path / "none.json"))
    monkeypatch.delenv("HOMESTUDY_VAULT", raising=False)
    assert vault_dir(argparse.Namespace(vault=None)) == tmp_path / "from-settings"
    monkeypatch.setenv("HOMESTUDY_VAULT", str(tmp_path / "from-env"))
    assert vault_dir(argparse.Namespace(vault=None)) == tmp_path / "from-env"
    assert vault_dir(argparse.Namespace(vault=str(tmp_path / "arg"))) == tmp_path / "arg"


def test_missing_vault_folder(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--vault", str(env), "cases"]) == 1
    err = capsys.readouterr().err
    assert "There is no HomeStudy vault" in err and str(env) in err


def test_no_passphrase_and_no_terminal_is_a_plain_message(tmp_path: Path) -> None:
    """A script with no input and no HOMESTUDY_PASSPHRASE gets a sentence, not a traceback."""
    folder = tmp_path / "v"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "HOMESTUDY_SETTINGS": str(tmp_path / "s.json"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    exe = [sys.executable, "-m", "homestudy.cli"]
    cwd = Path(__file__).parent.parent
    made = subprocess.run(
        [*exe, "--vault", str(folder), "demo"],
        env={**env, "HOMESTUDY_PASSPHRASE": PASS},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    for command in (["cases"], ["export", made.stdout.strip(), "--out", str(tmp_path / "p.pdf")]):
        done = subprocess.run(
            [*exe, "--vault", str(folder), *command],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            start_new_session=True,  # no terminal to fall back on
        )
        assert done.returncode == 1, done.stderr
        assert "No passphrase was given" in done.stderr
        assert "GetPassWarning" not in done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "p.pdf").exists()
