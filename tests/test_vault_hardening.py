"""Vault hardening: a keyring that drops writes, and stored KDF parameters out of bounds.

Each bad ``vault.json`` (or backup header) must be refused before Argon2id runs, with a
plain message and nothing on disk changed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from homestudy.cli import main
from homestudy.errors import UnknownFormatError, UnsafeKdfError
from homestudy.vault import Vault, keys
from homestudy.vault.backup import read_backup
from tests.conftest import TEST_KDF, TEST_PASSPHRASE
from tests.test_vault_backup import _rewrite_header
from tests.test_vault_errors import _edit_header, snapshot


@pytest.fixture
def null_keyring() -> Iterator[None]:
    """keyring's null backend: it accepts every write and keeps nothing."""
    keyring.set_keyring(null.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(fail.Keyring())


class ManglingKeyring(KeyringBackend):
    """A backend that keeps something, but not what it was given."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password[:20]  # truncated, as some backends do

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def test_null_keyring_gives_a_passphrase_only_vault_that_opens_again(
    tmp_path: Path, null_keyring: None
) -> None:
    folder = tmp_path / "vault"
    vault = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    assert not vault.keyring_protected  # the secret did not read back
    vault.close()
    header = json.loads((folder / "vault.json").read_text())
    assert header["key_wrap"]["protection"] == "passphrase-only"
    Vault.open(folder, TEST_PASSPHRASE).close()  # before the fix: KeyringEntryMissingError


def test_a_keyring_that_changes_the_secret_is_not_relied_on(tmp_path: Path) -> None:
    backend = ManglingKeyring()
    keyring.set_keyring(backend)
    try:
        vault = Vault.create(tmp_path / "vault", TEST_PASSPHRASE, kdf=TEST_KDF)
        assert not vault.keyring_protected
        vault.close()
        assert backend.entries == {}  # the bad entry was removed again
        Vault.open(tmp_path / "vault", TEST_PASSPHRASE).close()
    finally:
        keyring.set_keyring(fail.Keyring())


def test_restore_with_a_null_keyring_opens_again(
    demo_vault: Vault, tmp_path: Path, null_keyring: None
) -> None:
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    restored = Vault.restore(out, tmp_path / "restored", TEST_PASSPHRASE)
    assert not restored.keyring_protected
    restored.close()
    Vault.open(tmp_path / "restored", TEST_PASSPHRASE).close()


def test_cli_warns_when_the_keyring_drops_the_secret(
    tmp_path: Path,
    null_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setattr(keys, "calibrate", lambda *a, **k: TEST_KDF)
    assert main(["--vault", str(tmp_path / "v"), "demo"]) == 0
    assert "passphrase alone" in capsys.readouterr().err
    assert main(["--vault", str(tmp_path / "v"), "cases"]) == 0


@pytest.fixture
def closed_vault(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF).close()
    return folder


@pytest.fixture
def no_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if Argon2id is ever started (a bad value must be refused first)."""

    def refuse(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("Argon2id ran with parameters that should have been refused")

    monkeypatch.setattr(keys, "hash_secret_raw", refuse)


def _salt(n: int) -> str:
    return base64.b64encode(b"s" * n).decode()


BAD_KDF = [
    ("time_cost", 0),
    ("time_cost", 65),
    ("time_cost", 10**9),
    ("time_cost", -3),
    ("time_cost", True),
    ("time_cost", "3"),
    ("time_cost", 2.5),
    ("time_cost", None),
    ("memory_kib", 4),
    ("memory_kib", 1024 * 1024 + 1),
    ("memory_kib", 2**40),
    ("memory_kib", "64"),
    ("parallelism", 0),
    ("parallelism", 17),
    ("parallelism", 10**6),
    ("parallelism", False),
    ("salt", _salt(4)),
    ("salt", _salt(65)),
]


@pytest.mark.parametrize(("field", "value"), BAD_KDF)
def test_out_of_bounds_kdf_parameter_is_refused_before_any_derivation(
    closed_vault: Path, no_kdf: None, field: str, value: object
) -> None:
    _edit_header(closed_vault, {f"key_wrap.kdf.{field}": value})
    before = snapshot(closed_vault)
    with pytest.raises(UnsafeKdfError) as info:
        Vault.open(closed_vault, TEST_PASSPHRASE)
    assert "outside the range" in info.value.message
    assert snapshot(closed_vault) == before


def test_too_much_work_in_total_is_refused(closed_vault: Path, no_kdf: None) -> None:
    # each value alone is allowed; together they would take minutes
    _edit_header(
        closed_vault, {"key_wrap.kdf.time_cost": 64, "key_wrap.kdf.memory_kib": 1024 * 1024}
    )
    with pytest.raises(UnsafeKdfError):
        Vault.open(closed_vault, TEST_PASSPHRASE)


def test_memory_below_argon2_floor_for_its_lanes_is_refused(
    closed_vault: Path, no_kdf: None
) -> None:
    _edit_header(closed_vault, {"key_wrap.kdf.parallelism": 16, "key_wrap.kdf.memory_kib": 64})
    with pytest.raises(UnsafeKdfError):
        Vault.open(closed_vault, TEST_PASSPHRASE)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key_wrap.kdf", "argon2id"),
        ("key_wrap.kdf.salt", "not base64!"),
        ("key_wrap.nonce", base64.b64encode(b"n" * 8).decode()),
        ("key_wrap.wrapped_key", base64.b64encode(b"w" * 10).decode()),
        ("key_wrap.keyring", "vault-1"),
    ],
)
def test_malformed_key_records_are_unknown_formats(
    closed_vault: Path, no_kdf: None, field: str, value: object
) -> None:
    _edit_header(closed_vault, {field: value})
    with pytest.raises(UnknownFormatError):
        Vault.open(closed_vault, TEST_PASSPHRASE)


def test_the_cli_says_so_plainly(
    closed_vault: Path,
    no_kdf: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
    _edit_header(closed_vault, {"key_wrap.kdf.memory_kib": 2**40})
    for command in (["cases"], ["passwd"], ["backup", "--out", str(closed_vault.parent / "b")]):
        assert main(["--vault", str(closed_vault), *command]) == 1
        err = capsys.readouterr().err
        assert "outside the range HomeStudy accepts" in err and "Traceback" not in err


@pytest.mark.parametrize(("field", "value"), BAD_KDF[:4] + BAD_KDF[8:11])
def test_backup_with_out_of_bounds_kdf_is_refused(
    demo_vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: object
) -> None:
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    header, _ = read_backup(out)
    _rewrite_header(out, {"kdf": {**header["kdf"], field: value}})
    monkeypatch.setattr(keys, "hash_secret_raw", lambda *a, **k: pytest.fail("KDF ran"))
    with pytest.raises(UnsafeKdfError):
        Vault.restore(out, tmp_path / "restored", TEST_PASSPHRASE)
    assert not (tmp_path / "restored").exists()


def test_calibration_stays_inside_the_bounds() -> None:
    # tiny memory makes one pass very quick, so calibration asks for many passes
    params = keys.calibrate(target_seconds=0.2, memory_kib=64)
    b = keys.KDF_BOUNDS
    assert b.time_cost[0] <= params.time_cost <= b.time_cost[1]
    assert params.time_cost * params.memory_kib <= b.work_kib
    keys.kdf_from_record(
        {
            "name": "argon2id",
            "salt": _salt(16),
            "time_cost": params.time_cost,
            "memory_kib": params.memory_kib,
            "parallelism": params.parallelism,
        }
    )
