"""Sync bundles: a case, signed and encrypted, checkable with stock tools.

A bundle is a zip (stored, uncompressed) with these members::

    manifest.json           what the bundle is, and the SHA-256 and size of every other member
    manifest.json.minisig   the sender's Ed25519 signature over manifest.json (minisign format)
    payload.age             the payload, encrypted to the recipient's age X25519 key
    README.txt              how to check and open it with stock ``minisign`` and ``age``

Format version 1 (assignments): the payload (after ``age -d``) is a zip:
``payload.json`` (repeats the bundle id, sender device id, sequence and agency id, and
lists the SHA-256 of every other member), ``case.json`` (the case as versioned JSON,
``homestudy.serial``) and ``attachments/<attachment id>``.

Format version 2 (a laptop's case bundles, docs/sync-payload.md): the payload is the
same zip, gzip-compressed before encryption, holding ``payload.json`` and
``change.json`` (a ``homestudy.sync.wire.ChangeSet``: the whole case once, then only
the records that changed). Attachments travel apart, once, by content hash.

``open_bundle`` trusts nothing until it has checked it, in this order: size,
container, signature over the manifest, manifest format, the manifest's
agency/device against what the caller expects, each member's hash and size, then
decryption, then the payload's consistency with the signed manifest. Any failure
raises ``BundleError`` whose ``check`` names the step.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyrage
from pyrage import x25519

from homestudy.errors import BundleError
from homestudy.model import CASE_FORMAT_VERSION, Case
from homestudy.serial import from_jsonable
from homestudy.sync import keys
from homestudy.sync.container import ContainerError, pack, unpack
from homestudy.sync.wire import ChangeSet, PayloadHeader, WireError, decode

BUNDLE_FORMAT = "homestudy-bundle"
BUNDLE_FORMAT_VERSION = 2  # the newest this code reads
CHANGE_BUNDLE_VERSION = 2  # case bundles as change sets, payload gzip-compressed
ASSIGNMENT_BUNDLE_VERSION = 1
CASE_FORMAT = "homestudy-case"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.minisig"
PAYLOAD = "payload.age"
README = "README.txt"
KIND_CASE = "case"  # device -> agency: the assessor's work on a case
KIND_ASSIGNMENT = "assignment"  # agency -> device: a new case for Stage 2
KINDS = (KIND_CASE, KIND_ASSIGNMENT)
MAX_BUNDLE_SIZE = 64 * 1024 * 1024
MAX_EXTRAS = 8  # payload members beside change.json (review_replies.json)

_README = b"""HomeStudy sync bundle.

Check the sender's signature over the manifest with stock minisign:
    minisign -Vm manifest.json -P <sender's public key>
Check each member's SHA-256 against manifest.json (sha256sum payload.age).
Decrypt the payload with stock age and the recipient's identity file:
    age -d -i agency.key -o payload.zip payload.age
In format version 2 the decrypted payload is gzip-compressed:
    age -d -i agency.key payload.age | gunzip > payload.zip
