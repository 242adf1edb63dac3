"""Encrypted backups: one file, restorable with the passphrase alone.

Layout (version 1)::

    b"HomeStudy backup\\n" | u32 big-endian header length | header JSON | database

The database is a ``sqlcipher_export`` of the vault (the SQLite backup API refuses
encrypted databases) under a fresh random key. The header wraps that key with a KEK
derived from the passphrase only (the vault's Argon2id salt and parameters), so a
backup can be restored on another computer where the keyring secret is absent.
Both integrity checks must pass before a backup is made.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import struct
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homestudy.atomic import write_atomic
from homestudy.errors import (
    IntegrityError,
    NotAVaultError,
    UnknownFormatError,
    VaultTooNewError,
)
from homestudy.model import utc_now
from homestudy.vault import keys, migrations, store

if TYPE_CHECKING:
    from homestudy.vault.vault import Vault

MAGIC = b"HomeStudy backup\n"
FORMAT = "homestudy-backup"
FORMAT_VERSION = 1


def _aad(backup_id: str) -> str:
    return f"{FORMAT}:{FORMAT_VERSION}:{backup_id}"


def make_backup(vault: Vault, conn: Any, kdf_record: dict[str, Any], backup_kek: bytes,
                out_file: Path) -> Path:
    problems = store.integrity_problems(conn)
    if problems:
        raise IntegrityError()
    key = secrets.token_bytes(32)
    backup_id = str(uuid.uuid4())
    tmp = vault.folder / f".export-{backup_id}.db"  # encrypted; removed below
    query_only = conn.execute("PRAGMA query_only").fetchone()[0]
    try:
        conn.execute("PRAGMA query_only = OFF")
        conn.execute(f"ATTACH DATABASE ? AS bak KEY \"x'{key.hex()}'\"", (str(tmp),))
        try:
            conn.execute("SELECT sqlcipher_export('bak')")
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA bak.user_version = {int(version)}")
        finally:
            conn.execute("DETACH DATABASE bak")
        data = tmp.read_bytes()
    finally:
        conn.execute(f"PRAGMA query_only = {int(query_only)}")
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{tmp}{suffix}")
    header = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "backup_id": backup_id,
        "created_at": utc_now().isoformat(), "schema_version": version,
        "kdf": kdf_record, "key": keys.wrap_with_kek(key, backup_kek, _aad(backup_id)),
        "db_sha256": hashlib.sha256(data).hexdigest(), "db_size": len(data),
    }
    blob = json.dumps(header).encode("utf-8")
    return write_atomic(out_file, MAGIC + struct.pack(">I", len(blob)) + blob + data)


def read_backup(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotAVaultError("That backup file could not be read.") from exc
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 4:
        raise NotAVaultError("This is not a HomeStudy backup.")
    (size,) = struct.unpack(">I", raw[len(MAGIC):len(MAGIC) + 4])
    start = len(MAGIC) + 4
    try:
        header = json.loads(raw[start:start + size])
    except ValueError as exc:
        raise NotAVaultError("This backup is damaged.") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise NotAVaultError("This is not a HomeStudy backup.")
    version = header.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise UnknownFormatError()
    if version > FORMAT_VERSION or int(header.get("schema_version", 0)) > migrations.LATEST:
        raise VaultTooNewError("This backup was made by a newer version of HomeStudy.")
    data = raw[start + size:]
    if hashlib.sha256(data).hexdigest() != header.get("db_sha256"):
        raise NotAVaultError("This backup is damaged.")
    return header, data


def restore(backup_file: Path, folder: Path, passphrase: str) -> Vault:
    from homestudy.vault.vault import DB_NAME, Vault, aad_for, new_header, write_header

    header, data = read_backup(backup_file)
    kdf, salt = keys.kdf_from_record(header.get("kdf"))  # bounded: a tampered file
    bkek = keys.backup_kek(kdf.derive(passphrase, salt))
    db_key = keys.unwrap_with_kek(header["key"], bkek, _aad(header["backup_id"]))

    staging = folder.with_name(f".{folder.name}.restoring-{uuid.uuid4().hex[:8]}")
    staging.mkdir(mode=0o700, parents=True)
    try:
        write_atomic(staging / DB_NAME, data)
        conn = store.connect(staging / DB_NAME, db_key)
        try:
            if store.integrity_problems(conn):
                raise IntegrityError("This backup failed its integrity check.")
            store.migrate(conn)
        finally:
            conn.close()
        vault_id = str(uuid.uuid4())
        device = keys.store_device_secret(vault_id)
        ref = {"service": keys.KEYRING_SERVICE, "vault_id": vault_id} if device else None
        wrap, _ = keys.wrap(db_key, passphrase, kdf, aad_for(vault_id), device, ref)
        write_header(staging, new_header(vault_id, wrap))
        if folder.exists():
            stamp = utc_now().strftime("%Y%m%d-%H%M%S")
            folder.rename(folder.with_name(f"{folder.name}.before-restore-{stamp}"))
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Vault.open(folder, passphrase)
