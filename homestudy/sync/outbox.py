"""The durable outbox, inside the vault (tables from migration m0002).

A case edit marks the case (``watch`` installs the vault change listener). A sync
round then *freezes* each marked case into a bundle: the per-device sequence number
is taken, the bundle's bytes are built and stored, and the mark is cleared, all in
one vault transaction, so a retry resends exactly the same bytes and a crash either
leaves the mark or the frozen bundle. A bundle leaves the outbox only in the
transaction that stores its verified receipt.

A bundle carries a change set (``homestudy.sync.changes``) from the case as the agency
last signed a receipt for it (``sync_case_base``) to the case now; with no such base,
the whole case. A case has at most one bundle waiting: freezing it again replaces the
waiting one by a change set from the same base to the newest case, so edits made while
offline merge and the outbox stays the size of one change per case.
"""

from __future__ import annotations

import gzip
import json
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from homestudy.errors import InboxUnavailableError, NotFoundError
from homestudy.model import CASE_FORMAT_VERSION, AgencyProfile, Case
from homestudy.serial import from_jsonable, to_jsonable
from homestudy.sync import changes
from homestudy.sync.bundle import KIND_CASE, Manifest, build_change_bundle, sha256_hex
from homestudy.sync.signed import Receipt, SignedDocument
from homestudy.sync.wire import CHANGE_FORMAT, CHANGE_FORMAT_VERSION, BlobRef, ChangeSet, Op
from homestudy.sync.wire import encode as wire_encode

BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
WAITING, REFUSED = "waiting", "refused"

_PROFILE_COLUMNS = (
    "id, profile, agency_signing_public_key, agency_age_recipient, device_signing_secret, "
    "device_age_identity, enrol_token, registered, revoked, key_list_version, "
    "key_list_expires_at, next_sequence, last_bundle_id, last_bundle_sha256, "
    "last_assignment_sequence, last_synced_at, last_error, last_warning, "
    "agency_receipt_public_key"
)


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ProfileState:
    """One agency profile as the sync code sees it (private keys included)."""

    profile: AgencyProfile
    agency_signing_public_key: str
    agency_age_recipient: str
    device_signing_secret: str
    device_age_identity: str
    enrol_token: str
    registered: bool
    revoked: bool
    key_list_version: int
    key_list_expires_at: str
    next_sequence: int
    last_bundle_id: str
    last_bundle_sha256: str
    last_assignment_sequence: int
    last_synced_at: str
    last_error: str
    last_warning: str
    # the key receipts must verify with, from the newest key list: "" = the signing key
    agency_receipt_public_key: str = ""

    @property
    def id(self) -> str:
        return self.profile.id

    @property
    def receipt_key(self) -> str:
        return self.agency_receipt_public_key or self.agency_signing_public_key


@dataclass(frozen=True)
class OutboxItem:
    bundle_id: str
    profile_id: str
    case_id: str
    sequence: int
    data: bytes
    sha256: str
    attempts: int
    state: str
    last_error: str
    result_sha256: str = ""
    blobs: tuple[tuple[str, int], ...] = ()  # (sha256, size) of every attachment it needs


@dataclass(frozen=True)
class AgencyStatus:
    """What the app shows per agency: offline / N waiting / last synced, in plain words."""

    profile_id: str
    agency_name: str
    waiting: int
    refused: int
    registered: bool
    revoked: bool
    last_synced_at: str
    last_error: str
    last_warning: str

    @property
    def offline(self) -> bool:
        return self.last_error == InboxUnavailableError().message


# --------------------------------------------------------------------------- marks


_watched: weakref.WeakKeyDictionary[Any, Callable[[], None]] = weakref.WeakKeyDictionary()


def watch(vault: Any) -> Callable[[], None]:
    """Mark every committed case change for sync; returns the function that stops it.

    Idempotent per vault object, so callers need not track whether they already did.
    """
    stop = _watched.get(vault)
    if stop is None:
        ref = weakref.ref(vault)  # the registry must not keep a closed vault alive

        def changed(case_id: str) -> None:
            target = ref()
            if target is not None:
                mark_dirty(target, case_id)

        remove = vault.add_change_listener(changed)

        def stop() -> None:
            remove()
            target = ref()
            if target is not None:
                _watched.pop(target, None)

        _watched[vault] = stop
    return stop


