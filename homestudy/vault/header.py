"""The vault folder's header, ``vault.json``: its format, version, id and wrapped key.

Read and checked before anything else is touched (formats, versions and the stored
key-derivation parameters), written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homestudy.atomic import write_atomic
from homestudy.errors import (
    NotAVaultError,
    StorageUnavailableError,
    UnknownFormatError,
    VaultTooNewError,
)
from homestudy.model import utc_now
from homestudy.vault import keys, storage

HEADER_NAME = "vault.json"
DB_NAME = "vault.db"
FORMAT = "homestudy-vault"
FORMAT_VERSION = 1


def read_header(folder: Path) -> dict[str, Any]:
    """The parsed header, or NotAVaultError / VaultTooNewError / UnknownFormatError."""
    try:
        header = json.loads((folder / HEADER_NAME).read_text(encoding="utf-8"))
    except PermissionError as exc:
        raise StorageUnavailableError(
            "HomeStudy is not allowed to read the vault's files. Ask your IT team to check "
            "the folder's permissions."
        ) from exc
    except (OSError, ValueError) as exc:
        raise NotAVaultError() from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise NotAVaultError()
    version = header.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise UnknownFormatError()
    if version > FORMAT_VERSION:
        raise VaultTooNewError()
    if not isinstance(header.get("vault_id"), str):
        raise UnknownFormatError()
    keys.check_wrap_format(header.get("key_wrap"))
    return header


def write_header(folder: Path, header: dict[str, Any]) -> None:
    try:
        write_atomic(folder / HEADER_NAME, json.dumps(header, indent=2).encode("utf-8"))
    except OSError as exc:
        raise (storage.from_os_error(exc) or storage.probe(folder) or exc) from exc


def new_header(vault_id: str, wrap: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "vault_id": vault_id,
        "created_at": utc_now().isoformat(),
        "db_file": DB_NAME,
        "key_wrap": wrap,
    }


def aad_for(vault_id: str) -> str:
    return f"{FORMAT}:{FORMAT_VERSION}:{vault_id}"
