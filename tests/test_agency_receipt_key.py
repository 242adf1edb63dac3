"""The receipt key: the one private key the internet-facing inbox holds.

It signs receipts and nothing else; the signed key list names it. Real inbox processes
(``homestudy-agency serve``) on 127.0.0.1, real vaults, real files: an inbox host with
only the settings, the public keys and the receipt key accepts bundles and gives
receipts the laptop accepts; a receipt by any other key (a stranger's, or even the
signing key) is refused; an assignment, message or key list signed by the receipt key is
refused; an inbox restored from a backup still delivers every assignment, the console
re-signing what it cannot.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from ops_helpers import PASSPHRASE, Server, agency_cli, agency_env, protected_agency
from sync_helpers import (
    InboxServer,
    assignment_for,
    enrolled_device,
    enrolment_for,
    kept_receipt,
    make_agency,
    profile_state,
    sample_case,
)

from homestudy.agency.assign import assign_case
from homestudy.agency.case_state import latest_case_state
from homestudy.agency.db import now_iso
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox
from homestudy.agency.messages import issue, renumber_waiting
from homestudy.agency.rotation import ensure_receipt_key
from homestudy.errors import AgencyError, SyncError
from homestudy.serial import to_jsonable
from homestudy.sync import engine, keys, outbox
from homestudy.sync.bundle import sha256_hex
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import ProfileResult, describe, sync_round
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.linking import link_case
from homestudy.sync.outbox import ProfileState
from homestudy.sync.signed import KeyList, make_key_list, verify_receipt
from homestudy.vault import Vault

#: what an inbox host holds: settings, public keys, the receipt key (protected)
INBOX_FILES = ("agency.json", "agency-sign.pub", "agency-receipt.key", "agency-receipt.pub")


def to(url: str) -> Callable[[ProfileState], InboxClient]:
    return lambda _state: InboxClient(url, retries=0, sleep=lambda _s: None)


def two_hosts(tmp_path: Path) -> tuple[AgencyHome, Path]:
    """The console's folder (every key, protected) and an inbox host's folder."""
    made = protected_agency(tmp_path / "console")
    inbox = tmp_path / "inbox"
    inbox.mkdir(mode=0o700)
    for name in INBOX_FILES:
        shutil.copy2(made.path / name, inbox / name)
    return AgencyHome(made.path, role="console", passphrase=PASSPHRASE), inbox


def inbox_role(folder: Path) -> Server:
    return Server(folder, "--role", "inbox", env=agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE))


def enrolled(vault: Vault, home: AgencyHome, url: str) -> ProfileState:
    state = enrol(vault, enrolment_for(home, url))
    outbox.watch(vault)
    (report,) = sync_round(vault, to(url))
    assert not report.error, report.error
    return outbox.profile(vault, state.id)


def linked(vault: Vault, state: ProfileState, reference: str) -> str:
    case = sample_case(reference)
    vault.cases.save_case(case)
    link_case(vault, case.id, state.id)
    return case.id


def test_an_inbox_host_with_only_the_receipt_key_gives_receipts_the_laptop_accepts(
    tmp_path: Path, vault: Vault
) -> None:
    console, folder = two_hosts(tmp_path)
    assert not (folder / "agency.key").exists() and not (folder / "agency-sign.key").exists()
    server = inbox_role(folder)
    db = console.database(pool_size=1)
    try:
        state = enrolled(vault, console, server.url)
        assert state.agency_receipt_public_key == console.receipt_public
        assert console.receipt_public != console.signing_public
        case_id = linked(vault, state, "HS-2026-0901")
        scan = b"a scan " * 200_000  # two chunks: placed by their length, not decrypted
        vault.cases.add_attachment(case_id, "scan.pdf", "application/pdf", scan)
        (report,) = sync_round(vault, to(server.url))
        assert (report.sent, report.waiting, report.error) == (1, 0, ""), describe(report)
        held = latest_case_state(db, console, case_id)  # the console decrypts and checks it
        assert held is not None and held.attachment(sha256_hex(scan)) == scan
        ((bundle_id, *_),) = outbox.receipts(vault, case_id)
        doc, sha = kept_receipt(vault, bundle_id)
        verify_receipt(
            doc, agency_public_key=console.receipt_public, bundle_id=bundle_id, sha256=sha
        )
        # the console, which holds the signing key, assigns; the inbox only passes it on
        assign_case(console, db, sample_case("HS-2026-0902"), state.profile.device_id)
        (report,) = sync_round(vault, to(server.url))
        assert report.received_cases == 1 and not report.error, describe(report)
    finally:
        db.close()
        server.stop()
    assert sorted(c.reference for c in vault.cases.list_cases()) == ["HS-2026-0901", "HS-2026-0902"]
    # that process never had a signing or decryption key to read
    inbox = AgencyHome(folder, role="inbox", passphrase=PASSPHRASE)
    with pytest.raises(AgencyError, match="no signing key"):
        _ = inbox.signing_secret
    assert inbox.age_identities == ()


def test_an_inbox_host_without_a_receipt_key_does_not_start(tmp_path: Path) -> None:
    _console, folder = two_hosts(tmp_path)
    (folder / "agency-receipt.key").unlink()
    done = agency_cli(
        folder,
        "serve",
        "--role",
        "inbox",
        "--port",
        "0",
        env=agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE),
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no receipt key (agency-receipt.key)" in done.stderr
    assert "rotate-receipt-key" in done.stderr


@pytest.mark.parametrize("signer", ["stranger", "signing key"])
def test_a_receipt_signed_by_another_key_is_refused_and_the_bundle_kept(
    tmp_path: Path, vault: Vault, signer: str
) -> None:
    home = make_agency(tmp_path / "agency")
    right = (home.path / "agency-receipt.key").read_bytes()
    server = InboxServer(home.path)
    try:
        state = enrolled(vault, home, server.url)
        case_id = linked(vault, state, "HS-2026-0911")
        wrong = keys.generate_signing_key() if signer == "stranger" else home.signing_secret
        # the running inbox picks up the replaced file and signs with it
        (home.path / "agency-receipt.key").write_bytes(keys.secret_key_file(wrong))
        (report,) = sync_round(vault, to(server.url))
        assert report.sent == 0 and report.waiting == 1
        assert "receipt could not be verified" in report.error
        assert outbox.receipts(vault, case_id) == []
        (home.path / "agency-receipt.key").write_bytes(right)
        (report,) = sync_round(vault, to(server.url))  # the same bytes, re-signed
        assert (report.sent, report.waiting, report.error) == (1, 0, ""), describe(report)
    finally:
        server.stop()


def _queue_raw(home: AgencyHome, device_id: str, data: bytes, kind: str, case_id: str) -> None:
    """Put bytes in the inbox's queue for a device as the next number (a forgery)."""
    db = home.database(pool_size=1)
    try:
        with db.transaction(immediate=True) as cur:
            (sequence,) = cur.one(
                "SELECT assignment_sequence FROM devices WHERE device_id = ?", (device_id,)
            )
            sequence = int(sequence) + 1
            bundle_id = str(uuid.uuid4())
            cur.execute(
                "INSERT INTO assignments (bundle_id, device_id, sequence, case_id, "
                "case_reference, data, created_at, kind, message_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    bundle_id,
                    device_id,
                    sequence,
                    case_id,
                    "HS-2026-0921",
                    data,
                    now_iso(),
                    kind,
                    "",
                ),
            )
            cur.execute(
                "UPDATE devices SET assignment_sequence = ? WHERE device_id = ?",
                (sequence, device_id),
            )
    finally:
        db.close()