def mark_dirty(vault: Any, case_id: str) -> None:
    with vault.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_dirty (case_id, version, marked_at) VALUES (?, 1, ?) "
            "ON CONFLICT (case_id) DO UPDATE SET version = version + 1, "
            "marked_at = excluded.marked_at",
            (case_id, now_utc().isoformat()),
        )


def dirty_cases(vault: Any) -> list[tuple[str, int]]:
    with vault.reading() as conn:
        return [
            (r[0], int(r[1]))
            for r in conn.execute("SELECT case_id, version FROM sync_dirty ORDER BY marked_at")
        ]


def clear_dirty(vault: Any, case_id: str, version: int | None = None) -> None:
    with vault.transaction() as conn:
        if version is None:
            conn.execute("DELETE FROM sync_dirty WHERE case_id = ?", (case_id,))
        else:
            conn.execute(
                "DELETE FROM sync_dirty WHERE case_id = ? AND version = ?", (case_id, version)
            )


# --------------------------------------------------------------------------- profiles


def add_profile(vault: Any, state: ProfileState) -> None:
    with vault.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_profiles (id, agency_id, profile, agency_signing_public_key, "
            "agency_age_recipient, device_signing_secret, device_age_identity, enrol_token) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                state.id,
                state.profile.agency_id,
                _profile_json(state.profile),
                state.agency_signing_public_key,
                state.agency_age_recipient,
                state.device_signing_secret,
                state.device_age_identity,
                state.enrol_token,
            ),
        )


def profiles(vault: Any) -> list[ProfileState]:
    with vault.reading() as conn:
        rows = conn.execute(f"SELECT {_PROFILE_COLUMNS} FROM sync_profiles ORDER BY rowid")
        return [_state(r) for r in rows.fetchall()]


def profile(vault: Any, profile_id: str) -> ProfileState:
    with vault.reading() as conn:
        row = conn.execute(
            f"SELECT {_PROFILE_COLUMNS} FROM sync_profiles WHERE id = ?", (profile_id,)
        ).fetchone()
    if row is None:
        raise NotFoundError("That agency is not set up on this laptop.")
    return _state(row)


def find_by_agency(vault: Any, agency_id: str) -> ProfileState | None:
    with vault.reading() as conn:
        row = conn.execute(
            f"SELECT {_PROFILE_COLUMNS} FROM sync_profiles WHERE agency_id = ?", (agency_id,)
        ).fetchone()
    return None if row is None else _state(row)


def update_profile(vault: Any, profile_id: str, **values: Any) -> None:
    allowed = set(_PROFILE_COLUMNS.replace(" ", "").split(",")) - {"id"}
    if not values or not set(values) <= allowed:
        raise ValueError(f"unknown profile columns: {set(values) - allowed}")
    if "profile" in values and isinstance(values["profile"], AgencyProfile):
        values["profile"] = _profile_json(values["profile"])
    sets = ", ".join(f"{k} = ?" for k in values)
    with vault.transaction() as conn:
        conn.execute(
            f"UPDATE sync_profiles SET {sets} WHERE id = ?", (*values.values(), profile_id)
        )


def statuses(vault: Any) -> list[AgencyStatus]:
    with vault.reading() as conn:
        counts = {
            (r[0], r[1]): int(r[2])
            for r in conn.execute(
                "SELECT profile_id, state, count(*) FROM sync_outbox GROUP BY profile_id, state"
            )
        }
    return [
        AgencyStatus(
            profile_id=p.id,
            agency_name=p.profile.name,
            waiting=counts.get((p.id, WAITING), 0),
            refused=counts.get((p.id, REFUSED), 0),
            registered=p.registered,
            revoked=p.revoked,
            last_synced_at=p.last_synced_at,
            last_error=p.last_error,
            last_warning=p.last_warning,
        )
        for p in profiles(vault)
    ]


# --------------------------------------------------------------------------- bundles


