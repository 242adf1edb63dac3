"""Migration m0002 (sync tables) on the stored vaults: v1 upgrades and can enrol and
queue work; v2 (stored by this step) keeps its profile and frozen bundle."""

from __future__ import annotations

import shutil
from pathlib import Path

from homestudy.sync import keys, outbox
from homestudy.sync.bundle import open_bundle
from homestudy.sync.engine import prepare
from homestudy.sync.enrolment import EnrolmentFile
from homestudy.sync.enrolment_flow import enrol
from homestudy.vault import Vault

STORED = Path(__file__).parent / "data" / "vaults"
PASSPHRASE = "homestudy-test-vault"


def test_v1_vault_upgrades_and_takes_sync_work(tmp_path: Path) -> None:
    shutil.copytree(STORED / "v1", tmp_path / "v1")
    vault = Vault.open(tmp_path / "v1", PASSPHRASE, check_integrity=False)
    try:
        assert outbox.profiles(vault) == [] and outbox.all_items(vault) == []
        agency = keys.generate_keys()
        state = enrol(
            vault,
            EnrolmentFile(
                agency_id="AG-1",
                agency_name="Agency One",
                inbox_url="https://inbox.invalid",
                agency_age_recipient=agency.age_recipient,
                agency_signing_public_key=agency.signing_public,
                token="t",
                assessor_id="a-1",
            ),
        )
        outbox.watch(vault)
        (summary,) = vault.cases.list_cases()
        case = vault.cases.load_case(summary.id)
        case.agency_profile_id = state.id
        vault.cases.save_case(case)
        prepare(vault)
        (item,) = outbox.all_items(vault)
        opened = open_bundle(
            item.data,
            signer_public_key=keys.signing_public_key(state.device_signing_secret),
            identity=agency.age_identity,
        )
        assert opened.case().reference == case.reference
        (att,) = opened.case().attachments
        # the attachment goes apart, by content hash, once (issue 13)
        assert item.blobs == ((att.sha256, len(b"fixture attachment")),)
    finally:
        vault.close()


def test_v2_vault_keeps_its_profile_and_frozen_bundle(tmp_path: Path) -> None:
    shutil.copytree(STORED / "v2", tmp_path / "v2")
    vault = Vault.open(tmp_path / "v2", PASSPHRASE, check_integrity=False)
    try:
        (state,) = outbox.profiles(vault)
        assert state.profile.agency_id == "AG-FIXTURE" and not state.registered
        (item,) = outbox.all_items(vault)
        assert item.sequence == 1 and state.next_sequence == 2
        open_bundle(
            item.data, signer_public_key=keys.signing_public_key(state.device_signing_secret)
        )  # still verifies against the stored key
    finally:
        vault.close()
