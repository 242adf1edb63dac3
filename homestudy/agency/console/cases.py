"""The latest state of each case, rebuilt in memory from the change sets received.

``_open_case`` (a case as of one bundle) and ``_latest_case`` (the newest) are the two
places that read a case from the inbox's tables, both through
``homestudy.agency.case_state``: a change-set bundle is not a whole case, so the state
it leads to is rebuilt from the chain (``state_for``, ``latest_case_state``); a bundle
of format 1 (before change sets) still carries the whole case. Rebuilt cases are kept in
a small in-memory cache keyed by bundle id (a bundle never changes), never on disk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from homestudy.agency import case_state
from homestudy.agency.assign import open_received
from homestudy.agency.db import Database
from homestudy.agency.home import AgencyHome
from homestudy.errors import AgencyError, NotFoundError
from homestudy.model import Case
from homestudy.serial import from_jsonable


@dataclass(frozen=True)
class CaseState:
    """What the console needs of one case: the case and where it came from."""

    case: Case
    bundle_id: str
    revision: int  # the device's sequence number of the bundle
    received_at: str
    device_id: str


@dataclass(frozen=True)
class CaseRow:
    """A case's latest bundle, without decrypting it."""

    case_id: str
    case_reference: str
    bundle_id: str
    sequence: int
    received_at: str
    device_id: str
    assessor_id: str


def case_rows(db: Database) -> list[CaseRow]:
    """The newest bundle of every case (one query; no bundle data read)."""
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT b.case_id, b.case_reference, b.bundle_id, b.sequence, b.received_at, "
            "b.device_id, d.assessor_id FROM bundles b JOIN devices d "
            "ON d.device_id = b.device_id ORDER BY b.case_id, b.received_at, b.sequence"
        )
    latest: dict[str, CaseRow] = {}
    for r in rows:
        latest[r[0]] = CaseRow(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6])
    return list(latest.values())


def bundles_of(db: Database, case_id: str) -> list[CaseRow]:
    """Every bundle of one case, oldest first."""
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT b.case_id, b.case_reference, b.bundle_id, b.sequence, b.received_at, "
            "b.device_id, d.assessor_id FROM bundles b JOIN devices d "
            "ON d.device_id = b.device_id WHERE b.case_id = ? "
            "ORDER BY b.received_at, b.sequence",
            (case_id,),
        )
    return [CaseRow(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6]) for r in rows]


class CaseCache:
    """Decrypted cases by bundle id, most recently used kept (bounded)."""

    def __init__(
        self,
        home: AgencyHome,
        db: Database,
        size: int = 2000,
        on_decrypt: Callable[[str, str], None] | None = None,
    ) -> None:
        self.home, self.db, self.size = home, db, size
        self._items: OrderedDict[str, Case] = OrderedDict()
        self._lock = threading.Lock()
        self.on_decrypt = on_decrypt  # (case reference, bundle id): for the audit log

    def case(self, row: CaseRow) -> Case:
        with self._lock:
            found = self._items.get(row.bundle_id)
            if found is not None:
                self._items.move_to_end(row.bundle_id)
                return found
        case = _open_case(self.home, self.db, row)
        self.keep(row, case)
        return case

    def keep(self, row: CaseRow, case: Case) -> None:
        """Remember a case just decrypted (and note it for the audit log)."""
        if self.on_decrypt is not None:
            self.on_decrypt(row.case_reference, row.bundle_id)
        with self._lock:
            self._items[row.bundle_id] = case
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def latest(self, case_id: str) -> CaseState:
        return _latest_case(self, case_id)


def _open_case(home: AgencyHome, db: Database, row: CaseRow) -> Case:
    """The adapter (see the module docstring): the case as of bundle ``row``."""
    with db.transaction() as cur:
        case_state.index_pending(cur, home, row.case_id)  # stored by the inbox role
        found = cur.one("SELECT state_sha256 FROM bundles WHERE bundle_id = ?", (row.bundle_id,))
        sha = str(found[0]) if found is not None and found[0] else ""
        state = case_state.state_for(cur, home, row.case_id, sha) if sha else None
    if not sha:  # a bundle from before change sets: the whole case is inside it
        return open_received(home, db, row.bundle_id).case()
    if state is None:
        raise AgencyError("The inbox cannot rebuild this case: part of its history is missing.")
    return from_jsonable(Case, state)


def _latest_case(cache: CaseCache, case_id: str) -> CaseState:
    """The adapter (see the module docstring): the newest state of ``case_id``."""
    rows = bundles_of(cache.db, case_id)
    if not rows:
        raise NotFoundError("No case with that id has been received.")
    row = rows[-1]
    with cache._lock:
        cached = cache._items.get(row.bundle_id)
    if cached is None:
        latest = case_state.latest_case_state(cache.db, cache.home, case_id)
        if latest is None:
            raise NotFoundError("No case with that id has been received.")
        cache.keep(row, latest.as_case())
    return CaseState(cache.case(row), row.bundle_id, row.sequence, row.received_at, row.device_id)