def freeze(
    vault: Any,
    state: ProfileState,
    case: Case,
    dirty_version: int | None,
    extras: dict[str, bytes] | None = None,
    replies_at: str = "",
) -> str | None:
    """Store the case's change set in the outbox, replacing any still waiting, in one
    transaction; None when the agency already has this very case and no extras are new.
    ``extras``: further payload members (``review_replies.json``: the replies newer than
    the base's, ``replies_sent_up_to``); ``replies_at``: the newest reply they carry,
    which becomes the base's once the agency signs a receipt for this bundle."""
    current = to_jsonable(case)
    current_sha = changes.state_sha256(current)
    extras = dict(extras or {})
    extras_sha = _extras_sha256(extras)
    with vault.transaction() as conn:
        base = conn.execute(
            "SELECT bundle_id, state_sha256, state, extras_sha256 FROM "
            "sync_case_base "
            "WHERE profile_id = ? AND case_id = ?",
            (state.id, case.id),
        ).fetchone()
        waiting = conn.execute(
            "SELECT bundle_id, result_sha256, state, extras_sha256 FROM "
            "sync_outbox "
            "WHERE profile_id = ? AND case_id = ?",
            (state.id, case.id),
        ).fetchall()
        if dirty_version is not None:
            conn.execute(
                "DELETE FROM sync_dirty WHERE case_id = ? AND version = ?", (case.id, dirty_version)
            )
        if base is not None and base[1] == current_sha and not extras:
            # back to what the agency has (an edit undone), no new replies: nothing to go
            conn.execute(
                "DELETE FROM sync_outbox WHERE profile_id = ? AND case_id = ?", (state.id, case.id)
            )
            return None
        if [(w[1], w[2], w[3]) for w in waiting] == [(current_sha, WAITING, extras_sha)]:
            return str(waiting[0][0])  # the waiting bundle already says exactly this
        for old_id, *_rest in waiting:  # merged into the change set made here
            conn.execute("DELETE FROM sync_outbox WHERE bundle_id = ?", (old_id,))
        blobs = sorted({(a.sha256, a.size) for a in case.attachments})
        if base is None:
            change = ChangeSet(
                format=CHANGE_FORMAT,
                format_version=CHANGE_FORMAT_VERSION,
                case_id=case.id,
                case_format_version=CASE_FORMAT_VERSION,
                state_sha256=current_sha,
                full=current,
            )
            listed = blobs
        else:
            base_case = json.loads(gzip.decompress(bytes(base[2])))
            ops = changes.diff(base_case, current)
            # only the contents new since the base: the case's attachments list them all,
            # and a list of every one would grow each edit's bundle with the case
            had = {(a.get("sha256"), a.get("size")) for a in base_case.get("attachments", [])}
            listed = [b for b in blobs if b not in had]
            change = ChangeSet(
                format=CHANGE_FORMAT,
                format_version=CHANGE_FORMAT_VERSION,
                case_id=case.id,
                case_format_version=CASE_FORMAT_VERSION,
                state_sha256=current_sha,
                base_bundle_id=base[0],
                base_sha256=base[1],
                ops=[_op(o) for o in ops],
            )
        change = _with_blobs(change, listed)
        row = conn.execute(
            "SELECT next_sequence, last_bundle_id, last_bundle_sha256 FROM "
            "sync_profiles WHERE id = ?",
            (state.id,),
        ).fetchone()
        sequence, previous_id, previous_sha = int(row[0]), row[1], row[2]
        manifest = Manifest(
            bundle_id=str(uuid.uuid4()),
            kind=KIND_CASE,
            agency_id=state.profile.agency_id,
            device_id=state.profile.device_id,
            case_id=case.id,
            case_reference=case.reference,
            sequence=sequence,
            previous_bundle_id=previous_id,
            previous_sha256=previous_sha,
            created_at=now_utc().isoformat(),
        )
        data = build_change_bundle(
            manifest,
            change=wire_encode(change),
            signing_secret=state.device_signing_secret,
            recipient=state.agency_age_recipient,
            whole=base is None,
            extras=extras,
        )
        digest = sha256_hex(data)
        conn.execute(
            "INSERT INTO sync_outbox (bundle_id, profile_id, case_id, sequence, data, sha256, "
            "created_at, result_state, result_sha256, blobs, extras_sha256, replies_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                manifest.bundle_id,
                state.id,
                case.id,
                sequence,
                data,
                digest,
                manifest.created_at,
                gzip.compress(changes.canonical(current), mtime=0),
                current_sha,
                json.dumps(blobs),
                extras_sha,
                replies_at,
            ),
        )
        conn.execute(
            "UPDATE sync_profiles SET next_sequence = ?, last_bundle_id = ?, "
            "last_bundle_sha256 = ? WHERE id = ?",
            (sequence + 1, manifest.bundle_id, digest, state.id),
        )
    return manifest.bundle_id


def replies_sent_up_to(vault: Any, profile_id: str, case_id: str) -> str:
    """The newest review reply the agency has signed a receipt for in this case ('' when
    it holds none, or holds no base of the case: the next bundle then sends them all)."""
    with vault.reading() as conn:
        row = conn.execute(
            "SELECT replies_at FROM sync_case_base WHERE profile_id = ? AND case_id = ?",
            (profile_id, case_id),
        ).fetchone()
    return str(row[0]) if row else ""


