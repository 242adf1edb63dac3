"""The inbox's short way for a device it has seen (issue 13, ingest speed): a remembered
signing key never weakens a check. On SQLite and a real PostgreSQL: refusals come in the
same order and store nothing, a retry still gets its receipt, a key that changed under
the inbox is the one used, whole states are kept at the same pace, and a pooled
PostgreSQL connection whose server side has gone is still caught."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_helpers import (
    TestDevice,
    change_chain,
    count_rows,
    enrolled_device,
    make_agency,
    migrated_inbox,
)

from homestudy.agency import case_state
from homestudy.agency.inbox import Inbox, Refusal
from homestudy.sync import keys


@pytest.fixture
def inbox(agency_database_url: str, tmp_path: Path) -> Iterator[Inbox]:
    with migrated_inbox(make_agency(tmp_path / "agency", database_url=agency_database_url)) as made:
        yield made


def refused(inbox: Inbox, bundle: tuple[str, bytes], status: int, code: str) -> None:
    bundles, states = count_rows(inbox.home, "bundles"), count_rows(inbox.home, "case_states")
    with pytest.raises(Refusal) as caught:
        inbox.accept(*bundle)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert count_rows(inbox.home, "bundles") == bundles
    assert count_rows(inbox.home, "case_states") == states


def test_a_known_device_with_a_bad_signature_is_refused(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    inbox.accept(*device.bundle())  # the inbox now remembers the device's key
    impostor = TestDevice(inbox.home)
    refused(
        inbox, device.bundle(signing_secret=impostor.secrets.signing_secret), 401, "bad_signature"
    )


def test_a_known_device_revoked_since_is_refused_as_revoked_before_its_signature(
    inbox: Inbox,
) -> None:
    device = enrolled_device(inbox)
    inbox.accept(*device.bundle())
    assert inbox.revoke(device.device_id)
    refused(inbox, device.bundle(advance=False), 410, "device_revoked")
    impostor = TestDevice(inbox.home)  # the careful order: revoked is said first
    forged = device.bundle(signing_secret=impostor.secrets.signing_secret, advance=False)
    refused(inbox, forged, 410, "device_revoked")


def test_a_broken_chain_from_a_known_device_raises_one_alert(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    inbox.accept(*device.bundle())
    device.last_id, device.last_sha = "not-the-previous", "0" * 64
    alerts = count_rows(inbox.home, "alerts")
    refused(inbox, device.bundle(), 422, "chain_broken")
    assert count_rows(inbox.home, "alerts") == alerts + 1  # not one per path tried


def test_a_retry_gets_its_receipt_even_when_its_base_has_gone(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    chain = change_chain(device, "HS-2026-0400", 3)
    receipts = [inbox.accept(*bundle) for bundle in chain]
    # retention took the earlier change sets and whole states: the last change set can
    # no longer be rebuilt, yet its retry must still get the same receipt
    case_id = device.case_json["id"]
    with inbox.db.transaction() as cur:
        cur.execute("DELETE FROM case_states WHERE case_id = ?", (case_id,))
        cur.execute("DELETE FROM bundles WHERE bundle_id <> ?", (chain[-1][0],))
    fresh = Inbox(inbox.home, inbox.db)  # no states in memory, as after a restart
    fresh.accept(*device.bundle())  # it now remembers the device's key: the short way
    again = fresh.accept(*chain[-1])
    assert (again.body, again.signature) == (receipts[-1].body, receipts[-1].signature)


def test_a_key_changed_under_the_inbox_is_used_not_the_remembered_one(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    inbox.accept(*device.bundle())  # remembers the first key
    new = keys.generate_keys()
    with inbox.db.transaction() as cur:  # e.g. the database restored from another backup
        cur.execute(
            "UPDATE devices SET signing_public_key = ? WHERE device_id = ?",
            (new.signing_public, device.device_id),
        )
    refused(inbox, device.bundle(advance=False), 401, "bad_signature")  # the old key's
    device.secrets = new
    inbox.accept(*device.bundle())  # the key the database holds now


def test_whole_states_are_kept_at_the_same_pace(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    chain = change_chain(device, "HS-2026-0401", 1 + 2 * (case_state.SNAPSHOT_EVERY - 1))
    case_id = device.case_json["id"]
    kept_at = []
    for n, bundle in enumerate(chain):
        inbox.accept(*bundle)
        with inbox.db.transaction() as cur:
            row = cur.one(
                "SELECT bundle_id FROM case_states WHERE case_id = ? ORDER BY received_at DESC",
                (case_id,),
            )
        if row is not None and row[0] == bundle[0]:
            kept_at.append(n)
    # the whole case first, then one whole state each SNAPSHOT_EVERY - 1 change sets
    step = case_state.SNAPSHOT_EVERY - 1
    assert kept_at == [0, step, 2 * step]


@pytest.mark.postgres
def test_a_pooled_connection_whose_server_side_ended_is_caught(pg_cluster) -> None:
    import psycopg

    from homestudy.agency.pool import check_idle

    url = pg_cluster.new_database()
    with (
        psycopg.connect(url, autocommit=False) as conn,
        psycopg.connect(url, autocommit=True) as admin,
    ):
        check_idle(conn)  # sound and idle: passes
        pid = conn.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(100):  # the backend has gone once it is no longer listed
            if (
                admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
                is None
            ):
                break
        with pytest.raises(psycopg.OperationalError):
            check_idle(conn)