@pytest.mark.parametrize("what", ["message", "assignment"])
def test_a_message_or_assignment_signed_by_the_receipt_key_is_refused(
    tmp_path: Path, vault: Vault, what: str
) -> None:
    home = make_agency(tmp_path / "agency")
    server = InboxServer(home.path)
    try:
        state = enrolled(vault, home, server.url)
        device_id = state.profile.device_id
        case = sample_case("HS-2026-0921")
        if what == "message":  # a well-formed message, signed by the wrong key
            forger = AgencyHome(home.path)
            forger._signing = home.receipt_secret
            db = home.database(pool_size=1)
            try:
                issue(
                    db,
                    forger,
                    case_id=case.id,
                    kind="case_update",
                    body={"case": to_jsonable(case), "fields": None, "note": ""},
                    device_id=device_id,
                    case_reference=case.reference,
                )
            finally:
                db.close()
        else:  # the old assignment format, still opened from older inboxes
            data = assignment_for(
                state,
                case,
                agency_id=home.agency_id,
                signing_secret=home.receipt_secret,
                bundle_id=str(uuid.uuid4()),
                sequence=1,
                created_at=now_iso(),
            )
            _queue_raw(home, device_id, data, "assignment", case.id)
        (report,) = sync_round(vault, to(server.url))
    finally:
        server.stop()
    assert report.received_cases == 0 and "(signature)" in report.error
    assert vault.cases.list_cases() == []