"""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Manifest:
    bundle_id: str
    kind: str
    agency_id: str
    device_id: str  # the assessor's device: the sender of a case, the recipient of an assignment
    case_id: str
    case_reference: str
    sequence: int  # per device (case bundles) or per device's assignments (agency's counter)
    previous_bundle_id: str  # "" for the first; the hash chain of one sender's bundles
    previous_sha256: str
    created_at: str  # ISO 8601 UTC
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    format_version: int = BUNDLE_FORMAT_VERSION

    def to_json(self) -> bytes:
        data = {
            "format": BUNDLE_FORMAT,
            "format_version": self.format_version,
            "bundle_id": self.bundle_id,
            "kind": self.kind,
            "agency_id": self.agency_id,
            "device_id": self.device_id,
            "case_id": self.case_id,
            "case_reference": self.case_reference,
            "sequence": self.sequence,
            "previous_bundle_id": self.previous_bundle_id,
            "previous_sha256": self.previous_sha256,
            "created_at": self.created_at,
            "members": self.members,
        }
        if self.format_version >= CHANGE_BUNDLE_VERSION:  # one per edit: every byte counts
            return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        texts = (
            "bundle_id",
            "kind",
            "agency_id",
            "device_id",
            "case_id",
            "case_reference",
            "previous_bundle_id",
            "previous_sha256",
            "created_at",
        )
        values, version = manifest_fields(
            raw, "bundle", BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, texts, KINDS
        )
        return cls(format_version=version, **values)

    def trusted_comment(self) -> str:
        return f"homestudy bundle {self.bundle_id} {self.kind} sequence {self.sequence}"


def manifest_fields(
    raw: bytes,
    what: str,
    format_name: str,
    newest: int,
    texts: tuple[str, ...],
    kinds: tuple[str, ...],
) -> tuple[dict[str, Any], int]:
    """A signed manifest's fields (``texts`` as text, ``sequence``, ``members``) and its
    format version, checked by hand so that every fault is a ``BundleError`` saying which
    check; ``what`` ("bundle", "message") names the thing in the messages."""
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != format_name:
            raise BundleError(f"This is not a HomeStudy {what}.", check="format")
        version = data.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise BundleError(f"The {what}'s format version is missing.", check="format")
        if version > newest:
            raise BundleError(
                f"This {what} was made by a newer version of HomeStudy.", check="format_version"
            )
        values = {k: data[k] for k in texts}
        if not all(isinstance(v, str) for v in values.values()):
            raise ValueError("a text field is not text")
        sequence, members = data["sequence"], data["members"]
        if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
            raise ValueError("bad sequence")
        if values["kind"] not in kinds or not isinstance(members, dict):
            raise ValueError("bad kind or members")
        for entry in members.values():
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("sha256"), str)
                or not isinstance(entry.get("size"), int)
            ):
                raise ValueError("bad member entry")
    except BundleError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise BundleError(f"The {what}'s manifest is not readable.", check="manifest") from exc
    return {**values, "sequence": sequence, "members": members}, version


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle that passed every check."""

    manifest: Manifest
    sha256: str  # of the whole bundle's bytes
    size: int
    case_document: dict[str, Any] | None = None  # None when opened without an identity
    attachments: dict[str, bytes] = field(default_factory=dict)
    change: ChangeSet | None = None  # format version 2, once decrypted
    extras: dict[str, bytes] = field(default_factory=dict)  # e.g. review_replies.json

    def case(self) -> Case:
        """The whole case: a format 1 bundle's, or a format 2 bundle's that carries it."""
        if self.case_document is None and self.change is not None:
            if self.change.full is None:
                raise BundleError(
                    "The bundle carries changes only, not the whole case.", check="case"
                )
            document = self.change.full
        elif self.case_document is None:
            raise BundleError("The bundle was checked but not decrypted.", check="decrypt")
        else:
            document = self.case_document["case"]
        try:
            return from_jsonable(Case, document)
        except Exception as exc:  # a signed but wrongly shaped case
            raise BundleError("The case in the bundle is not readable.", check="case") from exc


def build_bundle(
    manifest: Manifest,
    *,
    case_json: dict[str, Any],
    attachments: dict[str, bytes],
    signing_secret: str,
    recipient: str,
    extras: dict[str, bytes] | None = None,
) -> bytes:
    """The bundle's bytes (format version 1). ``manifest.members`` is filled in here.
    ``extras`` are further payload members by name (``review_replies.json``)."""
    manifest = dataclasses.replace(manifest, format_version=ASSIGNMENT_BUNDLE_VERSION)
    case_bytes = json.dumps(
        {"format": CASE_FORMAT, "format_version": CASE_FORMAT_VERSION, "case": case_json},
        sort_keys=True,
    ).encode("utf-8")
    inner_members = [("case.json", case_bytes)]
    inner_members += [(f"attachments/{aid}", data) for aid, data in sorted(attachments.items())]
    inner_members += sorted((extras or {}).items())
    return _seal(manifest, _payload(manifest, inner_members), signing_secret, recipient)