def _extras_sha256(extras: dict[str, bytes]) -> str:
    """One hash of the extra members ('' for none): whether they changed since sent."""
    if not extras:
        return ""
    return sha256_hex(
        b"".join(
            sha256_hex(n.encode()).encode() + sha256_hex(d).encode()
            for n, d in sorted(extras.items())
        )
    )


def _op(raw: dict[str, Any]) -> Op:
    from homestudy.sync.wire import convert

    return convert(Op, raw)


def _with_blobs(change: ChangeSet, blobs: list[tuple[str, int]]) -> ChangeSet:
    import msgspec

    return msgspec.structs.replace(change, blobs=[BlobRef(sha256=h, size=n) for h, n in blobs])


def forget_base(vault: Any, profile_id: str, case_id: str) -> None:
    """The agency does not hold our base any more: the next bundle carries the whole case."""
    with vault.transaction() as conn:
        conn.execute(
            "DELETE FROM sync_case_base WHERE profile_id = ? AND case_id = ?", (profile_id, case_id)
        )
        conn.execute(
            "DELETE FROM sync_outbox WHERE profile_id = ? AND case_id = ?", (profile_id, case_id)
        )
    mark_dirty(vault, case_id)


def blobs_sent(vault: Any, profile_id: str) -> set[str]:
    with vault.reading() as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT sha256 FROM sync_blobs_sent WHERE profile_id = ?", (profile_id,)
            )
        }


def mark_blobs_sent(vault: Any, profile_id: str, hashes: list[str]) -> None:
    with vault.transaction() as conn:
        conn.executemany(
            "INSERT INTO sync_blobs_sent (profile_id, sha256) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(profile_id, h) for h in hashes],
        )


def forget_blobs(vault: Any, profile_id: str, hashes: list[str] | None = None) -> None:
    with vault.transaction() as conn:
        if hashes is None:
            conn.execute("DELETE FROM sync_blobs_sent WHERE profile_id = ?", (profile_id,))
        else:
            conn.executemany(
                "DELETE FROM sync_blobs_sent WHERE profile_id = ? AND sha256 = ?",
                [(profile_id, h) for h in hashes],
            )


CONVERT_AT = 8 * 1024 * 1024  # free space worth rewriting an older vault for, once


def reclaim_space(vault: Any) -> int:
    """Give the pages freed by receipts back to the file system; the bytes still free.

    A vault made since issue 13 has ``auto_vacuum = INCREMENTAL``: this frees pages a
    few at a time, cheaply. An older vault (``auto_vacuum = NONE``) can only change
    with a full VACUUM; it is converted once, the first time ``CONVERT_AT`` bytes are
    free, and incrementally from then on (measured: tests/test_sync_storage.py).
    """
    with vault.reading() as conn:
        mode = int(conn.execute("PRAGMA auto_vacuum").fetchone()[0])
        free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
    if free == 0:
        return 0
    if mode == 2:
        with vault.transaction() as conn:
            conn.execute("PRAGMA incremental_vacuum").fetchall()
    elif free * page >= CONVERT_AT:
        with vault.reading() as conn:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect with the VACUUM
        vault.reclaim()
    with vault.reading() as conn:
        return int(conn.execute("PRAGMA freelist_count").fetchone()[0]) * page


def pending(
    vault: Any, profile_id: str, *, force: bool = False, now: datetime | None = None
) -> list[OutboxItem]:
    """Bundles waiting to go, in sequence order (``force`` ignores the back-off)."""
    stamp = (now or now_utc()).isoformat()
    sql = f"SELECT {_ITEM_COLUMNS} FROM sync_outbox WHERE profile_id = ? AND state = ?"
    params: tuple[Any, ...] = (profile_id, WAITING)
    if not force:
        sql += " AND next_attempt_at <= ?"
        params += (stamp,)
    with vault.reading() as conn:
        rows = conn.execute(sql + " ORDER BY sequence", params).fetchall()
    return [_item(r) for r in rows]


def all_items(vault: Any, profile_id: str | None = None) -> list[OutboxItem]:
    sql = f"SELECT {_ITEM_COLUMNS} FROM sync_outbox"
    params: tuple[Any, ...] = ()
    if profile_id is not None:
        sql, params = sql + " WHERE profile_id = ?", (profile_id,)
    with vault.reading() as conn:
        rows = conn.execute(sql + " ORDER BY profile_id, sequence", params).fetchall()
    return [_item(r) for r in rows]


