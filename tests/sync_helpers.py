"""Helpers for the sync and agency tests: a real inbox process, test devices, bundles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from homestudy.agency.home import AgencyHome, init_home
from homestudy.agency.inbox import Inbox
from homestudy.model import Case, LineOfEnquiry, Stage1Summary
from homestudy.serial import to_jsonable
from homestudy.sync import keys
from homestudy.sync.bundle import KIND_CASE, Manifest, build_bundle, sha256_hex
from homestudy.sync.enrolment import EnrolmentFile
from homestudy.sync.signed import SignedDocument

REPO = Path(__file__).resolve().parent.parent


def make_agency(
    folder: Path,
    *,
    database_url: str = "",
    agency_id: str = "AG-TEST",
    max_bundle_size: int = 4 * 1024 * 1024,
) -> AgencyHome:
    return init_home(
        folder,
        agency_id=agency_id,
        name="Test Adoption Agency",
        inbox_url="http://127.0.0.1:1",
        database_url=database_url,
        max_bundle_size=max_bundle_size,
    )


def enrolment_for(home: AgencyHome, url: str, assessor: str = "assessor-1") -> EnrolmentFile:
    db = home.database(pool_size=1)
    try:
        token = Inbox(home, db).new_token(assessor, "Sam Assessor")
    finally:
        db.close()
    return EnrolmentFile(
        agency_id=home.agency_id,
        agency_name=home.config.name,
        inbox_url=url,
        agency_age_recipient=home.age_recipient,
        agency_signing_public_key=home.signing_public,
        token=token,
        assessor_id=assessor,
        assessor_name="Sam Assessor",
    )


class InboxServer:
    """``homestudy-agency serve`` in a subprocess on a free 127.0.0.1 port."""

    def __init__(self, home: Path, workers: int = 1, port: int = 0) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "homestudy.agency.cli",
                "--home",
                str(home),
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "listening on" not in line:
            self.process.kill()
            raise RuntimeError(f"inbox did not start: {line} {self.process.stderr.read()}")  # type: ignore[union-attr]
        self.url = line.rsplit(" ", 1)[1].strip()
        # the server logs a JSON line per request: keep its stderr drained, or a full pipe
        # would block the server mid-request
        self.log: list[str] = []
        import threading

        threading.Thread(target=_drain, args=(self.process.stderr, self.log), daemon=True).start()
        with httpx.Client(base_url=self.url, timeout=5) as client:
            for _ in range(200):  # the socket is bound; wait until the app answers
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    import time

                    time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _drain(stream: Any, into: list[str]) -> None:
    for line in iter(stream.readline, ""):
        into.append(line)


@dataclass
class TestDevice:
    """A device made without a vault, to send hand-made bundles to the inbox."""

    home: AgencyHome
    device_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secrets: keys.DeviceKeys = field(default_factory=keys.generate_keys)
    sequence: int = 0
    last_id: str = ""
    last_sha: str = ""

    __test__ = False

    def register(self, client: httpx.Client, token: str, assessor: str = "assessor-1") -> Any:
        body = json.dumps(
            {
                "token": token,
                "agency_id": self.home.agency_id,
                "assessor_id": assessor,
                "device_id": self.device_id,
                "device_name": "test",
                "signing_public_key": self.secrets.signing_public,
                "age_recipient": self.secrets.age_recipient,
            }
        ).encode()
        doc = SignedDocument(body, keys.sign(self.secrets.signing_secret, body, "registration"))
        return client.post("/enrol", json=doc.to_wire())

    def bundle(
        self,
        case: Case | None = None,
        *,
        sequence: int | None = None,
        agency_id: str | None = None,
        attachments: dict[str, bytes] | None = None,
        advance: bool = True,
        signing_secret: str | None = None,
        bundle_id: str | None = None,
    ) -> tuple[str, bytes]:
        case = case or sample_case()
        seq = sequence if sequence is not None else self.sequence + 1
        manifest = Manifest(
            bundle_id=bundle_id or str(uuid.uuid4()),
            kind=KIND_CASE,
            agency_id=agency_id or self.home.agency_id,
            device_id=self.device_id,
            case_id=case.id,
            case_reference=case.reference,
            sequence=seq,
            previous_bundle_id=self.last_id,
            previous_sha256=self.last_sha,
            created_at=datetime.now(UTC).isoformat(),
        )
        data = build_bundle(
            manifest,
            case_json=to_jsonable(case),
            attachments=attachments or {},
            signing_secret=signing_secret or self.secrets.signing_secret,
            recipient=self.home.age_recipient,
        )
        if advance:
            self.sequence, self.last_id, self.last_sha = seq, manifest.bundle_id, sha256_hex(data)
        return manifest.bundle_id, data


def change_chain(
    device: TestDevice, reference: str, count: int, edit: Any = None
) -> list[tuple[str, bytes]]:
    """A device's change-set bundles for one new case: the whole case, then ``count - 1``
    one-word changes of the Stage 1 notes (``edit(case_json, n)`` for others)."""
    from homestudy.model import CASE_FORMAT_VERSION
    from homestudy.sync import changes
    from homestudy.sync.bundle import build_change_bundle
    from homestudy.sync.wire import CHANGE_FORMAT, ChangeSet, Op, convert, encode

    case = to_jsonable(sample_case(reference))
    out: list[tuple[str, bytes]] = []
    base_id, base_sha = "", ""
    for n in range(count):
        if n == 0:
            change = ChangeSet(
                format=CHANGE_FORMAT,
                format_version=1,
                case_id=case["id"],
                case_format_version=CASE_FORMAT_VERSION,
                state_sha256=changes.state_sha256(case),
                full=case,
            )
        else:
            old = case
            case = json.loads(json.dumps(case))
            if edit is None:
                case["stage1"]["notes"] += f" w{n}"
            else:
                edit(case, n)
            change = ChangeSet(
                format=CHANGE_FORMAT,
                format_version=1,
                case_id=case["id"],
                case_format_version=CASE_FORMAT_VERSION,
                state_sha256=changes.state_sha256(case),
                base_bundle_id=base_id,
                base_sha256=base_sha,
                ops=[convert(Op, o) for o in changes.diff(old, case)],
            )
        seq = device.sequence + 1
        manifest = Manifest(
            bundle_id=str(uuid.uuid4()),
            kind=KIND_CASE,
            agency_id=device.home.agency_id,
            device_id=device.device_id,
            case_id=case["id"],
            case_reference=reference,
            sequence=seq,
            previous_bundle_id=device.last_id,
            previous_sha256=device.last_sha,
            created_at=datetime.now(UTC).isoformat(),
        )
        data = build_change_bundle(
            manifest,
            change=encode(change),
            signing_secret=device.secrets.signing_secret,
            recipient=device.home.age_recipient,
            whole=n == 0,
        )
        device.sequence, device.last_id, device.last_sha = seq, manifest.bundle_id, sha256_hex(data)
        base_id, base_sha = manifest.bundle_id, change.state_sha256
        out.append((manifest.bundle_id, data))
    device.case_json = case  # type: ignore[attr-defined]
    return out


def sample_case(reference: str = "HS-2026-0001") -> Case:
    return Case(
        reference=reference,
        assessor_name="Sam Assessor",
        stage1=Stage1Summary(
            medical_adviser_summary="No concerns for adoption.", notes="Checks complete."
        ),
        lines_of_enquiry=[
            LineOfEnquiry(
                text="Explore support network after relocation.",
                source="preparation training",
                par_section_ids=["support_network"],
            )
        ],
    )


def count_rows(home: AgencyHome, table: str) -> int:
    db = home.database(pool_size=1)
    try:
        with db.transaction() as cur:
            row = cur.one(f"SELECT count(*) FROM {table}")
    finally:
        db.close()
    return int(row[0]) if row else 0
