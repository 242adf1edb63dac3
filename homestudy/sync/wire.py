"""Typed schemas for JSON that arrives from another machine (msgspec).

``decode(Type, raw)`` either gives a fully checked value or raises ``WireError``
whose message names the path of the first bad field (``$.ops[3].path``), so a
wrong type never slips through as a string where a number belongs.
"""

from __future__ import annotations

from typing import Any, Final, Literal, TypeVar

import msgspec

T = TypeVar("T")

CHANGE_FORMAT: Final = "homestudy-change"  # Final: its type is the Literal ChangeSet wants
CHANGE_FORMAT_VERSION = 1
PAYLOAD_FORMAT = "homestudy-bundle-payload"


class WireError(ValueError):
    """JSON from another machine that does not match its schema."""


class RecordStep(msgspec.Struct, forbid_unknown_fields=True):
    id: str


class Op(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    op: Literal["set", "order", "unset", "text"]
    path: list[str | RecordStep]
    value: Any = None
    ids: list[str] | None = None
    at: int | None = None  # "text": where, in Unicode code points
    cut: int | None = None
    insert: str | None = None


class BlobRef(msgspec.Struct, forbid_unknown_fields=True):
    sha256: str
    size: int


class ChangeSet(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """``change.json`` in a version 2 payload (docs/sync-payload.md)."""

    format: Literal["homestudy-change"]
    format_version: int
    case_id: str
    case_format_version: int
    state_sha256: str  # of the case after the change, canonical JSON
    base_bundle_id: str = ""  # "" when ``full`` carries the whole case
    base_sha256: str = ""
    full: dict[str, Any] | None = None
    ops: list[Op] = msgspec.field(default_factory=list)
    blobs: list[BlobRef] = msgspec.field(default_factory=list)  # every attachment's content

    @property
    def is_full(self) -> bool:
        return self.full is not None

    def ops_as_dicts(self) -> list[dict[str, Any]]:
        return msgspec.to_builtins(self.ops)  # type: ignore[no-any-return]


class MemberEntry(msgspec.Struct):
    sha256: str
    size: int


class PayloadHeader(msgspec.Struct):
    """``payload.json``: repeats the signed manifest's addressing and lists members."""

    format: str
    format_version: int
    bundle_id: str
    kind: str
    agency_id: str
    device_id: str
    sequence: int
    case_id: str
    members: dict[str, MemberEntry]


class BlobStatus(msgspec.Struct):
    """The inbox's answer about one attachment's upload: what it already holds."""

    sha256: str
    size: int
    received: int  # bytes of plaintext acknowledged, from offset 0
    complete: bool


class AssignmentEntry(msgspec.Struct):
    bundle_id: str
    sequence: int
    data: str  # base64 bundle


class AssignmentList(msgspec.Struct):
    assignments: list[AssignmentEntry] = msgspec.field(default_factory=list)


class DeviceState(msgspec.Struct):
    """Where the inbox's chain of a device's bundles ends (a restored laptop's check)."""

    last_sequence: int = 0
    last_bundle_id: str | None = ""
    last_sha256: str | None = ""


class PollAnswer(msgspec.Struct):
    """``GET /devices/{id}/poll``: the key list, the device's state and its assignments.
    ``keys`` is what ``GET /keys`` answers (signed documents, checked by their reader)."""

    keys: dict[str, Any]
    device: DeviceState = msgspec.field(default_factory=DeviceState)
    assignments: list[AssignmentEntry] = msgspec.field(default_factory=list)


class ReceiptBody(msgspec.Struct):
    """The agency's signed receipt for one bundle (``homestudy.sync.signed``)."""

    format: str
    format_version: int
    bundle_id: str
    sha256: str
    size: int
    received_at: str
    agency_id: str
    device_id: str
    sequence: int


class EnrolmentBody(msgspec.Struct):
    """An enrolment file the agency gives the assessor (``homestudy.sync.enrolment``)."""

    format: str
    format_version: int
    agency_id: str
    agency_name: str
    inbox_url: str
    agency_age_recipient: str
    agency_signing_public_key: str
    token: str
    assessor_id: str
    assessor_name: str = ""


class RegistrationBody(msgspec.Struct):
    """A laptop's signed request to enrol (what the inbox reads)."""

    token: str
    device_id: str
    assessor_id: str
    signing_public_key: str
    age_recipient: str
    agency_id: str
    device_name: str


def decode(tp: type[T], raw: bytes | str) -> T:
    try:
        return msgspec.json.decode(raw, type=tp)
    except msgspec.ValidationError as exc:
        raise WireError(str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise WireError(f"not readable JSON ({exc})") from exc


def convert(tp: type[T], data: Any) -> T:
    try:
        return msgspec.convert(data, type=tp)
    except msgspec.ValidationError as exc:
        raise WireError(str(exc)) from exc


def encode(value: Any) -> bytes:
    return msgspec.json.encode(value)
