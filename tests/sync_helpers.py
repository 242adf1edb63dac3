"""Helpers for the sync and agency tests: a real inbox process, test devices, bundles,
and a laptop's agency profile with no inbox behind it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from homestudy.agency.case_state import CaseState, latest_case_state
from homestudy.agency.home import AgencyHome, init_home
from homestudy.agency.inbox import Inbox
from homestudy.model import CASE_FORMAT_VERSION, AgencyProfile, Case, LineOfEnquiry, Stage1Summary
from homestudy.serial import to_jsonable
from homestudy.sync import changes, keys, outbox
from homestudy.sync.bundle import KIND_ASSIGNMENT, KIND_CASE, Manifest, build_bundle, sha256_hex
from homestudy.sync.enrolment import EnrolmentFile
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.outbox import OutboxItem, ProfileState
from homestudy.sync.signed import Receipt, SignedDocument
from homestudy.sync.wire import CHANGE_FORMAT, ChangeSet

REPO = Path(__file__).resolve().parent.parent


def agency_command(home: Path, *args: str) -> list[str]:
    """``homestudy-agency --home HOME ARGS`` as this checkout runs it."""
    return [sys.executable, "-m", "homestudy.agency.cli", "--home", str(home), *args]


def agency_init(home: Path, agency_id: str, name: str, inbox_url: str) -> int:
    """``homestudy-agency --home HOME init`` in this process: its exit status."""
    from homestudy.agency.cli import main

    options = ("--agency-id", agency_id, "--name", name, "--inbox-url", inbox_url)
    return main(["--home", str(home), "init", *options])


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


@contextmanager
def migrated_inbox(home: AgencyHome) -> Iterator[Inbox]:
    """An in-process inbox on ``home``'s migrated database, closed afterwards."""
    db = home.database()
    db.migrate()
    try:
        yield Inbox(home, db)
    finally:
        db.close()


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


def queue_review(
    db: Any, home: AgencyHome, case_id: str, comments: list[dict[str, Any]], review_id: str = "r1"
) -> Any:
    """The agency's review of a case (``comments``, no decision), queued for the laptop."""
    from homestudy.agency.messages import queue_message

    body = {"review_id": review_id, "comments": comments, "decision": None}
    return queue_message(db, home, case_id=case_id, kind="review", body=body)


def enrolled_with_case(vault: Any, home: AgencyHome, url: str, case: Case) -> ProfileState:
    """``vault`` enrolled with the agency at ``url`` and watching its edits, with ``case``
    saved as one of that agency's cases."""
    state = enrol(vault, enrolment_for(home, url))
    outbox.watch(vault)
    case.agency_profile_id = state.id
    vault.cases.save_case(case)
    return state


@contextmanager
def held_case(home: AgencyHome, case_id: str) -> Iterator[CaseState | None]:
    """The agency's latest state of the case (its attachments readable inside the block)."""
    db = home.database(pool_size=1)
    try:
        yield latest_case_state(db, home, case_id)
    finally:
        db.close()


class InboxServer:
    """``homestudy-agency serve`` in a subprocess on a free 127.0.0.1 port."""

    def __init__(self, home: Path, workers: int = 1, port: int = 0) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            agency_command(home, "serve", "--port", str(port), "--workers", str(workers)),
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


