"""Each vault error, and that none of them changes a byte on disk."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from homestudy.errors import (
    AuditChainError,
    KeyringEntryMissingError,
    NotAVaultError,
    ReadOnlyVaultError,
    StorageFullError,
    UnknownFormatError,
    VaultExistsError,
    VaultLockedError,
    VaultTooNewError,
    WrongPassphraseError,
)
from homestudy.model import ParSectionDraft
from homestudy.vault import Vault
from tests.conftest import TEST_KDF, TEST_PASSPHRASE, MemoryKeyring


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (and its permissions) by content hash."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        + oct(p.stat().st_mode)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def closed_vault(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "vault"
    v = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    v.close()
    yield folder


def _edit_header(folder: Path, change: dict) -> None:
    header = json.loads((folder / "vault.json").read_text())
    for key, value in change.items():
        target = header
        *path, last = key.split(".")
        for part in path:
            target = target[part]
        target[last] = value
    (folder / "vault.json").write_text(json.dumps(header))


def _assert_unchanged(
    folder: Path,
    error: type[Exception],
    passphrase: str = TEST_PASSPHRASE,
) -> Exception:
    before = snapshot(folder)
    with pytest.raises(error) as info:
        Vault.open(folder, passphrase)
    assert snapshot(folder) == before
    assert info.value.message  # a plain message for the UI
    return info.value


def test_wrong_passphrase(closed_vault: Path) -> None:
    _assert_unchanged(closed_vault, WrongPassphraseError, "not the passphrase")


def test_not_a_vault_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    _assert_unchanged(tmp_path, NotAVaultError)


def test_not_a_vault_garbage_header(closed_vault: Path) -> None:
    (closed_vault / "vault.json").write_bytes(os.urandom(200))
    _assert_unchanged(closed_vault, NotAVaultError)


def test_not_a_vault_other_json(closed_vault: Path) -> None:
    (closed_vault / "vault.json").write_text('{"format": "something-else"}')
    _assert_unchanged(closed_vault, NotAVaultError)


def test_not_a_vault_database_replaced(closed_vault: Path) -> None:
    (closed_vault / "vault.db").write_bytes(os.urandom(8192))
    _assert_unchanged(closed_vault, NotAVaultError)


def test_not_a_vault_database_missing(closed_vault: Path) -> None:
    (closed_vault / "vault.db").unlink()
    _assert_unchanged(closed_vault, NotAVaultError)
    assert not (closed_vault / "vault.db").exists()


def test_header_from_newer_version(closed_vault: Path) -> None:
    _edit_header(closed_vault, {"format_version": 99})
    _assert_unchanged(closed_vault, VaultTooNewError)


def test_key_wrap_from_newer_version(closed_vault: Path) -> None:
    _edit_header(closed_vault, {"key_wrap.version": 7})
    _assert_unchanged(closed_vault, VaultTooNewError)


def test_database_schema_from_newer_version(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    v = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    with v.transaction() as conn:
        conn.execute("PRAGMA user_version = 99")
    v.close()
    _assert_unchanged(folder, VaultTooNewError)


@pytest.mark.parametrize(
    "change",
    [
        {"format_version": "one"},
        {"format_version": 0},
        {"key_wrap.aead": "rot13"},
        {"key_wrap.kdf.name": "md5"},
        {"key_wrap.nonce": "***"},
    ],
)
def test_unknown_format(closed_vault: Path, change: dict) -> None:
    _edit_header(closed_vault, change)
    _assert_unchanged(closed_vault, UnknownFormatError)


def test_keyring_entry_missing(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    folder = tmp_path / "vault"
    v = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    assert v.keyring_protected
    v.close()
    memory_keyring.entries.clear()  # as if the folder were copied to another account
    _assert_unchanged(folder, KeyringEntryMissingError)


def test_keyring_gone_entirely(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    folder = tmp_path / "vault"
    Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF).close()
    keyring.set_keyring(fail.Keyring())
    _assert_unchanged(folder, KeyringEntryMissingError)


def test_keyring_secret_is_needed_as_well_as_passphrase(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    folder = tmp_path / "vault"
    Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF).close()
    (key,) = memory_keyring.entries
    memory_keyring.entries[key] = "A" * 43 + "="  # a different 32-byte secret
    _assert_unchanged(folder, WrongPassphraseError)


def test_create_over_existing_vault(closed_vault: Path) -> None:
    before = snapshot(closed_vault)
    with pytest.raises(VaultExistsError):
        Vault.create(closed_vault, "another passphrase", kdf=TEST_KDF)
    assert snapshot(closed_vault) == before


def test_locked_vault_refuses_use(demo_vault: Vault) -> None:
    demo_vault.lock()
    assert demo_vault.is_locked
    with pytest.raises(VaultLockedError):
        demo_vault.cases.list_cases()
    with pytest.raises(VaultLockedError):
        demo_vault.get_setting("x")
    with pytest.raises(WrongPassphraseError):
        demo_vault.unlock("wrong")
    assert demo_vault.is_locked
    demo_vault.unlock(TEST_PASSPHRASE)
    assert len(demo_vault.cases.list_cases()) == 1


def test_read_only_refuses_writes(closed_vault: Path, demo_case) -> None:
    v = Vault.open(closed_vault, TEST_PASSPHRASE, read_only=True)
    try:
        assert v.read_only
        with pytest.raises(ReadOnlyVaultError):
            v.cases.save_case(demo_case)
        with pytest.raises(ReadOnlyVaultError):
            v.set_setting("a", 1)
        assert v.cases.list_cases() == []
    finally:
        v.close()


def test_disk_full_saves_nothing_and_keeps_going(demo_vault: Vault, demo_case) -> None:
    conn = demo_vault._conn  # the fault: SQLite's own page limit gives SQLITE_FULL
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageFullError):
        demo_vault.cases.add_attachment(
            demo_case.id, "scan.pdf", "application/pdf", os.urandom(2_000_000)
        )
    conn.execute("PRAGMA max_page_count = 1073741823")
    loaded = demo_vault.cases.load_case(demo_case.id)
    assert loaded.attachments == []
    assert loaded.par_sections["health"].text == demo_case.par_sections["health"].text
    demo_vault.cases.save_par_section(demo_case.id, ParSectionDraft("matching", "Now saved."))
    assert demo_vault.cases.load_case(demo_case.id).par_sections["matching"].text == "Now saved."
    assert demo_vault.check_integrity() == []
    demo_vault.audit.verify()


def test_audit_chain_tamper_detected(demo_vault: Vault) -> None:
    assert demo_vault.audit.verify() > 10
    with demo_vault.transaction() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 3")
    with demo_vault.transaction() as conn:  # someone with the key and a SQL shell
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("UPDATE audit SET fields = '[]' WHERE seq = 3")
    with pytest.raises(AuditChainError, match="entry 3"):
        demo_vault.audit.verify()


def test_audit_chain_gap_detected(demo_vault: Vault) -> None:
    with demo_vault.transaction() as conn:
        conn.execute("DROP TRIGGER audit_no_delete")
        conn.execute("DELETE FROM audit WHERE seq = 5")
    with pytest.raises(AuditChainError):
        demo_vault.audit.verify()


def test_failed_create_leaves_nothing_behind(
    tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homestudy.vault import store

    def full_disk(conn) -> int:
        raise StorageFullError()

    monkeypatch.setattr(store, "migrate", full_disk)
    with pytest.raises(StorageFullError):
        Vault.create(tmp_path / "v", TEST_PASSPHRASE, kdf=TEST_KDF)
    assert list((tmp_path / "v").iterdir()) == []
    assert memory_keyring.entries == {}
    assert not Vault.exists(tmp_path / "v")
