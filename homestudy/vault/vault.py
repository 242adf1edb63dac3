"""``Vault``: one folder holding ``vault.json`` (the versioned header with the wrapped
DB key) and ``vault.db`` (SQLCipher 4). See ``docs/DESIGN.md`` for the API.

Nothing here changes a file before the passphrase, keyring and formats have all
been checked, so every open error leaves the disk as it was. Nothing is written into
a damaged vault either: the first write waits for the background integrity check, and
a read that meets a damaged page turns the vault read-only. Database and disk errors
reach callers as ``homestudy.errors`` classes (``storage`` says which).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from homestudy.atomic import copy_atomic
from homestudy.errors import (
    HomeStudyError,
    IntegrityError,
    NotAVaultError,
    ReadOnlyVaultError,
    StorageFullError,
    VaultDamagedError,
    VaultError,
    VaultExistsError,
    VaultLockedError,
)
from homestudy.vault import audit, keys, migrations, storage, store
from homestudy.vault.audit import AuditTrail
from homestudy.vault.header import (  # the header's names stay importable from here
    DB_NAME,
    FORMAT,
    FORMAT_VERSION,
    HEADER_NAME,
    aad_for,
    new_header,
    read_header,
    write_header,
)
from homestudy.vault.integrity import BackgroundCheck
from homestudy.vault.keys import KdfParams
from homestudy.vault.repo import CaseRepository

log = logging.getLogger(__name__)

__all__ = [
    "DB_NAME",
    "FORMAT",
    "FORMAT_VERSION",
    "HEADER_NAME",
    "Vault",
    "aad_for",
    "new_header",
    "read_header",
    "write_header",
]


class Vault:
    def __init__(
        self, folder: Path, header: dict[str, Any], unlocked: keys.Unlocked, read_only: bool
    ) -> None:
        self.folder = folder
        self._header = header
        self._keys: keys.Unlocked | None = unlocked
        self._read_only = read_only
        self._damaged = False  # the integrity check or a read found damage
        self._lock = threading.RLock()
        self._listeners: list[Callable[[str], None]] = []
        self._conn: Any = None
        self._check: BackgroundCheck | None = None
        self.actor = _os_user()
        self.integrity_future: Future[list[str]] = Future()
        #: the first part of the check: every page's HMAC (writes wait for this only)
        self.page_check_future: Future[list[str]] = Future()
        self.cases = CaseRepository(self)
        self.audit = AuditTrail(self._current_conn)

    # ------------------------------------------------------------------ life cycle

    @staticmethod
    def exists(folder: Path | str) -> bool:
        return (Path(folder) / HEADER_NAME).exists()

    @classmethod
    def create(
        cls,
        folder: Path | str,
        passphrase: str,
        kdf: KdfParams | None = None,
    ) -> Vault:
        folder = Path(folder)
        if cls.exists(folder) or (folder / DB_NAME).exists():
            raise VaultExistsError()
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise (storage.from_os_error(exc) or exc) from exc
        vault_id = str(uuid.uuid4())
        db_key = secrets.token_bytes(32)
        device = keys.store_device_secret(vault_id)
        ref = {"service": keys.KEYRING_SERVICE, "vault_id": vault_id} if device else None
        wrap, bkek = keys.wrap(
            db_key, passphrase, kdf or keys.calibrate(), aad_for(vault_id), device, ref
        )
        header = new_header(vault_id, wrap)
        try:
            # private from the start (SQLite gives its -wal and -shm files the same mode)
            os.close(os.open(folder / DB_NAME, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            conn = store.connect(folder / DB_NAME, db_key)
            try:
                store.migrate(conn)
                # freed pages can then go back to the file system a few at a time (sync's
                # outbox after receipts) without a full VACUUM; in WAL mode the setting
                # takes only through a VACUUM, which costs nothing on a new vault
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
                conn.execute("VACUUM")
            finally:
                conn.close()
            write_header(folder, header)  # last: a vault exists only once it can be opened
        except BaseException as exc:  # e.g. a full disk: leave no half-made vault behind
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(folder / f"{DB_NAME}{suffix}")
            keys.delete_device_secret(vault_id)
            if isinstance(exc, OSError) and not isinstance(exc, HomeStudyError):
                raise (storage.from_os_error(exc) or exc) from exc
            raise
        vault = cls(folder, header, keys.Unlocked(bytearray(db_key), bytearray(bkek)), False)
        vault._connect()
        vault.page_check_future.set_result([])
        vault.integrity_future.set_result([])
        return vault

    @classmethod
    def open(
        cls,
        folder: Path | str,
        passphrase: str,
        read_only: bool = False,
        *,
        check_integrity: bool = True,
        on_integrity: Callable[[list[str]], None] | None = None,
    ) -> Vault:
        """Unlock and open. The integrity check runs in a background thread: its result
        is ``integrity_future`` (and ``on_integrity`` is called from that thread); on a
        failure the vault turns read-only."""
        folder = Path(folder)
        header = read_header(folder)
        if not (folder / DB_NAME).is_file():
            raise NotAVaultError()
        unlocked = keys.unwrap(header["key_wrap"], passphrase, aad_for(header["vault_id"]))
        vault = cls(folder, header, unlocked, read_only)
        try:
            vault._connect()
        except BaseException:
            unlocked.wipe()
            raise
        if check_integrity:
            vault._start_integrity_check(on_integrity)
        else:
            vault.page_check_future.set_result([])
            vault.integrity_future.set_result([])
        return vault

    def _connect(self) -> None:
        assert self._keys is not None
        key = bytes(self._keys.db_key)
        conn = store.connect(self.folder / DB_NAME, key, read_only=self._read_only)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < migrations.LATEST:
                if self._read_only:
                    raise VaultError("This vault needs an upgrade; open it normally first.")
                if version > 0:
                    if store.integrity_problems(conn):  # never upgrade a damaged vault
                        raise VaultDamagedError()
                    self._keep_copy_before_upgrade(conn, version)
                store.migrate(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _keep_copy_before_upgrade(self, conn: Any, version: int) -> None:
        """An encrypted copy of the database as it was, for support to fall back on."""
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        copy = self.folder / f"{DB_NAME}.before-v{migrations.LATEST}"
        try:  # private (0600 on POSIX; the folder's ACL on Windows) and durable
            copy_atomic(self.folder / DB_NAME, copy)
        except OSError as exc:
            raise (storage.from_os_error(exc) or exc) from exc
        log.info("kept a copy of the schema version %d database before upgrading", version)

    def _start_integrity_check(self, callback: Callable[[list[str]], None] | None) -> None:
        assert self._keys is not None

        def damaged() -> None:
            self._read_only = self._damaged = True

        self._check = BackgroundCheck(
            self.folder / DB_NAME,
            bytes(self._keys.db_key),
            damaged,
            callback,
            self.page_check_future,
            self.integrity_future,
        )
        self._check.start()

    def _stop_checker(self) -> None:
        if self._check is not None:
            self._check.stop()

    def close(self) -> None:
        self._stop_checker()
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):  # a damaged file may refuse a checkpoint
                    self._conn.close()
                self._conn = None
            if self._keys is not None:
                self._keys.wipe()
                self._keys = None

    lock = close  # locking is closing the connection and dropping the key

    def unlock(self, passphrase: str) -> None:
        with self._lock:
            if self._keys is not None:
                return
            header = read_header(self.folder)
            self._keys = keys.unwrap(header["key_wrap"], passphrase, aad_for(header["vault_id"]))
            self._header = header
            self._connect()

    @property
    def is_locked(self) -> bool:
        return self._keys is None

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def damaged(self) -> bool:
        """True once the integrity check or a read found the database damaged."""
        return self._damaged

    @property
    def keyring_protected(self) -> bool:
        return self._header["key_wrap"].get("keyring") is not None

    @property
    def vault_id(self) -> str:
        return str(self._header["vault_id"])

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the DB key for ``new``; the database itself only gets an audit entry."""
        with self._lock:
            self._check_writable()
            header = read_header(self.folder)
            vid = header["vault_id"]
            unlocked = keys.unwrap(header["key_wrap"], old, aad_for(vid))
            ref = header["key_wrap"].get("keyring")
            device = keys.load_device_secret(ref["vault_id"]) if ref else None
            wrap, bkek = keys.wrap(
                bytes(unlocked.db_key),
                new,
                keys.kdf_of(header["key_wrap"]),
                aad_for(vid),
                device,
                ref,
            )
            unlocked.wipe()
            write_header(self.folder, {**header, "key_wrap": wrap})
            self._header = {**header, "key_wrap": wrap}
            if self._keys is not None:
                self._keys.backup_kek[:] = bkek
            if self._conn is not None:
                try:  # after the header: the trail must not claim a change that failed
                    with self.writing(None) as conn:
                        audit.append(
                            conn, self.actor, "update", "", "vault", "key_wrap", ["passphrase"]
                        )
                except HomeStudyError:
                    log.warning("passphrase changed, but its audit entry could not be added")

    # ------------------------------------------------------------------ access

    def _current_conn(self) -> Any:
        if self._conn is None:
            raise VaultLockedError()
        return self._conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        with self._lock:
            conn = self._current_conn()
            try:
                yield conn
            except Exception as exc:
                found = self._translated(exc)
                if found is exc:
                    raise
                raise found from exc

    @contextlib.contextmanager
    def writing(self, case_id: str | None) -> Iterator[Any]:
        with self._lock:
            conn = self._current_conn()
            self._check_writable()
            try:
                with store.transaction(conn, folder=self.folder) as tx:
                    yield tx
            except Exception as exc:
                found = self._translated(exc)
                if found is exc:
                    raise
                raise found from exc
        if case_id:
            self._notify(case_id)

    def _damage_explains(self) -> bool:
        """After an unexpected error while reading: is the database damaged? (The check
        reads the whole file, but only on this error path.)"""
        if self._damaged:
            return True
        try:
            if self.integrity_future.done() and self.integrity_future.result():
                return True
            return bool(self._conn is not None and store.page_problems(self._conn))
        except Exception:  # the check itself failed: that is damage too
            return True

    def _check_writable(self) -> None:
        """Refuse a write into a damaged or read-only vault. The first write waits for
        the first part of the check started at open: every page's HMAC, which any damage
        on disk fails (about 0.3 s for 200 cases). SQLite's own structural check goes on
        in the background and turns the vault read-only if it finds a problem."""
        if not self.page_check_future.done():
            self.page_check_future.result()
        if self._damaged:
            raise IntegrityError()
        if self._read_only:
            raise ReadOnlyVaultError()

    def _translated(self, exc: Exception) -> BaseException:
        found = store.translate(exc, self.folder)
        if found is exc and not isinstance(exc, HomeStudyError) and self._damage_explains():
            # SQLCipher hands back a page that fails its HMAC as zeros, which SQLite cannot
            # always tell from data: the JSON of a record then fails to parse, and so on
            found = VaultDamagedError()
        if isinstance(found, VaultDamagedError):
            # nothing more is written into it; the UI and CLI offer a restore
            self._read_only = self._damaged = True
        return found

    def transaction(self, case_id: str | None = None) -> contextlib.AbstractContextManager[Any]:
        """A short write transaction for other parts of the core (e.g. sync tables)."""
        return self.writing(case_id)

    def add_change_listener(self, fn: Callable[[str], None]) -> Callable[[], None]:
        """``fn(case_id)`` after each committed change; returns a function to remove it."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def _notify(self, case_id: str) -> None:
        for fn in list(self._listeners):
            try:
                fn(case_id)
            except Exception:  # a broken listener must not undo or hide a saved change
                log.exception("change listener failed")

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        with self.writing(None) as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )
            audit.append(conn, self.actor, "set", "", "setting", key, ["value"])

    def reclaim(self) -> bool:
        """Rewrite the database without the space deleted records used (after a case is
        deleted): checkpoint the WAL into the file, VACUUM, truncate the WAL, and drop
        the encrypted copies kept before upgrades (they would still hold the case).
        False when the disk is too full to do it now (nothing is lost: the deleted
        rows are already zeroed by ``secure_delete``)."""
        with self._lock:
            conn = self._current_conn()
            self._check_writable()
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except Exception as exc:
                found = self._translated(exc)
                if isinstance(found, StorageFullError):
                    log.warning("space not reclaimed after a deletion: the disk is full")
                    return False
                if found is exc:
                    raise
                raise found from exc
            for copy in self.folder.glob(f"{DB_NAME}.before-v*"):
                with contextlib.suppress(OSError):
                    copy.unlink()
        return True

    def check_integrity(self) -> list[str]:
        with self.reading() as conn:
            return store.integrity_problems(conn)

    # ------------------------------------------------------------------ backups

    def backup(self, out_file: Path | str) -> Path:
        from homestudy.vault import backup

        with self._lock:
            conn = self._current_conn()
            assert self._keys is not None
            info = backup.make_backup(
                conn,
                self._header["key_wrap"]["kdf"],
                bytes(self._keys.backup_kek),
                Path(out_file),
            )
            return info.path

    @staticmethod
    def restore(backup_file: Path | str, folder: Path | str, passphrase: str) -> Vault:
        """Restore a backup into ``folder`` (an existing vault there is moved aside to
        ``<folder>.before-restore-<time>``) and open it."""
        from homestudy.vault import backup

        backup.restore(Path(backup_file), Path(folder), passphrase)
        return Vault.open(folder, passphrase)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still audit, anonymously
        return "unknown"
