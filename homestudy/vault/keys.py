"""The key hierarchy of a vault.

    passphrase --Argon2id(salt, params)--> P (32 bytes)
    device secret (32 random bytes, OS keyring) -----> D   (absent: passphrase-only)
    KEK = HKDF-SHA256(P || D, info="homestudy kek v1 <mode>")
    DB key (32 random bytes) --AES-256-GCM(KEK, aad=vault id)--> wrapped key (header)

The DB key never changes (a new passphrase only re-wraps it). A *backup* key
``B = HKDF(P, info="homestudy backup kek v1")`` is kept while unlocked so a backup can
be wrapped for the passphrase alone (restorable on another computer) without asking
for the passphrase again. Every structure carries a version.

Stored Argon2id parameters are read from files an attacker or a damaged disk may
change, so ``kdf_from_record`` accepts them only inside ``KDF_BOUNDS`` (a bad value is
refused at once, never handed to Argon2id to hang or exhaust memory). A device secret
is trusted only once the keyring gives it back unchanged: some backends accept a
write and drop it.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

import keyring
import keyring.errors
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from homestudy.errors import (
    KeyringEntryMissingError,
    UnknownFormatError,
    UnsafeKdfError,
    VaultTooNewError,
    WrongPassphraseError,
)

log = logging.getLogger(__name__)

WRAP_VERSION = 1
# The shortest passphrase a vault may be given (the app's dialogs and the CLI alike):
# the Argon2id cost protects a long passphrase, not a guessable one.
MIN_PASSPHRASE_LENGTH = 10
KEYRING_SERVICE = "HomeStudy vault"
_AEAD = "aes-256-gcm"
_KDF = "argon2id"


@dataclass(frozen=True)
class KdfBounds:
    """What a stored Argon2id record may ask for. The ceilings allow every value
    ``calibrate`` makes on any machine (and a vault moved from a faster one) while
    keeping the worst accepted cost to seconds, not minutes or gigabytes."""

    time_cost: tuple[int, int] = (1, 64)
    memory_kib: tuple[int, int] = (8, 1024 * 1024)  # Argon2's floor is 8 KiB per lane
    parallelism: tuple[int, int] = (1, 16)
    work_kib: int = 4 * 1024 * 1024  # time_cost x memory_kib: at most 4 GiB of passes
    salt_bytes: tuple[int, int] = (16, 64)


KDF_BOUNDS = KdfBounds()
NONCE_BYTES = 12
WRAPPED_KEY_BYTES = 32 + 16  # the DB key and the GCM tag


@dataclass(frozen=True)
class KdfParams:
    time_cost: int
    memory_kib: int
    parallelism: int

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        return hash_secret_raw(
            passphrase.encode("utf-8"),
            salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=32,
            type=Type.ID,
        )


def calibrate(target_seconds: float = 0.5, memory_kib: int = 64 * 1024) -> KdfParams:
    """Argon2id parameters that take about ``target_seconds`` on this machine."""
    parallelism = max(1, min(4, os.cpu_count() or 1))
    probe = KdfParams(1, memory_kib, parallelism)
    start = time.perf_counter()
    probe.derive("calibration", b"\0" * 16)
    elapsed = max(time.perf_counter() - start, 1e-3)
    if elapsed > target_seconds:  # a slow machine: keep one pass, use less memory
        memory = max(19 * 1024, int(memory_kib * target_seconds / elapsed))
        return KdfParams(1, memory, parallelism)
    passes = max(1, round(target_seconds / elapsed))
    ceiling = min(KDF_BOUNDS.time_cost[1], KDF_BOUNDS.work_kib // memory_kib)
    return KdfParams(min(passes, ceiling), memory_kib, parallelism)


def _bounded_int(value: Any, low: int, high: int) -> int:
    # bool is an int in Python, and "64" is not a number here: both are refused
    if type(value) is not int or not low <= value <= high:
        raise UnsafeKdfError()
    return value


def kdf_from_record(kdf: Any) -> tuple[KdfParams, bytes]:
    """The Argon2id parameters and salt of a stored ``kdf`` record, or UnsafeKdfError
    (UnknownFormatError for a record that is not a KDF record at all)."""
    if not isinstance(kdf, dict) or kdf.get("name") != _KDF:
        raise UnknownFormatError()
    b = KDF_BOUNDS
    params = KdfParams(
        _bounded_int(kdf.get("time_cost"), *b.time_cost),
        _bounded_int(kdf.get("memory_kib"), *b.memory_kib),
        _bounded_int(kdf.get("parallelism"), *b.parallelism),
    )
    if (
        params.memory_kib < 8 * params.parallelism
        or params.time_cost * params.memory_kib > b.work_kib
    ):
        raise UnsafeKdfError()
    salt = _b64_field(kdf.get("salt"))
    if not b.salt_bytes[0] <= len(salt) <= b.salt_bytes[1]:
        raise UnsafeKdfError()
    return params, salt


def _b64_field(value: Any, size: int | None = None) -> bytes:
    if not isinstance(value, str) or len(value) > 1024:
        raise UnknownFormatError()
    try:
        raw = _unb64(value)
    except ValueError as exc:  # binascii.Error is a ValueError
        raise UnknownFormatError() from exc
    if size is not None and len(raw) != size:
        raise UnknownFormatError()
    return raw


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def keyring_available() -> bool:
    """True when a real keyring backend answers (not keyring's fail or null backend)."""
    try:
        backend = keyring.get_keyring()
        if type(backend).__module__.rsplit(".", 1)[-1] in ("fail", "null"):
            return False
        backend.get_password(KEYRING_SERVICE, "probe")
    except Exception:  # any backend failure means: do not rely on it
        return False
    return True


def _keyring_user(vault_id: str) -> str:
    return f"vault-{vault_id}"


def store_device_secret(vault_id: str) -> bytes | None:
    """Make a device secret and put it in the keyring; None if no keyring works.

    The secret is read back before it is relied on: a backend that silently drops or
    changes the write would otherwise leave a vault that can never be opened again."""
    if not keyring_available():
        return None
    secret = secrets.token_bytes(32)
    user = _keyring_user(vault_id)
    try:
        keyring.set_password(KEYRING_SERVICE, user, _b64(secret))
        stored = keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # a backend failure: passphrase-only, as with no keyring
        delete_device_secret(vault_id)
        return None
    if stored != _b64(secret):
        log.warning("the keyring did not keep the device secret; using the passphrase alone")
        delete_device_secret(vault_id)
        return None
    return secret


def load_device_secret(vault_id: str) -> bytes:
    try:
        value = keyring.get_password(KEYRING_SERVICE, _keyring_user(vault_id))
    except Exception as exc:  # no backend, locked keyring ... : the secret is unavailable
        raise KeyringEntryMissingError() from exc
    if not value:
        raise KeyringEntryMissingError()
    try:
        secret = _unb64(value)
    except ValueError as exc:  # someone or something changed the entry
        raise KeyringEntryMissingError() from exc
    if len(secret) != 32:
        raise KeyringEntryMissingError()
    return secret


def delete_device_secret(vault_id: str) -> None:
    # nothing to delete, or no backend: either way it is gone for us
    with contextlib.suppress(Exception):
        keyring.delete_password(KEYRING_SERVICE, _keyring_user(vault_id))


@dataclass
class Unlocked:
    """What an unlocked vault holds in memory."""

    db_key: bytearray
    backup_kek: bytearray

    def wipe(self) -> None:
        for buf in (self.db_key, self.backup_kek):
            for i in range(len(buf)):
                buf[i] = 0


def _kek(stretched: bytes, device_secret: bytes | None) -> bytes:
    if device_secret is None:
        return _hkdf(stretched, b"homestudy kek v1 passphrase-only")
    return _hkdf(stretched + device_secret, b"homestudy kek v1 passphrase+device")


def backup_kek(stretched: bytes) -> bytes:
    return _hkdf(stretched, b"homestudy backup kek v1")


def wrap(
    db_key: bytes,
    passphrase: str,
    kdf: KdfParams,
    aad: str,
    device_secret: bytes | None,
    keyring_ref: dict[str, str] | None,
) -> tuple[dict[str, Any], bytes]:
    """The versioned ``key_wrap`` record for the header, and the new backup KEK."""
    salt = secrets.token_bytes(16)
    stretched = kdf.derive(passphrase, salt)
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(_kek(stretched, device_secret)).encrypt(nonce, db_key, aad.encode())
    record = {
        "version": WRAP_VERSION,
        "protection": "passphrase+keyring" if keyring_ref else "passphrase-only",
        "kdf": {"name": _KDF, "salt": _b64(salt), **asdict(kdf)},
        "keyring": keyring_ref,
        "aead": _AEAD,
        "nonce": _b64(nonce),
        "wrapped_key": _b64(wrapped),
    }
    return record, backup_kek(stretched)


def check_wrap_format(record: Any) -> None:
    """Raise VaultTooNewError / UnknownFormatError before any work is done."""
    if not isinstance(record, dict) or not isinstance(record.get("version"), int):
        raise UnknownFormatError()
    if record["version"] > WRAP_VERSION:
        raise VaultTooNewError()
    if record["version"] < 1 or record.get("aead") != _AEAD:
        raise UnknownFormatError()
    kdf_from_record(record.get("kdf"))  # bounded before anyone derives a key with it
    _b64_field(record.get("nonce"), NONCE_BYTES)
    _b64_field(record.get("wrapped_key"), WRAPPED_KEY_BYTES)


def unwrap(record: dict[str, Any], passphrase: str, aad: str) -> Unlocked:
    """The DB key, or WrongPassphraseError / KeyringEntryMissingError (and the format
    errors of ``check_wrap_format``, raised before any key derivation)."""
    check_wrap_format(record)
    kdf, salt = kdf_from_record(record["kdf"])
    nonce = _b64_field(record.get("nonce"), NONCE_BYTES)
    wrapped = _b64_field(record.get("wrapped_key"), WRAPPED_KEY_BYTES)
    ref = record.get("keyring")
    if ref is not None and not (isinstance(ref, dict) and isinstance(ref.get("vault_id"), str)):
        raise UnknownFormatError()
    device = load_device_secret(ref["vault_id"]) if ref else None
    stretched = kdf.derive(passphrase, salt)
    try:
        db_key = AESGCM(_kek(stretched, device)).decrypt(nonce, wrapped, aad.encode())
    except InvalidTag as exc:
        raise WrongPassphraseError() from exc
    return Unlocked(bytearray(db_key), bytearray(backup_kek(stretched)))


def kdf_of(record: dict[str, Any]) -> KdfParams:
    return kdf_from_record(record.get("kdf"))[0]


def wrap_with_kek(key: bytes, kek: bytes, aad: str) -> dict[str, str]:
    nonce = secrets.token_bytes(12)
    return {
        "aead": _AEAD,
        "nonce": _b64(nonce),
        "wrapped_key": _b64(AESGCM(kek).encrypt(nonce, key, aad.encode())),
    }


def unwrap_with_kek(record: Any, kek: bytes, aad: str) -> bytes:
    if not isinstance(record, dict) or record.get("aead") != _AEAD:
        raise UnknownFormatError()
    nonce = _b64_field(record.get("nonce"), NONCE_BYTES)
    wrapped = _b64_field(record.get("wrapped_key"), WRAPPED_KEY_BYTES)
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, aad.encode())
    except InvalidTag as exc:
        raise WrongPassphraseError() from exc
