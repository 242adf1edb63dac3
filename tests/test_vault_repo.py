"""The case repository: round trips, fast paths, listeners, settings, audit, search."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from homestudy.demo import build_demo_case
from homestudy.errors import NotFoundError
from homestudy.model import (
    Animal,
    Case,
    ChecklistAnswer,
    ParSectionDraft,
    Reference,
    ReferenceKind,
    SectionStatus,
    Visit,
)
from homestudy.vault import Vault
from tests.conftest import TEST_PASSPHRASE


def test_whole_case_round_trip(demo_vault: Vault, demo_case: Case) -> None:
    loaded = demo_vault.cases.load_case(demo_case.id)
    assert loaded == demo_case
    assert list(loaded.par_sections) == list(demo_case.par_sections)
    assert demo_vault.cases.find_by_reference(demo_case.reference).id == demo_case.id


def test_round_trip_survives_close_and_open(demo_vault: Vault, demo_case: Case) -> None:
    folder = demo_vault.folder
    demo_vault.close()
    again = Vault.open(folder, TEST_PASSPHRASE)
    try:
        assert again.cases.load_case(demo_case.id) == demo_case
        assert again.integrity_future.result(timeout=30) == []
    finally:
        again.close()


def test_list_cases(demo_vault: Vault, demo_case: Case) -> None:
    other = build_demo_case(seed="second", reference="HS-0001")
    other.visits = other.visits[:3]
    demo_vault.cases.save_case(other)
    summaries = demo_vault.cases.list_cases()
    assert [s.reference for s in summaries] == ["HS-0001", demo_case.reference]
    second, first = summaries
    assert (first.visits_done, first.visits_planned) == (5, 8)
    assert (second.visits_done, second.visits_planned) == (3, 3)
    assert first.applicant_names == "Hannah Whitfield and Daniel Mensah"
    assert first.provisional_panel_date == demo_case.provisional_panel_date


def test_save_case_removes_absent_children(demo_vault: Vault, demo_case: Case) -> None:
    demo_case.visits.pop()
    demo_case.references.pop(0)
    del demo_case.par_sections["cover"]
    demo_case.checklist_answers = demo_case.checklist_answers[:3]
    demo_vault.cases.save_case(demo_case)
    loaded = demo_vault.cases.load_case(demo_case.id)
    assert loaded == demo_case
    assert demo_vault.cases.search("Whitfield recommendation cover") == [] or all(
        h.record_id != "cover" for h in demo_vault.cases.search("recommendation")
    )


def test_fast_paths(demo_vault: Vault, demo_case: Case) -> None:
    cases = demo_vault.cases
    cid = demo_case.id
    draft = ParSectionDraft("matching", "One child aged **two to five**.", SectionStatus.DRAFTING)
    cases.save_par_section(cid, draft)
    visit = Visit(9, "Second opinion visit", notes="Extra visit by a second worker.")
    cases.save_visit(cid, visit)
    ref = Reference(ReferenceKind.SCHOOL_NURSERY, "Class teacher", notes="Isla is settled.")
    cases.save_reference(cid, ref)
    cat = Animal("Pepper", "cat")
    cases.save_animal(cid, cat)
    cases.save_answers(
        cid,
        [
            ChecklistAnswer(
                "health_safety", 1, "blind_cords", {"answer": "yes", "comment": "Cord cut."}
            )
        ],
    )
    loaded = cases.load_case(cid)
    assert loaded.par_sections["matching"] == draft
    assert loaded.visits[-1] == visit
    assert loaded.references[-1] == ref and loaded.animals[-1] == cat
    blind = [a for a in loaded.answers_for("health_safety") if a.question_id == "blind_cords"]
    assert len(blind) == 1 and blind[0].value["answer"] == "yes"
    assert len(loaded.checklist_answers) == len(demo_case.checklist_answers)
    assert loaded.updated_at > demo_case.updated_at

    cases.delete_visit(cid, visit.id)
    cases.delete_reference(cid, ref.id)
    cases.delete_animal(cid, cat.id)
    loaded = cases.load_case(cid)
    assert visit.id not in {v.id for v in loaded.visits}
    assert ref.id not in {r.id for r in loaded.references}
    with pytest.raises(NotFoundError):
        cases.delete_visit(cid, visit.id)
    with pytest.raises(NotFoundError):
        cases.save_visit("no-such-case", visit)


def test_attachments_round_trip(demo_vault: Vault, demo_case: Case) -> None:
    data = bytes(range(256)) * 1000
    att = demo_vault.cases.add_attachment(
        demo_case.id,
        "genogram.png",
        "image/png",
        data,
        description="Family tree drawn at visit one",
    )
    assert att.sha256 == hashlib.sha256(data).hexdigest() and att.size == len(data)
    assert demo_vault.cases.read_attachment(demo_case.id, att.id) == data
    loaded = demo_vault.cases.load_case(demo_case.id)
    assert loaded.attachments == [att]
    loaded.attachments[0].description = "Genogram, updated"
    demo_vault.cases.save_case(loaded)  # whole-case save keeps the bytes
    assert demo_vault.cases.read_attachment(demo_case.id, att.id) == data
    assert demo_vault.cases.load_case(demo_case.id).attachments[0].description == (
        "Genogram, updated"
    )
    demo_vault.cases.delete_attachment(demo_case.id, att.id)
    with pytest.raises(NotFoundError):
        demo_vault.cases.read_attachment(demo_case.id, att.id)


def test_delete_case(demo_vault: Vault, demo_case: Case) -> None:
    demo_vault.cases.delete_case(demo_case.id)
    assert demo_vault.cases.list_cases() == []
    assert demo_vault.cases.search("miscarriages") == []
    with pytest.raises(NotFoundError):
        demo_vault.cases.load_case(demo_case.id)
    with pytest.raises(NotFoundError):
        demo_vault.cases.find_by_reference(demo_case.reference)
    assert demo_vault.audit.verify() > 0  # the trail outlives the case


def test_change_listeners(demo_vault: Vault, demo_case: Case) -> None:
    seen: list[str] = []
    remove = demo_vault.add_change_listener(seen.append)
    demo_vault.add_change_listener(lambda _cid: 1 / 0)  # a broken one must not matter
    demo_vault.cases.save_par_section(demo_case.id, ParSectionDraft("matching", "x"))
    assert seen == [demo_case.id]
    with pytest.raises(NotFoundError):
        demo_vault.cases.save_par_section("missing", ParSectionDraft("matching", "x"))
    assert seen == [demo_case.id]  # nothing committed, nothing told
    remove()
    demo_vault.cases.save_par_section(demo_case.id, ParSectionDraft("matching", "y"))
    assert seen == [demo_case.id]


def test_settings_are_json_and_persist(vault: Vault) -> None:
    assert vault.get_setting("missing", 42) == 42
    vault.set_setting("device", {"id": "abc", "seq": 3, "keys": ["a", "b"]})
    folder = vault.folder
    vault.close()
    again = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
    try:
        assert again.get_setting("device") == {"id": "abc", "seq": 3, "keys": ["a", "b"]}
    finally:
        again.close()


def test_audit_records_ids_and_fields(demo_vault: Vault, demo_case: Case) -> None:
    demo_vault.actor = "priya"
    visit = dataclasses.replace(demo_case.visits[0], notes="Changed notes")
    demo_vault.cases.save_visit(demo_case.id, visit)
    last = demo_vault.audit.entries(case_id=demo_case.id)[-1]
    assert (last.actor, last.action, last.record_kind, last.record_id) == (
        "priya",
        "update",
        "visit",
        visit.id,
    )
    assert last.fields == ("notes",)
    demo_vault.cases.save_visit(demo_case.id, visit)  # unchanged: no entry
    assert demo_vault.audit.entries(case_id=demo_case.id)[-1].seq == last.seq
    assert demo_vault.audit.verify() == len(demo_vault.audit.entries())


def test_audit_holds_no_case_text(demo_vault: Vault, demo_case: Case) -> None:
    text = repr(demo_vault.audit.entries())
    assert "Hannah" not in text and "miscarriage" not in text


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("miscarriages counselling", "visit"),
        ("maintenance contact arrangement", "reference"),
        ("sertraline", "stage1"),
        ("caution circumstances", "line_of_enquiry"),
        ("bookcases", "answer"),
        ("recall lead", "answer"),
        ("reflective language", "par_section"),
        ("Leeds", "household_member"),
        ("Ghana Police certificate", "check"),
    ],
)
def test_search_reaches_every_narrative_field(demo_vault: Vault, query: str, kind: str) -> None:
    hits = demo_vault.cases.search(query)
    assert kind in {h.kind for h in hits}, [h.kind for h in hits]
    hit = next(h for h in hits if h.kind == kind)
    assert hit.highlights
    start, end = hit.highlights[0]
    assert hit.snippet[start:end].lower()[:4] in query.lower()


def test_search_follows_edits_and_is_safe(demo_vault: Vault, demo_case: Case) -> None:
    cases = demo_vault.cases
    assert cases.search("zebra") == []
    cases.save_par_section(demo_case.id, ParSectionDraft("matching", "A zebra crossing."))
    (hit,) = cases.search("zebra")
    assert (hit.kind, hit.record_id, hit.case_reference) == (
        "par_section",
        "matching",
        demo_case.reference,
    )
    assert cases.search("zeb")  # prefix of the last word
    cases.save_par_section(demo_case.id, ParSectionDraft("matching", "A pelican crossing."))
    assert cases.search("zebra") == []
    for nasty in ['"', "AND OR NOT", "col:val*", "(", "NEAR(a b)", ""]:
        cases.search(nasty)  # never an FTS syntax error
    assert len(cases.search("Hannah", limit=3)) == 3
    assert cases.search("Hannah", case_id="other") == []


def test_vault_folder_is_private(vault: Vault, tmp_path: Path) -> None:
    assert (vault.folder.stat().st_mode & 0o777) == 0o700
    assert ((vault.folder / "vault.json").stat().st_mode & 0o777) == 0o600
    for name in ("vault.db", "vault.db-wal", "vault.db-shm"):
        assert ((vault.folder / name).stat().st_mode & 0o777) == 0o600, name


def test_search_index_follows_paragraph_edits(demo_vault: Vault, demo_case: Case) -> None:
    cases = demo_vault.cases
    cid = demo_case.id
    cases.save_par_section(cid, ParSectionDraft("matching", "Alpha one.\n\nBravo two.\n\nCharlie."))
    assert [h.paragraph for h in cases.search("bravo")] == [1]
    cases.save_par_section(cid, ParSectionDraft("matching", "Alpha one.\n\nDelta two."))
    assert cases.search("bravo") == [] and cases.search("charlie") == []
    assert [h.paragraph for h in cases.search("delta")] == [1]
    assert [h.paragraph for h in cases.search("alpha")] == [0]
    cases.save_par_section(cid, ParSectionDraft("matching", ""))
    assert cases.search("alpha") == [] and cases.search("delta") == []
    with demo_vault.reading() as conn:  # nothing orphaned on either side of the index
        docs = conn.execute("SELECT count(*) FROM search_docs").fetchone()[0]
        rows = conn.execute("SELECT count(*) FROM search_fts").fetchone()[0]
    assert docs == rows