def record_receipt(vault: Any, item: OutboxItem, receipt: Receipt, doc: SignedDocument) -> None:
    """Keep the verified receipt and let the bundle leave the outbox, atomically."""
    with vault.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_receipts (bundle_id, profile_id, case_id, sequence, sha256, "
            "received_at, body, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (bundle_id) DO NOTHING",
            (
                item.bundle_id,
                item.profile_id,
                item.case_id,
                item.sequence,
                item.sha256,
                receipt.received_at,
                doc.body,
                doc.signature,
            ),
        )
        row = conn.execute(
            "SELECT result_state, extras_sha256, replies_at FROM sync_outbox WHERE bundle_id = ?",
            (item.bundle_id,),
        ).fetchone()
        if row is not None and item.result_sha256:  # the agency now holds this case
            conn.execute(
                "INSERT INTO sync_case_base (profile_id, case_id, bundle_id, state_sha256, "
                "state, extras_sha256, replies_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                "(profile_id, case_id) DO UPDATE SET bundle_id = excluded.bundle_id, "
                "state_sha256 = excluded.state_sha256, state = excluded.state, "
                "extras_sha256 = excluded.extras_sha256, replies_at = excluded.replies_at",
                (
                    item.profile_id,
                    item.case_id,
                    item.bundle_id,
                    item.result_sha256,
                    row[0],
                    row[1],
                    row[2],
                ),
            )
        conn.executemany(
            "INSERT INTO sync_blobs_sent (profile_id, sha256) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(item.profile_id, h) for h, _ in item.blobs],
        )
        conn.execute("DELETE FROM sync_outbox WHERE bundle_id = ?", (item.bundle_id,))


def record_failure(
    vault: Any, item: OutboxItem, message: str, *, refused: bool, now: datetime | None = None
) -> None:
    """Count a failed attempt; back off (capped), or park a refused bundle (kept)."""
    attempts = item.attempts + 1
    delay = min(BACKOFF_FIRST * (2 ** min(attempts - 1, 20)), BACKOFF_CAP)
    with vault.transaction() as conn:
        conn.execute(
            "UPDATE sync_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, "
            "state = ? WHERE bundle_id = ?",
            (
                attempts,
                ((now or now_utc()) + delay).isoformat(),
                message,
                REFUSED if refused else WAITING,
                item.bundle_id,
            ),
        )


def receipts(vault: Any, case_id: str | None = None) -> list[tuple[str, str, int, str]]:
    """(bundle id, case id, sequence, received at) of every kept receipt."""
    sql = "SELECT bundle_id, case_id, sequence, received_at FROM sync_receipts"
    params: tuple[Any, ...] = ()
    if case_id is not None:
        sql, params = sql + " WHERE case_id = ?", (case_id,)
    with vault.reading() as conn:
        return [
            (r[0], r[1], int(r[2]), r[3])
            for r in conn.execute(sql + " ORDER BY profile_id, sequence", params)
        ]


_ITEM_COLUMNS = (
    "bundle_id, profile_id, case_id, sequence, data, sha256, attempts, state, "
    "last_error, result_sha256, blobs"
)


def _item(r: Any) -> OutboxItem:
    return OutboxItem(
        r[0],
        r[1],
        r[2],
        int(r[3]),
        bytes(r[4]),
        r[5],
        int(r[6]),
        r[7],
        r[8],
        r[9],
        tuple((h, int(n)) for h, n in json.loads(r[10] or "[]")),
    )


def _profile_json(p: AgencyProfile) -> str:
    return json.dumps(to_jsonable(p))


def _state(row: Any) -> ProfileState:
    return ProfileState(
        profile=from_jsonable(AgencyProfile, json.loads(row[1])),
        agency_signing_public_key=row[2],
        agency_age_recipient=row[3],
        device_signing_secret=row[4],
        device_age_identity=row[5],
        enrol_token=row[6],
        registered=bool(row[7]),
        revoked=bool(row[8]),
        key_list_version=int(row[9]),
        key_list_expires_at=row[10],
        next_sequence=int(row[11]),
        last_bundle_id=row[12],
        last_bundle_sha256=row[13],
        last_assignment_sequence=int(row[14]),
        last_synced_at=row[15],
        last_error=row[16],
        last_warning=row[17],
        agency_receipt_public_key=row[18],
    )
