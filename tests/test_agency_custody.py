"""Key custody: the inbox role holds no decryption or signing key and still accepts and
verifies bundles; the console refuses unprotected keys; protect-key; rotation keeps
protection."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from ops_helpers import PASSPHRASE, Server, agency_cli, agency_env, inbox_host, protected_agency
from sync_helpers import TestDevice, enrolment_for, make_agency

from homestudy.agency import keystore
from homestudy.agency.assign import open_received
from homestudy.agency.home import AgencyHome
from homestudy.agency.rotation import rotate_keys
from homestudy.errors import AgencyError, SyncError
from homestudy.sync.bundle import sha256_hex
from homestudy.sync.signed import SignedDocument, verify_receipt


def _protected_agency(folder: Path) -> AgencyHome:
    return protected_agency(folder)


def test_inbox_role_accepts_and_verifies_with_no_private_key_present(tmp_path: Path) -> None:
    console = _protected_agency(tmp_path / "console")
    inbox_home = inbox_host(console.path, tmp_path / "inbox")
    assert not (inbox_home / "agency.key").exists()
    assert not (inbox_home / "agency-sign.key").exists()
    server = Server(
        inbox_home, "--role", "inbox", env=agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE)
    )
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            health = client.get("/health").json()
            assert (health["role"], health["keys"]) == ("inbox", "ok")
            device = TestDevice(console)
            assert (
                device.register(client, enrolment_for(console, server.url).token).status_code == 200
            )
            bundle_id, data = device.bundle()
            answer = client.put(f"/bundles/{bundle_id}", content=data)
            assert answer.status_code == 200, answer.text
            doc = SignedDocument.from_wire(answer.json()["receipt"])
            receipt = verify_receipt(
                doc,
                agency_public_key=console.receipt_public,
                bundle_id=bundle_id,
                sha256=sha256_hex(data),
            )
            assert receipt.bundle_id == bundle_id
            with pytest.raises(SyncError):  # the receipt key signed it, not the signing key
                verify_receipt(
                    doc,
                    agency_public_key=console.signing_public,
                    bundle_id=bundle_id,
                    sha256=sha256_hex(data),
                )
            forged_id, forged = TestDevice(console, device_id=device.device_id).bundle()
            assert client.put(f"/bundles/{forged_id}", content=forged).status_code == 401
    finally:
        server.stop()
    # the console, which holds the key, decrypts off the receive path
    db = console.database(pool_size=1)
    try:
        opened = open_received(
            AgencyHome(console.path, role="console", passphrase=PASSPHRASE), db, bundle_id
        )
    finally:
        db.close()
    assert opened.case().reference == "HS-2026-0001"


def test_console_refuses_an_unprotected_key_until_protect_key(tmp_path: Path) -> None:
    home = make_agency(tmp_path / "agency")  # an older folder: plain key files
    env = agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE)
    # ``console`` is ``serve --role console``: the same refusal, not a console on plain keys
    for command in (("serve", "--role", "console"), ("console",)):
        refused = agency_cli(home.path, *command, "--port", "0", env=env)
        assert refused.returncode == 1, command
        assert refused.stderr.strip().splitlines() == [
            "homestudy-agency: agency.key, agency-sign.key and agency-receipt.key in "
            f"{home.path} are not protected by a passphrase. Run 'homestudy-agency "
            "protect-key' first."
        ], command
    identity_before = home.age_identities
    done = agency_cli(home.path, "protect-key", env=env)
    assert done.returncode == 0, done.stderr
    assert (home.path / "agency.key").read_bytes().startswith(keystore.AGE_MAGIC)
    assert b"AGE-SECRET-KEY" not in (home.path / "agency.key").read_bytes()
    assert (home.path / "agency.key").stat().st_mode & 0o777 == 0o600
    again = AgencyHome(home.path, passphrase=PASSPHRASE)
    assert again.age_identities == identity_before
    assert again.protected() == {
        "agency.key": True,
        "agency-sign.key": True,
        "agency-receipt.key": True,
    }
    with pytest.raises(AgencyError, match="passphrase does not open"):
        _ = AgencyHome(home.path, passphrase="not the passphrase").age_identities
    with pytest.raises(AgencyError, match="none was given"):
        _ = AgencyHome(home.path).signing_secret
    server = Server(home.path, "--role", "console", env=env)
    try:
        assert server.listening.startswith("Console listening on http://127.0.0.1:")
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/health").json()["role"] == "console"
            assert client.get("/login").status_code == 200
    finally:
        server.stop()
    no_passphrase = agency_cli(home.path, "serve", "--role", "console", "--port", "0")
    assert no_passphrase.returncode == 1 and "none was given" in no_passphrase.stderr
    assert "Traceback" not in no_passphrase.stderr


def test_role_all_serves_the_inbox_and_the_console_in_one_process(tmp_path: Path) -> None:
    home = make_agency(tmp_path / "agency")  # plain keys: all warns, and still starts
    server = Server(home.path, "--role", "all")
    try:
        assert server.listening.startswith("Inbox and console listening on http://127.0.0.1:")
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/health").json()["role"] == "all"
            assert client.get("/keys").status_code == 200  # the inbox's
            assert "Sign in" in client.get("/login").text  # the console's
            assert client.get("/", follow_redirects=False).status_code == 303
            assert client.put("/bundles/x", content=b"x").status_code != 404
    finally:
        stderr = server.stop()
    assert "not protected by a passphrase" in stderr


def test_the_console_command_checks_its_port_in_plain_words(tmp_path: Path) -> None:
    home = make_agency(tmp_path / "agency")
    for command in ("console", "serve"):
        for port in ("99999", "-5", "eighty"):
            done = agency_cli(home.path, command, "--port", port)
            assert done.returncode == 2 and "Traceback" not in done.stderr
            assert f"argument --port: {port!r} is not a port: give a number from 1 to 65535" in (
                done.stderr
            ), done.stderr


def test_passphrase_from_a_systemd_credential(tmp_path: Path, monkeypatch) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / keystore.CREDENTIAL).write_text(PASSPHRASE + "\n")
    monkeypatch.delenv(keystore.PASSPHRASE_ENV, raising=False)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert keystore.find_passphrase() == PASSPHRASE


def test_rotation_keeps_the_keys_protected(tmp_path: Path) -> None:
    home = _protected_agency(tmp_path / "agency")
    home = AgencyHome(home.path, passphrase=PASSPHRASE)
    old = home.signing_public
    db = home.database(pool_size=1)
    try:
        done = rotate_keys(home, db)
    finally:
        db.close()
    fresh = AgencyHome(home.path, passphrase=PASSPHRASE)
    assert fresh.protected() == {
        "agency.key": True,
        "agency-sign.key": True,
        "agency-receipt.key": True,
    }
    assert fresh.signing_public == done.signing_public != old
    assert len(fresh.age_identities) == 2
    assert not (home.path / "rotation.pending").exists()


@pytest.mark.skipif(
    not (shutil.which("age") and shutil.which("minisign")),
    reason="stock age and minisign are not installed",
)
def test_stock_age_and_minisign_use_the_protected_keys(tmp_path: Path) -> None:
    import pyrage
    from ops_helpers import run_with_tty
    from pyrage import x25519

    home = _protected_agency(tmp_path / "agency")
    assert home.protected() == {
        "agency.key": True,
        "agency-sign.key": True,
        "agency-receipt.key": True,
    }
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"a case only the agency can read\n")
    recipient = x25519.Recipient.from_str(home.age_recipient)
    (tmp_path / "secret.age").write_bytes(pyrage.encrypt(secret.read_bytes(), [recipient]))
    code, _ = run_with_tty(
        [
            "age",
            "-d",
            "-i",
            str(home.path / "agency.key"),
            "-o",
            str(tmp_path / "out.txt"),
            str(tmp_path / "secret.age"),
        ],
        PASSPHRASE,
    )
    assert code == 0 and (tmp_path / "out.txt").read_bytes() == secret.read_bytes()
    wrong, _ = run_with_tty(
        [
            "age",
            "-d",
            "-i",
            str(home.path / "agency.key"),
            "-o",
            str(tmp_path / "no.txt"),
            str(tmp_path / "secret.age"),
        ],
        "not the passphrase",
    )
    assert wrong != 0
    code, _ = run_with_tty(
        ["minisign", "-S", "-s", str(home.path / "agency-sign.key"), "-m", str(secret)], PASSPHRASE
    )
    assert code == 0
    import subprocess

    checked = subprocess.run(
        ["minisign", "-Vm", str(secret), "-p", str(home.path / "agency-sign.pub")],
        capture_output=True,
    )
    assert checked.returncode == 0