@contextmanager
def running_inbox(folder: Path) -> Iterator[tuple[AgencyHome, InboxServer]]:
    """A new agency in ``folder`` and its inbox process, stopped when the block ends."""
    home = make_agency(folder)
    server = InboxServer(home.path)
    try:
        yield home, server
    finally:
        server.stop()


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

    def registration(
        self, token: str, assessor: str = "assessor-1", device_name: str = "test"
    ) -> dict[str, Any]:
        """This device's signed registration, as ``/enrol`` (and ``Inbox.enrol``) take it."""
        body = json.dumps(
            {
                "token": token,
                "agency_id": self.home.agency_id,
                "assessor_id": assessor,
                "device_id": self.device_id,
                "device_name": device_name,
                "signing_public_key": self.secrets.signing_public,
                "age_recipient": self.secrets.age_recipient,
            }
        ).encode()
        signature = keys.sign(self.secrets.signing_secret, body, "registration")
        return SignedDocument(body, signature).to_wire()

    def register(self, client: httpx.Client, token: str, assessor: str = "assessor-1") -> Any:
        return client.post("/enrol", json=self.registration(token, assessor))

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
        extras: dict[str, bytes] | None = None,
    ) -> tuple[str, bytes]:
        case = case or sample_case()
        manifest = self.next_manifest(
            case.id, case.reference, sequence=sequence, agency_id=agency_id, bundle_id=bundle_id
        )
        data = build_bundle(
            manifest,
            case_json=to_jsonable(case),
            attachments=attachments or {},
            signing_secret=signing_secret or self.secrets.signing_secret,
            recipient=self.home.age_recipient,
            extras=extras,
        )
        if advance:
            self.sent(manifest, data)
        return manifest.bundle_id, data

    def next_manifest(
        self,
        case_id: str,
        case_reference: str,
        *,
        sequence: int | None = None,
        agency_id: str | None = None,
        bundle_id: str | None = None,
    ) -> Manifest:
        """The manifest of this device's next case bundle, chained to the last one."""
        return Manifest(
            bundle_id=bundle_id or str(uuid.uuid4()),
            kind=KIND_CASE,
            agency_id=agency_id or self.home.agency_id,
            device_id=self.device_id,
            case_id=case_id,
            case_reference=case_reference,
            sequence=sequence if sequence is not None else self.sequence + 1,
            previous_bundle_id=self.last_id,
            previous_sha256=self.last_sha,
            created_at=datetime.now(UTC).isoformat(),
        )

    def sent(self, manifest: Manifest, data: bytes) -> None:
        """The next bundle chains to this one."""
        self.sequence, self.last_id = manifest.sequence, manifest.bundle_id
        self.last_sha = sha256_hex(data)


def laptops_work(
    home: AgencyHome, url: str, count: int, per_laptop: int, prefix: str
) -> list[list[tuple[str, bytes]]]:
    """For each of ``count`` test devices registered with the inbox at ``url``, its
    ``per_laptop`` bundles of a case of its own (references ``PREFIX-0000`` on)."""
    work = []
    with httpx.Client(base_url=url, timeout=60) as http:
        for index in range(count):
            device = TestDevice(home)
            assert device.register(http, enrolment_for(home, url).token).is_success
            case = sample_case(f"{prefix}-{index:04d}")
            work.append([device.bundle(case) for _ in range(per_laptop)])
    return work


def enrolled_device(inbox: Inbox, token: str | None = None) -> TestDevice:
    """A new test device enrolled straight into ``inbox`` (no HTTP) with ``token``, or
    with a new one for assessor-1."""
    device = TestDevice(inbox.home)
    inbox.enrol(device.registration(token or inbox.new_token("assessor-1", "Sam")))
    return device


def change_to(case: dict[str, Any], **kind: Any) -> ChangeSet:
    """A change set whose result is ``case`` (as JSON): ``full=case`` for the whole case,
    or ``base_bundle_id``, ``base_sha256`` and ``ops`` for a change."""
    return ChangeSet(
        format=CHANGE_FORMAT,
        format_version=1,
        case_id=case["id"],
        case_format_version=CASE_FORMAT_VERSION,
        state_sha256=changes.state_sha256(case),
        **kind,
    )


def whole_change(case: dict[str, Any]) -> ChangeSet:
    """The change set that carries the case whole: a chain's first."""
    return change_to(case, full=case)


def change_chain(
    device: TestDevice, reference: str, count: int, edit: Any = None
) -> list[tuple[str, bytes]]:
    """A device's change-set bundles for one new case: the whole case, then ``count - 1``
    one-word changes of the Stage 1 notes (``edit(case_json, n)`` for others)."""
    from homestudy.sync.bundle import build_change_bundle
    from homestudy.sync.wire import Op, convert, encode

    case = to_jsonable(sample_case(reference))
    out: list[tuple[str, bytes]] = []
    base_id, base_sha = "", ""
    for n in range(count):
        if n == 0:
            change = whole_change(case)
        else:
            old = case
            case = json.loads(json.dumps(case))
            if edit is None:
                case["stage1"]["notes"] += f" w{n}"
            else:
                edit(case, n)
            ops = [convert(Op, o) for o in changes.diff(old, case)]
            change = change_to(case, base_bundle_id=base_id, base_sha256=base_sha, ops=ops)
        manifest = device.next_manifest(case["id"], reference)
        data = build_change_bundle(
            manifest,
            change=encode(change),
            signing_secret=device.secrets.signing_secret,
            recipient=device.home.age_recipient,
            whole=n == 0,
        )
        device.sent(manifest, data)
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


