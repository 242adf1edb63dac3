"""Bounded storage on the laptop: one waiting change set per case however many edits
are made offline, and the space receipts free goes back to the file system
(incremental vacuum; an older vault is converted once)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from pg import free_port
from sync_helpers import offline_profile, sample_case, stand_in_receipt

from homestudy.demo import build_demo_case
from homestudy.model import Case, Visit
from homestudy.sync import keys, outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import prepare, sync_round
from homestudy.sync.outbox import ProfileState
from homestudy.vault import Vault

STORED = Path(__file__).parent / "data" / "vaults"


def profile_in(vault: Vault, url: str = "http://127.0.0.1:1") -> ProfileState:
    device, agency = keys.generate_keys(), keys.generate_keys()
    state = offline_profile(vault, agency, device, agency_id="AG-S", device_id="dev-s", url=url)
    outbox.watch(vault)
    return state


def receive_all(vault: Vault, state: ProfileState) -> None:
    """What a round does for each verified receipt."""
    for item in outbox.all_items(vault):
        stand_in_receipt(vault, state, item)


def file_size(vault: Vault) -> int:
    with vault.reading() as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return (vault.folder / "vault.db").stat().st_size


def test_edits_made_offline_merge_into_one_waiting_change_per_case(vault: Vault) -> None:
    state = profile_in(vault, f"http://127.0.0.1:{free_port()}")  # nothing listens
    cases = []
    for i in range(2):
        case = sample_case(f"HS-2026-08{i:02d}")
        case.agency_profile_id = state.id
        vault.cases.save_case(case)
        cases.append(case)
    sizes = []
    for n in range(30):
        vault.cases.save_visit(
            cases[n % 2].id, Visit(sequence=n + 1, title=f"Visit {n}", notes="Notes. " * 20)
        )
        (report,) = sync_round(vault, lambda s: InboxClient(s.profile.inbox_url, retries=0))
        assert report.offline
        items = outbox.all_items(vault)
        assert sorted(i.case_id for i in items) == sorted(c.id for c in cases)
        sizes.append(sum(len(i.data) for i in items))
    # the outbox holds each case once, as it is now: its size follows the cases, not
    # the number of edits (each bundle is a whole case here: nothing was received yet)
    assert sizes[-1] < 3 * sizes[1]


def test_receipts_free_space_that_goes_back_to_the_file_system(vault: Vault) -> None:
    with vault.reading() as conn:
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # new vaults
    state = profile_in(vault)
    for i in range(30):  # thirty whole demo cases waiting: their bundles fill pages
        case = build_demo_case()
        case.id, case.reference = f"case-{i:02d}", f"HS-2026-09{i:02d}"
        case.agency_profile_id = state.id
        vault.cases.save_case(case)
    prepare(vault)
    full = file_size(vault)
    receive_all(vault, state)
    with vault.reading() as conn:
        freed = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    assert freed > 0
    assert outbox.reclaim_space(vault) == 0
    after = file_size(vault)
    print(
        f"\nvault {full / 1024:.0f} KB with 30 waiting bundles, "
        f"{after / 1024:.0f} KB after their receipts"
    )
    assert after < full


def test_an_older_vault_is_converted_once_then_vacuums_incrementally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "v5"
    shutil.copytree(STORED / "v5", folder)
    vault = Vault.open(folder, "homestudy-test-vault", check_integrity=False)
    try:
        with vault.reading() as conn:
            assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
        state = profile_in(vault)
        for case in vault.cases.list_cases():
            full: Case = vault.cases.load_case(case.id)
            full.agency_profile_id = state.id
            vault.cases.save_case(full)
        for i in range(10):
            case = build_demo_case()
            case.id, case.reference = f"case-{i:02d}", f"HS-2026-10{i:02d}"
            case.agency_profile_id = state.id
            vault.cases.save_case(case)
        prepare(vault)
        receive_all(vault, state)
        monkeypatch.setattr(outbox, "CONVERT_AT", 4096)
        started = time.perf_counter()
        outbox.reclaim_space(vault)
        took = time.perf_counter() - started
        with vault.reading() as conn:
            assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
            assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
        print(f"\nconverting a {file_size(vault) / 1024:.0f} KB vault took {took * 1000:.0f} ms")
        assert vault.check_integrity() == []
    finally:
        vault.close()
    again = Vault.open(folder, "homestudy-test-vault", check_integrity=False)
    try:
        assert len(again.cases.list_cases()) >= 10
    finally:
        again.close()
