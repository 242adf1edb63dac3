"""The agency's private keys at rest: passphrase-protected in the stock tools' own formats.

    agency.key        age identities. Protected: the whole identity file encrypted with an
                      age passphrase (scrypt) — stock ``age -d -i agency.key`` asks for the
                      passphrase and decrypts bundles with it. Unprotected (older homes):
                      the plain ``AGE-SECRET-KEY-1...`` lines.
    agency-sign.key   minisign secret key. Protected: minisign's own password encryption
                      (scrypt), which stock ``minisign -S -s agency-sign.key`` asks for.

No cryptography is written here: age's passphrase mode is pyrage, minisign's is
py-minisign. The passphrase comes from, in order: an explicit value, the systemd
credential ``$CREDENTIALS_DIRECTORY/homestudy-agency-passphrase``, the file named by
``$HOMESTUDY_AGENCY_PASSPHRASE_FILE``, the environment secret
``$HOMESTUDY_AGENCY_PASSPHRASE``, and last a prompt (only where the caller allows it and
standard input is a terminal).
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import minisign
import pyrage
from pyrage import passphrase as age_passphrase

from homestudy.errors import AgencyError

AGE_MAGIC = b"age-encryption.org/v1"
CREDENTIAL = "homestudy-agency-passphrase"
PASSPHRASE_ENV = "HOMESTUDY_AGENCY_PASSPHRASE"
PASSPHRASE_FILE_ENV = "HOMESTUDY_AGENCY_PASSPHRASE_FILE"
MIN_PASSPHRASE = 12


def find_passphrase(*, prompt: bool = False, confirm: bool = False) -> str | None:
    """The passphrase from a credential, a file, the environment or (if allowed) a prompt."""
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    candidates = [Path(folder) / CREDENTIAL] if folder else []
    if os.environ.get(PASSPHRASE_FILE_ENV):
        candidates.append(Path(os.environ[PASSPHRASE_FILE_ENV]))
    for path in candidates:
        if path.is_file():
            try:
                value = path.read_text(encoding="utf-8").strip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                raise AgencyError(f"The passphrase file {path} could not be read.") from exc
            if value:
                return value
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if prompt and sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Passphrase for the agency's keys: ")
        if confirm and getpass.getpass("The same passphrase again: ") != first:
            raise AgencyError("The two passphrases are not the same.")
        return first or None
    return None


def check_new_passphrase(value: str) -> None:
    if len(value) < MIN_PASSPHRASE:
        raise AgencyError(f"The passphrase must be at least {MIN_PASSPHRASE} characters long.")


# ----------------------------------------------------------------- age identities


def is_protected_identity_file(data: bytes) -> bool:
    return data.lstrip().startswith(AGE_MAGIC)


def protect_identity_file(plain: bytes, passphrase: str) -> bytes:
    return bytes(age_passphrase.encrypt(plain, passphrase))


def unprotect_identity_file(data: bytes, passphrase: str) -> bytes:
    try:
        return bytes(age_passphrase.decrypt(data, passphrase))
    except pyrage.DecryptError as exc:
        raise AgencyError("The passphrase does not open the agency's decryption key.") from exc


# ----------------------------------------------------------------- minisign secret key


def is_protected_signing_key(secret_b64: str) -> bool:
    try:
        return bool(minisign.SecretKey.from_base64(secret_b64).is_encrypted())
    except (minisign.Error, ValueError) as exc:
        raise AgencyError("The agency's signing key file is damaged.") from exc


def protect_signing_key(secret_b64: str, passphrase: str) -> str:
    key = minisign.SecretKey.from_base64(secret_b64)
    key.encrypt(passphrase)
    return key.to_base64().decode("ascii")


def unprotect_signing_key(secret_b64: str, passphrase: str) -> str:
    key = minisign.SecretKey.from_base64(secret_b64)
    if not key.is_encrypted():
        return secret_b64
    try:
        key.decrypt(passphrase)
    except minisign.Error as exc:
        raise AgencyError("The passphrase does not open the agency's signing key.") from exc
    return key.to_base64().decode("ascii")