def build_change_bundle(
    manifest: Manifest,
    *,
    change: bytes,
    signing_secret: str,
    recipient: str,
    whole: bool = True,
    extras: dict[str, bytes] | None = None,
) -> bytes:
    """A format version 2 bundle carrying ``change`` (the ``change.json`` bytes);
    ``whole`` when it carries the whole case (then README.txt goes too). ``extras`` are
    further payload members by name (``review_replies.json``)."""
    manifest = dataclasses.replace(manifest, format_version=CHANGE_BUNDLE_VERSION)
    extra_members = sorted((extras or {}).items())
    if (
        any(n in ("payload.json", "change.json") for n, _ in extra_members)
        or len(extra_members) > MAX_EXTRAS
    ):
        raise ValueError("extra payload members clash with the bundle's own")
    plaintext = _payload(manifest, [("change.json", change), *extra_members])
    # mtime 0: the same change compresses to the same bytes on every machine
    # the README goes with the first, whole, bundle of a case; a small change goes bare
    return _seal(
        manifest,
        gzip.compress(plaintext, compresslevel=6, mtime=0),
        signing_secret,
        recipient,
        readme=whole,
    )


def _payload(manifest: Manifest, members: list[tuple[str, bytes]]) -> bytes:
    """The plaintext to encrypt: ``payload.json`` (the manifest's ids again, at its format
    version, and each member's hash and size), then ``members`` in order."""
    header = {
        "format": BUNDLE_FORMAT + "-payload",
        "format_version": manifest.format_version,
        "bundle_id": manifest.bundle_id,
        "kind": manifest.kind,
        "agency_id": manifest.agency_id,
        "device_id": manifest.device_id,
        "sequence": manifest.sequence,
        "case_id": manifest.case_id,
        "members": {n: {"sha256": sha256_hex(d), "size": len(d)} for n, d in members},
    }
    return pack([("payload.json", json.dumps(header, sort_keys=True).encode()), *members])


def _seal(
    manifest: Manifest, plaintext: bytes, signing_secret: str, recipient: str, readme: bool = True
) -> bytes:
    ciphertext = pyrage.encrypt(plaintext, [x25519.Recipient.from_str(recipient)])
    members = {PAYLOAD: {"sha256": sha256_hex(ciphertext), "size": len(ciphertext)}}
    if readme:
        members[README] = {"sha256": sha256_hex(_README), "size": len(_README)}
    full = dataclasses.replace(manifest, members=members)
    manifest_bytes = full.to_json()
    signature = keys.sign(signing_secret, manifest_bytes, full.trusted_comment())
    return pack(
        [
            (MANIFEST, manifest_bytes),
            (SIGNATURE, signature),
            (PAYLOAD, ciphertext),
            *([(README, _README)] if readme else []),
        ]
    )


def unpack_bundle(data: bytes, *, max_size: int = MAX_BUNDLE_SIZE) -> dict[str, bytes]:
    """The container's members (``BundleError`` if it is not one), for a caller that
    reads the manifest and then opens the bundle: the container is read once."""
    return _unpack(data, max_size)


def read_manifest(
    data: bytes, *, max_size: int = MAX_BUNDLE_SIZE, members: dict[str, bytes] | None = None
) -> Manifest:
    """The manifest, NOT verified: only to find out who claims to have sent the bundle.
    ``members``: ``unpack_bundle(data)``, if the caller already has it."""
    members = _unpack(data, max_size) if members is None else members
    return Manifest.from_json(members.get(MANIFEST, b""))


