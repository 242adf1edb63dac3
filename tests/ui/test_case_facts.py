"""The Case details pages for the Schedule 4 facts and the report's pictures, driven by
keyboard, saved to a real vault, and exported."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import docx
import editors_support
import pypdf
from editors_support import choose, load, on_worker, settle, unnamed_focusable
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from report_documents import drawing_png, photo_jpeg
from test_case_details import page, type_date, type_into

from homestudy.forms import load_library
from homestudy.model import Case, MaritalStatus
from homestudy.report import export_par, extras_for
from ui.views.case_details import CaseDetailsView
from ui.views.export_dialog import ExportDialog

editor_ctx = editors_support.editor_ctx  # fixture
saved_case = editors_support.saved_case  # fixture
SHOTS = Path("/tmp/shots")


def _view(qtbot: Any, ctx: Any, case: Case) -> CaseDetailsView:
    view: CaseDetailsView = editors_support.details_view(qtbot, ctx, case)
    return view


def test_schedule4_facts_are_typed_saved_and_shown(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    page(view, "facts")
    assert unnamed_focusable(view) == []
    facts = view.facts.records
    assert facts.table.topLevelItemCount() == 2
    assert not facts.add_button.isVisible()  # applicants are added on their own page
    facts.select(saved_case.applicants[0].id)
    type_into(facts.inputs["place_of_birth"], "Leeds")
    type_into(facts.inputs["local_authority_area"], "Bristol City Council")
    type_date(facts.inputs["area_since"], date(2016, 9, 1))
    choose(facts.inputs["domiciled_in_british_islands"], "yes")
    choose(facts.inputs["marital_status"], "married")
    type_date(facts.inputs["marriage_date"], date(2018, 6, 16))
    type_into(facts.inputs["marriage_place"], "Bristol Register Office")
    type_into(facts.inputs["family_court_proceedings"], "None")
    type_into(facts.inputs["gp_name"], "Dr Amara Bello")
    type_into(view.facts.accommodation, "Three-bedroom house, owned.")
    type_into(view.facts.finances, "Joint income about £68,000.")
    settle(qtbot, editor_ctx, view)
    SHOTS.mkdir(exist_ok=True)
    view.grab().save(str(SHOTS / "case_details_facts.png"))

    stored = load(editor_ctx, qtbot, saved_case.id)
    first = stored.applicants[0]
    assert first.place_of_birth == "Leeds"
    assert first.local_authority_area == "Bristol City Council"
    assert first.area_since == date(2016, 9, 1)
    assert first.domiciled_in_british_islands is True
    assert first.marital_status is MaritalStatus.MARRIED
    assert (first.marriage_date, first.marriage_place) == (
        date(2018, 6, 16),
        "Bristol Register Office",
    )
    assert first.family_court_proceedings == "None" and first.gp_name == "Dr Amara Bello"
    assert stored.accommodation == "Three-bedroom house, owned."
    assert stored.finances == "Joint income about £68,000."
    assert facts.table.currentItem().text(1) == "Leeds"

    # shown again when the case comes back, and not-recorded stays not recorded
    view.set_case(stored)
    page(view, "facts")
    facts.select(stored.applicants[1].id)
    assert facts.inputs["domiciled_in_british_islands"].currentText() == "Not recorded"
    facts.select(stored.applicants[0].id)
    assert facts.inputs["domiciled_in_british_islands"].currentText() == "Yes"
    assert facts.inputs["marital_status"].currentText() == "Married"


def test_renaming_an_applicant_shows_on_the_facts_page(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    view.applicants.select(saved_case.applicants[0].id)
    first = view.applicants.inputs["first_name"]
    first.setFocus()
    first.selectAll()
    QTest.keyClicks(first, "Joanna")
    page(view, "facts")
    names = [view.facts.records.table.topLevelItem(i).text(0) for i in range(2)]
    assert names[0].startswith("Joanna")


def test_reveal_a_fact_opens_the_facts_page(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("gp_name")
    assert view.current_page() == "facts"
    view.reveal("finances")
    assert view.current_page() == "facts"
    view.reveal("photo_attachment_id")
    assert view.current_page() == "pictures"


def test_choose_a_photograph_then_export_has_it(qtbot, editor_ctx, saved_case, tmp_path):
    photo = on_worker(
        editor_ctx,
        qtbot,
        lambda v: v.cases.add_attachment(
            saved_case.id, "garden.jpg", "image/jpeg", photo_jpeg(), description="At home"
        ),
    )
    on_worker(
        editor_ctx,
        qtbot,
        lambda v: v.cases.add_attachment(
            saved_case.id, "letter.pdf", "application/pdf", b"%PDF-1.4"
        ),
    )
    view = _view(qtbot, editor_ctx, load(editor_ctx, qtbot, saved_case.id))
    page(view, "pictures")
    assert unnamed_focusable(view) == []
    combo = view.pictures.combos["photograph"]
    assert combo.count() == 2  # "No picture" and the photograph; the PDF is not offered
    choose(combo, photo.id)
    settle(qtbot, editor_ctx, view)
    SHOTS.mkdir(exist_ok=True)
    view.grab().save(str(SHOTS / "case_details_pictures.png"))
    stored = load(editor_ctx, qtbot, saved_case.id)
    assert stored.photo_attachment_id == photo.id

    # exported through the Export dialog: the photograph is on the front sheet
    dialog = ExportDialog(editor_ctx, saved_case.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=30_000)
    choose(dialog.variant, "applicant")
    qtbot.mouseClick(dialog.pdf, Qt.MouseButton.LeftButton)
    target = tmp_path / "applicants.pdf"
    dialog.destination.setFocus()
    dialog.destination.selectAll()
    QTest.keyClicks(dialog.destination, str(target))
    with qtbot.waitSignal(dialog.finished_export, timeout=30_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    reader = pypdf.PdfReader(io.BytesIO(target.read_bytes()))
    assert len(reader.pages[0].images) == 1
    assert "At home" in reader.pages[0].extract_text()  # its alt text

    extras = on_worker(editor_ctx, qtbot, lambda v: extras_for(v, stored))
    out = export_par(
        stored, "docx", "applicant", tmp_path / "par.docx", forms=load_library(), extras=extras
    )
    (shape,) = docx.Document(io.BytesIO(out.read_bytes())).inline_shapes
    assert shape._inline.docPr.get("descr") == "At home"

    choose(combo, "")  # and taken out again
    settle(qtbot, editor_ctx, view)
    assert load(editor_ctx, qtbot, saved_case.id).photo_attachment_id == ""


def test_add_a_picture_from_a_file(qtbot, editor_ctx, saved_case, tmp_path):
    view = _view(qtbot, editor_ctx, load(editor_ctx, qtbot, saved_case.id))
    page(view, "pictures")
    drawing = tmp_path / "tree.png"
    drawing.write_bytes(drawing_png())
    view._add_picture("family_tree", drawing)
    combo = view.pictures.combos["family_tree"]
    qtbot.waitUntil(lambda: combo.currentIndex() > 0, timeout=10_000)
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id)
    (att,) = stored.attachments
    assert stored.family_tree_attachment_id == att.id and att.media_type == "image/png"

    fake = tmp_path / "not-a-picture.jpg"
    fake.write_bytes(b"just words")
    view._add_picture("ecomap", fake)
    qtbot.waitUntil(lambda: "not a photograph" in view.pictures.status.text(), timeout=10_000)
    assert len(load(editor_ctx, qtbot, saved_case.id).attachments) == 1
    assert view.pictures.combos["ecomap"].currentData() == ""
