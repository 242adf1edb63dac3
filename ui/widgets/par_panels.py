"""The panels beside the PAR text: guidance, the notes of the visits and interviews
behind the section (with a search), evidence for the current paragraph, and the
Stage 1 lines of enquiry the section must answer.

They edit the ``ParSectionDraft`` they are given in place and emit ``changed``;
the PAR editor view saves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import Case, EvidenceLink, ParSectionDraft
from homestudy.textutil import format_date

_DATA = Qt.ItemDataRole.UserRole


def guidance_text(section: Any, topic_titles: dict[str, str]) -> str:
    """The section's guidance as plain lines, with what the section is and draws on."""
    lines = [f"• {g}" for g in section.guidance]
    notes = []
    if section.required:
        notes.append("Required for panel.")
    if section.needs_analysis:
        notes.append(
            "Needs analysis: add a paragraph that starts “Analysis:”, saying what "
            "the evidence shows about parenting capacity."
        )
    if section.written_by_applicants:
        notes.append("Written by the applicants, with your guidance.")
    if section.confidential:
        notes.append("Confidential: left out of the applicants' copy.")
    topics = [topic_titles.get(t, t) for t in section.feeds_from_topics]
    if topics:
        notes.append("Draws on visits about: " + ", ".join(topics) + ".")
    return "\n".join(lines + ([""] if lines and notes else []) + notes)


def evidence_label(case: Case, link: EvidenceLink) -> str:
    if link.kind == "visit":
        visit = next((v for v in case.visits if v.id == link.target_id), None)
        if visit is not None:
            when = format_date(visit.done_date or visit.planned_date)
            return f"Visit {visit.sequence}: {visit.title}" + (f" ({when})" if when else "")
    if link.kind == "reference":
        ref = next((r for r in case.references if r.id == link.target_id), None)
        if ref is not None:
            return f"Reference: {ref.referee_name} ({ref.kind.value.replace('_', ' ')})"
    return f"{link.kind.capitalize()} no longer on the case"


class EvidencePanel(QWidget):
    """Links from the current paragraph to the visits and references it rests on."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case: Case | None = None
        self.draft: ParSectionDraft | None = None
        self.paragraph = 0
        self.heading = QLabel()
        self.links = QListWidget()
        self.links.setAccessibleName("Evidence for this paragraph")
        self.target = QComboBox()
        self.target.setAccessibleName("Visit or reference to link")
        self.link_button = QPushButton("Link &to paragraph")
        self.link_button.setAccessibleName("Link to paragraph")
        self.unlink_button = QPushButton("Re&move link")
        self.unlink_button.setAccessibleName("Remove link")
        self.link_button.clicked.connect(self.add_link)
        self.unlink_button.clicked.connect(self.remove_link)
        self.heading.setBuddy(self.links)
        row = QHBoxLayout()
        row.addWidget(self.link_button)
        row.addWidget(self.unlink_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.links, 1)
        layout.addWidget(self.target)
        layout.addLayout(row)

    def set_draft(self, case: Case, draft: ParSectionDraft) -> None:
        self.case, self.draft = case, draft
        with QSignalBlocker(self.target):
            self.target.clear()
            for visit in sorted(case.visits, key=lambda v: v.sequence):
                link = EvidenceLink("visit", visit.id)
                self.target.addItem(evidence_label(case, link), ("visit", visit.id))
            for ref in case.references:
                link = EvidenceLink("reference", ref.id)
                self.target.addItem(evidence_label(case, link), ("reference", ref.id))
        self.show_paragraph(self.paragraph)

    def show_paragraph(self, paragraph: int) -> None:
        self.paragraph = paragraph
        self.heading.setText(f"Evidence for paragraph {paragraph + 1}:")
        self.links.clear()
        if self.case is None or self.draft is None:
            return
        for index, link in enumerate(self.draft.evidence):
            if link.paragraph == paragraph:
                item = QListWidgetItem(evidence_label(self.case, link), self.links)
                item.setData(_DATA, index)
        if self.links.count():
            self.links.setCurrentRow(0)
        self.link_button.setEnabled(self.target.count() > 0)
        self.unlink_button.setEnabled(self.links.count() > 0)

    def add_link(self) -> None:
        data = self.target.currentData()
        if self.draft is None or not data:
            return
        kind, target_id = data
        link = EvidenceLink(kind, target_id, self.paragraph)
        if link not in self.draft.evidence:
            self.draft.evidence.append(link)
            self.changed.emit()
        self.show_paragraph(self.paragraph)

    def remove_link(self) -> None:
        item = self.links.currentItem()
        if self.draft is None or item is None:
            return
        del self.draft.evidence[int(item.data(_DATA))]
        self.changed.emit()
        self.show_paragraph(self.paragraph)


def shift_links(evidence: list[EvidenceLink], at: int, delta: int) -> bool:
    """Keep links on their paragraphs when ``delta`` paragraphs appear (or go) at ``at``,
    the index of the paragraph the cursor is in after the edit. True if any moved."""
    moved = False
    for link in evidence:
        if delta > 0 and link.paragraph > at - delta:
            link.paragraph += delta
            moved = True
        elif delta < 0 and link.paragraph > at:
            link.paragraph = max(at, link.paragraph + delta)
            moved = True
    return moved


class EnquiryPanel(QWidget):
    """The Stage 1 lines of enquiry this section must answer, ticked when addressed here."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: ParSectionDraft | None = None
        self.heading = QLabel("Stage 1 &lines of enquiry (tick when addressed here):")
        self.heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Lines of enquiry addressed here")
        self.list.setWordWrap(True)
        self.heading.setBuddy(self.list)
        self.list.itemChanged.connect(self._item_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)

    @staticmethod
    def relevant(case: Case, section_id: str, addressed: Sequence[str]) -> list[Any]:
        """Lines expected in this section, those ticked here, and those not tied to any."""
        return [
            line
            for line in case.lines_of_enquiry
            if section_id in line.par_section_ids
            or line.id in addressed
            or not line.par_section_ids
        ]

    def set_draft(self, case: Case, draft: ParSectionDraft) -> None:
        self.draft = draft
        lines = self.relevant(case, draft.section_id, draft.lines_of_enquiry_addressed)
        with QSignalBlocker(self.list):
            self.list.clear()
            for line in lines:
                source = f" (from {line.source})" if line.source else ""
                item = QListWidgetItem(line.text + source, self.list)
                item.setData(_DATA, line.id)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                ticked = line.id in draft.lines_of_enquiry_addressed
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        if not lines:
            self.heading.setText("No Stage 1 lines of enquiry for this section.")
        else:
            self.heading.setText("Stage 1 &lines of enquiry (tick when addressed here):")

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self.draft is None:
            return
        line_id = str(item.data(_DATA))
        addressed = self.draft.lines_of_enquiry_addressed
        if item.checkState() == Qt.CheckState.Checked and line_id not in addressed:
            addressed.append(line_id)
        elif item.checkState() != Qt.CheckState.Checked and line_id in addressed:
            addressed.remove(line_id)
        else:
            return
        self.changed.emit()


