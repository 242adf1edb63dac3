"""The confidentiality guard: flagged passages in the shared sections of the PAR."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from report_helpers import read_docx, squash

from homestudy.demo import build_demo_case
from homestudy.errors import UnreviewedPassagesError, ValidationError
from homestudy.forms import load_library
from homestudy.model import (
    Case,
    ChecklistAnswer,
    EvidenceLink,
    ParSectionDraft,
    Reference,
    ReferenceKind,
    SharedTextReview,
)
from homestudy.readiness import assess_readiness
from homestudy.report import build_par_document, export_par
from homestudy.report.confidentiality import (
    flagged_passages,
    move_to_confidential,
    passage_key,
    record_may_share,
    unreviewed_flags,
)
from homestudy.serial import from_jsonable, to_jsonable
from homestudy.timeline import TimelineRules

TODAY = date(2026, 11, 20)
CODE = "shared_passage_unreviewed"
#: the demo's third parties who are not of the household: never accepted below
OUTSIDERS = ("Marcus", "Adeyemi", "Rebecca", "Claire", "Robson", "station manager")
#: the applicants' own children: the review says these may be shared
FAMILY = ("Isla Mensah-Whitfield", "Joshua Mensah")


@pytest.fixture
def case() -> Case:
    return build_demo_case(TODAY)


def _only(case: Case, section_id: str, text: str) -> None:
    for draft in case.par_sections.values():
        draft.text = ""
    case.par_sections[section_id] = ParSectionDraft(section_id, text=text)


def test_the_demo_names_its_referees_and_former_partner_in_shared_sections(case, lib):
    flags = flagged_passages(case, lib)
    who = {w for f in flags for w in f.who}
    assert {
        "Claire Robson",
        "Marcus Adeyemi",
        "Rebecca Whitfield",
        "Station Manager, regional ambulance service",
    } <= who  # known by role
    relationships = [f for f in flags if f.section_id == "relationships"]
    assert relationships and all(
        f.text == case.par_sections["relationships"].text[f.start : f.end] for f in relationships
    )
    # the confidential sections are not the guard's business
    assert not {f.section_id for f in flags} & {"statutory_checks", "references_summary"}


def test_names_applicants_and_ordinary_words(case, lib):
    case.references.append(Reference(ReferenceKind.PERSONAL, "Rose Hill"))
    _only(
        case,
        "health",
        "Hannah Whitfield and Daniel Mensah spoke. A rose grew on the hill. "
        "Rose Hill came to tea. Mrs Hill was there. CLAIRE phoned.",
    )
    flags = flagged_passages(case, lib)
    texts = [f.text for f in flags]
    # the applicants' names and ordinary words are never flagged; full names always are;
    # a distinctive first name alone is, whatever its case
    assert texts == ["Rose Hill came to tea.", "CLAIRE phoned."]
    assert flags[0].roles == ("referee",) and flags[1].roles == ("former partner",)


def test_a_run_of_words_from_an_interview_is_a_quote(case, lib):
    notes = case.references[0].notes  # "... Describes them as steady, generous and good ..."
    assert "steady, generous and good under pressure" in notes
    _only(
        case,
        "support_network",
        "They are\nknown as STEADY generous  and good under "
        "pressure; gave the example of the couple caring for his children. Then more.",
    )
    (flag,) = flagged_passages(case, lib)
    assert flag.kind == "quote" and flag.who == ("Marcus Adeyemi",)
    assert flag.text.startswith("known as STEADY")
    # six words in a row are a quote (seven slipped through when it took eight)
    _only(case, "support_network", "Others see them as steady, generous and good in a crisis.")
    assert [f.kind for f in flagged_passages(case, lib)] == ["quote"]
    # five are not enough
    _only(case, "support_network", "They are steady, generous and good under a cloud.")
    assert flagged_passages(case, lib) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "His ex-wife described him as controlling at times.",
        "Daniel's first partner told me he had been violent.",
        "One referee told me she had doubts about Hannah's patience.",
        "A previous partner is still in touch.",
        "His sister told me about the move.",
        "The family referee had concerns about the stairs.",
        "Josh visits most holidays.",  # Joshua Mensah, of the household
        "Becky worries about her low mood.",  # Rebecca Whitfield, a referee
        "They said Becky was right.",
    ],
)
def test_third_parties_not_named_in_full_are_flagged(case, lib, sentence):
    _only(case, "health", f"Evidence about health.\n\n{sentence}\n\n**Analysis:** fine.")
    assert [f.text for f in unreviewed_flags(case, lib)] == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "Hannah told me about her childhood.",  # an applicant speaking
        "Dan said that he was ready.",  # the short form of an applicant's own name
        "She told me she was ready.",
        "This was confirmed by a referee.",  # no one's words
        "The written references were consistent with this.",
        "Will they cope with a second child?",  # "Will", not William
        "They like to josh each other.",  # the word, not the name
    ],
)
def test_the_applicants_own_words_and_plain_mentions_are_not_flagged(case, lib, sentence):
    _only(case, "health", f"Evidence about health.\n\n{sentence}")
    assert unreviewed_flags(case, lib) == []


def test_a_review_survives_edits_elsewhere_and_lapses_when_the_passage_changes(case, lib):
    _only(
        case,
        "relationships",
        "First paragraph.\n\nWhat Daniel said was echoed by Claire Robson. Last words.",
    )
    (flag,) = unreviewed_flags(case, lib)
    review = record_may_share(case, flag, note="Claire agreed", by="Priya Raman")
    assert (
        review.key
        == flag.key
        == passage_key("relationships", "what daniel said was **echoed** by claire robson")
    )
    assert unreviewed_flags(case, lib) == []
    draft = case.par_sections["relationships"]
    draft.text = "A new opening.\n\n" + draft.text.replace("Last words.", "Other words.")
    assert unreviewed_flags(case, lib) == []  # the same passage, moved: still reviewed
    draft.text = draft.text.replace("echoed by", "confirmed by")
    assert len(unreviewed_flags(case, lib)) == 1  # reworded but still naming her
    draft.text = draft.text.replace("Claire Robson", "his former partner")
    assert [f.kind for f in unreviewed_flags(case, lib)] == ["source"]  # not named, still her
    draft.text = draft.text.replace("his former partner", "what I saw at home")
    assert unreviewed_flags(case, lib) == []  # reworded: nothing to flag


def test_move_to_confidential_cuts_the_passage_and_keeps_evidence_links_in_step(case, lib):
    _only(
        case,
        "relationships",
        "They met in 2014.\n\nMarcus Adeyemi agreed.\n\n"
        "- **Claire Robson** was interviewed. She agreed.\n- The second item\n\nAnalysis: ok.",
    )
    draft = case.par_sections["relationships"]
    draft.evidence = [
        EvidenceLink("visit", "v1", 0),
        EvidenceLink("visit", "v2", 1),
        EvidenceLink("visit", "v3", 3),
    ]
    first, second = flagged_passages(case, lib)
    shared, confidential = move_to_confidential(case, first, section_title="Relationships")
    assert shared.text == (
        "They met in 2014.\n\n- **Claire Robson** was interviewed. She "
        "agreed.\n- The second item\n\nAnalysis: ok."
    )
    assert [(e.target_id, e.paragraph) for e in shared.evidence] == [("v1", 0), ("v3", 2)]
    assert confidential.text.endswith("*Moved from “Relationships”:* Marcus Adeyemi agreed.")
    with pytest.raises(ValidationError):  # the old offsets no longer fit
        move_to_confidential(case, second)
    (item,) = flagged_passages(case, lib)
    move_to_confidential(case, item, section_title="Relationships")
    assert shared.text == ("They met in 2014.\n\n- She agreed.\n- The second item\n\nAnalysis: ok.")
    assert "Claire Robson was interviewed." in confidential.text  # marks dropped
    assert flagged_passages(case, lib) == []


def test_each_section_with_unreviewed_passages_is_a_blocker_that_opens_the_first(case, lib):
    flags = unreviewed_flags(case, lib)
    findings = [f for f in assess_readiness(case, lib, TimelineRules(), TODAY) if f.code == CODE]
    sections = list(dict.fromkeys(flag.section_id for flag in flags))
    assert len(findings) == len(sections) > 0  # one per section, not dozens per page
    first = {sid: next(fl for fl in flags if fl.section_id == sid) for sid in sections}
    assert [f.fix_at.target for f in findings] == [
        f"{sid}/passage:{first[sid].key}" for sid in sections
    ]
    several = next(sid for sid in sections if sum(fl.section_id == sid for fl in flags) > 1)
    count = sum(fl.section_id == several for fl in flags)
    assert any(f.message.startswith(f"{count} passages in") for f in findings)
    assert all(f.fix_at.area == "par" and f.severity == "blocker" for f in findings)
    names = {w for flag in flags for n in flag.who for w in n.split()}
    assert not any(n in f.message for f in findings for n in names)  # no case content
    for flag in flags:
        record_may_share(case, flag)
    assert not [f for f in assess_readiness(case, lib, TimelineRules(), TODAY) if f.code == CODE]


def _review_the_demo(case: Case, lib) -> set[str]:
    """Accept the passages naming only the applicants' children; move the rest."""
    titles = {s.id: s.title for s in lib.par.sections}
    accepted: set[str] = set()
    while True:
        flags = unreviewed_flags(case, lib)
        if not flags:
            return accepted
        flag = flags[0]
        if set(flag.who) <= set(FAMILY):
            record_may_share(case, flag, note="The applicants' own child", by="Priya Raman")
            accepted.update(flag.who)
        else:
            move_to_confidential(case, flag, section_title=titles[flag.section_id])