def open_bundle(
    data: bytes,
    *,
    signer_public_key: str,
    identity: str | Sequence[str] | None = None,
    expected_agency_id: str | None = None,
    expected_device_id: str | None = None,
    expected_kind: str | None = None,
    max_size: int = MAX_BUNDLE_SIZE,
    members: dict[str, bytes] | None = None,
) -> OpenedBundle:
    """Verify a bundle and, given the recipient's age ``identity``, decrypt it.

    ``identity`` may be several identities (an agency keeps those it rotated away
    from): age tries each. ``members``: ``unpack_bundle(data)``, if already read.
    """
    if len(data) > max_size:
        raise BundleError("The bundle is larger than allowed.", check="size")
    members = _unpack(data, max_size) if members is None else members
    manifest_bytes, signature = members.get(MANIFEST), members.get(SIGNATURE)
    if manifest_bytes is None or signature is None:
        raise BundleError("The bundle has no signed manifest.", check="container")
    try:
        comment = keys.verify(signer_public_key, manifest_bytes, signature)
    except Exception as exc:  # minisign.Error for bad keys/signatures; anything odd is a fail
        raise BundleError(
            "The bundle's signature does not verify: it was not made by the expected "
            "sender, or it was changed after signing.",
            check="signature",
        ) from exc
    manifest = Manifest.from_json(manifest_bytes)
    if comment != manifest.trusted_comment():
        raise BundleError("The signed comment does not match the manifest.", check="signature")
    _check_addressing(manifest, expected_agency_id, expected_device_id, expected_kind)
    _check_members(manifest.members, members)
    opened = OpenedBundle(manifest=manifest, sha256=sha256_hex(data), size=len(data))
    if identity is None:
        return opened
    try:
        identities = [identity] if isinstance(identity, str) else list(identity)
        plaintext = pyrage.decrypt(
            members[PAYLOAD], [x25519.Identity.from_str(i) for i in identities]
        )
    except Exception as exc:  # pyrage.DecryptError, or a malformed identity
        raise BundleError(
            "The bundle's payload could not be decrypted with this key.", check="decrypt"
        ) from exc
    if manifest.format_version >= CHANGE_BUNDLE_VERSION:
        change, extras = _read_change_payload(_gunzip(plaintext, max_size), manifest, max_size)
        return OpenedBundle(
            manifest=manifest, sha256=opened.sha256, size=opened.size, change=change, extras=extras
        )
    case_document, attachments, extras = _read_payload(plaintext, manifest, max_size)
    return OpenedBundle(
        manifest=manifest,
        sha256=opened.sha256,
        size=opened.size,
        case_document=case_document,
        attachments=attachments,
        extras=extras,
    )


def read_stored_change(
    data: bytes, identity: str | Sequence[str], max_size: int = MAX_BUNDLE_SIZE
) -> ChangeSet | None:
    """The change set of a format 2 bundle this agency verified when it arrived and has
    kept since (the signature is not checked again); None for a format 1 bundle."""
    found = read_stored_payload(data, identity, max_size)
    return None if found is None else found[0]


def read_stored_payload(
    data: bytes, identity: str | Sequence[str], max_size: int = MAX_BUNDLE_SIZE
) -> tuple[ChangeSet, dict[str, bytes]] | None:
    """``read_stored_change`` and the members beside it (``review_replies.json``)."""
    members = _unpack(data, max_size)
    manifest = Manifest.from_json(members.get(MANIFEST, b""))
    if manifest.format_version < CHANGE_BUNDLE_VERSION:
        return None
    _check_members(manifest.members, members)
    identities = [identity] if isinstance(identity, str) else list(identity)
    try:
        plaintext = pyrage.decrypt(
            members[PAYLOAD], [x25519.Identity.from_str(i) for i in identities]
        )
    except Exception as exc:
        raise BundleError(
            "The bundle's payload could not be decrypted with this key.", check="decrypt"
        ) from exc
    return _read_change_payload(_gunzip(plaintext, max_size), manifest, max_size)


def _gunzip(data: bytes, max_size: int) -> bytes:
    """gzip's content, refusing more than ``max_size`` bytes (no decompression bombs)."""
    try:
        inflater = zlib.decompressobj(wbits=31)
        out = inflater.decompress(data, max_size + 1)
        if len(out) > max_size or inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("too large or truncated")
    except (zlib.error, ValueError) as exc:
        raise BundleError("The bundle's payload is not readable.", check="payload") from exc
    return out


def _read_change_payload(
    plaintext: bytes, manifest: Manifest, max_size: int
) -> tuple[ChangeSet, dict[str, bytes]]:
    try:
        inner = unpack(plaintext, max_member_size=max_size, max_members=2 + MAX_EXTRAS)
        header = decode(PayloadHeader, inner["payload.json"])
        if (
            set(header.members) != set(inner) - {"payload.json"}
            or "change.json" not in header.members
        ):
            raise ValueError("payload members differ from its list")
        for name, entry in header.members.items():
            if entry.sha256 != sha256_hex(inner[name]) or entry.size != len(inner[name]):
                raise ValueError("payload member hash differs")
        change = decode(ChangeSet, inner["change.json"])
    except WireError as exc:
        raise BundleError(f"The bundle's payload is not readable: {exc}", check="payload") from exc
    except (ContainerError, KeyError, ValueError) as exc:
        raise BundleError("The bundle's payload is not readable.", check="payload") from exc
    if change.case_format_version > CASE_FORMAT_VERSION:
        raise BundleError(
            "The case in this bundle was made by a newer version of HomeStudy.",
            check="format_version",
        )
    for key in ("bundle_id", "kind", "agency_id", "device_id", "sequence", "case_id"):
        if getattr(header, key) != getattr(manifest, key):
            raise BundleError(
                f"The encrypted payload does not match the signed manifest ({key}).",
                check="inner_mismatch",
            )
    if change.case_id != manifest.case_id or (
        change.full is not None and change.full.get("id") != manifest.case_id
    ):
        raise BundleError(
            "The encrypted case does not match the signed manifest (case_id).",
            check="inner_mismatch",
        )
    extras = {n: d for n, d in inner.items() if n not in ("payload.json", "change.json")}
    return change, extras


