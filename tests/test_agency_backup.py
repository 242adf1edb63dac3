"""packaging/agency/backup.sh and restore.sh end to end on a real PostgreSQL and on SQLite:
back up a working inbox, restore it into a new folder and an empty database, and the
assignments made before the backup are still delivered; new ones and alerts continue."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from ops_helpers import PASSPHRASE, Server, agency_env, protected_agency
from sync_helpers import REPO, TestDevice, enrolment_for, sample_case

from homestudy.agency.assign import assign_case
from homestudy.agency.home import AgencyHome
from homestudy.sync import keys
from homestudy.sync.client import signed_headers
from homestudy.sync.message_format import open_message

SCRIPTS = REPO / "packaging" / "agency"


def _run(script: str, *args: str | Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", str(SCRIPTS / script), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _assignments(client: httpx.Client, device: TestDevice) -> list[dict]:
    target = f"/devices/{device.device_id}/assignments?after=0"
    headers = signed_headers(device.device_id, device.secrets.signing_secret, "GET", target)
    answer = client.get(target, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["assignments"]


@pytest.mark.skipif(shutil.which("age") is None, reason="stock age is not installed")
@pytest.mark.parametrize(
    "dialect", [pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"]
)
def test_backup_and_restore_end_to_end(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE, PYTHON=sys.executable)
    url, new_url = "", ""
    if dialect == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        url, new_url = cluster.new_database(), cluster.new_database()
        env["PATH"] = f"{cluster.bin}{os.pathsep}{env['PATH']}"
    home = protected_agency(tmp_path / "agency", database_url=url)
    backup_key = keys.generate_age_identity()
    (tmp_path / "backup.key").write_text(backup_key + "\n")
    (tmp_path / "backup.pub").write_text(keys.age_recipient(backup_key) + "\n")

    server = Server(home.path, env=env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            device = TestDevice(home)
            assert device.register(client, enrolment_for(home, server.url).token).status_code == 200
            bundle_id, data = device.bundle()
            assert client.put(f"/bundles/{bundle_id}", content=data).status_code == 200
            stale_id, stale = device.bundle(sequence=1, advance=False)  # a copied laptop
            assert client.put(f"/bundles/{stale_id}", content=stale).status_code == 422
            db = home.database(pool_size=1)
            try:
                first = assign_case(home, db, sample_case("HS-2026-0100"), device.device_id)
            finally:
                db.close()
    finally:
        server.stop()

    out = _run(
        "backup.sh",
        home.path,
        tmp_path / "db-backups",
        tmp_path / "key-backups",
        tmp_path / "backup.pub",
        env=env,
    )
    db_file = Path(out.split("database: ")[1].split()[0])
    keys_file = Path(out.split("keys:     ")[1].split()[0])
    assert db_file.parent != keys_file.parent  # kept apart
    assert db_file.read_bytes().startswith(b"age-encryption.org/v1")
    assert keys_file.read_bytes().startswith(b"age-encryption.org/v1")
    assert b"HS-2026" not in db_file.read_bytes()

    restored_path = tmp_path / "restored"
    _run(
        "restore.sh",
        restored_path,
        db_file,
        keys_file,
        tmp_path / "backup.key",
        *([new_url] if new_url else []),
        env=env,
    )
    restored = AgencyHome(restored_path, passphrase=PASSPHRASE)
    assert restored.protected() == {
        "agency.key": True,
        "agency-sign.key": True,
        "agency-receipt.key": True,
    }
    assert restored.signing_public == home.signing_public
    if new_url:
        assert restored.config.database_url == new_url

    server = Server(restored_path, env=env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            delivered = _assignments(client, device)  # made before the backup: still there
            assert [a["bundle_id"] for a in delivered] == [first.bundle_id]
            import base64

            opened = open_message(
                base64.b64decode(delivered[0]["data"]),
                signer_public_key=restored.signing_public,
                identity=device.secrets.age_identity,
            )
            assert opened.body["case"]["reference"] == "HS-2026-0100"
            db = restored.database(pool_size=1)
            try:  # sequences carry on: the next assignment follows, a new alert gets an id
                second = assign_case(restored, db, sample_case("HS-2026-0101"), device.device_id)
                assert second.sequence == first.sequence + 1
                again_id, again = device.bundle(sequence=1, advance=False)
                assert client.put(f"/bundles/{again_id}", content=again).status_code == 422
                with db.transaction() as cur:
                    ids = [r[0] for r in cur.all("SELECT id FROM alerts ORDER BY id")]
            finally:
                db.close()
            assert len(ids) == 2 and ids[1] > ids[0]
            assert len(_assignments(client, device)) == 2
            next_id, nxt = device.bundle()
            assert client.put(f"/bundles/{next_id}", content=nxt).status_code == 200
    finally:
        server.stop()
