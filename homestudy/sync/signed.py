"""Small signed JSON documents the agency issues: receipts and key lists.

Each is a JSON body plus a minisign signature by the agency's Ed25519 key, sent as
``{"body": "<json text>", "signature": "<minisig text>"}`` so either part can be
saved to a file and checked with stock ``minisign -Vm``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from homestudy.errors import KeyListError, SyncError
from homestudy.sync import keys

RECEIPT_FORMAT = "homestudy-receipt"
KEYLIST_FORMAT = "homestudy-keylist"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class SignedDocument:
    body: bytes
    signature: bytes

    def to_wire(self) -> dict[str, str]:
        return {"body": self.body.decode("utf-8"), "signature": self.signature.decode("ascii")}

    @classmethod
    def from_wire(cls, data: Any) -> SignedDocument:
        if not isinstance(data, dict):
            raise ValueError("not a signed document")
        body, signature = data.get("body"), data.get("signature")
        if not isinstance(body, str) or not isinstance(signature, str):
            raise ValueError("not a signed document")
        return cls(body.encode("utf-8"), signature.encode("ascii"))


def _sign(secret: str, fields: dict[str, Any], comment: str) -> SignedDocument:
    body = json.dumps(fields, sort_keys=True).encode("utf-8")
    return SignedDocument(body, keys.sign(secret, body, comment))


def _verified(doc: SignedDocument, public_key: str, fmt: str) -> dict[str, Any]:
    keys.verify(public_key, doc.body, doc.signature)
    data = json.loads(doc.body.decode("utf-8"))
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise ValueError("wrong document format")
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError("document from a newer version")
    return data


# --------------------------------------------------------------------------- receipts


@dataclass(frozen=True)
class Receipt:
    bundle_id: str
    sha256: str
    size: int
    received_at: str
    agency_id: str
    device_id: str
    sequence: int


def make_receipt(secret: str, receipt: Receipt) -> SignedDocument:
    fields = {"format": RECEIPT_FORMAT, "format_version": FORMAT_VERSION, **receipt.__dict__}
    return _sign(secret, fields, f"homestudy receipt {receipt.bundle_id}")


def verify_receipt(
    doc: SignedDocument, *, agency_public_key: str, bundle_id: str, sha256: str
) -> Receipt:
    """The receipt, if the agency signed it for exactly these bytes; else ``SyncError``."""
    try:
        data = _verified(doc, agency_public_key, RECEIPT_FORMAT)
        receipt = Receipt(**{k: data[k] for k in Receipt.__dataclass_fields__})
    except Exception as exc:
        raise SyncError("The agency's receipt could not be verified.") from exc
    if receipt.bundle_id != bundle_id or receipt.sha256 != sha256:
        raise SyncError("The agency's receipt is for a different bundle.")
    return receipt


# --------------------------------------------------------------------------- key lists


@dataclass(frozen=True)
class KeyList:
    agency_id: str
    version: int
    issued_at: str
    expires_at: str
    age_recipient: str  # what devices encrypt bundles to
    signing_public_key: str  # what signs receipts, assignments and the next key list

    def expired(self, now: datetime | None = None) -> bool:
        return datetime.fromisoformat(self.expires_at) <= (now or datetime.now(UTC))


def make_key_list(secret: str, key_list: KeyList) -> SignedDocument:
    fields = {"format": KEYLIST_FORMAT, "format_version": FORMAT_VERSION, **key_list.__dict__}
    return _sign(secret, fields, f"homestudy key list {key_list.version}")


def verify_key_list(
    doc: SignedDocument,
    *,
    trusted_public_key: str,
    agency_id: str,
    last_version: int,
    now: datetime | None = None,
) -> tuple[KeyList, str | None]:
    """Check a key list against the key trusted so far; return it and any warning.

    Refuses (``KeyListError``) a bad signature, another agency's list and a version
    older than the last one seen (a replayed list). Warns when it has expired.
    """
    try:
        data = _verified(doc, trusted_public_key, KEYLIST_FORMAT)
        key_list = KeyList(**{k: data[k] for k in KeyList.__dataclass_fields__})
        if not isinstance(key_list.version, int):
            raise ValueError("bad version")
        expired = key_list.expired(now)
    except Exception as exc:
        raise KeyListError(
            "The agency's key list is not signed by the agency's key, so it was not used."
        ) from exc
    if key_list.agency_id != agency_id:
        raise KeyListError("The key list is for a different agency, so it was not used.")
    if key_list.version < last_version:
        raise KeyListError(
            f"The agency sent an older key list (version {key_list.version}, already seen "
            f"{last_version}), so it was not used. Tell the agency's IT team."
        )
    if not (keys.valid_recipient(key_list.age_recipient)
            and keys.valid_public_key(key_list.signing_public_key)):
        raise KeyListError("The agency's key list holds a key that is not valid.")
    warning = None
    if expired:
        warning = (
            "The agency's key list has expired. Work is still sent, but ask the agency "
            "to publish a new one."
        )
    return key_list, warning


def request_text(method: str, target: str, stamp: str) -> bytes:
    """What a device signs to make a GET: method, path with query, unix time."""
    return f"homestudy-request\n{method.upper()}\n{target}\n{stamp}\n".encode()