def _unpack(data: bytes, max_size: int) -> dict[str, bytes]:
    if len(data) > max_size:
        raise BundleError("The bundle is larger than allowed.", check="size")
    try:
        return unpack(data, max_member_size=max_size, max_members=16)
    except ContainerError as exc:
        raise BundleError("The bundle file is damaged or incomplete.", check="container") from exc


def _check_addressing(
    manifest: Manifest, agency_id: str | None, device_id: str | None, kind: str | None
) -> None:
    if agency_id is not None and manifest.agency_id != agency_id:
        raise BundleError("The bundle is addressed to another agency.", check="agency")
    if device_id is not None and manifest.device_id != device_id:
        raise BundleError("The bundle names a different device.", check="device")
    if kind is not None and manifest.kind != kind:
        raise BundleError("The bundle is not of the expected kind.", check="kind")


def _check_members(listed: dict[str, dict[str, Any]], members: dict[str, bytes]) -> None:
    present = set(members) - {MANIFEST, SIGNATURE}
    if present != set(listed) or PAYLOAD not in listed:
        raise BundleError("The bundle's members do not match its manifest.", check="members")
    for name, entry in listed.items():
        data = members[name]
        if entry["size"] != len(data) or entry["sha256"] != sha256_hex(data):
            raise BundleError(
                f"The bundle member {name} does not match its signed hash.", check="hash"
            )


def _read_payload(
    plaintext: bytes, manifest: Manifest, max_size: int
) -> tuple[dict[str, Any], dict[str, bytes], dict[str, bytes]]:
    try:
        inner = unpack(plaintext, max_member_size=max_size)
        header = json.loads(inner["payload.json"].decode("utf-8"))
        listed = header["members"]
        if set(listed) != set(inner) - {"payload.json"}:
            raise ValueError("payload members differ from its list")
        for name, entry in listed.items():
            if entry["sha256"] != sha256_hex(inner[name]) or entry["size"] != len(inner[name]):
                raise ValueError("payload member hash differs")
        document = json.loads(inner["case.json"].decode("utf-8"))
        if document.get("format") != CASE_FORMAT or not isinstance(document.get("case"), dict):
            raise ValueError("not a case document")
        if not isinstance(document.get("format_version"), int) or not isinstance(header, dict):
            raise ValueError("no format version")
    except Exception as exc:  # anything malformed inside the (authentic) ciphertext
        raise BundleError("The bundle's payload is not readable.", check="payload") from exc
    if document["format_version"] > CASE_FORMAT_VERSION:
        raise BundleError(
            "The case in this bundle was made by a newer version of HomeStudy.",
            check="format_version",
        )
    for key in ("bundle_id", "kind", "agency_id", "device_id", "sequence", "case_id"):
        if header.get(key) != getattr(manifest, key):
            raise BundleError(
                f"The encrypted payload does not match the signed manifest ({key}).",
                check="inner_mismatch",
            )
    if document["case"].get("id") != manifest.case_id:
        raise BundleError(
            "The encrypted case does not match the signed manifest (case_id).",
            check="inner_mismatch",
        )
    prefix = "attachments/"
    attachments = {n[len(prefix) :]: d for n, d in inner.items() if n.startswith(prefix)}
    extras = {
        n: d
        for n, d in inner.items()
        if not n.startswith(prefix) and n not in ("payload.json", "case.json")
    }
    return document, attachments, extras
