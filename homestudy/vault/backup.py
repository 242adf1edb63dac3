"""Encrypted backups: one file, restorable with the passphrase alone.

Layout (version 1)::

    b"HomeStudy backup\\n" | u32 big-endian header length | header JSON | database

The database is a ``sqlcipher_export`` of the vault (the SQLite backup API refuses
encrypted databases) under a fresh random key. The header wraps that key with a KEK
derived from the passphrase only (the vault's Argon2id salt and parameters), so a
backup can be restored on another computer where the keyring secret is absent. The
plaintext header says only when the backup was made, its size and schema version.

A backup is *good* only once checked end to end: the vault passes both integrity
checks first, the exported copy passes them too, and the file is read back from the
disk and its hash compared. ``preview`` shows what a backup holds (its cases, dates,
size) from a private temporary copy that stays encrypted, without touching the vault.
``prepare_restore`` / ``finish_restore`` split a restore so the vault in use is only
closed once the backup has been fully checked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import struct
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from homestudy.atomic import write_atomic
from homestudy.errors import (
    HomeStudyError,
    IntegrityError,
    NotAVaultError,
    UnknownFormatError,
    VaultTooNewError,
)
from homestudy.model import CaseSummary, utc_now
from homestudy.vault import keys, migrations, storage, store
from homestudy.vault.header import DB_NAME, aad_for, new_header, write_header

MAGIC = b"HomeStudy backup\n"
FORMAT = "homestudy-backup"
FORMAT_VERSION = 1
SUFFIX = ".hsbackup"
_MAX_HEADER = 64 * 1024
DAMAGED = "This backup is damaged, so it cannot be used. Choose another backup."


@dataclass(frozen=True)
class BackupInfo:
    """A backup file as its plaintext header describes it (no passphrase needed)."""

    path: Path
    backup_id: str
    created_at: datetime
    size: int  # of the whole file, in bytes
    schema_version: int


@dataclass(frozen=True)
class BackupPreview:
    """What a backup holds, read with its passphrase from an encrypted temporary copy."""

    info: BackupInfo
    cases: tuple[CaseSummary, ...]  # archived ones too

    @property
    def last_change(self) -> datetime | None:
        return max((c.updated_at for c in self.cases), default=None)


@dataclass
class StagedRestore:
    """A checked copy of a backup, ready to be put in place of the vault folder."""

    staging: Path
    folder: Path
    info: BackupInfo

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _aad(backup_id: str) -> str:
    return f"{FORMAT}:{FORMAT_VERSION}:{backup_id}"


# ------------------------------------------------------------------ making a backup


def make_backup(
    conn: Any, kdf_record: dict[str, Any], backup_kek: bytes, out_file: Path
) -> BackupInfo:
    """Write a good backup of ``conn``'s vault to ``out_file`` (atomically, 0600)."""
    folder = out_file.parent
    try:
        return _make(conn, kdf_record, backup_kek, out_file)
    except OSError as exc:
        raise (storage.from_os_error(exc) or storage.probe(folder) or exc) from exc
    except Exception as exc:
        found = store.translate(exc, folder)
        if found is exc:
            raise
        raise found from exc