def _pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_applicants_copy_waits_for_every_passage_then_leaves_out_the_rest(case, lib, tmp_path):
    out = tmp_path / "applicants.pdf"
    with pytest.raises(UnreviewedPassagesError) as caught:
        export_par(case, "pdf", "applicant", out, forms=lib, today=TODAY)
    error = caught.value
    assert error.count == len(unreviewed_flags(case, lib))
    assert "in 15 sections: “Cover: applicants and recommendation” (1)" in error.message
    assert "relationships" in [sid for sid, _title, _n in error.sections]
    assert error.first_target.startswith("par:cover/passage:")
    assert not any(n in error.message for n in OUTSIDERS)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    # the panel copy is not held back
    export_par(case, "pdf", "panel", tmp_path / "panel.pdf", forms=lib, today=TODAY)

    accepted = _review_the_demo(case, lib)
    assert accepted == set(FAMILY)
    docx_path, pdf_path = tmp_path / "applicants.docx", out
    export_par(case, "docx", "applicant", docx_path, forms=lib, today=TODAY)
    export_par(case, "pdf", "applicant", pdf_path, forms=lib, today=TODAY)
    docx_text = read_docx(docx_path.read_bytes())
    words = " ".join([docx_text.body, *docx_text.headers, *docx_text.footers]).lower()
    pdf_words = _pdftotext(pdf_path).lower()
    assert "isla" in words and "isla" in pdf_words  # accepted: shared
    for name in OUTSIDERS:
        assert name.lower() not in words, name
        assert name.lower() not in pdf_words, name
    # what was moved is in the panel copy's confidential references
    panel = build_par_document(case, "panel", forms=lib, today=TODAY).plain_text()
    assert "Moved from" in panel and "Claire Robson" in panel


