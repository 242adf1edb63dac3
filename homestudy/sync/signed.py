"""Small signed JSON documents the agency issues: receipts and key lists.

Each is a JSON body plus a minisign signature, sent as
``{"body": "<json text>", "signature": "<minisig text>"}`` so either part can be
saved to a file and checked with stock ``minisign -Vm``. Key lists are signed by the
agency's signing key. Receipts are signed by the agency's **receipt key** when the key
list names one (``KeyList.receipt_public_key``): the internet-facing inbox holds only
that key, which laptops trust for receipts and nothing else. A list without one (an
agency set up before receipt keys) means receipts are signed by the signing key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from homestudy.errors import KeyListError, SyncError
from homestudy.sync import keys
from homestudy.sync.wire import ReceiptBody, convert

RECEIPT_FORMAT = "homestudy-receipt"
KEYLIST_FORMAT = "homestudy-keylist"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class SignedDocument:
    body: bytes
    signature: bytes
    # more signatures over the same body: a rotated key list is signed by the key
    # devices already trust (``signature``) and by its own new key (here)
    extra_signatures: tuple[bytes, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "body": self.body.decode("utf-8"),
            "signature": self.signature.decode("ascii"),
        }
        if self.extra_signatures:
            wire["signatures"] = [s.decode("ascii") for s in self.extra_signatures]
        return wire

    @classmethod
    def from_wire(cls, data: Any) -> SignedDocument:
        if not isinstance(data, dict):
            raise ValueError("not a signed document")
        body, signature = data.get("body"), data.get("signature")
        if not isinstance(body, str) or not isinstance(signature, str):
            raise ValueError("not a signed document")
        extra = data.get("signatures", [])
        if not isinstance(extra, list) or not all(isinstance(s, str) for s in extra):
            raise ValueError("not a signed document")
        return cls(
            body.encode("utf-8"), signature.encode("ascii"), tuple(s.encode("ascii") for s in extra)
        )


def _sign(secret: str, fields: dict[str, Any], comment: str) -> SignedDocument:
    body = json.dumps(fields, sort_keys=True).encode("utf-8")
    return SignedDocument(body, keys.sign(secret, body, comment))


def _verified(doc: SignedDocument, public_key: str, fmt: str) -> dict[str, Any]:
    for extra in doc.extra_signatures:  # any one signature by the trusted key will do
        try:
            keys.verify(public_key, doc.body, extra)
            break
        except Exception:  # minisign.Error, or a malformed extra signature
            continue
    else:
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
        data = convert(ReceiptBody, _verified(doc, agency_public_key, RECEIPT_FORMAT))
        receipt = Receipt(**{k: getattr(data, k) for k in Receipt.__dataclass_fields__})
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
    signing_public_key: str  # what signs assignments, messages and the next key list
    # what signs receipts, and only receipts; "" in older lists: the signing key does
    receipt_public_key: str = ""

    def expired(self, now: datetime | None = None) -> bool:
        return datetime.fromisoformat(self.expires_at) <= (now or datetime.now(UTC))


def make_key_list(secret: str, key_list: KeyList, *, also_signed_by: str = "") -> SignedDocument:
    """Sign a key list with ``secret`` (the key devices trust now) and, when the list
    names a new signing key, with that key too (``also_signed_by``)."""
    fields = {"format": KEYLIST_FORMAT, "format_version": FORMAT_VERSION, **key_list.__dict__}
    if not key_list.receipt_public_key:  # a list without one reads as before receipt keys
        del fields["receipt_public_key"]
    comment = f"homestudy key list {key_list.version}"
    doc = _sign(secret, fields, comment)
    if not also_signed_by:
        return doc
    return SignedDocument(doc.body, doc.signature, (keys.sign(also_signed_by, doc.body, comment),))


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
        key_list = KeyList(
            **{k: data[k] for k in KeyList.__dataclass_fields__ if k != "receipt_public_key"},
            receipt_public_key=data.get("receipt_public_key", ""),
        )
        if not isinstance(key_list.version, int) or not isinstance(
            key_list.receipt_public_key, str
        ):
            raise ValueError("bad field")
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
    if not (
        keys.valid_recipient(key_list.age_recipient)
        and keys.valid_public_key(key_list.signing_public_key)
        and (
            not key_list.receipt_public_key
            or (
                keys.valid_public_key(key_list.receipt_public_key)
                # the receipt key exists to be weaker than the signing key, never the same
                and key_list.receipt_public_key != key_list.signing_public_key
            )
        )
    ):
        raise KeyListError("The agency's key list holds a key that is not valid.")
    warning = None
    if expired:
        warning = (
            "The agency's key list has expired. Work is still sent, but ask the agency "
            "to publish a new one."
        )
    return key_list, warning


def follow_key_lists(
    docs: Sequence[SignedDocument],
    *,
    trusted_public_key: str,
    agency_id: str,
    last_version: int,
    now: datetime | None = None,
) -> tuple[KeyList, str | None]:
    """Follow a chain of key lists, oldest first, to the last one (the current list).

    Each earlier list is a rotation: signed by the key in force before it, naming the
    next key. Trust moves only through a list that verifies with the key trusted so
    far, so a laptop that missed one or more rotations catches up; lists already seen
    (version at most ``last_version``) are history and are passed over. The last list
    must then pass ``verify_key_list`` with the key reached.
    """
    if not docs:
        raise KeyListError("The agency sent no key list.")
    trusted = trusted_public_key
    for link in docs[:-1]:
        if _claimed_version(link) <= last_version:
            continue
        try:
            checked, _ = verify_key_list(
                link,
                trusted_public_key=trusted,
                agency_id=agency_id,
                last_version=last_version,
                now=now,
            )
        except KeyListError:
            continue  # not on this laptop's path of trust: it moves nothing
        trusted = checked.signing_public_key
    return verify_key_list(
        docs[-1],
        trusted_public_key=trusted,
        agency_id=agency_id,
        last_version=last_version,
        now=now,
    )


def _claimed_version(doc: SignedDocument) -> int:
    """The version a list claims, NOT verified: only to pass over lists already seen."""
    try:
        version = json.loads(doc.body.decode("utf-8")).get("version")
    except (ValueError, AttributeError):
        return -1
    return version if isinstance(version, int) else -1


def request_text(method: str, target: str, stamp: str) -> bytes:
    """What a device signs to make a GET: method, path with query, unix time."""
    return f"homestudy-request\n{method.upper()}\n{target}\n{stamp}\n".encode()