def _make(
    conn: Any,
    kdf_record: dict[str, Any],
    backup_kek: bytes,
    out_file: Path,
) -> BackupInfo:
    if store.integrity_problems(conn):
        raise IntegrityError()
    key = secrets.token_bytes(32)
    backup_id = str(uuid.uuid4())
    # encrypted under the backup's own key; beside the backup, not in the vault's folder,
    # so a vault on a read-only or full disk can still be backed up elsewhere
    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_file.parent / f".export-{backup_id}.db"
    query_only = conn.execute("PRAGMA query_only").fetchone()[0]
    try:
        conn.execute("PRAGMA query_only = OFF")
        conn.execute(f"ATTACH DATABASE ? AS bak KEY \"x'{key.hex()}'\"", (str(tmp),))
        try:
            conn.execute("SELECT sqlcipher_export('bak')")
            version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
            conn.execute(f"PRAGMA bak.user_version = {version}")
            copy_problems = [r[0] for r in conn.execute("PRAGMA bak.cipher_integrity_check")]
            copy_problems += [
                r[0] for r in conn.execute("PRAGMA bak.integrity_check") if r[0] != "ok"
            ]
        finally:
            conn.execute("DETACH DATABASE bak")
        if copy_problems:
            raise IntegrityError(
                "The backup copy failed its check, so it was not kept. "
                "Try again; if it keeps failing, tell your IT team."
            )
        data = tmp.read_bytes()
    finally:
        conn.execute(f"PRAGMA query_only = {int(query_only)}")
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{tmp}{suffix}")
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "backup_id": backup_id,
        "created_at": utc_now().isoformat(),
        "schema_version": version,
        "kdf": kdf_record,
        "key": keys.wrap_with_kek(key, backup_kek, _aad(backup_id)),
        "db_sha256": hashlib.sha256(data).hexdigest(),
        "db_size": len(data),
    }
    blob = json.dumps(header).encode("utf-8")
    write_atomic(out_file, MAGIC + struct.pack(">I", len(blob)) + blob + data)
    read_backup(out_file)  # read back from the disk: a flaky USB stick shows here
    return read_info(out_file)


# ------------------------------------------------------------------ reading a backup


