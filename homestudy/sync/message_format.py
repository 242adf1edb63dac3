"""Agency -> laptop messages: signed by the agency, encrypted to the device (and the agency).

A message is a zip (stored) with these members, like a bundle::

    manifest.json           format "homestudy-message", message id, kind, agency, device,
                            case id and reference, per-device sequence, SHA-256 of members
    manifest.json.minisig   the agency's Ed25519 signature over manifest.json (minisign)
    payload.age             the payload, encrypted (age X25519) to the device AND to the
                            agency itself, so the agency can re-issue it (a new sequence
                            after an inbox restored from backup, a replacement laptop)
    README.txt              how to check it with stock ``minisign`` and ``age``

The payload is a zip: ``message.json`` (repeats the manifest's ids and holds ``body``,
a JSON object whose shape depends on ``kind``; see docs/DESIGN.md "Agency to laptop")
and ``attachments/<attachment id>`` (a transfer or re-issue carries the case's files).

``open_message`` checks, in order: size, container, signature, manifest, addressing,
member hashes, decryption, the payload against the signed manifest. A failure raises
``BundleError`` whose ``check`` names the step (the same names as ``open_bundle``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyrage
from pyrage import x25519

from homestudy.errors import BundleError
from homestudy.sync import keys
from homestudy.sync.bundle import manifest_fields, sha256_hex
from homestudy.sync.container import ContainerError, pack, unpack

MESSAGE_FORMAT = "homestudy-message"
MESSAGE_FORMAT_VERSION = 1
PAYLOAD_FORMAT = "homestudy-message-payload"
CASE_UPDATE, REVIEW, TRANSFER, WITHDRAW, CLOSE = (
    "case_update",
    "review",
    "transfer",
    "withdraw",
    "close",
)
KINDS = (CASE_UPDATE, REVIEW, TRANSFER, WITHDRAW, CLOSE)
MAX_MESSAGE_SIZE = 256 * 1024 * 1024

_README = b"""HomeStudy message from the agency to one laptop.

Check the agency's signature over the manifest with stock minisign:
    minisign -Vm manifest.json -p agency-sign.pub
Check each member's SHA-256 against manifest.json (sha256sum payload.age).
Decrypt the payload with the device's or the agency's age identity:
    age -d -i agency.key -o payload.zip payload.age
