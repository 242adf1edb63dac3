"""Bundles, receipts and key lists checked by stock ``age`` and ``minisign`` alone,
as an agency without HomeStudy's code would check them."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from sync_helpers import TestDevice, make_agency, sample_case

from homestudy.sync import keys
from homestudy.sync.bundle import MANIFEST, PAYLOAD, Manifest
from homestudy.sync.signed import Receipt, make_receipt

pytestmark = [
    pytest.mark.skipif(
        shutil.which("age") is None,
        reason="stock age is not installed (tests/setup_system.sh installs it)",
    ),
    pytest.mark.skipif(
        shutil.which("minisign") is None,
        reason="stock minisign is not installed (tests/setup_system.sh)",
    ),
]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)


def test_stock_tools_verify_and_decrypt_a_bundle(tmp_path: Path) -> None:
    home = make_agency(tmp_path / "agency")
    device = TestDevice(home)
    case = sample_case("HS-2026-0777")
    _, data = device.bundle(case, attachments={"a1": b"%PDF-1.4 pretend"})
    out = tmp_path / "bundle"
    zipfile.ZipFile(io.BytesIO(data)).extractall(out)  # any unzip tool does this

    verified = run("minisign", "-Vm", MANIFEST, "-P", device.secrets.signing_public, cwd=out)
    assert verified.returncode == 0, verified.stderr
    assert "homestudy bundle" in verified.stdout  # the trusted comment names the bundle

    manifest = Manifest.from_json((out / MANIFEST).read_bytes())
    listed = manifest.members[PAYLOAD]["sha256"]
    digest = run("sha256sum", PAYLOAD, cwd=out).stdout.split()[0]
    assert digest == listed

    decrypted = run(
        "age", "-d", "-i", str(home.path / "agency.key"), "-o", "payload.zip", PAYLOAD, cwd=out
    )
    assert decrypted.returncode == 0, decrypted.stderr
    with zipfile.ZipFile(out / "payload.zip") as inner:
        assert inner.read("attachments/a1") == b"%PDF-1.4 pretend"
        assert b"HS-2026-0777" in inner.read("case.json")

    other = keys.generate_keys()
    refused = run("minisign", "-Vm", MANIFEST, "-P", other.signing_public, cwd=out)
    assert refused.returncode != 0
    (out / MANIFEST).write_bytes(
        (out / MANIFEST).read_bytes().replace(b'"sequence": 1', b'"sequence": 2')
    )
    tampered = run("minisign", "-Vm", MANIFEST, "-P", device.secrets.signing_public, cwd=out)
    assert tampered.returncode != 0


def test_stock_minisign_verifies_receipts_with_the_agency_public_key_file(tmp_path: Path):
    home = make_agency(tmp_path / "agency")
    doc = make_receipt(
        home.signing_secret,
        Receipt(
            bundle_id="b-1",
            sha256="ab" * 32,
            size=10,
            received_at="2026-11-29T10:00:00+00:00",
            agency_id=home.agency_id,
            device_id="d-1",
            sequence=1,
        ),
    )
    (tmp_path / "receipt.json").write_bytes(doc.body)
    (tmp_path / "receipt.json.minisig").write_bytes(doc.signature)
    done = run(
        "minisign", "-Vm", "receipt.json", "-p", str(home.path / "agency-sign.pub"), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr


def test_our_verifier_accepts_stock_minisign_and_pyrage_reads_stock_age(tmp_path: Path) -> None:
    made = run("minisign", "-G", "-W", "-p", "k.pub", "-s", "k.key", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    (tmp_path / "doc.json").write_bytes(b'{"hello": "agency"}')
    signed = run("minisign", "-S", "-s", "k.key", "-m", "doc.json", "-t", "stock", cwd=tmp_path)
    assert signed.returncode == 0, signed.stderr
    public = (tmp_path / "k.pub").read_text().splitlines()[1]
    assert (
        keys.verify(public, b'{"hello": "agency"}', (tmp_path / "doc.json.minisig").read_bytes())
        == "stock"
    )

    identity = keys.generate_age_identity()
    (tmp_path / "plain.txt").write_bytes(b"from stock age")
    done = run(
        "age", "-r", keys.age_recipient(identity), "-o", "plain.age", "plain.txt", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    import pyrage
    from pyrage import x25519

    ciphertext = (tmp_path / "plain.age").read_bytes()
    assert pyrage.decrypt(ciphertext, [x25519.Identity.from_str(identity)]) == b"from stock age"


def test_stock_tools_verify_and_decrypt_an_agency_message(tmp_path: Path) -> None:
    """A message to a laptop: the agency's signature checks with stock minisign, and both
    the laptop's and the agency's own age identity open it with stock age."""
    import json

    from homestudy.sync.message_format import MessageManifest, build_message

    home = make_agency(tmp_path / "agency")
    device = keys.generate_keys()
    manifest = MessageManifest(
        message_id="m-1",
        kind="transfer",
        agency_id=home.agency_id,
        device_id="d-1",
        case_id="case-1",
        case_reference="HS-2026-0778",
        sequence=3,
        created_at="2026-12-01T10:00:00+00:00",
    )
    data = build_message(
        manifest,
        body={"note": "Transferred"},
        attachments={"a1": b"scan"},
        signing_secret=home.signing_secret,
        recipients=[device.age_recipient, home.age_recipient],
    )
    out = tmp_path / "message"
    zipfile.ZipFile(io.BytesIO(data)).extractall(out)
    verified = run(
        "minisign", "-Vm", "manifest.json", "-p", str(home.path / "agency-sign.pub"), cwd=out
    )
    assert verified.returncode == 0, verified.stderr
    assert "homestudy message m-1 transfer sequence 3" in verified.stdout
    identity = tmp_path / "device.key"
    identity.write_bytes(keys.age_identity_file(device.age_identity))
    for key, name in ((identity, "by-device.zip"), (home.path / "agency.key", "by-agency.zip")):
        done = run("age", "-d", "-i", str(key), "-o", name, "payload.age", cwd=out)
        assert done.returncode == 0, done.stderr
        with zipfile.ZipFile(out / name) as inner:
            header = json.loads(inner.read("message.json"))
            assert header["body"] == {"note": "Transferred"} and header["sequence"] == 3
            assert inner.read("attachments/a1") == b"scan"