def evidence_sources(case: Case, draft: ParSectionDraft, section: Any) -> list[tuple[Any, str]]:
    """The visits and interviews behind a section, with why each is here: linked to a
    paragraph of it, or about a topic (or a kind of referee) that feeds it. Linked first."""
    linked: dict[str, list[int]] = {}
    for link in draft.evidence:
        linked.setdefault(link.target_id, []).append(link.paragraph + 1)
    topics = set(getattr(section, "feeds_from_topics", ()) or ())
    kinds = {str(k) for k in (getattr(section, "feeds_from_reference_kinds", ()) or ())}
    out: list[tuple[Any, str, int]] = []
    for visit in sorted(case.visits, key=lambda v: v.sequence):
        if visit.id in linked:
            paragraphs = ", ".join(map(str, sorted(set(linked[visit.id]))))
            out.append((visit, f"linked to paragraph {paragraphs}", 0))
        elif topics & set(visit.topics):
            out.append((visit, "its topics feed this section", 1))
    for ref in case.references:
        if ref.id in linked:
            paragraphs = ", ".join(map(str, sorted(set(linked[ref.id]))))
            out.append((ref, f"linked to paragraph {paragraphs}", 0))
        elif ref.kind.value in kinds:
            out.append((ref, "this kind of referee informs this section", 1))
    return [(record, why) for record, why, _rank in sorted(out, key=lambda r: r[2])]


class NotesPanel(QWidget):
    """The notes of those visits and interviews, readable beside the writing, with a
    search inside them (a find bar over the notes, not over the section)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        from PySide6.QtWidgets import QTextBrowser

        from ui.widgets.find_bar import FindBar

        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.notes = QTextBrowser()
        self.notes.setAccessibleName("Notes of the visits and interviews for this section")
        self.notes.setOpenLinks(False)
        self.find_bar = FindBar(self.notes, self)
        self.find_bar.query.setPlaceholderText("Search these notes")
        self.find_bar.query.setAccessibleName("Search these notes")
        self.heading.setBuddy(self.find_bar.query)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.notes, 1)
        self.count = 0

    def set_draft(self, case: Case, draft: ParSectionDraft, section: Any) -> None:
        from PySide6.QtGui import QTextCursor

        from homestudy.report.markdown import parse_blocks
        from ui.widgets import rich_document as rd

        sources = evidence_sources(case, draft, section)
        self.count = len(sources)
        document = self.notes.document()
        document.clear()
        cursor = QTextCursor(document)
        heading = rd.char_format(True, False)
        heading.setFontPointSize(self.font().pointSizeF() * 1.15)
        first = True
        for record, why in sources:
            if not first:
                cursor.insertBlock(rd.paragraph_format(), rd.char_format(False, False))
            first = False
            cursor.insertText(self._title(case, record), heading)
            cursor.insertBlock(rd.paragraph_format(), rd.char_format(False, True))
            cursor.insertText(why[0].upper() + why[1:] + ".", rd.char_format(False, True))
            blocks = parse_blocks(record.notes)
            if blocks:
                rd.insert_blocks(cursor, blocks, first_in_place=False)
            else:
                cursor.insertBlock(rd.paragraph_format(), rd.char_format(False, True))
                cursor.insertText("No notes written yet.", rd.char_format(False, True))
        self.heading.setText(
            f"&Notes of {len(sources)} visit{'s' if len(sources) != 1 else ''} and interviews"
            " for this section:"
            if sources
            else "No visit or interview is linked to this section yet, and none has a topic that "
            "feeds it."
        )
        self.notes.moveCursor(QTextCursor.MoveOperation.Start)
        if self.find_bar.query.text():
            self.find_bar.find_matches()

    @staticmethod
    def _title(case: Case, record: Any) -> str:
        if hasattr(record, "sequence"):
            return evidence_label(case, EvidenceLink("visit", record.id))
        return evidence_label(case, EvidenceLink("reference", record.id))
