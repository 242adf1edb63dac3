"""What the inbox does, apart from HTTP: accept bundles, enrol and revoke devices.

Every refusal is a ``Refusal`` with its own HTTP status and code, and is decided
before anything is written: a refused bundle leaves no row behind (only a
re-used sequence number writes an alert, which is the point of checking it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pyrage
from pyrage import x25519

from homestudy.agency import case_state
from homestudy.agency.age_size import plaintext_size
from homestudy.agency.db import Cursor, Database, now_iso
from homestudy.agency.home import AgencyHome
from homestudy.errors import BundleError
from homestudy.sync import changes, keys
from homestudy.sync.bundle import (
    KIND_CASE,
    OpenedBundle,
    open_bundle,
    read_manifest,
    sha256_hex,
    unpack_bundle,
)
from homestudy.sync.signed import Receipt, SignedDocument, make_receipt, request_text
from homestudy.sync.wire import BlobStatus, RegistrationBody, decode

REQUEST_WINDOW = timedelta(minutes=10)  # signed GETs must be this fresh (clock skew)


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Device:
    device_id: str
    assessor_id: str
    signing_public_key: str
    age_recipient: str
    revoked: bool


class Inbox:
    def __init__(self, home: AgencyHome, db: Database) -> None:
        self.home, self.db = home, db
        self._states = _StateCache()
        self._signers = _Signers()

    # ----------------------------------------------------------------- devices

    def device(self, device_id: str) -> Device | None:
        with self.db.transaction() as cur:
            row = cur.one(
                "SELECT device_id, assessor_id, signing_public_key, age_recipient, revoked_at "
                "FROM devices WHERE device_id = ?",
                (device_id,),
            )
        return None if row is None else _device(row)

    def active_device(self, device_id: str) -> Device:
        device = self.device(device_id)
        if device is None:
            raise Refusal(403, "unknown_device", "This device is not enrolled with the agency.")
        if device.revoked:
            raise Refusal(410, "device_revoked", "The agency has revoked this device.")
        return device

    def revoke(self, device_id: str) -> bool:
        with self.db.transaction(immediate=True) as cur:
            if cur.lock_device(device_id, "device_id") is None:
                return False
            cur.execute(
                "UPDATE devices SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL",
                (now_iso(), device_id),
            )
        return True

    def restore_device(self, device_id: str) -> bool:
        """Un-revoke a device revoked by mistake; False if no such device."""
        with self.db.transaction(immediate=True) as cur:
            if cur.lock_device(device_id, "device_id") is None:
                return False
            cur.execute("UPDATE devices SET revoked_at = NULL WHERE device_id = ?", (device_id,))
        return True

    def sequence_state(self, device_id: str) -> dict[str, Any]:
        """The last bundle the inbox holds from a device (a laptop restored from its own
        backup continues after it instead of re-using numbers)."""
        with self.db.transaction() as cur:
            row = cur.one(
                "SELECT last_sequence, last_bundle_id, last_sha256 FROM devices "
                "WHERE device_id = ?",
                (device_id,),
            )
        if row is None:
            return {}
        return {"last_sequence": int(row[0]), "last_bundle_id": row[1], "last_sha256": row[2]}

    def check_signed_request(
        self, device_id: str, method: str, target: str, stamp: str, signature: bytes
    ) -> Device:
        device = self.active_device(device_id)
        try:
            when = datetime.fromtimestamp(int(stamp), UTC)
            text = request_text(method, target, stamp)
            if len(signature) == 64:  # the compact form: a bare Ed25519 signature
                keys.verify_raw(device.signing_public_key, text, signature)
            else:  # a minisign signature (laptops before the poll)
                keys.verify(device.signing_public_key, text, signature)
        except Exception as exc:
            raise Refusal(401, "bad_signature", "The request's signature does not verify.") from exc
        if abs(datetime.now(UTC) - when) > REQUEST_WINDOW:
            raise Refusal(401, "stale_request", "The request is too old; check the clock.")
        return device

    # ----------------------------------------------------------------- enrolment

    def new_token(self, assessor_id: str, assessor_name: str, days: int = 14) -> str:
        import secrets

        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.db.transaction(immediate=True) as cur:
            cur.execute(
                "INSERT INTO enrolment_tokens (token_sha256, assessor_id, assessor_name, "
                "created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (
                    _token_hash(token),
                    assessor_id,
                    assessor_name,
                    now.isoformat(),
                    (now + timedelta(days=days)).isoformat(),
                ),
            )
        return token

    def enrol(self, wire: Any) -> dict[str, Any]:
        """Register a device's public keys against a one-time token."""
        try:
            doc = SignedDocument.from_wire(wire)
            reg = msgspec.structs.asdict(decode(RegistrationBody, doc.body))
        except ValueError as exc:
            raise Refusal(400, "malformed", "The enrolment request is not readable.") from exc
        if reg["agency_id"] != self.home.agency_id:
            raise Refusal(421, "wrong_agency", "This enrolment is for another agency.")
        try:  # proof that the device holds the private half of the key it registers
            keys.verify(reg["signing_public_key"], doc.body, doc.signature)
            if not keys.valid_recipient(reg["age_recipient"]):
                raise ValueError("bad recipient")
        except Exception as exc:
            raise Refusal(401, "bad_signature", "The enrolment request is not signed.") from exc
        with self.db.transaction(immediate=True) as cur:
            token = cur.one(
                "SELECT assessor_id, expires_at, used_at, device_id FROM "
                "enrolment_tokens WHERE token_sha256 = ?",
                (_token_hash(reg["token"]),),
            )
            if token is None or token[0] != reg["assessor_id"]:
                raise Refusal(403, "enrolment_invalid", "The enrolment token is not valid.")
            existing = cur.lock_device(reg["device_id"], "signing_public_key, age_recipient")
            if token[2] is not None:  # used: fine only as a retry by the same device and keys
                same = existing == (reg["signing_public_key"], reg["age_recipient"])
                if token[3] != reg["device_id"] or not same:
                    raise Refusal(409, "enrolment_used", "The enrolment token was already used.")
            else:
                if datetime.fromisoformat(token[1]) < datetime.now(UTC):
                    raise Refusal(403, "enrolment_expired", "The enrolment token has expired.")
                if existing is not None:
                    raise Refusal(409, "device_exists", "This device id is already enrolled.")
                cur.execute(
                    "INSERT INTO devices (device_id, assessor_id, device_name, "
                    "signing_public_key, age_recipient, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        reg["device_id"],
                        reg["assessor_id"],
                        reg["device_name"][:200],
                        reg["signing_public_key"],
                        reg["age_recipient"],
                        now_iso(),
                    ),
                )
                cur.execute(
                    "UPDATE enrolment_tokens SET used_at = ?, device_id = ? WHERE token_sha256 = ?",
                    (now_iso(), reg["device_id"], _token_hash(reg["token"])),
                )
        return {"agency_id": self.home.agency_id, "device_id": reg["device_id"]}

    # ----------------------------------------------------------------- bundles

    def accept(self, bundle_id: str, data: bytes, app_version: str = "") -> SignedDocument:
        """Verify and store a bundle; its receipt. Raises ``Refusal`` storing nothing.
        ``app_version``: the HomeStudy version the laptop says it runs (for IT's team page),
        kept with the device in the same write.

        A device already seen by this process takes the short way: its signing key comes
        from memory, and the one write transaction re-reads the device row (revoked? the
        same key?) and whether the bundle is a retry. Any refusal before that write sends
        the bundle the careful way, which decides in the original order (unknown or
        revoked device first, a retry's stored receipt without opening the bundle again).
        """
        self.home.refresh()  # keys rotated while the inbox runs: sign with the new ones
        limit = self.home.config.max_bundle_size
        if len(data) > limit:
            raise Refusal(413, "too_large", "The bundle is larger than the inbox accepts.")
        try:
            members = unpack_bundle(data, max_size=limit)  # read once, for both steps
            claimed = read_manifest(data, max_size=limit, members=members)
        except BundleError as exc:
            raise Refusal(400, "malformed", exc.message) from exc
        if claimed.bundle_id != bundle_id:
            raise Refusal(400, "id_mismatch", "The address does not match the bundle's id.")
        if claimed.agency_id != self.home.agency_id:
            raise Refusal(421, "wrong_agency", "This bundle is addressed to another agency.")
        if claimed.kind != KIND_CASE:
            raise Refusal(400, "invalid", "Only case bundles can be sent to the inbox.")
        digest = sha256_hex(data)
        known = self._signers.get(claimed.device_id)
        if known is not None:
            try:
                opened, ingest = self._open(data, members, claimed.device_id, known, limit)
            except Refusal:
                pass  # decided again below, in the careful order
            else:
                try:
                    return self._store_retrying(opened, data, digest, ingest, app_version, known)
                except _SignerChanged:
                    pass
        stored, device = self._stored_and_device(bundle_id, claimed.device_id)
        if stored is not None and stored[0] == digest:
            return self._current_receipt(stored[1], stored[2])  # a retry: the same receipt
        self._signers.put(device.device_id, device.signing_public_key)
        opened, ingest = self._open(
            data, members, device.device_id, device.signing_public_key, limit
        )
        try:
            return self._store_retrying(
                opened, data, digest, ingest, app_version, device.signing_public_key
            )
        except _SignerChanged as exc:  # the device row changed in between: never seen
            raise Refusal(503, "busy", "The inbox is busy; try again.") from exc

    def _open(
        self, data: bytes, members: dict[str, bytes], device_id: str, signer: str, limit: int
    ) -> tuple[OpenedBundle, _Ingest]:
        """Verify (and, holding the age key, decrypt and rebuild) before any write."""
        try:
            opened = open_bundle(
                data,
                signer_public_key=signer,
                identity=self.home.age_identities or None,  # the inbox role: verify only
                expected_agency_id=self.home.agency_id,
                expected_device_id=device_id,
                expected_kind=KIND_CASE,
                max_size=limit,
                members=members,
            )
        except BundleError as exc:
            status, code = (401, "bad_signature") if exc.check == "signature" else (400, "invalid")
            raise Refusal(status, code, exc.message) from exc
        return opened, self._ingest(opened)  # outside the write lock: decrypt, rebuild, check

    def _store_retrying(
        self,
        opened: OpenedBundle,
        data: bytes,
        digest: str,
        ingest: _Ingest,
        app_version: str,
        signer: str,
    ) -> SignedDocument:
        for _attempt in range(3):  # a concurrent twin may win the insert; then re-decide
            try:
                return self._store(
                    opened.manifest,
                    data,
                    digest,
                    ingest,
                    opened.extras,
                    app_version[:40],
                    signer=signer,
                )
            except self.db.IntegrityError:
                continue
        raise Refusal(503, "busy", "The inbox is busy; try again.")

    def _stored_and_device(
        self, bundle_id: str, device_id: str
    ) -> tuple[tuple[str, bytes, bytes] | None, Device]:
        """What is stored under this id (a retry?) and the active sender, in one read."""
        with self.db.transaction() as cur:
            row = cur.one(
                "SELECT sha256, receipt_body, receipt_signature FROM bundles WHERE bundle_id = ?",
                (bundle_id,),
            )
            dev = cur.one(
                "SELECT device_id, assessor_id, signing_public_key, age_recipient, "
                "revoked_at FROM devices WHERE device_id = ?",
                (device_id,),
            )
        stored = None if row is None else (row[0], row[1], row[2])
        if stored is not None and dev is not None:
            return stored, _device(dev)
        if dev is None:
            raise Refusal(403, "unknown_device", "This device is not enrolled with the agency.")
        device = _device(dev)
        if device.revoked:
            raise Refusal(410, "device_revoked", "The agency has revoked this device.")
        return stored, device

    def _ingest(self, opened: OpenedBundle) -> _Ingest:
        """The case state this bundle leads to, checked before anything is written."""
        m = opened.manifest
        inline: dict[str, bytes] = {}
        if opened.change is None and opened.case_document is None:
            # the inbox role holds no decryption key: kept as it came; the console works
            # out its state when it first reads the case (case_state.index_pending)
            return _Ingest(
                state=None, sha="", base="", blobs=[], inline={}, format_version=m.format_version
            )
        if opened.change is None:  # format version 1: the whole case, attachments inside
            state = dict(opened.case_document["case"]) if opened.case_document else {}
            base = ""
            by_id = {a.get("id"): a.get("sha256", "") for a in state.get("attachments", [])}
            inline = {by_id.get(k) or sha256_hex(v): v for k, v in opened.attachments.items()}
        else:
            change = opened.change
            base = change.base_sha256
            if change.full is not None:
                state = change.full
            else:
                found = self._states.get(m.case_id, base)
                if found is None:
                    with self.db.transaction() as cur:
                        found = case_state.state_for(cur, self.home, m.case_id, base)
                if found is None:
                    raise Refusal(
                        409,
                        "base_unknown",
                        "The inbox does not hold the case "
                        "version this change was made against; send the whole case.",
                    )
                try:
                    state = changes.apply(found, change.ops_as_dicts(), share=True)
                except changes.ChangeError as exc:
                    raise Refusal(
                        422, "change_invalid", "The change does not apply to the case it names."
                    ) from exc
        sha = changes.state_sha256(state)  # once: the canonical JSON of the whole case
        if opened.change is not None and sha != opened.change.state_sha256:
            raise Refusal(422, "change_invalid", "The rebuilt case does not match the laptop's.")
        blobs = sorted({a.get("sha256", "") for a in state.get("attachments", [])} - {""})
        return _Ingest(
            state=state,
            sha=sha,
            base=base,
            blobs=blobs,
            inline=inline,
            format_version=m.format_version,
        )

    def _store(
        self,
        m: Any,
        data: bytes,
        digest: str,
        ingest: _Ingest,
        extras: dict[str, bytes] | None = None,
        app_version: str = "",
        *,
        signer: str,
    ) -> SignedDocument:
        """The one write of an upload. ``signer``: the key the bundle was verified with;
        if the device row no longer holds it (or is gone), ``_SignerChanged``."""
        from homestudy.agency.messages import REVIEW_REPLIES, record_replies

        alert: tuple[str, str] | None = None
        # signed before the write, not while holding the device row (SQLite: the whole
        # database); returned only once the row that names it is committed
        received_at = now_iso()
        receipt = make_receipt(
            self.home.receipt_secret,  # the receipt key: the inbox holds no other
            Receipt(
                bundle_id=m.bundle_id,
                sha256=digest,
                size=len(data),
                received_at=received_at,
                agency_id=self.home.agency_id,
                device_id=m.device_id,
                sequence=m.sequence,
            ),
        )
        try:
            with self.db.transaction(immediate=True) as cur:
                # one statement: the device (locked), whether this id is held (a retry or
                # a changed body) or this sequence used, and whether a whole state is due
                dev = cur.one(
                    "SELECT revoked_at, last_sequence, last_bundle_id, last_sha256, "
                    "signing_public_key, (SELECT sha256 FROM bundles WHERE bundle_id = ?), "
                    "(SELECT bundle_id FROM bundles WHERE device_id = ? AND sequence = ?), "
                    f"{case_state.SNAPSHOT_COLUMNS} FROM devices WHERE device_id = ?"
                    + (" FOR UPDATE" if cur.dialect == "postgresql" else ""),
                    (
                        m.bundle_id,
                        m.device_id,
                        m.sequence,
                        *case_state.snapshot_params(m.case_id),
                        m.device_id,
                    ),
                )
                if dev is None or dev[4] != signer:
                    raise _SignerChanged()
                if dev[0] is not None:
                    raise Refusal(410, "device_revoked", "The agency has revoked this device.")
                if dev[5] is not None:
                    if dev[5] == digest:
                        held = cur.one(
                            "SELECT receipt_body, receipt_signature FROM bundles "
                            "WHERE bundle_id = ?",
                            (m.bundle_id,),
                        )
                        if held is not None:  # (the device row is locked: it is)
                            return self._current_receipt(held[0], held[1])
                    raise Refusal(
                        409,
                        "bundle_conflict",
                        "A different bundle was already received under this id.",
                    )
                last_seq, last_id, last_sha = int(dev[1]), dev[2], dev[3]
                if dev[6] is not None:
                    alert = (
                        "sequence_reused",
                        f"sequence {m.sequence} arrived after {last_seq}: the laptop may "
                        "have been copied or restored from a backup",
                    )
                    raise Refusal(
                        422,
                        "sequence_reused",
                        "This device already sent a bundle with that sequence number.",
                    )
                if m.sequence == last_seq + 1 and (m.previous_bundle_id, m.previous_sha256) != (
                    last_id,
                    last_sha,
                ):
                    alert = ("chain_broken", f"sequence {m.sequence} does not follow {last_id}")
                    raise Refusal(
                        422,
                        "chain_broken",
                        "This bundle does not follow the device's previous bundle.",
                    )
                missing = _incomplete_blobs(
                    cur, [b for b in ingest.blobs if b not in ingest.inline]
                )
                if missing:
                    raise Refusal(
                        409,
                        "attachment_missing",
                        f"{len(missing)} attachment(s) of this case have not arrived "
                        "yet; send them first.",
                    )
                for blob_sha, blob_data in ingest.inline.items():
                    self._keep_whole_blob(cur, blob_sha, blob_data)
                cur.execute(
                    "INSERT INTO bundles (bundle_id, device_id, sequence, case_id, "
                    "case_reference, sha256, size, data, received_at, receipt_body, "
                    "receipt_signature, format_version, base_sha256, state_sha256) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        m.bundle_id,
                        m.device_id,
                        m.sequence,
                        m.case_id,
                        m.case_reference,
                        digest,
                        len(data),
                        data,
                        received_at,
                        receipt.body,
                        receipt.signature,
                        ingest.format_version,
                        ingest.base,
                        ingest.sha,
                    ),
                )
                if ingest.state is not None and (
                    not ingest.base or case_state.snapshot_due_from(dev[7], int(dev[8] or 0) + 1)
                ):
                    case_state.keep_state(
                        cur,
                        self.home,
                        case_id=m.case_id,
                        state=ingest.state,
                        sha=ingest.sha,
                        bundle_id=m.bundle_id,
                        device_id=m.device_id,
                        received_at=received_at,
                        blobs=ingest.blobs,
                    )
                if ingest.state is not None:
                    self._states.put(m.case_id, ingest.sha, ingest.state)
                if m.sequence > last_seq:  # an earlier one arriving late fills its gap
                    cur.execute(
                        "UPDATE devices SET last_sequence = ?, last_bundle_id = ?, "
                        "last_sha256 = ?, app_version = COALESCE(NULLIF(?, ''), app_version) "
                        "WHERE device_id = ?",
                        (m.sequence, m.bundle_id, digest, app_version, m.device_id),
                    )
                if extras and REVIEW_REPLIES in extras:
                    record_replies(
                        cur,
                        device_id=m.device_id,
                        bundle_id=m.bundle_id,
                        case_id=m.case_id,
                        raw=extras[REVIEW_REPLIES],
                    )
                return receipt
        except Refusal:
            if alert is not None:
                self._alert(alert[0], m.device_id, m.bundle_id, m.sequence, alert[1])
            raise

    # ----------------------------------------------------------------- attachments

    def blob_status(self, sha256: str, size: int) -> BlobStatus:
        """What the inbox holds of one attachment (``received`` bytes from the start)."""
        _check_blob_id(sha256, size, self.home.config.max_blob_size)
        with self.db.transaction() as cur:
            row = cur.one(
                "SELECT size, received, completed_at FROM blobs WHERE sha256 = ?", (sha256,)
            )
        if row is None:
            return BlobStatus(sha256=sha256, size=size, received=0, complete=False)
        return BlobStatus(
            sha256=sha256, size=int(row[0]), received=int(row[1]), complete=row[2] is not None
        )

    def put_chunk(self, sha256: str, size: int, offset: int, data: bytes) -> BlobStatus:
        """Keep one chunk (age ciphertext to the agency) that starts at ``offset``.

        Chunks must come in order: one at another offset gets 409 with what the inbox
        holds, so the laptop resends from there and nothing twice.
        """
        _check_blob_id(sha256, size, self.home.config.max_blob_size)
        try:
            if self.home.role == "inbox":  # no key: the length from the age file's shape
                plain_size = plaintext_size(data)
            else:
                plain_size = len(
                    pyrage.decrypt(
                        data, [x25519.Identity.from_str(i) for i in self.home.age_identities]
                    )
                )
        except Exception as exc:
            raise Refusal(
                400, "invalid", "The attachment chunk is not encrypted to this agency."
            ) from exc
        if not plain_size or offset + plain_size > size:
            raise Refusal(400, "invalid", "The attachment chunk is past its end.")
        with self.db.transaction(immediate=True) as cur:
            row = cur.one(
                "SELECT size, received, completed_at FROM blobs WHERE sha256 = ?"
                + (" FOR UPDATE" if cur.dialect == "postgresql" else ""),
                (sha256,),
            )
            if row is None:
                try:
                    cur.execute(
                        "INSERT INTO blobs (sha256, size, received, created_at) "
                        "VALUES (?, ?, 0, ?)",
                        (sha256, size, now_iso()),
                    )
                except self.db.IntegrityError as exc:
                    raise Refusal(503, "busy", "The inbox is busy; try again.") from exc
                row = (size, 0, None)
            held, received, done = int(row[0]), int(row[1]), row[2]
            if held != size:
                raise Refusal(409, "blob_conflict", "The attachment's size does not match.")
            if done is not None or offset != received:
                return BlobStatus(
                    sha256=sha256, size=size, received=received, complete=done is not None
                )
            cur.execute(
                "INSERT INTO blob_chunks (sha256, offset_bytes, size, data) VALUES (?, ?, ?, ?)",
                (sha256, offset, plain_size, data),
            )
            received += plain_size
            completed = None
            if received == size:
                completed = now_iso()
            cur.execute(
                "UPDATE blobs SET received = ?, completed_at = ? WHERE sha256 = ?",
                (received, completed, sha256),
            )
        # the inbox role cannot decrypt: the console checks the hash when it reads it
        if completed is not None and self.home.role != "inbox" and not self._blob_matches(sha256):
            with self.db.transaction(immediate=True) as cur:  # start again from nothing
                cur.execute("DELETE FROM blob_chunks WHERE sha256 = ?", (sha256,))
                cur.execute("DELETE FROM blobs WHERE sha256 = ?", (sha256,))
            raise Refusal(
                422,
                "blob_mismatch",
                "The attachment did not match its hash; it will be sent again.",
            )
        return BlobStatus(
            sha256=sha256, size=size, received=received, complete=completed is not None
        )

    def _blob_matches(self, sha256: str) -> bool:
        try:
            case_state.read_blob(self.db, self.home, sha256)
        except Exception:
            return False
        return True

    def _keep_whole_blob(self, cur: Cursor, sha256: str, data: bytes) -> None:
        """An attachment that came inside a version 1 bundle, kept like an uploaded one."""
        if cur.one("SELECT 1 FROM blobs WHERE sha256 = ?", (sha256,)) is not None:
            return
        sealed = pyrage.encrypt(data, [x25519.Recipient.from_str(self.home.age_recipient)])
        cur.execute(
            "INSERT INTO blobs (sha256, size, received, created_at, completed_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (sha256, len(data), len(data), now_iso(), now_iso()),
        )
        if data:
            cur.execute(
                "INSERT INTO blob_chunks (sha256, offset_bytes, size, data) VALUES (?, ?, ?, ?)",
                (sha256, 0, len(data), sealed),
            )

    # ----------------------------------------------------------------- retention

    def compact(self, now: datetime | None = None) -> dict[str, int]:
        """Apply the agency's retention: superseded change sets older than
        ``retention_days`` go (each case's latest always stays, with the whole state it
        leads to), and attachments no kept state refers to go with them."""
        days = self.home.config.retention_days
        removed = {"bundles": 0, "blobs": 0}
        if days <= 0 or not self.home.age_identities:
            # without the key (the inbox role) nothing can be read, so nothing can be
            # told superseded: a latest change set may need every one before it
            return removed
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat()
        with self.db.transaction(immediate=True) as cur:
            latest = {
                r[0]: r[1]
                for r in cur.all("SELECT case_id, MAX(received_at) FROM bundles GROUP BY case_id")
            }
            old_cases = {
                r[0]
                for r in cur.all(
                    "SELECT DISTINCT case_id FROM bundles WHERE received_at < ?", (cutoff,)
                )
            }
            for case_id in old_cases:  # the replies each change set carries, kept first
                case_state.index_pending(cur, self.home, case_id)
            # a change set not read yet (no key here to read it) stays: its replies and
            # the states after it may still need it
            old = cur.all(
                "SELECT bundle_id, case_id, received_at FROM bundles WHERE received_at < ? "
                "AND (state_sha256 != '' OR format_version < 2)",
                (cutoff,),
            )
            kept_whole: set[str] = set()
            for case_id in {r[1] for r in old}:  # keep each latest whole, then the chain can go
                row = cur.one(
                    "SELECT bundle_id, device_id, received_at, state_sha256 FROM "
                    "bundles WHERE case_id = ? AND received_at = ?",
                    (case_id, latest[case_id]),
                )
                state = (
                    case_state.state_for(cur, self.home, case_id, row[3])
                    if row and row[3]
                    else None
                )
                if row is None or state is None:
                    continue
                blobs = sorted({a.get("sha256", "") for a in state.get("attachments", [])} - {""})
                case_state.keep_state(
                    cur,
                    self.home,
                    case_id=case_id,
                    state=state,
                    sha=row[3],
                    bundle_id=row[0],
                    device_id=row[1],
                    received_at=row[2],
                    blobs=blobs,
                )
                kept_whole.add(case_id)
            for bundle_id, case_id, received_at in old:
                # only once the latest state is kept whole: else the chain is the case
                if case_id in kept_whole and latest.get(case_id) != received_at:
                    cur.execute("DELETE FROM bundles WHERE bundle_id = ?", (bundle_id,))
                    removed["bundles"] += 1
            kept: set[str] = set()
            for (blobs,) in cur.all("SELECT blobs FROM case_states"):
                kept |= set(json.loads(blobs))
            for (sha,) in cur.all("SELECT sha256 FROM blobs WHERE created_at < ?", (cutoff,)):
                if sha not in kept:
                    cur.execute("DELETE FROM blob_chunks WHERE sha256 = ?", (sha,))
                    cur.execute("DELETE FROM blobs WHERE sha256 = ?", (sha,))
                    removed["blobs"] += 1
        return removed

    def _alert(self, kind: str, device_id: str, bundle_id: str, seq: int, detail: str) -> None:
        with self.db.transaction(immediate=True) as cur:
            cur.execute(
                "INSERT INTO alerts (created_at, kind, device_id, bundle_id, sequence, "
                "detail) VALUES (?, ?, ?, ?, ?, ?)",
                (now_iso(), kind, device_id, bundle_id, seq, detail),
            )

    def _current_receipt(self, body: bytes, signature: bytes) -> SignedDocument:
        """A stored receipt, its signature renewed if the agency has since rotated its
        receipt key (the device trusts only the new key once it has the new list)."""
        try:
            keys.verify(self.home.receipt_public, body, signature)
            return SignedDocument(body, signature)
        except ValueError:
            comment = f"homestudy receipt {json.loads(body)['bundle_id']}"
            return SignedDocument(body, keys.sign(self.home.receipt_secret, body, comment))

    def current_key_list(self) -> SignedDocument:
        return self.published_key_lists()[-1]

    def published_key_lists(self) -> list[SignedDocument]:
        """The lists that rotated the signing key, oldest first, then the current list
        (what ``GET /keys`` sends, so a device that missed a rotation can follow)."""
        with self.db.transaction() as cur:
            rows = cur.all(
                "SELECT body, signature, extra_signatures FROM key_lists ORDER BY version"
            )
        if not rows:
            raise Refusal(503, "no_key_list", "The agency has not published its keys.")
        docs = [
            SignedDocument(r[0], r[1], tuple(s.encode("ascii") for s in json.loads(r[2] or "[]")))
            for r in rows
        ]
        chain, previous = [], None
        for doc in docs[:-1]:
            signer = json.loads(doc.body).get("signing_public_key")
            if previous is not None and signer != previous:
                chain.append(doc)
            previous = signer
        return [*chain, docs[-1]]

    def key_lists_wire(self, have: int | None = None) -> dict[str, Any]:
        """What ``GET /keys`` sends; ``{"unchanged": N}`` when the device already has
        the current version ``N`` (saves the whole list on every round)."""
        *chain, current = self.published_key_lists()
        if have is not None and json.loads(current.body).get("version") == have:
            return {"unchanged": have}
        wire = current.to_wire()
        if chain:
            wire["chain"] = [doc.to_wire() for doc in chain]
        return wire

    def poll(self, device_id: str, have: int | None, after: int, last: str = "") -> dict[str, Any]:
        """What ``GET /devices/{id}/poll`` answers: the key list (or ``unchanged``), where
        the device's chain ends and what waits for it, in one signed request a round."""
        return {
            "keys": self.key_lists_wire(have),
            "device": self.sequence_state(device_id),
            "assignments": self.assignments(device_id, after, last),
        }

    def assignments(self, device_id: str, after: int, last: str = "") -> list[dict[str, Any]]:
        """What waits for a device after ``after``; asking acknowledges ``after``/``last``
        (``homestudy.agency.messages.acknowledge``)."""
        import base64

        from homestudy.agency.messages import acknowledge

        acknowledge(self.db, self.home, device_id, after, last)
        with self.db.transaction() as cur:
            rows = cur.all(
                "SELECT bundle_id, sequence, data, kind FROM assignments WHERE "
                "device_id = ? AND sequence > ? ORDER BY sequence",
                (device_id, after),
            )
        return [
            {
                "bundle_id": r[0],
                "sequence": int(r[1]),
                "kind": r[3],
                "data": base64.b64encode(r[2]).decode("ascii"),
            }
            for r in rows
        ]


