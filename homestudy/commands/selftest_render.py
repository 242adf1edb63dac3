"""The self-test's export and bundle work, all in memory (nothing is written to disk)."""

from __future__ import annotations

import uuid
from typing import Any

from homestudy.model import Case
from homestudy.textutil import format_date


def one_page(case: Case) -> Any:
    """A one-page document: the cover facts and one PAR section, markdown and all."""
    from homestudy.report.docmodel import Document
    from homestudy.report.markdown import parse_blocks

    doc = Document(
        reference=case.reference,
        title="HomeStudy self-test",
        variant_label="Self-test page",
        author=case.assessor_name,
    )
    doc.heading("Self-test: fictional demo case", 1)
    doc.field("Applicants", case.applicant_names)
    doc.field("Stage 2 notice", format_date(case.stage2_notice_on))
    doc.field("Visits done", str(case.visits_done))
    doc.heading("Health", 2)
    text = case.section("health").text
    # The first paragraphs only: enough for bold, lists and fonts on one page.
    doc.extend(parse_blocks("\n\n".join(text.split("\n\n")[:3])))
    doc.table(
        ["Visit", "Planned"], [[v.title, format_date(v.planned_date)] for v in case.visits[:4]]
    )
    return doc


def pdf_bytes(case: Case) -> bytes:
    from homestudy.report.pdf import render_pdf

    return render_pdf(one_page(case))


def docx_bytes(case: Case) -> bytes:
    from homestudy.report.docx import render_docx

    return render_docx(one_page(case))


def bundle_round_trip(case: Case, scratch: object = None) -> str:
    """Sign and encrypt the case with throwaway keys, verify and decrypt it, then prove
    that a changed byte is refused."""
    from homestudy.errors import BundleError
    from homestudy.model import utc_now
    from homestudy.serial import to_jsonable
    from homestudy.sync import keys
    from homestudy.sync.bundle import KIND_CASE, PAYLOAD, Manifest, build_bundle, open_bundle
    from homestudy.sync.container import pack, unpack

    device, agency = keys.generate_keys(), keys.generate_keys()
    manifest = Manifest(
        bundle_id=str(uuid.uuid4()),
        kind=KIND_CASE,
        agency_id="self-test-agency",
        device_id="self-test-device",
        case_id=case.id,
        case_reference=case.reference,
        sequence=1,
        previous_bundle_id="",
        previous_sha256="",
        created_at=utc_now().isoformat(),
    )
    data = build_bundle(
        manifest,
        case_json=to_jsonable(case),
        attachments={},
        signing_secret=device.signing_secret,
        recipient=agency.age_recipient,
    )
    opened = open_bundle(
        data,
        signer_public_key=device.signing_public,
        identity=agency.age_identity,
        expected_agency_id="self-test-agency",
        expected_device_id="self-test-device",
        expected_kind=KIND_CASE,
    )
    if opened.case().reference != case.reference or opened.case().id != case.id:
        raise RuntimeError("the case taken out of the bundle differs from the case put in")

    # Change one byte of the encrypted payload and repack: verification must refuse it.
    members = unpack(data, max_member_size=len(data))
    payload = bytearray(members[PAYLOAD])
    payload[len(payload) // 2] ^= 0x01
    members[PAYLOAD] = bytes(payload)
    tampered = pack(list(members.items()))
    try:
        open_bundle(tampered, signer_public_key=device.signing_public, identity=agency.age_identity)
    except BundleError as exc:
        refused = exc.check or "refused"
    else:
        raise RuntimeError(f"a bundle with a changed {PAYLOAD} was accepted")
    return f"{len(data) // 1024} KB; verified, and a changed byte is refused ({refused} check)"
