"""The PAR editor, driven through its widgets and read back from the vault."""

from __future__ import annotations

import editors_support
from editors_support import load, settle, unnamed_focusable
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from homestudy.forms import load_library
from homestudy.model import Case, EvidenceLink, SectionStatus, Visit
from homestudy.readiness_rules import has_analysis
from ui.views.par_editor import ParEditorView

editor_ctx = editors_support.editor_ctx  # fixture
saved_case = editors_support.saved_case  # fixture


def _view(qtbot, ctx, case: Case) -> ParEditorView:
    view = ParEditorView(ctx)
    qtbot.addWidget(view)
    view.set_case(case)
    view.resize(1400, 900)
    view.show()
    return view


def _type(view: ParEditorView, text: str) -> None:
    """Type at the end of the text, a key at a time (Return for each new line)."""
    view.editor.setFocus()
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    for n, line in enumerate(text.split("\n")):
        if n:
            QTest.keyClick(view.editor, Qt.Key.Key_Return)
        QTest.keyClicks(view.editor, line)


def test_the_tree_lists_every_section_in_order(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    ids = [s.id for s in load_library().par.sections]
    assert view.tree.section_ids() == ids
    assert view.section_id == ids[0]
    item = view.tree.item_for("health")
    assert item.text(1) == "○ Not started" and item.text(2) == "0"
    assert view.total_label.text() == "0 words in the whole PAR"


def test_typing_saves_the_section_with_counts_and_status(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("health")
    assert view.title.text() == load_library().par.section("health").title
    assert "Required for panel." in view.guidance.text()
    _type(view, "Both are in good health.")
    settle(qtbot, editor_ctx, view)

    stored = load(editor_ctx, qtbot, saved_case.id).par_sections["health"]
    assert stored.text == "Both are in good health."
    assert stored.status is SectionStatus.DRAFTING  # set by the first words
    assert stored.last_edited is not None
    assert view.words_label.text() == "5 words in this section"
    assert view.tree.item_for("health").text(1) == "◐ Drafting"
    assert view.tree.item_for("health").text(2) == "5"
    assert view.total_label.text() == "5 words in the whole PAR"

    view.status_combo.setFocus()
    QTest.keyClick(view.status_combo, Qt.Key.Key_Down)  # Drafting -> Ready for review
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id).par_sections["health"]
    assert stored.status is SectionStatus.READY_FOR_REVIEW

    # an edit after "Ready for review": what the supervisor would review has changed
    _type(view, " Neither smokes.")
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id).par_sections["health"]
    assert stored.status is SectionStatus.DRAFTING
    assert view.status_combo.currentData() == SectionStatus.DRAFTING.value
    assert view.tree.item_for("health").text(1) == "◐ Drafting"


def test_only_a_change_of_the_words_moves_last_edited(qtbot, editor_ctx, saved_case):
    """Marking a section Complete after the manager signed is not an edit of the report:
    readiness calls a signature older than the last edit stale, so a status change must
    leave "last edited" where the words left it."""
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("health")
    _type(view, "Both are in good health.")
    settle(qtbot, editor_ctx, view)
    edited = load(editor_ctx, qtbot, saved_case.id).par_sections["health"].last_edited
    assert edited is not None
    view.status_combo.setFocus()
    QTest.keyClick(view.status_combo, Qt.Key.Key_Down)  # Drafting -> Ready for review
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id).par_sections["health"]
    assert stored.status is SectionStatus.READY_FOR_REVIEW
    assert stored.last_edited == edited
    _type(view, " Neither smokes.")
    settle(qtbot, editor_ctx, view)
    later = load(editor_ctx, qtbot, saved_case.id).par_sections["health"].last_edited
    assert later is not None and later > edited


