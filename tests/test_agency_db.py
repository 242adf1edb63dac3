"""The inbox database on SQLite and on a throwaway PostgreSQL cluster: one schema and
its migrations, and the write path under concurrent uploads (no loss, no twins)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sync_helpers import TestDevice, count_rows, enrolled_device, enrolment_for, make_agency

from homestudy.agency.db import MIGRATIONS, Database
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox, Refusal
from homestudy.errors import AgencyError


@pytest.fixture
def home(agency_database_url: str, tmp_path: Path) -> AgencyHome:
    return make_agency(tmp_path / "agency", database_url=agency_database_url)


def registered(home: AgencyHome, inbox: Inbox) -> TestDevice:
    return enrolled_device(inbox, enrolment_for(home, "http://x").token)


def test_schema_is_created_once_and_migrate_is_repeatable(home: AgencyHome) -> None:
    db = home.database(pool_size=2)
    try:
        assert db.schema_version() == len(MIGRATIONS)
        assert db.migrate() == len(MIGRATIONS)
        with db.transaction() as cur:
            assert cur.one("SELECT count(*) FROM schema_version") == (len(MIGRATIONS),)
            for table in ("devices", "bundles", "alerts", "assignments", "key_lists"):
                assert cur.table_exists(table)
    finally:
        db.close()


def test_a_newer_database_is_refused(home: AgencyHome) -> None:
    db = home.database(pool_size=1)
    try:
        with db.transaction() as cur:
            cur.execute("INSERT INTO schema_version (version) VALUES (?)", (len(MIGRATIONS) + 5,))
        with pytest.raises(AgencyError, match="newer version"):
            db.migrate()
    finally:
        db.close()


def test_concurrent_twins_of_one_bundle_are_stored_once(home: AgencyHome) -> None:
    db = home.database(pool_size=8)
    inbox = Inbox(home, db)
    try:
        device = registered(home, inbox)
        bundle_id, data = device.bundle()
        with ThreadPoolExecutor(8) as pool:
            receipts = list(pool.map(lambda _: inbox.accept(bundle_id, data), range(8)))
        assert len({(r.body, r.signature) for r in receipts}) == 1
        assert count_rows(home, "bundles") == 1
    finally:
        db.close()


def test_concurrent_clones_of_a_sequence_let_exactly_one_through(home: AgencyHome) -> None:
    db = home.database(pool_size=8)
    inbox = Inbox(home, db)
    try:
        device = registered(home, inbox)
        clones = [device.bundle(sequence=1, advance=False) for _ in range(6)]

        def send(job: tuple[str, bytes]) -> str:
            try:
                inbox.accept(*job)
                return "stored"
            except Refusal as exc:
                return exc.code

        with ThreadPoolExecutor(6) as pool:
            outcomes = sorted(pool.map(send, clones))
        assert outcomes == ["sequence_reused"] * 5 + ["stored"]
        assert count_rows(home, "bundles") == 1
        assert count_rows(home, "alerts") == 5
    finally:
        db.close()


def test_database_url_picks_the_dialect(tmp_path: Path) -> None:
    assert Database(f"sqlite:///{tmp_path / 'x.db'}").dialect == "sqlite"
    assert Database(str(tmp_path / "y.db")).dialect == "sqlite"
    assert Database("postgresql://u@127.0.0.1:1/db").dialect == "postgresql"
