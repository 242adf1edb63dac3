"""The key hierarchy of a vault.

    passphrase --Argon2id(salt, params)--> P (32 bytes)
    device secret (32 random bytes, OS keyring) -----> D   (absent: passphrase-only)
    KEK = HKDF-SHA256(P || D, info="homestudy kek v1 <mode>")
    DB key (32 random bytes) --AES-256-GCM(KEK, aad=vault id)--> wrapped key (header)

The DB key never changes (a new passphrase only re-wraps it). A *backup* key
``B = HKDF(P, info="homestudy backup kek v1")`` is kept while unlocked so a backup can
be wrapped for the passphrase alone (restorable on another computer) without asking
for the passphrase again. Every structure carries a version.
"""

from __future__ import annotations

import base64
import contextlib
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
    VaultTooNewError,
    WrongPassphraseError,
)

WRAP_VERSION = 1
KEYRING_SERVICE = "HomeStudy vault"
_AEAD = "aes-256-gcm"
_KDF = "argon2id"


@dataclass(frozen=True)
class KdfParams:
    time_cost: int
    memory_kib: int
    parallelism: int

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        return hash_secret_raw(
            passphrase.encode("utf-8"), salt, time_cost=self.time_cost,
            memory_cost=self.memory_kib, parallelism=self.parallelism, hash_len=32,
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
    return KdfParams(max(1, round(target_seconds / elapsed)), memory_kib, parallelism)


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def keyring_available() -> bool:
    """True when a real keyring backend answers (not keyring's fail backend)."""
    try:
        backend = keyring.get_keyring()
        if "fail" in type(backend).__module__:
            return False
        backend.get_password(KEYRING_SERVICE, "probe")
    except Exception:  # any backend failure means: do not rely on it
        return False
    return True


def _keyring_user(vault_id: str) -> str:
    return f"vault-{vault_id}"


def store_device_secret(vault_id: str) -> bytes | None:
    """Make a device secret and put it in the keyring; None if no keyring works."""
    if not keyring_available():
        return None
    secret = secrets.token_bytes(32)
    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_user(vault_id), _b64(secret))
    except Exception:
        return None
    return secret


def load_device_secret(vault_id: str) -> bytes:
    try:
        value = keyring.get_password(KEYRING_SERVICE, _keyring_user(vault_id))
    except Exception as exc:  # no backend, locked keyring ... : the secret is unavailable
        raise KeyringEntryMissingError() from exc
    if not value:
        raise KeyringEntryMissingError()
    return _unb64(value)


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


def wrap(db_key: bytes, passphrase: str, kdf: KdfParams, aad: str,
         device_secret: bytes | None, keyring_ref: dict[str, str] | None,
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
    kdf = record.get("kdf")
    if record["version"] < 1 or record.get("aead") != _AEAD or not isinstance(kdf, dict) \
            or kdf.get("name") != _KDF:
        raise UnknownFormatError()


def unwrap(record: dict[str, Any], passphrase: str, aad: str) -> Unlocked:
    """The DB key, or WrongPassphraseError / KeyringEntryMissingError."""
    check_wrap_format(record)
    try:
        kdf_rec = record["kdf"]
        kdf = KdfParams(int(kdf_rec["time_cost"]), int(kdf_rec["memory_kib"]),
                        int(kdf_rec["parallelism"]))
        salt, nonce = _unb64(kdf_rec["salt"]), _unb64(record["nonce"])
        wrapped = _unb64(record["wrapped_key"])
        ref = record.get("keyring")
    except (KeyError, TypeError, ValueError) as exc:
        raise UnknownFormatError() from exc
    device = load_device_secret(ref["vault_id"]) if ref else None
    stretched = kdf.derive(passphrase, salt)
    try:
        db_key = AESGCM(_kek(stretched, device)).decrypt(nonce, wrapped, aad.encode())
    except InvalidTag as exc:
        raise WrongPassphraseError() from exc
    return Unlocked(bytearray(db_key), bytearray(backup_kek(stretched)))


def kdf_of(record: dict[str, Any]) -> KdfParams:
    k = record["kdf"]
    return KdfParams(int(k["time_cost"]), int(k["memory_kib"]), int(k["parallelism"]))


def wrap_with_kek(key: bytes, kek: bytes, aad: str) -> dict[str, str]:
    nonce = secrets.token_bytes(12)
    return {"aead": _AEAD, "nonce": _b64(nonce),
            "wrapped_key": _b64(AESGCM(kek).encrypt(nonce, key, aad.encode()))}


def unwrap_with_kek(record: dict[str, str], kek: bytes, aad: str) -> bytes:
    try:
        return AESGCM(kek).decrypt(_unb64(record["nonce"]), _unb64(record["wrapped_key"]),
                                   aad.encode())
    except InvalidTag as exc:
        raise WrongPassphraseError() from exc
