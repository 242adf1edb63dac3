"""Encrypted backups made with sqlcipher_export, and restoring them."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from homestudy.errors import (
    IntegrityError,
    NotAVaultError,
    VaultTooNewError,
    WrongPassphraseError,
)
from homestudy.model import Case, ParSectionDraft
from homestudy.vault import Vault
from homestudy.vault.backup import MAGIC
from tests.conftest import TEST_PASSPHRASE, MemoryKeyring
from tests.test_vault_errors import snapshot


def test_backup_and_restore_into_new_folder(
    demo_vault: Vault, demo_case: Case, tmp_path: Path
) -> None:
    att = demo_vault.cases.add_attachment(demo_case.id, "a.txt", "text/plain", b"attached")
    out = demo_vault.backup(tmp_path / "case.hsbackup")
    raw = out.read_bytes()
    assert raw.startswith(MAGIC)
    assert b"Whitfield" not in raw and b"miscarriage" not in raw  # encrypted
    assert (out.stat().st_mode & 0o777) == 0o600
    assert not list(demo_vault.folder.glob(".export-*"))  # no leftovers
    restored = Vault.restore(out, tmp_path / "elsewhere", TEST_PASSPHRASE)
    try:
        case = restored.cases.load_case(demo_case.id)
        assert case.par_sections == demo_case.par_sections
        assert restored.cases.read_attachment(demo_case.id, att.id) == b"attached"
        assert restored.check_integrity() == []
        assert restored.audit.verify() == demo_vault.audit.verify()
        assert restored.vault_id != demo_vault.vault_id
    finally:
        restored.close()


def test_restore_over_a_vault_keeps_the_old_one_aside(
    demo_vault: Vault, demo_case: Case, tmp_path: Path
) -> None:
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    demo_vault.cases.save_par_section(demo_case.id, ParSectionDraft("matching", "after backup"))
    folder = demo_vault.folder
    demo_vault.close()
    restored = Vault.restore(out, folder, TEST_PASSPHRASE)
    try:
        assert restored.cases.load_case(demo_case.id).par_sections["matching"].text == ""
    finally:
        restored.close()
    (aside,) = tmp_path.glob("vault.before-restore-*")
    old = Vault.open(aside, TEST_PASSPHRASE)
    try:
        assert old.cases.load_case(demo_case.id).par_sections["matching"].text == "after backup"
    finally:
        old.close()


def test_restore_needs_the_passphrase(demo_vault: Vault, tmp_path: Path) -> None:
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    with pytest.raises(WrongPassphraseError):
        Vault.restore(out, tmp_path / "r", "wrong passphrase")
    assert not (tmp_path / "r").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_backup_restores_on_a_computer_without_the_keyring_secret(
    tmp_path: Path, memory_keyring: MemoryKeyring, demo_case: Case
) -> None:
    from tests.conftest import TEST_KDF

    v = Vault.create(tmp_path / "v", TEST_PASSPHRASE, kdf=TEST_KDF)
    v.cases.save_case(demo_case)
    out = v.backup(tmp_path / "b.hsbackup")
    v.close()
    memory_keyring.entries.clear()  # the laptop was lost
    restored = Vault.restore(out, tmp_path / "new", TEST_PASSPHRASE)
    try:
        assert restored.cases.load_case(demo_case.id) == demo_case
    finally:
        restored.close()


def test_backup_after_passphrase_change_uses_new_one(demo_vault: Vault, tmp_path: Path) -> None:
    demo_vault.change_passphrase(TEST_PASSPHRASE, "new one here")
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    with pytest.raises(WrongPassphraseError):
        Vault.restore(out, tmp_path / "r1", TEST_PASSPHRASE)
    Vault.restore(out, tmp_path / "r2", "new one here").close()


def test_no_backup_of_a_damaged_vault(demo_vault: Vault, tmp_path: Path) -> None:
    from tests.test_vault_store import _corrupt_a_page

    folder = demo_vault.folder
    demo_vault.close()
    _corrupt_a_page(folder / "vault.db")
    v = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
    try:
        with pytest.raises(IntegrityError):
            v.backup(tmp_path / "b.hsbackup")
    finally:
        v.close()
    assert not (tmp_path / "b.hsbackup").exists()


def _rewrite_header(path: Path, change: dict) -> None:
    raw = path.read_bytes()
    start = len(MAGIC) + 4
    (size,) = struct.unpack(">I", raw[len(MAGIC) : start])
    header = {**json.loads(raw[start : start + size]), **change}
    blob = json.dumps(header).encode()
    path.write_bytes(MAGIC + struct.pack(">I", len(blob)) + blob + raw[start + size :])


@pytest.mark.parametrize(
    ("mangle", "error"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04 a zip file"), NotAVaultError),
        (lambda p: p.write_bytes(p.read_bytes()[:-100]), NotAVaultError),
        (lambda p: _rewrite_header(p, {"format_version": 2}), VaultTooNewError),
        (lambda p: _rewrite_header(p, {"schema_version": 999}), VaultTooNewError),
    ],
)
def test_bad_backups_are_refused(demo_vault: Vault, tmp_path: Path, mangle, error) -> None:
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    mangle(out)
    target = demo_vault.folder
    before = snapshot(target)
    with pytest.raises(error):
        Vault.restore(out, target, TEST_PASSPHRASE)
    assert snapshot(target) == before