def test_a_key_list_signed_by_the_receipt_key_is_refused(tmp_path: Path, vault: Vault) -> None:
    home = make_agency(tmp_path / "agency")
    server = InboxServer(home.path)
    try:
        state = enrolled(vault, home, server.url)
        trusted = (state.key_list_version, state.agency_signing_public_key)
        attacker = keys.generate_keys()
        forged = make_key_list(
            home.receipt_secret,
            KeyList(
                agency_id=home.agency_id,
                version=trusted[0] + 1,
                issued_at=now_iso(),
                expires_at="2099-01-01T00:00:00+00:00",
                age_recipient=attacker.age_recipient,
                signing_public_key=attacker.signing_public,
                receipt_public_key=keys.signing_public_key(keys.generate_signing_key()),
            ),
        )
        db = home.database(pool_size=1)
        try:
            with db.transaction(immediate=True) as cur:
                cur.execute(
                    "INSERT INTO key_lists (version, body, signature, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (trusted[0] + 1, forged.body, forged.signature, now_iso()),
                )
        finally:
            db.close()
        (report,) = sync_round(vault, to(server.url))
    finally:
        server.stop()
    assert "not signed by the agency's key" in report.warning
    after = outbox.profile(vault, state.id)
    assert (after.key_list_version, after.agency_signing_public_key) == trusted
    assert after.agency_receipt_public_key == home.receipt_public


def test_an_older_key_list_leaves_receipts_to_the_signing_key(tmp_path: Path) -> None:
    """A folder from before receipt keys: its receipts (by the signing key) still verify
    on the laptop, and no other key does."""
    home = make_agency(tmp_path / "agency")
    for name in ("agency-receipt.key", "agency-receipt.pub"):
        (home.path / name).unlink()
    home = AgencyHome(home.path)
    assert home.receipt_public == home.signing_public
    db = home.database(pool_size=1)
    try:
        old_list = home.publish_key_list(db)
        assert "receipt_public_key" not in json.loads(old_list.body)
        inbox = Inbox(home, db)
        device = enrolled_device(inbox)
        bundle_id, data = device.bundle()
        doc = inbox.accept(bundle_id, data)
    finally:
        db.close()
    item = outbox.OutboxItem(
        bundle_id, "p", "c", 1, data, sha256_hex(data), 0, "waiting", "", "", ()
    )
    state = _state(home.signing_public, receipt="")
    listed = {"agency_signing_public_key": home.signing_public, "agency_receipt_public_key": ""}
    for result in (ProfileResult(state=state), ProfileResult(state=state, key_list=listed)):
        keys_used = engine._receipt_keys(state, result)
        assert keys_used == [home.signing_public]
        assert engine._verified_receipt(doc, item, keys_used).bundle_id == bundle_id
    stranger = _state(
        home.signing_public, receipt=keys.signing_public_key(keys.generate_signing_key())
    )
    with pytest.raises(SyncError):
        engine._verified_receipt(
            doc, item, engine._receipt_keys(stranger, ProfileResult(state=stranger))
        )


def _state(signing: str, *, receipt: str) -> ProfileState:
    from homestudy.model import AgencyProfile

    return profile_state(
        AgencyProfile(name="A", agency_id="AG-TEST"),
        agency_signing_public_key=signing,
        agency_receipt_public_key=receipt,
    )