def _split(raw: bytes) -> tuple[dict[str, Any], int]:
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 4:
        raise NotAVaultError("This is not a HomeStudy backup.")
    (size,) = struct.unpack(">I", raw[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if size > _MAX_HEADER or len(raw) < start + size:
        raise NotAVaultError(DAMAGED)
    try:
        header = json.loads(raw[start : start + size])
    except ValueError as exc:
        raise NotAVaultError(DAMAGED) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise NotAVaultError("This is not a HomeStudy backup.")
    version = header.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise UnknownFormatError()
    schema = header.get("schema_version")
    if not isinstance(schema, int):
        raise NotAVaultError(DAMAGED)
    if version > FORMAT_VERSION or schema > migrations.LATEST:
        raise VaultTooNewError(
            "This backup was made by a newer version of HomeStudy. Update HomeStudy to restore it."
        )
    if not isinstance(header.get("backup_id"), str):
        raise NotAVaultError(DAMAGED)
    return header, start + size


def _read(path: Path, limit: int | None = None) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read() if limit is None else handle.read(limit)
    except IsADirectoryError as exc:
        raise NotAVaultError("That is a folder, not a backup file.") from exc
    except OSError as exc:
        known = storage.from_os_error(exc)
        raise (known or NotAVaultError("That backup file could not be read.")) from exc


def read_info(path: Path) -> BackupInfo:
    """The plaintext facts of a backup (reads only its header)."""
    header, _ = _split(_read(path, len(MAGIC) + 4 + _MAX_HEADER))
    try:
        created = datetime.fromisoformat(header["created_at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise NotAVaultError(DAMAGED) from exc
    return BackupInfo(
        path=path,
        backup_id=header["backup_id"],
        created_at=created,
        size=path.stat().st_size,
        schema_version=header["schema_version"],
    )


def read_backup(path: Path) -> tuple[dict[str, Any], bytes]:
    """The header and the (still encrypted) database, its hash checked."""
    raw = _read(path)
    header, start = _split(raw)
    data = raw[start:]
    if hashlib.sha256(data).hexdigest() != header.get("db_sha256"):
        raise NotAVaultError(DAMAGED)
    return header, data


def _db_key(header: dict[str, Any], passphrase: str) -> tuple[bytes, keys.KdfParams]:
    kdf, salt = keys.kdf_from_record(header.get("kdf"))  # bounded: a tampered file
    bkek = keys.backup_kek(kdf.derive(passphrase, salt))
    return keys.unwrap_with_kek(header.get("key"), bkek, _aad(header["backup_id"])), kdf


@contextlib.contextmanager
def _checked_copy(data: bytes, db_key: bytes, where: Path) -> Iterator[Any]:
    """The backup's database written to ``where`` (encrypted as it is), checked and
    brought up to the current schema; yields the open connection."""

    try:
        write_atomic(where / DB_NAME, data)
    except OSError as exc:
        raise (storage.from_os_error(exc) or exc) from exc
    conn = store.connect(where / DB_NAME, db_key)
    try:
        if store.integrity_problems(conn):
            raise IntegrityError(
                "This backup failed its integrity check, so it cannot be "
                "used. Choose another backup."
            )
        store.migrate(conn)
        yield conn
    finally:
        conn.close()


class _Reader:
    """Just enough of a vault for ``CaseRepository.list_cases``."""

    actor = "preview"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        yield self._conn

    def writing(self, case_id: str) -> Any:  # pragma: no cover - never called
        raise AssertionError("a preview does not write")

    def reclaim(self) -> bool:  # pragma: no cover - never called
        raise AssertionError("a preview does not write")


def preview(backup_file: Path, passphrase: str) -> BackupPreview:
    """What ``backup_file`` holds, read without touching the vault in use."""
    from homestudy.vault.repo import CaseRepository

    info = read_info(backup_file)
    header, data = read_backup(backup_file)
    db_key, _ = _db_key(header, passphrase)
    with (
        tempfile.TemporaryDirectory(prefix="homestudy-preview-") as tmp,
        _checked_copy(data, db_key, Path(tmp)) as conn,
    ):
        cases = CaseRepository(_Reader(conn)).list_cases(archived=None)
    return BackupPreview(info=info, cases=tuple(cases))


# ------------------------------------------------------------------ restoring


def prepare_restore(backup_file: Path, folder: Path, passphrase: str) -> StagedRestore:
    """Check the backup fully and build the restored vault in a staging folder beside
    ``folder``; nothing in ``folder`` is touched yet."""

    info = read_info(backup_file)
    header, data = read_backup(backup_file)
    db_key, kdf = _db_key(header, passphrase)
    staging = folder.with_name(f".{folder.name}.restoring-{uuid.uuid4().hex[:8]}")
    try:
        staging.mkdir(mode=0o700, parents=True)
    except OSError as exc:
        raise (storage.from_os_error(exc) or exc) from exc
    vault_id = str(uuid.uuid4())
    device = None
    try:
        with (
            _checked_copy(data, db_key, staging) as conn,
            store.transaction(conn, folder=staging) as tx,
        ):
            # the restored vault's newest good backup is the one it came from
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value",
                (LAST_GOOD_SETTING, json.dumps(_record(info, automatic=False))),
            )
        device = keys.store_device_secret(vault_id)
        ref = {"service": keys.KEYRING_SERVICE, "vault_id": vault_id} if device else None
        wrap, _ = keys.wrap(db_key, passphrase, kdf, aad_for(vault_id), device, ref)
        write_header(staging, new_header(vault_id, wrap))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if device is not None:
            keys.delete_device_secret(vault_id)
        raise
    return StagedRestore(staging=staging, folder=folder, info=info)


def finish_restore(staged: StagedRestore) -> Path | None:
    """Put the staged vault in place; the vault that was there is moved aside (its new
    name is returned). Only renames, so it either happens or leaves all as it was."""
    folder, aside = staged.folder, None
    try:
        if folder.exists():
            stamp = utc_now().strftime("%Y%m%d-%H%M%S")
            aside = folder.with_name(f"{folder.name}.before-restore-{stamp}")
            folder.rename(aside)
        try:
            staged.staging.rename(folder)
        except OSError:
            if aside is not None:
                aside.rename(folder)  # put the old one back
            raise
    except OSError as exc:
        staged.discard()
        raise (
            storage.from_os_error(exc)
            or HomeStudyError(
                "The restored vault could not be put in place, so nothing has changed. Close "
                "other programs that may be using the vault's folder and try again."
            )
        ) from exc
    return aside


def restore(backup_file: Path, folder: Path, passphrase: str) -> None:
    """Put the backup's vault in place in ``folder`` (``Vault.restore`` then opens it)."""
    finish_restore(prepare_restore(backup_file, folder, passphrase))


LAST_GOOD_SETTING = "backup.last_good"


def _record(info: BackupInfo, *, automatic: bool) -> dict[str, Any]:
    return {
        "at": info.created_at.isoformat(),
        "file": str(info.path),
        "size": info.size,
        "automatic": automatic,
    }