# ------------------------------------------------ a laptop's profile with no inbox behind it


#: a profile's state before anything is sent or received (the keys are the caller's)
NOTHING_YET: dict[str, Any] = {
    "agency_signing_public_key": "",
    "agency_age_recipient": "",
    "device_signing_secret": "",
    "device_age_identity": "",
    "enrol_token": "",
    "registered": True,
    "revoked": False,
    "key_list_version": 1,
    "key_list_expires_at": "",
    "next_sequence": 1,
    "last_bundle_id": "",
    "last_bundle_sha256": "",
    "last_assignment_sequence": 0,
    "last_synced_at": "",
    "last_error": "",
    "last_warning": "",
}


def profile_state(
    profile: AgencyProfile,
    agency: keys.DeviceKeys | None = None,
    device: keys.DeviceKeys | None = None,
    **fields: Any,
) -> ProfileState:
    """An agency profile as the laptop keeps it, registered and with nothing sent yet:
    the agency's public keys and the device's private ones, and ``fields`` over those."""
    values = dict(NOTHING_YET)
    if agency is not None:
        values["agency_signing_public_key"] = agency.signing_public
        values["agency_age_recipient"] = agency.age_recipient
    if device is not None:
        values["device_signing_secret"] = device.signing_secret
        values["device_age_identity"] = device.age_identity
    return ProfileState(profile, **(values | fields))


def offline_profile(
    vault: Any,
    agency: keys.DeviceKeys,
    device: keys.DeviceKeys,
    *,
    agency_id: str,
    device_id: str,
    url: str = "http://127.0.0.1:1",
) -> ProfileState:
    """A registered profile stored in ``vault``, for tests that freeze bundles and record
    their receipts by hand (``stand_in_receipt``) rather than sync with an inbox."""
    profile = AgencyProfile(name="Agency", agency_id=agency_id, inbox_url=url, device_id=device_id)
    state = profile_state(profile, agency, device)
    outbox.add_profile(vault, state)
    return state


def kept_receipt(vault: Any, bundle_id: str) -> tuple[SignedDocument, str]:
    """The agency's receipt for a bundle as the laptop keeps it, and the bundle's hash."""
    with vault.reading() as conn:
        body, signature, sha = conn.execute(
            "SELECT body, signature, sha256 FROM sync_receipts WHERE bundle_id = ?", (bundle_id,)
        ).fetchone()
    return SignedDocument(bytes(body), bytes(signature)), sha


def stand_in_receipt(vault: Any, state: ProfileState, item: OutboxItem) -> None:
    """What a round does for a verified receipt of ``item`` (the signature is not the
    point: the receipt is made here, not by an agency)."""
    profile = state.profile
    outbox.record_receipt(
        vault,
        item,
        Receipt(
            item.bundle_id,
            item.sha256,
            1,
            "now",
            profile.agency_id,
            profile.device_id,
            item.sequence,
        ),
        SignedDocument(b"{}", b""),
    )


def assignment_for(
    state: ProfileState,
    case: Case,
    *,
    agency_id: str,
    signing_secret: str,
    bundle_id: str,
    sequence: int,
    created_at: str,
) -> bytes:
    """An assignment bundle of ``case`` (the older format) for the laptop of ``state``,
    encrypted to that laptop and signed with ``signing_secret``."""
    manifest = Manifest(
        bundle_id=bundle_id,
        kind=KIND_ASSIGNMENT,
        agency_id=agency_id,
        device_id=state.profile.device_id,
        case_id=case.id,
        case_reference=case.reference,
        sequence=sequence,
        previous_bundle_id="",
        previous_sha256="",
        created_at=created_at,
    )
    return build_bundle(
        manifest,
        case_json=to_jsonable(case),
        attachments={},
        signing_secret=signing_secret,
        recipient=keys.age_recipient(state.device_age_identity),
    )