def test_an_older_folder_gets_its_receipt_key_from_the_console(
    tmp_path: Path, vault: Vault
) -> None:
    """The upgrade: an agency folder made before receipt keys gets one at the first
    ``serve`` outside the inbox role, protected like its other keys and named in a new key
    list; laptops then check receipts with it."""
    home = protected_agency(tmp_path / "agency")
    for name in ("agency-receipt.key", "agency-receipt.pub"):
        (home.path / name).unlink()
    db = home.database(pool_size=1)
    with db.transaction(immediate=True) as cur:
        cur.execute("DELETE FROM key_lists")
    db.close()
    home = AgencyHome(home.path, passphrase=PASSPHRASE)
    db = home.database(pool_size=1)
    home.publish_key_list(db, version=1)  # the list as such a folder has it: no receipt key
    db.close()
    server = Server(
        home.path, "--role", "console", env=agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE)
    )
    server.stop()
    assert "a receipt key was made (agency-receipt.key)" in server.stderr
    upgraded = AgencyHome(home.path, passphrase=PASSPHRASE)
    assert upgraded.protected()["agency-receipt.key"]
    assert (home.path / "agency-receipt.pub").read_bytes() == keys.public_key_file(
        upgraded.receipt_public
    )
    db = upgraded.database(pool_size=1)
    try:
        assert ensure_receipt_key(upgraded, db) is None  # once only
        with db.transaction() as cur:
            (body,) = cur.one("SELECT body FROM key_lists ORDER BY version DESC LIMIT 1")
    finally:
        db.close()
    assert json.loads(body)["receipt_public_key"] == upgraded.receipt_public
    assert json.loads(body)["version"] == 2
    # "all": one host; the passphrase from the environment
    server = Server(home.path, env=agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE))
    try:
        state = enrolled(vault, upgraded, server.url)
        assert state.agency_receipt_public_key == upgraded.receipt_public
        case_id = linked(vault, state, "HS-2026-0931")
        (report,) = sync_round(vault, to(server.url))
        assert report.sent == 1 and not report.error, describe(report)
    finally:
        server.stop()
    ((bundle_id, *_),) = outbox.receipts(vault, case_id)
    doc, sha = kept_receipt(vault, bundle_id)
    verify_receipt(doc, agency_public_key=upgraded.receipt_public, bundle_id=bundle_id, sha256=sha)


def test_rotate_receipt_key_replaces_it_and_laptops_follow(tmp_path: Path, vault: Vault) -> None:
    home = make_agency(tmp_path / "agency")
    old = home.receipt_public
    server = InboxServer(home.path)
    try:
        state = enrolled(vault, home, server.url)
        assert state.agency_receipt_public_key == old
        done = agency_cli(home.path, "rotate-receipt-key")
        assert done.returncode == 0, done.stderr
        assert "Key list version 2" in done.stdout
        fresh = AgencyHome(home.path)
        assert fresh.receipt_public != old and fresh.signing_public == home.signing_public
        assert (
            home.path / "retired-keys" / "agency-receipt-until-v2.pub"
        ).read_bytes() == keys.public_key_file(old)
        case_id = linked(vault, state, "HS-2026-0941")
        (report,) = sync_round(vault, to(server.url))  # the running inbox signs with the new key
        assert report.sent == 1 and not report.error, describe(report)
    finally:
        server.stop()
    after = outbox.profile(vault, state.id)
    assert (after.key_list_version, after.agency_receipt_public_key) == (2, fresh.receipt_public)
    ((bundle_id, *_),) = outbox.receipts(vault, case_id)
    doc, sha = kept_receipt(vault, bundle_id)
    verify_receipt(doc, agency_public_key=fresh.receipt_public, bundle_id=bundle_id, sha256=sha)
    with pytest.raises(SyncError):
        verify_receipt(doc, agency_public_key=old, bundle_id=bundle_id, sha256=sha)


def _copy_db(home: AgencyHome, target: Path) -> None:
    import sqlite3

    source = sqlite3.connect(home.path / "inbox.sqlite3")
    try:
        source.execute("VACUUM INTO ?", (str(target),))
    finally:
        source.close()


