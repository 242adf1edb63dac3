"""A case as the agency has it: rebuilt from the chain of change sets it received.

The inbox keeps, for each case, a whole state every ``SNAPSHOT_EVERY`` change sets
(the last ``KEEP_STATES`` of them, encrypted to the agency's own age key,
``case_states``); any state is rebuilt from the nearest one before it by following
each change set's ``base_sha256`` back through the stored bundles. Attachments are
kept once by content hash (``blobs`` / ``blob_chunks``: the laptop's age ciphertext,
chunk by chunk).

    latest_case_state(db, home, case_id) -> CaseState | None
    case_ids(db) -> [case id]
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyrage
from pyrage import x25519

from homestudy.agency.db import Cursor, Database
from homestudy.agency.home import AgencyHome
from homestudy.errors import AgencyError
from homestudy.model import Case
from homestudy.serial import from_jsonable
from homestudy.sync import changes
from homestudy.sync.bundle import open_bundle, read_stored_change, read_stored_payload

KEEP_STATES = 2  # whole states kept per case; older ones are rebuilt from the chain
SNAPSHOT_EVERY = 8  # change sets between two whole states kept
MAX_DEPTH = 100_000


@dataclass(frozen=True)
class CaseState:
    """The latest whole case the agency holds, and where it came from."""

    case: dict[str, Any]  # the case as JSON (homestudy.serial); ``as_case()`` for a Case
    state_sha256: str
    revision: int  # how many change sets of this case the inbox holds up to this one
    received_at: str
    device_id: str
    bundle_id: str
    attachment_hashes: tuple[str, ...]
    _read: Callable[[str], bytes] = field(repr=False, compare=False)

    def attachment(self, sha256: str) -> bytes:
        """An attachment's bytes by content hash (checked against the hash)."""
        if sha256 not in self.attachment_hashes:
            raise KeyError(sha256)
        return self._read(sha256)

    def as_case(self) -> Case:
        return from_jsonable(Case, self.case)


# --------------------------------------------------------------------------- states


def seal_state(home: AgencyHome, state: dict[str, Any]) -> bytes:
    sealed: bytes = pyrage.encrypt(
        gzip.compress(changes.canonical(state), mtime=0),
        [x25519.Recipient.from_str(home.age_recipient)],
    )
    return sealed


def open_state(home: AgencyHome, data: bytes) -> dict[str, Any]:
    plain = pyrage.decrypt(data, [x25519.Identity.from_str(i) for i in home.age_identities])
    value = json.loads(gzip.decompress(plain))
    if not isinstance(value, dict):
        raise AgencyError("A stored case state is not readable.")
    return value


def stored_state(cur: Cursor, home: AgencyHome, case_id: str, sha: str) -> dict[str, Any] | None:
    row = cur.one(
        "SELECT data FROM case_states WHERE case_id = ? AND state_sha256 = ?", (case_id, sha)
    )
    return None if row is None else open_state(home, row[0])


def state_for(cur: Cursor, home: AgencyHome, case_id: str, sha: str) -> dict[str, Any] | None:
    """The case state with hash ``sha``: kept whole, or rebuilt from the stored chain."""
    pending: list[list[dict[str, Any]]] = []
    state: dict[str, Any] | None = None
    for _ in range(MAX_DEPTH):
        state = stored_state(cur, home, case_id, sha)
        if state is not None:
            break
        row = cur.one(
            "SELECT b.data, d.signing_public_key FROM bundles b JOIN devices d "
            "ON d.device_id = b.device_id WHERE b.case_id = ? AND b.state_sha256 = ? "
            "ORDER BY b.received_at LIMIT 1",
            (case_id, sha),
        )
        if row is None:
            return None
        change = read_stored_change(
            row[0], home.age_identities, max(home.config.max_bundle_size, len(row[0]))
        )
        if change is None:  # a format version 1 bundle: the whole case
            opened = open_bundle(
                row[0], signer_public_key=row[1], identity=home.age_identities, max_size=len(row[0])
            )
            state = dict(opened.case_document["case"]) if opened.case_document else None
            break
        if change.full is not None:
            state = change.full
            break
        pending.append(change.ops_as_dicts())
        sha = change.base_sha256
    if state is None:
        return None
    for ops in reversed(pending):
        state = changes.apply(state, ops)
    return state


#: columns for the upload's one read (``snapshot_params`` fill them): when the newest
#: whole state of a case was kept, and how many change sets came after it
SNAPSHOT_COLUMNS = (
    "(SELECT MAX(received_at) FROM case_states WHERE case_id = ?), "
    "(SELECT count(*) FROM bundles WHERE case_id = ? AND received_at > "
    "(SELECT MAX(received_at) FROM case_states WHERE case_id = ?))"
)


def snapshot_params(case_id: str) -> tuple[str, str, str]:
    return (case_id, case_id, case_id)


def snapshot_due_from(newest: str | None, count: int | None) -> bool:
    """Whether enough change sets followed the newest whole state to keep another:
    ``newest``, when it was kept (None: never); ``count``, change sets stored after it
    (the upload counts itself: it reads before its own insert)."""
    return newest is None or int(count or 0) + 1 >= SNAPSHOT_EVERY


def snapshot_due(cur: Cursor, case_id: str) -> bool:
    """``snapshot_due_from`` for one case, read on its own."""
    row = cur.one(f"SELECT {SNAPSHOT_COLUMNS}", snapshot_params(case_id))
    return row is None or snapshot_due_from(row[0], row[1])


