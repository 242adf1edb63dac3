"""The latest state of each case, decrypted in memory from the newest bundle.

``_open_case`` (a case as of one bundle) and ``_latest_case`` (the newest) are the two
places that read a case from the inbox's tables. When issue 13's change sets land
(``homestudy.agency.case_state``), their bodies become ``state_for(cur, home, case_id,
<the bundle's state_sha256>)`` and ``latest_case_state(db, home, case_id).as_case()``:
a change-set bundle is not a whole case. Decrypted cases are kept in a small in-memory cache
keyed by bundle id (a bundle never changes), never written to disk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from homestudy.agency.assign import open_received
from homestudy.agency.db import Database
from homestudy.agency.home import AgencyHome
from homestudy.errors import NotFoundError
from homestudy.model import Case


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
            "ON d.device_id = b.device_id ORDER BY b.case_id, b.received_at, b.sequence")
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
            "ORDER BY b.received_at, b.sequence", (case_id,))
    return [CaseRow(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6]) for r in rows]


class CaseCache:
    """Decrypted cases by bundle id, most recently used kept (bounded)."""

    def __init__(self, home: AgencyHome, db: Database, size: int = 2000,
                 on_decrypt: Callable[[str, str], None] | None = None) -> None:
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
        if self.on_decrypt is not None:
            self.on_decrypt(row.case_reference, row.bundle_id)
        with self._lock:
            self._items[row.bundle_id] = case
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return case

    def latest(self, case_id: str) -> CaseState:
        return _latest_case(self, case_id)


def _open_case(home: AgencyHome, db: Database, row: CaseRow) -> Case:
    """The adapter (see the module docstring): the case as of bundle ``row``."""
    return open_received(home, db, row.bundle_id).case()


def _latest_case(cache: CaseCache, case_id: str) -> CaseState:
    """The adapter (see the module docstring): the newest full bundle of ``case_id``."""
    rows = bundles_of(cache.db, case_id)
    if not rows:
        raise NotFoundError("No case with that id has been received.")
    row = rows[-1]
    return CaseState(cache.case(row), row.bundle_id, row.sequence, row.received_at,
                     row.device_id)