def test_an_inbox_host_restored_from_a_backup_still_delivers_every_assignment(
    tmp_path: Path, vault: Vault
) -> None:
    """The inbox role cannot re-sign the messages a restore re-numbers: it notes them,
    and the console (which holds the signing key) re-signs them; then they arrive."""
    console, folder = two_hosts(tmp_path)
    server = inbox_role(folder)
    db = console.database(pool_size=1)
    try:
        state = enrolled(vault, console, server.url)
        device_id = state.profile.device_id
        assign_case(console, db, sample_case("HS-2026-0951"), device_id)
        (report,) = sync_round(vault, to(server.url))
        assert report.received_cases == 1
        _copy_db(console, tmp_path / "backup.sqlite3")
        assign_case(console, db, sample_case("HS-2026-0952"), device_id)
        (report,) = sync_round(vault, to(server.url))
        assert report.received_cases == 1  # the laptop has seen number 2
    finally:
        db.close()
        server.stop()
    for suffix in ("", "-wal", "-shm"):  # the database, back as it was last night
        (console.path / f"inbox.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.sqlite3", console.path / "inbox.sqlite3")
    server = inbox_role(folder)
    db = console.database(pool_size=1)
    try:
        made = assign_case(console, db, sample_case("HS-2026-0953"), device_id)
        assert made.sequence == 2  # a number the laptop has already seen
        (report,) = sync_round(vault, to(server.url))
        assert report.received_cases == 0 and not report.error, describe(report)
        with db.transaction() as cur:  # noted for the console, not re-signed by the inbox
            row = cur.one("SELECT renumber_from FROM devices WHERE device_id = ?", (device_id,))
        assert row is not None and row[0] is not None
        assert renumber_waiting(db, console) == 1
        assert renumber_waiting(db, console) == 0
        (report,) = sync_round(vault, to(server.url))
        assert report.received_cases == 1 and not report.error, describe(report)
        (report,) = sync_round(vault, to(server.url))
        assert report.received_cases == 0 and not report.error
        with db.transaction() as cur:
            row = cur.one("SELECT renumber_from FROM devices WHERE device_id = ?", (device_id,))
            assert row == (None,)  # settled: nothing more to re-number
        assign_case(console, db, sample_case("HS-2026-0954"), device_id)
        (report,) = sync_round(vault, to(server.url))
        assert report.received_cases == 1 and not report.error, describe(report)
    finally:
        db.close()
        server.stop()
    refs = sorted(c.reference for c in vault.cases.list_cases())
    assert refs == ["HS-2026-0951", "HS-2026-0952", "HS-2026-0953", "HS-2026-0954"]


@pytest.mark.skipif(not shutil.which("minisign"), reason="stock minisign is not installed")
def test_stock_minisign_checks_a_receipt_with_the_receipt_key_only(tmp_path: Path) -> None:
    """docs/sync-payload.md section 8, step by step: the body and signature as sent."""
    import subprocess

    import httpx
    from sync_helpers import TestDevice

    home = make_agency(tmp_path / "agency")
    server = InboxServer(home.path)
    try:
        device = TestDevice(home)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert device.register(client, enrolment_for(home, server.url).token).status_code == 200
            bundle_id, data = device.bundle()
            answer = client.put(f"/bundles/{bundle_id}", content=data).json()
    finally:
        server.stop()
    (tmp_path / "receipt.json").write_text(answer["receipt"]["body"], encoding="utf-8")
    (tmp_path / "receipt.json.minisig").write_text(answer["receipt"]["signature"])

    def check(public: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["minisign", "-Vm", str(tmp_path / "receipt.json"), "-p", str(home.path / public)],
            capture_output=True,
            text=True,
        )

    done = check("agency-receipt.pub")
    assert done.returncode == 0, done.stderr
    assert f"homestudy receipt {bundle_id}" in done.stdout
    assert check("agency-sign.pub").returncode != 0
    assert json.loads((tmp_path / "receipt.json").read_text())["sha256"] == sha256_hex(data)


def test_the_plaintext_length_of_an_age_file_without_its_key() -> None:
    import os

    import pyrage
    from pyrage import x25519

    from homestudy.agency.age_size import plaintext_size

    to = [x25519.Identity.generate().to_public()]
    for size in (0, 1, 65535, 65536, 65537, 2 * 65536, 1024 * 1024):
        assert plaintext_size(pyrage.encrypt(os.urandom(size), to)) == size
    sealed = pyrage.encrypt(b"x" * 70_000, to)
    for junk in (b"", b"not age at all", sealed[:40], sealed.replace(b"X25519", b"scrypt")):
        with pytest.raises(ValueError):
            plaintext_size(junk)
