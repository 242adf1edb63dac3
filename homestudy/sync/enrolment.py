"""The enrolment file an agency gives an assessor, and what the device makes from it.

The file is JSON::

    {"format": "homestudy-enrolment", "format_version": 1,
     "agency_id": ..., "agency_name": ..., "inbox_url": "https://...",
     "agency_age_recipient": "age1...", "agency_signing_public_key": "RW...",
     "token": "<one-time>", "assessor_id": ..., "assessor_name": ...}

It is the root of trust: the keys in it are the ones the device believes until a
key list signed by them names newer ones.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

from homestudy.errors import EnrolmentError, SyncError
from homestudy.sync import keys
from homestudy.sync.client import check_inbox_url
from homestudy.sync.wire import EnrolmentBody, WireError, convert

ENROLMENT_FORMAT = "homestudy-enrolment"
ENROLMENT_VERSION = 1


@dataclass(frozen=True)
class EnrolmentFile:
    agency_id: str
    agency_name: str
    inbox_url: str
    agency_age_recipient: str
    agency_signing_public_key: str
    token: str
    assessor_id: str
    assessor_name: str = ""

    def to_json(self) -> bytes:
        data = {"format": ENROLMENT_FORMAT, "format_version": ENROLMENT_VERSION, **asdict(self)}
        return json.dumps(data, indent=2).encode("utf-8") + b"\n"

    @classmethod
    def parse(cls, raw: bytes) -> EnrolmentFile:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise EnrolmentError("The enrolment file is not readable.") from exc
        if not isinstance(data, dict) or data.get("format") != ENROLMENT_FORMAT:
            raise EnrolmentError("This is not a HomeStudy enrolment file.")
        version = data.get("format_version")
        if not isinstance(version, int) or version > ENROLMENT_VERSION:
            raise EnrolmentError(
                "This enrolment file was made by a newer version of HomeStudy. Update HomeStudy."
            )
        fields = cls.__dataclass_fields__
        try:
            body = convert(EnrolmentBody, data)
        except WireError as exc:  # names the field: "$.token" ...
            raise EnrolmentError(
                f"The enrolment file is incomplete: ask the agency for a new one. ({exc})"
            ) from exc
        values = {k: getattr(body, k) for k in fields}
        missing = [k for k in fields if k != "assessor_name" and not values[k]]
        if missing:
            raise EnrolmentError(
                "The enrolment file is incomplete: ask the agency for a new "
                f"one. (empty: {', '.join(missing)})"
            )
        enrolment = cls(**values)
        url = urlparse(enrolment.inbox_url)
        if url.scheme not in ("https", "http") or not url.netloc:
            raise EnrolmentError("The enrolment file's inbox address is not a web address.")
        try:
            check_inbox_url(enrolment.inbox_url)
        except SyncError as exc:
            raise EnrolmentError(exc.message) from exc
        if not keys.valid_recipient(enrolment.agency_age_recipient) or not keys.valid_public_key(
            enrolment.agency_signing_public_key
        ):
            raise EnrolmentError("The enrolment file's agency keys are not valid.")
        return enrolment

    @classmethod
    def read(cls, path: Path | str) -> EnrolmentFile:
        try:
            return cls.parse(Path(path).read_bytes())
        except OSError as exc:
            raise EnrolmentError(
                f"The enrolment file could not be opened ({exc.strerror})."
            ) from exc
