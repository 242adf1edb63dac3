"""Bundles: built, opened, and refused with the check that failed named; fuzzed."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_helpers import sample_case

from homestudy.errors import BundleError, KeyListError
from homestudy.serial import to_jsonable
from homestudy.sync import keys
from homestudy.sync.bundle import (
    KIND_CASE,
    MANIFEST,
    PAYLOAD,
    SIGNATURE,
    Manifest,
    build_bundle,
    open_bundle,
    read_manifest,
)
from homestudy.sync.container import pack, unpack
from homestudy.sync.signed import KeyList, make_key_list, verify_key_list

DEVICE = keys.generate_keys()
AGENCY = keys.generate_keys()
CASE = sample_case()


def manifest(**changes: Any) -> Manifest:
    # fixed values of the tests' own, not the self-test's (a random id, the time now):
    # the assertions below read these values back
    values: dict[str, Any] = dict(
        bundle_id="b-1",
        kind=KIND_CASE,
        agency_id="AG",
        device_id="dev-1",
        case_id=CASE.id,
        case_reference=CASE.reference,
        sequence=7,
        previous_bundle_id="b-0",
        previous_sha256="ab" * 32,
        created_at="2026-11-29T10:00:00+00:00",
    )
    values.update(changes)
    return Manifest(**values)


def make(
    m: Manifest | None = None,
    *,
    case_json: dict[str, Any] | None = None,
    signer: str = DEVICE.signing_secret,
    recipient: str = AGENCY.age_recipient,
) -> bytes:
    return build_bundle(
        m or manifest(),
        case_json=case_json or to_jsonable(CASE),
        attachments={"att-1": b"scan of a gas safety certificate"},
        signing_secret=signer,
        recipient=recipient,
    )


VALID = make()


def open_valid(data: bytes, **kwargs: Any) -> Any:
    return open_bundle(
        data, signer_public_key=DEVICE.signing_public, identity=AGENCY.age_identity, **kwargs
    )


def rebuild(data: bytes, **replace: bytes) -> bytes:
    members = unpack(data, max_member_size=1 << 26)
    members.update(replace)
    return pack(list(members.items()))


def check_of(data: bytes, **kwargs: Any) -> str | None:
    with pytest.raises(BundleError) as caught:
        open_valid(data, **kwargs)
    return caught.value.check


def test_round_trip_verifies_and_decrypts() -> None:
    opened = open_valid(
        VALID, expected_agency_id="AG", expected_device_id="dev-1", expected_kind=KIND_CASE
    )
    assert opened.manifest.sequence == 7 and opened.manifest.previous_bundle_id == "b-0"
    assert opened.case().reference == CASE.reference
    assert opened.case().lines_of_enquiry[0].text == CASE.lines_of_enquiry[0].text
    assert opened.attachments == {"att-1": b"scan of a gas safety certificate"}
    assert read_manifest(VALID).bundle_id == "b-1"


def test_without_an_identity_it_verifies_but_does_not_decrypt() -> None:
    opened = open_bundle(VALID, signer_public_key=DEVICE.signing_public)
    assert opened.case_document is None
    with pytest.raises(BundleError) as caught:
        opened.case()
    assert caught.value.check == "decrypt"


def test_each_failure_names_its_check() -> None:
    other = keys.generate_keys()
    assert check_of(VALID[:100]) == "container"
    assert check_of(VALID, max_size=100) == "size"
    with pytest.raises(BundleError) as caught:
        open_bundle(VALID, signer_public_key=other.signing_public)
    assert caught.value.check == "signature"
    changed = json.loads(unpack(VALID, max_member_size=1 << 20)[MANIFEST])
    changed["sequence"] = 8
    assert check_of(rebuild(VALID, **{MANIFEST: json.dumps(changed).encode()})) == "signature"
    assert check_of(VALID, expected_agency_id="ELSEWHERE") == "agency"
    assert check_of(VALID, expected_device_id="dev-2") == "device"
    assert check_of(rebuild(VALID, **{PAYLOAD: b"x" * 10})) == "hash"
    assert check_of(rebuild(VALID, extra=b"smuggled")) == "members"
    with pytest.raises(BundleError) as caught:
        open_bundle(VALID, signer_public_key=DEVICE.signing_public, identity=other.age_identity)
    assert caught.value.check == "decrypt"


def test_payload_that_disagrees_with_the_manifest_is_refused() -> None:
    # signed by the right device, but the payload was encrypted for another bundle
    donor = make(manifest(sequence=3))
    data = make()
    members = unpack(data, max_member_size=1 << 20)
    listed = json.loads(members[MANIFEST])
    donor_payload = unpack(donor, max_member_size=1 << 20)[PAYLOAD]
    from homestudy.sync.bundle import sha256_hex

    listed["members"][PAYLOAD] = {"sha256": sha256_hex(donor_payload), "size": len(donor_payload)}
    m = Manifest.from_json(json.dumps(listed).encode())
    body = m.to_json()
    forged = rebuild(
        data,
        **{
            MANIFEST: body,
            PAYLOAD: donor_payload,
            SIGNATURE: keys.sign(DEVICE.signing_secret, body, m.trusted_comment()),
        },
    )
    assert check_of(forged) == "inner_mismatch"


def test_newer_format_is_named_as_such() -> None:
    members = unpack(VALID, max_member_size=1 << 20)
    listed = json.loads(members[MANIFEST])
    listed["format_version"] = 99
    body = json.dumps(listed).encode()
    signature = keys.sign(
        DEVICE.signing_secret, body, f"homestudy bundle b-1 {KIND_CASE} sequence 7"
    )
    assert check_of(rebuild(VALID, **{MANIFEST: body, SIGNATURE: signature})) == "format_version"


def _flip(data: bytes, position: int, bit: int) -> bytes:
    mutable = bytearray(data)
    if not mutable:
        return data
    mutable[position % len(mutable)] ^= 1 << bit
    return bytes(mutable)


def _swap(data: bytes, first: int, second: int) -> bytes:
    members = list(unpack(data, max_member_size=1 << 20).items())
    i, j = first % len(members), second % len(members)
    names = [n for n, _ in members]
    names[i], names[j] = names[j], names[i]
    return pack([(names[k], members[k][1]) for k in range(len(members))])


mutations = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, len(VALID) - 1), st.integers(0, 7)),
    st.tuples(st.just("truncate"), st.integers(0, len(VALID) - 1), st.just(0)),
    st.tuples(st.just("swap"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("insert"), st.integers(0, len(VALID) - 1), st.integers(0, 255)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutations, min_size=1, max_size=3))
def test_mutated_bundles_are_verified_or_refused_never_anything_else(steps) -> None:
    data = VALID
    for kind, a, b in steps:
        if kind == "flip":
            data = _flip(data, a, b)
        elif kind == "truncate":
            data = data[: a % max(len(data), 1)]
        elif kind == "insert":
            position = a % max(len(data), 1)
            data = data[:position] + bytes([b]) + data[position:]
        else:
            # an earlier mutation may have broken the container: then keep the bytes
            with contextlib.suppress(Exception):
                data = _swap(data, a, b)
    try:
        opened = open_valid(data, expected_agency_id="AG")
    except BundleError as exc:
        assert exc.check and exc.message
        return
    # it verified: then it must say exactly what the original said
    assert opened.manifest == open_valid(VALID).manifest
    assert opened.case_document == open_valid(VALID).case_document
    assert opened.attachments == open_valid(VALID).attachments


def test_container_refuses_compressed_members() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, b"{}" * 1000)
    assert check_of(buffer.getvalue()) == "container"


def test_container_reads_members_as_zipfile_does_and_refuses_damage_to_them() -> None:
    from homestudy.sync.container import ContainerError

    members = [("a.json", b"{}"), ("b/c.bin", bytes(range(256)) * 40), ("empty", b"")]
    data = pack(members)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert unpack(data, max_member_size=1 << 20) == {
            i.filename: archive.read(i) for i in archive.infolist()
        }
    body_at = data.index(bytes(range(256)))
    flipped = data[:body_at] + bytes([data[body_at] ^ 1]) + data[body_at + 1 :]
    renamed = data.replace(b"b/c.bin", b"b/x.bin", 1)  # the local header's name only
    for damaged in (flipped, renamed, data[: body_at + 100]):
        with pytest.raises(ContainerError):
            unpack(damaged, max_member_size=1 << 20)


def key_list(version: int, expires: datetime) -> Any:
    return make_key_list(
        AGENCY.signing_secret,
        KeyList(
            agency_id="AG",
            version=version,
            issued_at=datetime.now(UTC).isoformat(),
            expires_at=expires.isoformat(),
            age_recipient=AGENCY.age_recipient,
            signing_public_key=AGENCY.signing_public,
        ),
    )


def test_key_list_refuses_older_versions_and_warns_when_expired() -> None:
    later = datetime.now(UTC) + timedelta(days=30)
    checked, warning = verify_key_list(
        key_list(3, later), trusted_public_key=AGENCY.signing_public, agency_id="AG", last_version=3
    )
    assert checked.version == 3 and warning is None
    with pytest.raises(KeyListError, match="older key list"):
        verify_key_list(
            key_list(2, later),
            trusted_public_key=AGENCY.signing_public,
            agency_id="AG",
            last_version=3,
        )
    _, warning = verify_key_list(
        key_list(4, datetime.now(UTC) - timedelta(days=1)),
        trusted_public_key=AGENCY.signing_public,
        agency_id="AG",
        last_version=3,
    )
    assert warning and "expired" in warning
    with pytest.raises(KeyListError, match="not signed"):
        verify_key_list(
            key_list(5, later),
            trusted_public_key=DEVICE.signing_public,
            agency_id="AG",
            last_version=0,
        )
    with pytest.raises(KeyListError, match="different agency"):
        verify_key_list(
            key_list(5, later),
            trusted_public_key=AGENCY.signing_public,
            agency_id="OTHER",
            last_version=0,
        )
