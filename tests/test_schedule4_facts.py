"""The Schedule 4 facts (Adoption Agencies Regulations 2005, Sch. 4 Part 1) round-trip
through a real vault and reach Part 2 of the export; a vault stored by an older
HomeStudy opens with the facts empty, takes them and exports them. The pictures the
worker chose are read from the vault and embedded."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
from report_documents import photo_jpeg
from report_helpers import read_docx, read_pdf, squash

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.model import Case, MaritalStatus, PlaceLived
from homestudy.report import build_par_document, extras_for, render
from homestudy.vault import Vault

TODAY = date(2026, 11, 20)
STORED = Path(__file__).parent / "data" / "vaults"
STORED_PASSPHRASE = "homestudy-test-vault"

FACTS = {
    "place_of_birth": "Kumasi, Ghana",
    "previous_names": ["Daniel Owusu"],
    "sex": "Male",
    "nationality": "British",
    "address": "14 Alder Road, Bristol BS5 6QT",
    "local_authority_area": "Bristol City Council",
    "address_since": date(2019, 4, 1),
    "area_since": date(2016, 9, 1),
    "domiciled_in_british_islands": True,
    "habitually_resident_since": date(2009, 7, 1),
    "marital_status": MaritalStatus.MARRIED,
    "marriage_date": date(2018, 6, 16),
    "marriage_place": "Bristol Register Office",
    "previous_relationships": "Lived with a partner 2011 to 2014; no children.",
    "family_court_proceedings": "None",
    "gp_name": "Dr Amara Bello",
    "gp_address": "Easton Health Centre, Bristol",
}
ACCOMMODATION = "Three-bedroom terraced house, owned with a mortgage; a bedroom ready."
FINANCES = "Joint income about £68,000 a year; savings for adoption leave."


def _fill(case: Case) -> None:
    applicant = case.applicants[1]
    for name, value in FACTS.items():
        setattr(applicant, name, value)
    applicant.places_lived = [
        PlaceLived("Leeds", from_date=date(2014, 9, 1), to_date=date(2016, 8, 31))
    ]
    case.accommodation, case.finances = ACCOMMODATION, FINANCES


def _expected_words() -> list[str]:
    return [
        "Kumasi, Ghana",
        "Daniel Owusu",
        "Bristol City Council, since 1 Sep 2016",
        "Married",
        "16 Jun 2018, Bristol Register Office",
        "Dr Amara Bello",
        "Easton Health Centre",
        "Leeds, 1 Sep 2014 to 31 Aug 2016",
        "since 1 Jul 2009",
        ACCOMMODATION,
        FINANCES,
    ]


def _assert_exported(case: Case, variant: str = "panel") -> None:
    doc = build_par_document(case, variant, forms=load_library(), today=TODAY)
    body = read_docx(render(doc, "docx")).body
    pdf_text = squash("".join(read_pdf(render(doc, "pdf"))))
    for words in _expected_words():
        assert words in body, words
        assert squash(words) in pdf_text, words


def test_facts_round_trip_through_the_vault_and_reach_part_2(vault: Vault) -> None:
    case = build_demo_case(TODAY)
    _fill(case)
    vault.cases.save_case(case)
    loaded = vault.cases.load_case(case.id)
    applicant = loaded.applicants[1]
    for name, value in FACTS.items():
        assert getattr(applicant, name) == value, name
    assert applicant.places_lived[0].place == "Leeds"
    assert (loaded.accommodation, loaded.finances) == (ACCOMMODATION, FINANCES)
    _assert_exported(loaded)


def test_facts_are_in_the_applicants_copy_too(vault: Vault) -> None:
    case = build_demo_case(TODAY)
    _fill(case)
    _assert_exported(case, "applicant")  # their own facts: shared


def test_married_person_applying_alone_gives_reasons() -> None:
    case = build_demo_case(TODAY)
    del case.applicants[1]
    case.applicants[0].marital_status = MaritalStatus.MARRIED
    text = build_par_document(case, "panel", forms=load_library(), today=TODAY).plain_text()
    assert "Reasons for applying alone Not recorded" in text
    case.applicants[0].applying_alone_reason = "Separated since 2023; divorce under way."
    text = build_par_document(case, "panel", forms=load_library(), today=TODAY).plain_text()
    assert "Separated since 2023; divorce under way." in text


def test_a_vault_stored_before_the_facts_opens_takes_and_exports_them(tmp_path: Path) -> None:
    folder = tmp_path / "v1"
    shutil.copytree(STORED / "v1", folder)
    vault = Vault.open(folder, STORED_PASSPHRASE)
    try:
        (summary,) = vault.cases.list_cases()
        case = vault.cases.load_case(summary.id)
        applicant = case.applicants[1]
        assert applicant.place_of_birth == "" and applicant.gp_name == ""
        assert applicant.marital_status is MaritalStatus.NOT_RECORDED
        assert applicant.domiciled_in_british_islands is None
        assert case.accommodation == "" and case.photo_attachment_id == ""
        text = build_par_document(case, "panel", forms=load_library(), today=TODAY).plain_text()
        assert "Place of birth Not recorded" in text
        _fill(case)
        vault.cases.save_case(case)
        _assert_exported(vault.cases.load_case(case.id))
    finally:
        vault.close()


@pytest.mark.parametrize("variant", ["panel", "applicant"])
def test_chosen_photograph_is_read_from_the_vault_and_embedded(
    vault: Vault, variant: str, tmp_path: Path
) -> None:
    case = build_demo_case(TODAY)
    vault.cases.save_case(case)
    photo = vault.cases.add_attachment(
        case.id, "us.jpg", "image/jpeg", photo_jpeg(), description="Hannah and Daniel at home"
    )
    vault.cases.add_attachment(case.id, "notes.txt", "text/plain", b"not a picture")
    case = vault.cases.load_case(case.id)
    case.photo_attachment_id = photo.id
    vault.cases.save_case(case)
    case = vault.cases.load_case(case.id)
    # the document itself (the applicants' copy's guard is tested in test_confidentiality)
    made = build_par_document(
        case, variant, forms=load_library(), today=TODAY, extras=extras_for(vault, case)
    )
    document = docx.Document(io.BytesIO(render(made, "docx")))
    (shape,) = document.inline_shapes
    assert shape._inline.docPr.get("descr") == "Hannah and Daniel at home"