"""


@dataclass(frozen=True)
class MessageManifest:
    message_id: str
    kind: str
    agency_id: str
    device_id: str  # the laptop it is for
    case_id: str
    case_reference: str
    sequence: int  # per device, shared with the agency's assignments to that device
    created_at: str
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    format_version: int = MESSAGE_FORMAT_VERSION

    def to_json(self) -> bytes:
        data = {"format": MESSAGE_FORMAT, **dataclasses.asdict(self)}
        return json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, raw: bytes) -> MessageManifest:
        texts = (
            "message_id",
            "kind",
            "agency_id",
            "device_id",
            "case_id",
            "case_reference",
            "created_at",
        )
        values, version = manifest_fields(
            raw, "message", MESSAGE_FORMAT, MESSAGE_FORMAT_VERSION, texts, KINDS
        )
        return cls(format_version=version, **values)

    def trusted_comment(self) -> str:
        return f"homestudy message {self.message_id} {self.kind} sequence {self.sequence}"


@dataclass(frozen=True)
class OpenedMessage:
    manifest: MessageManifest
    sha256: str
    body: dict[str, Any]
    attachments: dict[str, bytes] = field(default_factory=dict)


def is_message(data: bytes) -> bool:
    """True if the bytes claim to be a message (not verified; for routing only)."""
    try:
        raw = unpack(data, max_member_size=MAX_MESSAGE_SIZE, max_members=16).get("manifest.json")
        return raw is not None and json.loads(raw).get("format") == MESSAGE_FORMAT
    except (ContainerError, ValueError, AttributeError):
        return False


def build_message(
    manifest: MessageManifest,
    *,
    body: dict[str, Any],
    attachments: dict[str, bytes],
    signing_secret: str,
    recipients: Sequence[str],
) -> bytes:
    inner = [(f"attachments/{aid}", data) for aid, data in sorted(attachments.items())]
    header = {
        "format": PAYLOAD_FORMAT,
        "format_version": MESSAGE_FORMAT_VERSION,
        "message_id": manifest.message_id,
        "kind": manifest.kind,
        "agency_id": manifest.agency_id,
        "device_id": manifest.device_id,
        "sequence": manifest.sequence,
        "case_id": manifest.case_id,
        "body": body,
        "members": {n: {"sha256": sha256_hex(d), "size": len(d)} for n, d in inner},
    }
    plaintext = pack([("message.json", json.dumps(header, sort_keys=True).encode()), *inner])
    ciphertext = pyrage.encrypt(plaintext, [x25519.Recipient.from_str(r) for r in recipients])
    members = {
        "payload.age": {"sha256": sha256_hex(ciphertext), "size": len(ciphertext)},
        "README.txt": {"sha256": sha256_hex(_README), "size": len(_README)},
    }
    full = dataclasses.replace(manifest, members=members)
    manifest_bytes = full.to_json()
    signature = keys.sign(signing_secret, manifest_bytes, full.trusted_comment())
    return pack(
        [
            ("manifest.json", manifest_bytes),
            ("manifest.json.minisig", signature),
            ("payload.age", ciphertext),
            ("README.txt", _README),
        ]
    )


def open_message(
    data: bytes,
    *,
    signer_public_key: str | None,
    identity: str | Sequence[str],
    expected_agency_id: str | None = None,
    expected_device_id: str | None = None,
    max_size: int = MAX_MESSAGE_SIZE,
) -> OpenedMessage:
    if len(data) > max_size:
        raise BundleError("The message is larger than allowed.", check="size")
    try:
        members = unpack(data, max_member_size=max_size, max_members=16)
    except ContainerError as exc:
        raise BundleError("The message file is damaged or incomplete.", check="container") from exc
    raw, signature = members.get("manifest.json"), members.get("manifest.json.minisig")
    if raw is None or signature is None:
        raise BundleError("The message has no signed manifest.", check="container")
    comment = None  # None: the agency re-reading its own stored copy
    if signer_public_key is not None:
        comment = _verified_comment(signer_public_key, raw, signature)
    manifest = MessageManifest.from_json(raw)
    if comment is not None and comment != manifest.trusted_comment():
        raise BundleError("The signed comment does not match the manifest.", check="signature")
    if expected_agency_id is not None and manifest.agency_id != expected_agency_id:
        raise BundleError("The message is from another agency.", check="agency")
    if expected_device_id is not None and manifest.device_id != expected_device_id:
        raise BundleError("The message is for a different laptop.", check="device")
    present = set(members) - {"manifest.json", "manifest.json.minisig"}
    if present != set(manifest.members) or "payload.age" not in present:
        raise BundleError("The message's members do not match its manifest.", check="members")
    for name, entry in manifest.members.items():
        if entry["size"] != len(members[name]) or entry["sha256"] != sha256_hex(members[name]):
            raise BundleError(
                f"The message member {name} does not match its signed hash.", check="hash"
            )
    try:
        identities = [identity] if isinstance(identity, str) else list(identity)
        plaintext = pyrage.decrypt(
            members["payload.age"], [x25519.Identity.from_str(i) for i in identities]
        )
    except Exception as exc:
        raise BundleError(
            "The message could not be decrypted with this key.", check="decrypt"
        ) from exc
    body, attachments = _payload(plaintext, manifest, max_size)
    return OpenedMessage(manifest, sha256_hex(data), body, attachments)


def _verified_comment(public_key: str, raw: bytes, signature: bytes) -> str:
    try:
        return keys.verify(public_key, raw, signature)
    except Exception as exc:  # minisign errors, malformed keys: a failed check either way
        raise BundleError(
            "The message's signature does not verify: it was not made by the "
            "agency, or it was changed after signing.",
            check="signature",
        ) from exc


def _payload(
    plaintext: bytes, manifest: MessageManifest, max_size: int
) -> tuple[dict[str, Any], dict[str, bytes]]:
    try:
        inner = unpack(plaintext, max_member_size=max_size)
        header = json.loads(inner.pop("message.json").decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != PAYLOAD_FORMAT:
            raise ValueError("not a message payload")
        listed = header["members"]
        if set(listed) != set(inner):
            raise ValueError("payload members differ from its list")
        for name, entry in listed.items():
            if entry["sha256"] != sha256_hex(inner[name]) or entry["size"] != len(inner[name]):
                raise ValueError("payload member hash differs")
        if not isinstance(header.get("body"), dict):
            raise ValueError("no body")
    except Exception as exc:  # anything malformed inside the (authentic) ciphertext
        raise BundleError("The message's payload is not readable.", check="payload") from exc
    for key in ("message_id", "kind", "agency_id", "device_id", "sequence", "case_id"):
        if header.get(key) != getattr(manifest, key):
            raise BundleError(
                f"The encrypted message does not match its manifest ({key}).",
                check="inner_mismatch",
            )
    prefix = "attachments/"
    return header["body"], {n[len(prefix) :]: d for n, d in inner.items() if n.startswith(prefix)}


#: what a case_update replaces on a case already here, when it names no fields
AGENCY_FIELDS = (
    "stage1",
    "lines_of_enquiry",
    "applicants",
    "household",
    "significant_others",
    "route",
    "provisional_panel_date",
    "stage2_notice_on",
    "assessor_name",
)