def test_analysis_paragraph_button_and_formatting_keys(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("motivation")
    _type(view, "They have grieved their infertility.")
    qtbot.mouseClick(view.analysis_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(view.editor, "They are ready to parent a child who is not theirs by birth.")
    cursor = view.editor.textCursor()
    start = view.editor.visible_text().index("birth")
    cursor.setPosition(start)
    cursor.setPosition(start + len("birth"), QTextCursor.MoveMode.KeepAnchor)
    view.editor.setTextCursor(cursor)
    QTest.keyClick(view.editor, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, editor_ctx, view)

    text = load(editor_ctx, qtbot, saved_case.id).par_sections["motivation"].text
    assert text == (
        "They have grieved their infertility.\n\n**Analysis:** They are ready to "
        "parent a child who is not theirs by *birth*."
    )
    assert has_analysis(text)


def test_undo_history_stays_with_each_section(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("health")
    _type(view, "Health text")
    view.reveal("matching")
    _type(view, "Matching text")
    view.reveal("health")
    assert view.editor.toPlainText() == "Health text"
    QTest.keyClick(view.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.editor.toPlainText() == "Health"  # undo goes a word at a time
    QTest.keyClick(view.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.editor.toPlainText() == ""
    for _ in range(2):
        QTest.keyClick(
            view.editor,
            Qt.Key.Key_Z,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert view.editor.toPlainText() == "Health text"
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id).par_sections
    assert stored["health"].text == "Health text" and stored["matching"].text == "Matching text"


def test_evidence_links_follow_their_paragraph(qtbot, editor_ctx, saved_case):
    visit = Visit(sequence=1, title="Joint visit: the relationship")
    saved_case.visits.append(visit)
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("relationships")
    _type(view, "They met at university.\n\nThey share the load at home.")
    assert view.evidence.paragraph == 1
    view.evidence.target.setCurrentIndex(
        view.evidence.target.findText("Visit 1: Joint visit: the relationship")
    )
    qtbot.mouseClick(view.evidence.link_button, Qt.MouseButton.LeftButton)
    assert view.evidence.links.count() == 1
    # A new paragraph above moves the link down with its paragraph.
    view.editor.moveCursor(QTextCursor.MoveOperation.Start)
    QTest.keyClicks(view.editor, "Introduction.")
    QTest.keyClick(view.editor, Qt.Key.Key_Return)
    QTest.keyClick(view.editor, Qt.Key.Key_Return)
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id).par_sections["relationships"]
    assert stored.evidence == [EvidenceLink("visit", visit.id, 2)]
    assert view.evidence.paragraph == 1 and view.evidence.links.count() == 0


def test_lines_of_enquiry_are_ticked_here(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("support_network")
    line = saved_case.lines_of_enquiry[0]  # expected in this section
    assert view.enquiries.list.count() == 1
    assert view.enquiries.list.item(0).text().startswith(line.text)
    view.enquiries.list.setFocus()
    view.enquiries.list.setCurrentRow(0)
    QTest.keyClick(view.enquiries.list, Qt.Key.Key_Space)
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id).par_sections["support_network"]
    assert stored.lines_of_enquiry_addressed == [line.id]
    view.reveal("health")
    assert view.enquiries.list.count() == 0  # the DBS line belongs elsewhere


def test_pasted_word_text_and_flush_on_hide(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("home_lifestyle")
    view.editor.setFocus()
    mime = QMimeData()
    mime.setText("A semi\x0b-detached house\x00 with a garden\r\n\r\n- a pond\x07 (fenced)")
    view.editor.insertFromMimeData(mime)
    view.hide()  # closing, locking or changing tab: the pending save starts at once
    qtbot.waitUntil(lambda: view.saver.idle and not editor_ctx.db.busy, timeout=10_000)
    stored = load(editor_ctx, qtbot, saved_case.id).par_sections["home_lifestyle"]
    # pasted plain text stays text: a "- " typed in Notepad is not made into a list
    assert stored.text == "A semi-detached house with a garden\n\n\\- a pond (fenced)"


def test_a_paste_drops_bidi_controls_zero_width_spaces_and_byte_order_marks(
    qtbot, editor_ctx, saved_case
):
    """Through the clipboard and Ctrl+V, as plain text and as HTML (Word, a browser):
    a right-to-left override, a zero-width space and a BOM go; the joiners stay."""
    from PySide6.QtGui import QGuiApplication

    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("home_lifestyle")
    hidden = "rtl\u202eevil\u202c zw\u200bsp bom\ufeff \u2066iso\u2069 \u202aemb\u202c end"
    joined = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f468\u200d\U0001f469"
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(f"{hidden} {joined}")
    view.editor.setFocus()
    QTest.keyClick(view.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    html = QMimeData()
    html.setHtml(f"<p>Word: <b>{hidden}</b></p>")
    clipboard.setMimeData(html)
    QTest.keyClick(view.editor, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(view.editor, Qt.Key.Key_Return)
    QTest.keyClick(view.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    clean = "rtlevil zwsp bom iso emb end"
    expected = f"{clean} {joined}\n\nWord: **{clean}**"
    assert view.editor.toPlainText() == expected  # the editor's text is its Markdown
    assert view.editor.document().toPlainText() == f"{clean} {joined}\nWord: {clean}"  # shown
    settle(qtbot, editor_ctx, view)
    assert load(editor_ctx, qtbot, saved_case.id).par_sections["home_lifestyle"].text == expected


def test_every_control_has_an_accessible_name(qtbot, editor_ctx, saved_case):
    view = _view(qtbot, editor_ctx, saved_case)
    assert unnamed_focusable(view) == []


def test_the_sections_guidance_is_not_repeated_over_its_fields(qtbot, editor_ctx, saved_case):
    """The Guidance tab beside the text has the section's guidance; the fields below the
    text keep their room for the fields (a 1024x700 window has little to spare)."""
    from PySide6.QtWidgets import QLabel

    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("family_of_origin")
    assert view.fields_widget is not None and not view.fields_box.isHidden()
    assert view.fields_widget.findChildren(QLabel, "about.family_of_origin") == []
    section = load_library().par.section("family_of_origin")
    assert section.guidance[0][:40] in view.guidance.text()


def test_a_sections_structured_fields_are_saved_as_answers(qtbot, editor_ctx, saved_case):
    from PySide6.QtWidgets import QLineEdit

    view = _view(qtbot, editor_ctx, saved_case)
    view.reveal("matching")
    section = load_library().par.section("matching")
    assert section.fields and not view.fields_box.isHidden()
    number = next(q for q in section.fields if q.type.value == "number")
    field = view.fields_widget.findChild(QLineEdit, number.id)
    field.setFocus()
    QTest.keyClicks(field, "2")
    view.reveal("motivation")  # moving on sends the renderer's pending answer
    assert view.fields_box.isHidden()  # motivation has no structured fields
    settle(qtbot, editor_ctx, view)
    stored = load(editor_ctx, qtbot, saved_case.id).answers_for("par_england")
    assert [(a.question_id, a.value) for a in stored] == [(number.id, 2)]
