"""Keys, PRAGMAs, lock/unlock, passphrase change, integrity checks and read-only mode."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import sqlcipher3

from homestudy.errors import ReadOnlyVaultError, WrongPassphraseError
from homestudy.model import Case, ParSectionDraft
from homestudy.vault import KdfParams, Vault
from homestudy.vault import keys as vault_keys
from tests.conftest import TEST_KDF, TEST_PASSPHRASE, MemoryKeyring


def test_safety_pragmas_in_force(vault: Vault) -> None:
    conn = vault._conn
    got = {
        name: conn.execute(f"PRAGMA {name}").fetchone()[0]
        for name in (
            "journal_mode",
            "synchronous",
            "temp_store",
            "secure_delete",
            "foreign_keys",
            "cipher_memory_security",
        )
    }
    assert got == {
        "journal_mode": "wal",
        "synchronous": 2,
        "temp_store": 2,
        "secure_delete": 1,
        "foreign_keys": 1,
        "cipher_memory_security": "1",
    }
    assert conn.execute("PRAGMA cache_size").fetchone()[0] <= -16 * 1024
    with pytest.raises(sqlcipher3.dbapi2.OperationalError):  # extensions stay off
        conn.execute("SELECT load_extension('/nonexistent')")


def test_database_is_encrypted_with_a_raw_key(vault: Vault) -> None:
    vault.close()
    data = (vault.folder / "vault.db").read_bytes()
    assert not data.startswith(b"SQLite format 3")
    header = json.loads((vault.folder / "vault.json").read_text())
    wrap = header["key_wrap"]
    assert wrap["protection"] == "passphrase-only" and wrap["keyring"] is None
    assert wrap["kdf"]["name"] == "argon2id" and wrap["kdf"]["time_cost"] == 1
    plain = sqlcipher3.connect(str(vault.folder / "vault.db"))
    plain.execute(f"PRAGMA key = '{TEST_PASSPHRASE}'")  # a passphrase key is not the key
    with pytest.raises(sqlcipher3.dbapi2.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()


def test_passphrase_only_without_keyring(vault: Vault) -> None:
    assert not vault.keyring_protected
    assert not vault_keys.keyring_available()


def test_keyring_protected_vault(
    tmp_path: Path, memory_keyring: MemoryKeyring, demo_case: Case
) -> None:
    v = Vault.create(tmp_path / "v", TEST_PASSPHRASE, kdf=TEST_KDF)
    assert v.keyring_protected
    v.cases.save_case(demo_case)
    v.close()
    assert len(memory_keyring.entries) == 1
    header = json.loads((tmp_path / "v" / "vault.json").read_text())
    assert header["key_wrap"]["protection"] == "passphrase+keyring"
    (secret,) = memory_keyring.entries.values()
    assert secret not in (tmp_path / "v" / "vault.json").read_text()
    again = Vault.open(tmp_path / "v", TEST_PASSPHRASE)
    try:
        assert again.cases.load_case(demo_case.id) == demo_case
    finally:
        again.close()


def test_calibration_targets_the_time() -> None:
    params = vault_keys.calibrate(target_seconds=0.05, memory_kib=8 * 1024)
    assert params.time_cost >= 1 and params.memory_kib >= 8 * 1024 // 2
    assert params.parallelism >= 1


def test_default_create_calibrates(tmp_path: Path) -> None:
    v = Vault.create(tmp_path / "v", TEST_PASSPHRASE)  # the real default, about 0.5 s
    v.close()
    kdf = json.loads((tmp_path / "v" / "vault.json").read_text())["key_wrap"]["kdf"]
    assert kdf["memory_kib"] >= 19 * 1024 and kdf["time_cost"] >= 1


def test_change_passphrase_rewraps_only(demo_vault: Vault, demo_case: Case) -> None:
    db = demo_vault.folder / "vault.db"
    demo_vault.close()
    before = db.read_bytes()
    v = Vault.open(demo_vault.folder, TEST_PASSPHRASE, check_integrity=False)
    with pytest.raises(WrongPassphraseError):
        v.change_passphrase("wrong", "new passphrase")
    v.change_passphrase(TEST_PASSPHRASE, "a brand new passphrase")
    last = v.audit.entries()[-1]
    assert (last.action, last.record_kind, last.fields) == ("update", "vault", ("passphrase",))
    v.close()
    after = db.read_bytes()
    pages = [(before[i : i + 4096], after[i : i + 4096]) for i in range(0, len(before), 4096)]
    changed = sum(old != new for old, new in pages)
    assert 0 < changed <= 3  # not re-encrypted: only the pages of the one audit entry
    with pytest.raises(WrongPassphraseError):
        Vault.open(demo_vault.folder, TEST_PASSPHRASE)
    v = Vault.open(demo_vault.folder, "a brand new passphrase")
    try:
        assert v.cases.load_case(demo_case.id) == demo_case
    finally:
        v.close()


def test_lock_drops_key_and_unlock_needs_passphrase(demo_vault: Vault) -> None:
    keys_obj = demo_vault._keys
    demo_vault.lock()
    assert keys_obj is not None and not any(keys_obj.db_key)  # wiped, not just dropped
    assert demo_vault._conn is None
    demo_vault.unlock(TEST_PASSPHRASE)
    assert not demo_vault.is_locked


def _corrupt_a_page(db: Path) -> None:
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    offset = 5 * page + 200
    data[offset] ^= 0xFF
    db.write_bytes(bytes(data))


def test_failed_integrity_check_opens_read_only(demo_vault: Vault, demo_case: Case) -> None:
    folder = demo_vault.folder
    demo_vault.close()
    _corrupt_a_page(folder / "vault.db")
    told: list[list[str]] = []
    done = threading.Event()

    def on_integrity(problems: list[str]) -> None:
        told.append(problems)
        done.set()

    v = Vault.open(folder, TEST_PASSPHRASE, on_integrity=on_integrity)
    try:
        problems = v.integrity_future.result(timeout=60)
        assert problems
        assert done.wait(10) and told == [problems]
        assert v.read_only
        with pytest.raises(ReadOnlyVaultError):
            v.cases.save_par_section(demo_case.id, ParSectionDraft("matching", "x"))
        assert v.check_integrity()
    finally:
        v.close()


def test_healthy_vault_passes_checks(demo_vault: Vault) -> None:
    assert demo_vault.check_integrity() == []


def test_close_interrupts_a_running_check(demo_vault: Vault) -> None:
    folder = demo_vault.folder
    demo_vault.close()
    v = Vault.open(folder, TEST_PASSPHRASE)
    v.close()  # must not hang or leave a thread behind
    assert v.integrity_future.done()
    assert not v.read_only


def test_kdf_params_are_recorded(vault: Vault) -> None:
    header = json.loads((vault.folder / "vault.json").read_text())
    assert vault_keys.kdf_of(header["key_wrap"]) == KdfParams(1, 64, 1)
