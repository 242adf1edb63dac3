"""The PAR editor: section tree, the text, and what the section needs beside it.

Each section's text lives in its own QTextDocument, so undo/redo history stays
with the section when the assessor moves between them. Every edit is saved
~400 ms after typing stops, on the DB worker (``AutoSaver``); pending saves are
started when the view is hidden, the case changes or the vault locks.
"""

from __future__ import annotations

import copy
import dataclasses
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import (
    QHideEvent,
    QKeySequence,
    QShortcut,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from homestudy import richtext
from homestudy.model import Case, ChecklistAnswer, ParSectionDraft, SectionStatus, utc_now
from homestudy.report import confidentiality
from homestudy.report.markdown import parse_blocks
from homestudy.report.variants import shared_section_ids
from homestudy.timeline import TimelineRules
from ui.case_rules import read_case_rules
from ui.operations import AutoSaver
from ui.spellcheck import spelling_service
from ui.views.checklists import answer_key, upsert_answer
from ui.widgets import rich_document
from ui.widgets.compact_tabs import make_compact
from ui.widgets.markdown_editor import (
    MarkdownEditor,
    paragraph_spans,
    restore_text_place,
    text_place,
    word_count,
)
from ui.widgets.par_panels import (
    EnquiryPanel,
    EvidencePanel,
    NotesPanel,
    guidance_text,
    shift_links,
)
from ui.widgets.review_panel import ReviewPanel
from ui.widgets.section_tree import STATUS_LABELS, SectionTree
from ui.widgets.shared_passages import SharedPassagesPanel, flag_format

SAVE_DELAY_MS = 400


class ParEditorView(QWidget):
    """Shared view interface: ``ParEditorView(ctx, parent=None)``, ``set_case``, ``reveal``."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case: Case | None = None
        self._rules: TimelineRules | None = None  # the case's agency's, once read
        self.section_id = ""
        self.documents: dict[str, QTextDocument] = {}
        self._paragraphs: dict[str, int] = {}  # paragraph count per section, to move links
        self._words: dict[str, int] = {}  # words per section, so the total is cheap to keep
        # each section's text as last saved: only a change of the words is an edit (a
        # signature older than an edit is stale; a status or a sharing decision is not one)
        self._saved_text: dict[str, str] = {}
        self.fields_widget: QWidget | None = None
        self.saver = AutoSaver(ctx, self, delay_ms=SAVE_DELAY_MS)
        ctx.events.about_to_lock.connect(self.flush)  # the renderer's debounced text too
        ctx.events.locked.connect(confidentiality.clear_cache)  # names and text held for speed
        self.setAccessibleName("PAR editor")

        self.tree = SectionTree()
        self.tree.section_chosen.connect(self.show_section)
        self.total_label = QLabel()
        self.total_label.setAccessibleName("Words in the whole PAR")

        self.title = QLabel()
        self.title.setAccessibleName("Section title")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Section status")
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status.value)
        self.status_combo.activated.connect(self._status_chosen)
        self.words_label = QLabel()
        self.words_label.setAccessibleName("Words in this section")

        self.editor = MarkdownEditor(spelling_service(ctx), "Section text")
        self.editor.cursorPositionChanged.connect(self._cursor_moved)
        # compact tool buttons (named in full for screen readers, with tooltips): the
        # writing keeps its width in a 1024-pixel window with all four side tabs shown
        edit = self.editor
        self.bold_button = self._button("B", "Bold (Ctrl+B)", edit.bold_action.trigger, "Bold")
        self.italic_button = self._button(
            "I", "Italic (Ctrl+I)", edit.italic_action.trigger, "Italic"
        )
        for button, bold in ((self.bold_button, True), (self.italic_button, False)):
            font = button.font()
            font.setBold(bold)
            font.setItalic(not bold)
            button.setFont(font)
        self.bullets_button = self._button(
            "•", "Bulleted list (Ctrl+Shift+8)", edit.bullets_action.trigger, "Bulleted list"
        )
        self.numbers_button = self._button(
            "1.", "Numbered list (Ctrl+Shift+7)", edit.numbers_action.trigger, "Numbered list"
        )
        self.analysis_button = self._button(
            "&Analysis",
            "Insert an analysis paragraph (Ctrl+Shift+A)",
            edit.insert_analysis_paragraph,
            "Insert analysis paragraph",
        )
        self.undo_button = self._button("↶", "Undo (Ctrl+Z)", edit.undo, "Undo")
        self.redo_button = self._button("↷", "Redo (Ctrl+Shift+Z)", edit.redo, "Redo")
        shortcut = QShortcut(QKeySequence("Ctrl+Shift+A"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.editor.insert_analysis_paragraph)

        self.guidance = QLabel()
        self.guidance.setAccessibleName("Guidance for this section")
        self.guidance.setWordWrap(True)
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.guidance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.notes = NotesPanel()
        self.evidence = EvidencePanel()
        self.evidence.changed.connect(self._save_current)
        self.evidence.changed.connect(self._refresh_notes)
        self.enquiries = EnquiryPanel()
        self.enquiries.changed.connect(self._save_current)
        # the confidentiality guard: flagged passages of a shared section
        self.passages = SharedPassagesPanel()
        self.passages.chosen.connect(self._show_passage)
        self.passages.may_share.connect(self._may_share)
        self.passages.to_confidential.connect(self._move_to_confidential)
        self.flags: list[confidentiality.Flag] = []  # the current section's, to review
        self._finder: confidentiality.FlagFinder | None = None
        self.review = ReviewPanel(ctx)
        self.review.shown.connect(self._review_count)
        self.fields_box = QGroupBox("Details for this section")
        self.fields_scroll = QScrollArea()
        self.fields_scroll.setAccessibleName("Details for this section")
        self.fields_scroll.setWidgetResizable(True)
        QVBoxLayout(self.fields_box).addWidget(self.fields_scroll)
        self._build_layout()
        self.setEnabled(False)

    def _button(self, text: str, tip: str, handler: Any, name: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setToolTip(tip)
        button.setAccessibleName(name)
        button.clicked.connect(handler)
        return button

    def _build_layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(self.total_label)

        header = QHBoxLayout()
        status_label = QLabel("&Status:")
        status_label.setBuddy(self.status_combo)
        header.addWidget(status_label)
        header.addWidget(self.status_combo)
        header.addStretch(1)
        header.addWidget(self.words_label)
        text_tools = (  # in screen order, which the tab order follows too
            self.bold_button,
            self.italic_button,
            self.bullets_button,
            self.numbers_button,
            self.analysis_button,
            self.undo_button,
            self.redo_button,
        )
        tools = QHBoxLayout()
        for b in text_tools:
            tools.addWidget(b)
        tools.addStretch(1)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.addWidget(self.title)
        centre_layout.addLayout(header)
        centre_layout.addLayout(tools)
        text_split = QSplitter(Qt.Orientation.Vertical)
        text_split.addWidget(self.editor)
        text_split.addWidget(self.passages)
        text_split.addWidget(self.fields_box)
        text_split.setStretchFactor(0, 3)
        centre_layout.addWidget(text_split, 1)

        side = QTabWidget()
        side.setAccessibleName("About this section")
        side.tabBar().setAccessibleName("Guidance, evidence and lines of enquiry")
        guidance_scroll = QScrollArea()
        guidance_scroll.setAccessibleName("Guidance")
        guidance_scroll.setWidgetResizable(True)
        guidance_scroll.setWidget(self.guidance)
        # short titles and narrow padding, so that all five show in a narrow pane (a
        # 1024-pixel window) without scroll arrows hiding the agency's review comments
        for widget, title, tip in (
            (guidance_scroll, "&Guidance", "Guidance for this section"),
            (
                self.notes,
                "&Notes",
                "Notes of the visits and interviews behind this section, with a search",
            ),
            (self.evidence, "Evi&dence", "Evidence for the paragraph the cursor is in"),
            (self.enquiries, "En&quiries", "Stage 1 lines of enquiry"),
            (
                self.review,
                "Revie&w",
                "The agency's review comments on this section, with your replies",
            ),
        ):
            side.setTabToolTip(side.addTab(widget, title), tip)
        make_compact(side)
        side.tabBar().setExpanding(False)
        side.tabBar().setUsesScrollButtons(False)
        side.setDocumentMode(True)
        self.side = side
        # room for a count of comments on the review tab too
        review_tab = side.indexOf(self.review)
        side.setTabText(review_tab, "Revie&w (9)")
        all_tabs = side.tabBar().sizeHint().width()
        side.setTabText(review_tab, "Revie&w")

        # the tree keeps room for its wrapped titles; the guidance gives way first
        left.setMinimumWidth(280)
        side.setMinimumWidth(all_tabs + 8)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(centre)
        splitter.addWidget(side)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([400, 700, 300])
        QVBoxLayout(self).addWidget(splitter)
        # Tab follows the screen: sections, status, the text tools, then the text
        chain = (self.tree, self.status_combo, *text_tools, self.editor, self.passages.list)
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    # ------------------------------------------------------------------ the interface

    def set_case(self, case: Case) -> None:
        self.flush()
        self.case = case
        for document in self.documents.values():
            # the spelling highlighter may still touch the old case's text before it goes
            document.blockSignals(True)
            document.deleteLater()
        self.documents.clear()
        self._paragraphs.clear()
        self.tree.set_sections(self.ctx.forms.par.sections)
        self._words.clear()
        self._saved_text.clear()
        for section in self.ctx.forms.par.sections:
            draft = case.section(section.id)
            self.tree.update_section(draft)
            self._words[section.id] = word_count(draft.text)
            self._saved_text[section.id] = draft.text
        self._update_total()
        self._finder = confidentiality.FlagFinder(case)
        self._rules = TimelineRules.from_settings(self.ctx.settings)
        self._load_agency_rules(case)
        self.setEnabled(True)
        self.tree.select_section(self.section_id or self.tree.section_ids()[0])

    def _load_agency_rules(self, case: Case) -> None:
        """Whether the medical adviser's summary is shared with the applicants is the
        case's agency's rule, as in its exports; until it arrives the app's settings
        (set by ``set_case``) stand in."""
        if not case.agency_profile_id:
            return

        def apply(rules: TimelineRules) -> None:
            if self.case is not None and self.case.id == case.id:
                self._rules = rules
                self._refresh_flags()

        read_case_rules(self.ctx, self, case, apply)

    def reveal(self, target_id: str) -> None:
        """Open a PAR section (``<section id>``) and put the cursor in its text, one of
        its details (``<section id>/<field id>``), or a flagged passage
        (``<section id>/passage:<key>``: selected in the text and in the list)."""
        section_id, _, field = target_id.partition("/")
        if self.case is None or not self.tree.select_section(section_id):
            return
        if field.startswith("passage:"):
            if not self.passages.select(field.removeprefix("passage:")):
                self.editor.setFocus()
            return
        reveal = getattr(self.fields_widget, "reveal", None)
        if field and callable(reveal) and reveal(field):
            return
        self.editor.setFocus()

    def save_place(self) -> dict[str, Any]:
        """Where the worker is (ids and positions only): restored after unlocking."""
        return {
            "section": self.section_id,
            "text": text_place(self.editor),
            "tree": self.tree.hasFocus(),
        }

    def restore_place(self, place: dict[str, Any]) -> None:
        if self.case is None or not place:
            return
        self.tree.select_section(str(place.get("section") or self.section_id))
        restore_text_place(self.editor, place.get("text") or {})
        if place.get("tree"):
            self.tree.setFocus()

    def focus_first(self) -> None:
        """Ctrl+6: straight into the writing."""
        self.editor.setFocus()

    def find_target(self) -> MarkdownEditor:
        return self.editor

    def flush(self) -> None:
        self.saver.flush()
        flush_form = getattr(self.fields_widget, "flush", None)
        if callable(flush_form):
            flush_form()

    def hideEvent(self, event: QHideEvent) -> None:
        self.flush()
        super().hideEvent(event)

    @property
    def draft(self) -> ParSectionDraft | None:
        if self.case is None or not self.section_id:
            return None
        return self.case.section(self.section_id)

    # ------------------------------------------------------------------ showing a section

    def show_section(self, section_id: str) -> None:
        if self.case is None:
            return
        self.flush()
        self.section_id = section_id
        section = self.ctx.forms.par.section(section_id)
        draft = self.case.section(section_id)
        self.title.setText(section.title)
        with QSignalBlocker(self.status_combo):
            self.status_combo.setCurrentIndex(self.status_combo.findData(draft.status.value))
        self.editor.use_document(self._document(section_id, draft))
        topics = {t.id: t.title for t in self.ctx.forms.visit_plan.topics}
        self.guidance.setText(guidance_text(section, topics))
        self.evidence.set_draft(self.case, draft)
        self.notes.set_draft(self.case, draft, section)
        self.enquiries.set_draft(self.case, draft)
        self.review.show_section(self.case.id, section_id, self.case.agency_profile_id or "")
        self._show_fields(section)
        self._update_words()
        self._finder = confidentiality.FlagFinder(self.case)  # referees may have changed
        self._refresh_flags()
        self._cursor_moved()

    def _review_count(self, count: int) -> None:
        index = self.side.indexOf(self.review)
        self.side.setTabText(index, f"Revie&w ({count})" if count else "Revie&w")

    def _document(self, section_id: str, draft: ParSectionDraft) -> QTextDocument:
        document = self.documents.get(section_id)
        if document is None:
            document = QTextDocument(self)
            blocks = parse_blocks(draft.text)
            rich_document.fill_document(document, blocks)  # also starts an empty undo history
            stored = richtext.to_markdown(blocks)
            if stored != draft.text:  # older text: keep its evidence links on their paragraphs
                moved = richtext.paragraph_map(draft.text)
                for link in draft.evidence:
                    if 0 <= link.paragraph < len(moved):
                        link.paragraph = moved[link.paragraph]
                draft.text = stored
            document.contentsChanged.connect(lambda sid=section_id: self._text_changed(sid))
            self.documents[section_id] = document
            self._paragraphs[section_id] = len(paragraph_spans(draft.text))
        return document

    def _show_fields(self, section: Any) -> None:
        """The section's structured fields (if any) through the generic form renderer."""
        old = self.fields_scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.fields_widget = None
        self.fields_box.setVisible(bool(section.fields))
        if not section.fields or self.case is None:
            return
        from ui.widgets.form_renderer import FormWidget

        par_form = self.ctx.forms.par.form
        # the section's own guidance is in the Guidance tab beside: not again over its fields
        group = dataclasses.replace(par_form.group(section.id), help="")
        form = dataclasses.replace(par_form, groups=(group,))
        answers = [a for a in self.case.answers_for(form.id) if form.has_question(a.question_id)]
        widget = FormWidget(form, answers, subject_id="")
        widget.answer_changed.connect(self._field_changed)
        self.fields_scroll.setWidget(widget)
        self.fields_widget = widget

    # ------------------------------------------------------------------ edits

    def _text_changed(self, section_id: str) -> None:
        if self.case is None:
            return
        document = self.documents.get(section_id)
        if document is None:  # a document of the case shown before
            return
        draft = self.case.section(section_id)
        text = richtext.to_markdown(rich_document.document_to_blocks(document))
        if text == draft.text:
            return
        draft.text = text
        count = len(paragraph_spans(text))
        delta = count - self._paragraphs.get(section_id, count)
        self._paragraphs[section_id] = count
        if delta and section_id == self.section_id:
            here = self.editor.current_paragraph()
            if shift_links(draft.evidence, here, delta):
                self.evidence.show_paragraph(here)
        status = draft.status_after_edit()
        if status is not draft.status:
            draft.status = status
            if section_id == self.section_id:
                with QSignalBlocker(self.status_combo):
                    self.status_combo.setCurrentIndex(
                        self.status_combo.findData(draft.status.value)
                    )
        self._save(draft)
        if section_id == self.section_id:
            self._update_words()
            self._refresh_flags()

    def _status_chosen(self, _index: int) -> None:
        draft = self.draft
        if draft is not None:
            draft.status = SectionStatus(self.status_combo.currentData())
            self._save(draft)

    def _refresh_notes(self) -> None:
        draft = self.draft
        if draft is not None and self.case is not None:
            self.notes.set_draft(self.case, draft, self.ctx.forms.par.section(draft.section_id))

    def _cursor_moved(self) -> None:
        self.evidence.show_paragraph(self.editor.current_paragraph())

    def _save_current(self) -> None:
        if self.draft is not None:
            self._save(self.draft)

    def _save(self, draft: ParSectionDraft) -> None:
        if self.case is None:
            return
        if draft.text != self._saved_text.get(draft.section_id, ""):
            draft.last_edited = utc_now()
            self._saved_text[draft.section_id] = draft.text
        self.tree.update_section(draft)
        self._words[draft.section_id] = word_count(draft.text)
        self._update_total()
        case_id, snapshot = self.case.id, copy.deepcopy(draft)
        self.saver.schedule(
            case_id,
            f"par:{draft.section_id}",
            lambda vault: vault.cases.save_par_section(case_id, snapshot),
        )

    def _field_changed(self, answer: ChecklistAnswer) -> None:
        if self.case is None:
            return
        upsert_answer(self.case, answer)
        case_id, snapshot = self.case.id, copy.deepcopy(answer)
        self.saver.schedule(
            case_id,
            "answer:" + ":".join(map(str, answer_key(answer))),
            lambda vault: vault.cases.save_answers(case_id, [snapshot]),
        )
        self._refresh_flags()  # a detail may name someone, or no longer do so

    # ------------------------------------------------------------------ the guard

    def _shared_ids(self) -> list[str]:
        rules = self._rules or TimelineRules.from_settings(self.ctx.settings)
        return shared_section_ids(self.ctx.forms.par, rules.medical_summary_shared)

    def _refresh_flags(self) -> None:
        """Find the current section's flagged passages again and mark them in the text."""
        draft = self.draft
        finder = self._finder
        shared = draft is not None and draft.section_id in self._shared_ids()
        self.passages.setVisible(shared)
        if draft is None or finder is None or not shared:
            self.flags = []
            self.editor.set_flag_selections([])
            return
        found = finder.flags(draft.section_id, draft.text)
        found += finder.field_flags(self.ctx.forms, draft.section_id)
        reviewed = finder.reviewed()
        self.flags = [f for f in found if f.key not in reviewed]
        self.passages.set_flags(self.flags, len(found) - len(self.flags))
        fmt = flag_format(self.editor)
        selections = []
        for cursor in self._passage_cursors(self.flags):
            if cursor is None:
                continue
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor  # type: ignore[attr-defined]
            selection.format = fmt  # type: ignore[attr-defined]
            selections.append(selection)
        self.editor.set_flag_selections(selections)

    def _passage_cursors(self, flags: list[confidentiality.Flag]) -> list[QTextCursor | None]:
        """Each passage found in the section's document, in order (None if not found)."""
        document = self.editor.document()
        position = 0
        cursors: list[QTextCursor | None] = []
        for flag in flags:
            if flag.field:  # in the section's details, not its text
                cursors.append(None)
                continue
            found = document.find(
                confidentiality.plain_passage(flag.text),
                position,
                QTextDocument.FindFlag.FindCaseSensitively,
            )
            if found.isNull():
                cursors.append(None)
                continue
            cursors.append(found)
            position = found.selectionEnd()
        return cursors

    def _show_passage(self, flag: confidentiality.Flag) -> None:
        if flag.field:
            reveal = getattr(self.fields_widget, "reveal", None)
            if callable(reveal):
                reveal(flag.field.split("/")[0])
            return
        index = next((i for i, f in enumerate(self.flags) if f.key == flag.key), -1)
        cursors = self._passage_cursors(self.flags[: index + 1]) if index >= 0 else []
        if cursors and cursors[-1] is not None:
            self.editor.setTextCursor(cursors[-1])
            self.editor.ensureCursorVisible()

    def _may_share(self, flag: confidentiality.Flag, note: str) -> None:
        if self.case is None:
            return
        confidentiality.record_may_share(
            self.case, flag, note=note, by=self.case.assessor_name, forms=self.ctx.forms
        )
        self._save(self.case.section(flag.section_id))
        self._refresh_flags()

    def _move_to_confidential(self, flag: confidentiality.Flag) -> None:
        """Cut the passage out and add it to the confidential references; both sections'
        documents are made again from the changed text (the move is not undone by Ctrl+Z:
        the passage is there to copy back from the references section)."""
        if self.case is None:
            return
        title = self.ctx.forms.par.section(flag.section_id).title
        self.flush()
        drafts = confidentiality.move_to_confidential(self.case, flag, section_title=title)
        stale = [self.documents.pop(d.section_id) for d in drafts if d.section_id in self.documents]
        for draft in drafts:
            self._paragraphs.pop(draft.section_id, None)
            self._save(draft)
        self.show_section(self.section_id)
        for document in stale:
            document.deleteLater()
        if self.flags:
            self.passages.list.setFocus()
        else:
            self.editor.setFocus()

    # ------------------------------------------------------------------ counts

    def _update_words(self) -> None:
        draft = self.draft
        n = word_count(draft.text) if draft else 0
        self.words_label.setText(f"{n:,} word{'s' if n != 1 else ''} in this section")

    def _update_total(self) -> None:
        if self.case is None:
            return
        total = sum(self._words.values())
        self.total_label.setText(f"{total:,} word{'s' if total != 1 else ''} in the whole PAR")