def test_the_medical_summary_is_shared_unless_the_agency_keeps_it_back(case, lib):
    medical = case.stage1.medical_adviser_summary[:60]
    shared = build_par_document(case, "applicant", forms=lib, today=TODAY).plain_text()
    kept = build_par_document(
        case, "applicant", forms=lib, today=TODAY, medical_summary_shared=False
    ).plain_text()
    assert squash(medical) in squash(shared)
    assert squash(medical) not in squash(kept)
    # kept back, the section is not the guard's business either
    _only(case, "medical_summary", "Claire Robson has diabetes.")
    assert len(unreviewed_flags(case, lib)) == 1
    assert unreviewed_flags(case, lib, medical_summary_shared=False) == []
    rules = TimelineRules(medical_summary_shared=False)
    assert not [f for f in assess_readiness(case, lib, rules, TODAY) if f.code == CODE]


def test_reviews_load_from_old_json_and_round_trip_through_the_vault(case, vault):
    old = to_jsonable(ParSectionDraft("health", text="x"))
    del old["shared_text_reviews"]
    assert from_jsonable(ParSectionDraft, old).shared_text_reviews == []
    vault.cases.save_case(case)
    flag = flagged_passages(case, load_library())[0]
    record_may_share(case, flag, note="fine", by="Priya Raman")
    vault.cases.save_par_section(case.id, case.par_sections[flag.section_id])
    loaded = vault.cases.load_case(case.id).par_sections[flag.section_id]
    (review,) = loaded.shared_text_reviews
    assert isinstance(review, SharedTextReview)
    assert (review.key, review.decision, review.note) == (flag.key, "may_share", "fine")