def keep_state(
    cur: Cursor,
    home: AgencyHome,
    *,
    case_id: str,
    state: dict[str, Any],
    sha: str,
    bundle_id: str,
    device_id: str,
    received_at: str,
    blobs: list[str],
) -> None:
    """Keep this whole state and let go of all but the newest ``KEEP_STATES``."""
    if (
        cur.one("SELECT 1 FROM case_states WHERE case_id = ? AND state_sha256 = ?", (case_id, sha))
        is None
    ):
        cur.execute(
            "INSERT INTO case_states (case_id, state_sha256, bundle_id, device_id, "
            "received_at, blobs, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                sha,
                bundle_id,
                device_id,
                received_at,
                json.dumps(blobs),
                seal_state(home, state),
            ),
        )
    else:
        cur.execute(
            "UPDATE case_states SET bundle_id = ?, received_at = ? WHERE case_id = ? "
            "AND state_sha256 = ?",
            (bundle_id, received_at, case_id, sha),
        )
    old = cur.all(
        "SELECT state_sha256 FROM case_states WHERE case_id = ? ORDER BY received_at DESC",
        (case_id,),
    )[KEEP_STATES:]
    for (stale,) in old:
        cur.execute(
            "DELETE FROM case_states WHERE case_id = ? AND state_sha256 = ?", (case_id, stale)
        )


# --------------------------------------------------------------------------- blobs


def read_blob(db: Database, home: AgencyHome, sha256: str) -> bytes:
    identities = [x25519.Identity.from_str(i) for i in home.age_identities]
    with db.transaction() as cur:
        head = cur.one("SELECT size, completed_at FROM blobs WHERE sha256 = ?", (sha256,))
        if head is None or head[1] is None:
            raise AgencyError("That attachment has not fully arrived.")
        rows = cur.all(
            "SELECT offset_bytes, data FROM blob_chunks WHERE sha256 = ? ORDER BY offset_bytes",
            (sha256,),
        )
    data = b"".join(pyrage.decrypt(r[1], identities) for r in rows)
    if len(data) != int(head[0]) or hashlib.sha256(data).hexdigest() != sha256:
        raise AgencyError("A stored attachment does not match its hash.")
    return data


# --------------------------------------------------------------------------- queries


def case_ids(db: Database) -> list[str]:
    with db.transaction() as cur:
        return [r[0] for r in cur.all("SELECT DISTINCT case_id FROM bundles ORDER BY case_id")]


def index_pending(cur: Cursor, home: AgencyHome, case_id: str) -> int:
    """Fill in the state hashes of this case's bundles the inbox role stored without
    decrypting them (it holds no age key), and keep the review replies they carry; how
    many it filled in."""
    from homestudy.agency.messages import REVIEW_REPLIES, record_replies

    rows = cur.all(
        "SELECT bundle_id, data, device_id FROM bundles WHERE case_id = ? "
        "AND state_sha256 = '' AND format_version >= 2 ORDER BY received_at",
        (case_id,),
    )
    for bundle_id, data, device_id in rows:
        found = read_stored_payload(
            data, home.age_identities, max(home.config.max_bundle_size, len(data))
        )
        if found is None:
            continue
        change, extras = found
        if REVIEW_REPLIES in extras:
            record_replies(
                cur,
                device_id=device_id,
                bundle_id=bundle_id,
                case_id=case_id,
                raw=extras[REVIEW_REPLIES],
            )
        cur.execute(
            "UPDATE bundles SET base_sha256 = ?, state_sha256 = ? WHERE bundle_id = ?",
            ("" if change.full is not None else change.base_sha256, change.state_sha256, bundle_id),
        )
    return len(rows)


def latest_case_state(db: Database, home: AgencyHome, case_id: str) -> CaseState | None:
    """The newest case state the inbox received for ``case_id`` (None if none)."""
    with db.transaction() as cur:
        index_pending(cur, home, case_id)
        row = cur.one(
            "SELECT bundle_id, device_id, received_at, state_sha256 FROM bundles "
            "WHERE case_id = ? ORDER BY received_at DESC, sequence DESC LIMIT 1",
            (case_id,),
        )
        if row is None:
            return None
        bundle_id, device_id, received_at, sha = row
        revision = cur.one(
            "SELECT count(*) FROM bundles WHERE case_id = ? AND received_at <= ?",
            (case_id, received_at),
        )
        # no state hash: a bundle stored before change sets, the whole case inside it
        state = state_for(cur, home, case_id, sha) if sha else _whole_v1(cur, home, bundle_id)
    if state is None:
        raise AgencyError("The inbox cannot rebuild this case: part of its history is missing.")
    hashes = tuple(sorted({a.get("sha256", "") for a in state.get("attachments", [])} - {""}))
    return CaseState(
        case=state,
        state_sha256=changes.state_sha256(state),
        revision=int(revision[0]) if revision else 0,
        received_at=received_at,
        device_id=device_id,
        bundle_id=bundle_id,
        attachment_hashes=hashes,
        _read=lambda h: read_blob(db, home, h),
    )


def _whole_v1(cur: Cursor, home: AgencyHome, bundle_id: str) -> dict[str, Any] | None:
    row = cur.one(
        "SELECT b.data, d.signing_public_key FROM bundles b JOIN devices d "
        "ON d.device_id = b.device_id WHERE b.bundle_id = ?",
        (bundle_id,),
    )
    if row is None:
        return None
    opened = open_bundle(row[0], signer_public_key=row[1], identity=home.age_identities)
    return dict(opened.case_document["case"]) if opened.case_document else None