class _StateCache:
    """The last few case states this process rebuilt: the next change set of a case is
    almost always made against the state its previous one led to."""

    def __init__(self, size: int = 256) -> None:
        import threading
        from collections import OrderedDict

        self._items: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._size, self._lock = size, threading.Lock()

    def get(self, case_id: str, sha: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._items.get((case_id, sha))
            if found is not None:
                self._items.move_to_end((case_id, sha))
            return found  # callers never change a state in place (changes.apply copies)

    def put(self, case_id: str, sha: str, state: dict[str, Any]) -> None:
        with self._lock:
            self._items[(case_id, sha)] = state
            self._items.move_to_end((case_id, sha))
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(frozen=True)
class _Ingest:
    state: dict[str, Any] | None  # None: the inbox role, which cannot decrypt (deferred)
    sha: str
    base: str
    blobs: list[str]
    inline: dict[str, bytes]
    format_version: int


def _device(row: Any) -> Device:
    """A ``Device`` from (device_id, assessor_id, signing_public_key, age_recipient,
    revoked_at), the columns every device read here selects in that order."""
    return Device(row[0], row[1], row[2], row[3], revoked=row[4] is not None)


class _SignerChanged(Exception):
    """The device row no longer holds the key a bundle was verified with (or is gone)."""


class _Signers:
    """Devices' signing public keys seen by this process (a key never changes under a
    device id; the write re-reads it anyway, so this only saves a read per upload)."""

    def __init__(self, size: int = 4096) -> None:
        import threading

        self._keys: dict[str, str] = {}
        self._size, self._lock = size, threading.Lock()

    def get(self, device_id: str) -> str | None:
        return self._keys.get(device_id)

    def put(self, device_id: str, key: str) -> None:
        with self._lock:
            if len(self._keys) >= self._size and device_id not in self._keys:
                self._keys.pop(next(iter(self._keys)))  # the oldest seen
            self._keys[device_id] = key


def _incomplete_blobs(cur: Cursor, wanted: list[str]) -> list[str]:
    """Those of ``wanted`` the inbox does not hold complete (one statement per 500)."""
    complete: set[str] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        complete |= {
            r[0]
            for r in cur.all(
                "SELECT sha256 FROM blobs WHERE completed_at IS NOT NULL AND sha256 IN ("
                + ", ".join("?" * len(part))
                + ")",
                part,
            )
        }
    return [b for b in wanted if b not in complete]


def _check_blob_id(sha256: str, size: int, limit: int) -> None:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise Refusal(400, "invalid", "An attachment is named by its SHA-256 in hex.")
    if size < 1 or size > limit:
        raise Refusal(413, "too_large", "The attachment is larger than the inbox accepts.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