def _add_field_rows(case: Case, lib) -> None:
    par = lib.par
    case.checklist_answers.append(
        ChecklistAnswer(
            par.id,
            par.version,
            "vulnerabilities",
            {
                "vulnerability": "Anger when stressed",
                "evidence": "Claire Robson told me he punched a wall in 2006.",
                "mitigation": "He has done an anger management course.",
            },
            "",
            7,
        )
    )
    case.checklist_answers.append(
        ChecklistAnswer(
            par.id,
            par.version,
            "chronology",
            {"applicant": "applicant2", "period": "2006", "event": "Police called by Claire."},
            "",
            9,
        )
    )


def test_a_shared_sections_details_are_checked_like_its_text(case, lib, tmp_path):
    for flag in unreviewed_flags(case, lib):  # every passage of the text is dealt with
        record_may_share(case, flag, note="checked")
    _add_field_rows(case, lib)
    flags = unreviewed_flags(case, lib)
    assert sorted((f.section_id, f.field, f.text) for f in flags) == [
        ("family_of_origin", "chronology/9/event", "Police called by Claire."),
        (
            "strengths_vulnerabilities",
            "vulnerabilities/7/evidence",
            "Claire Robson told me he punched a wall in 2006.",
        ),
    ]
    assert {f.where for f in flags} == {"Chronology from birth: Event", "Vulnerabilities: Evidence"}
    out = tmp_path / "applicants.pdf"
    with pytest.raises(UnreviewedPassagesError):
        export_par(case, "pdf", "applicant", out, forms=lib, today=TODAY)
    assert not out.exists()
    findings = assess_readiness(case, lib, TimelineRules(), today=TODAY)
    assert {f.fix_at.target for f in findings if f.code == CODE} == {
        f"{f.section_id}/passage:{f.key}" for f in flags
    }
    # such a passage is reworded where it is, or accepted; it is not moved, and the
    # finding offers only what can be done
    for finding in (f for f in findings if f.code == CODE):
        assert "reword it or record that it may be shared" in finding.message
        assert "confidential references" not in finding.message
    with pytest.raises(ValidationError):
        move_to_confidential(case, flags[0])
    with pytest.raises(ValidationError):  # its answer is needed to check it is current
        record_may_share(case, flags[0])
    for flag in flags:
        record_may_share(case, flag, note="the applicant told me himself", forms=lib)
    assert unreviewed_flags(case, lib) == []
    export_par(case, "pdf", "applicant", out, forms=lib, today=TODAY)
    assert "punched a wall" in _pdftotext(out)
    # rewording the cell ends its review: the new words are checked again
    row = next(a for a in case.checklist_answers if a.question_id == "vulnerabilities")
    row.value = {**row.value, "evidence": "Claire Robson said he shouted at her."}
    assert [f.field for f in unreviewed_flags(case, lib)] == ["vulnerabilities/7/evidence"]
