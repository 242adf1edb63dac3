"""Search across the vault (Ctrl+K or Ctrl+Shift+F): full-text search on the DB worker.

Typing searches after a short pause; ↓ moves from the box into the results (↑ from the
first result goes back); Enter or a double click on a hit asks the main window
(``events.open_requested``) to open the case at the place the hit is in. People are
found by name (applicants, household, significant others, referees).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.operations import run_db

HIT_ROLE = Qt.ItemDataRole.UserRole
SEARCH_DELAY_MS = 200

_KIND_WORDS = {
    "par_section": "PAR",
    "visit": "Visit notes",
    "reference": "Reference",
    "answer": "Checklist",
    "stage1": "Stage 1 summary",
    "check": "Statutory check",
    "line_of_enquiry": "Line of enquiry",
    "household_member": "Household",
    "significant_other": "Significant other",
    "attachment": "Attachment",
    "applicant": "Applicant",
}
_NAME_FIELDS = {"name", "referee_name"}


def hit_location(kind: str, record_id: str) -> str:
    """Where in the workspace a search hit lives (docs/DESIGN.md "UI API")."""
    if kind == "par_section":
        return f"par:{record_id}"
    if kind == "visit":
        return f"visits:{record_id}"
    if kind == "reference":
        return f"references:{record_id}"
    if kind == "answer":  # record id: form/subject/question/row
        form, subject, question, *_ = ([*record_id.split("/"), "", "", ""])[:4]
        if form == "reference_interview" and subject:
            return f"references:{subject}"
        if form == "par_england":
            return f"par:{question}"  # a section's own field: the section opens
        return (
            f"checklists:{form}/{subject}/{question}"
            if subject
            else f"checklists:{form}/{question}"
        )
    if kind == "stage1":
        return "case:stage1"
    if kind in ("check", "line_of_enquiry", "household_member", "significant_other", "applicant"):
        return f"case:{record_id}"
    return "overview"


class SearchDialog(QDialog):
    """Non-modal; ``results_shown`` fires whenever a search has been drawn."""

    results_shown = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("searchDialog")
        self.setWindowTitle("Search all cases")
        self.setAccessibleName("Search all cases")
        self.resize(640, 420)
        self.query = QLineEdit(self)
        self.query.setObjectName("searchQuery")
        self.query.setAccessibleName("Search for")
        self.query.setPlaceholderText("Search visits, references, checklists and the PAR")
        self.query.setClearButtonEnabled(True)
        self.status = QLabel("", self)
        self.status.setObjectName("searchStatus")
        self.results = QListWidget(self)
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.query.textChanged.connect(lambda _: self._timer.start())
        self.query.returnPressed.connect(self._enter)
        self.query.installEventFilter(self)
        self.results.installEventFilter(self)
        self.results.itemActivated.connect(self._open)
        self._generation = 0
        ctx.events.locked.connect(self.close)

    def search_now(self) -> None:
        self._timer.stop()
        text = self.query.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self._show(generation, [])
            return
        self.status.setText("Searching…")
        run_db(
            self.ctx,
            self,
            lambda vault: vault.cases.search(text, 50),
            lambda hits: self._show(generation, hits),
        )

    def _show(self, generation: int, hits: list[Any]) -> None:
        if generation != self._generation:
            return  # an older search finished after a newer one started
        self.results.clear()
        for hit in hits:
            where = _KIND_WORDS.get(hit.kind, hit.kind)
            if hit.field in _NAME_FIELDS:
                where = "Referee" if hit.kind == "reference" else f"{where} (name)"
            if hit.kind == "par_section":
                where = f"PAR: {self._section_title(hit.record_id)}"
            item = QListWidgetItem(f"{hit.case_reference}  ·  {where}\n{hit.snippet}")
            item.setData(HIT_ROLE, (hit.case_id, hit_location(hit.kind, hit.record_id)))
            self.results.addItem(item)
        if self.query.text().strip():
            n = len(hits)
            self.status.setText(
                "Nothing found." if n == 0 else f"{n} found" if n < 50 else "The first 50 matches"
            )
        else:
            self.status.clear()
        if hits:
            self.results.setCurrentRow(0)
        self.results_shown.emit(len(hits))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if watched is self.query and key == Qt.Key.Key_Down and self.results.count():
                if self._timer.isActive():
                    self.search_now()
                self.results.setFocus()
                if self.results.currentRow() < 0:
                    self.results.setCurrentRow(0)
                return True
            if watched is self.results and key == Qt.Key.Key_Up and self.results.currentRow() <= 0:
                self.query.setFocus()
                return True
        return super().eventFilter(watched, event)

    def _section_title(self, section_id: str) -> str:
        try:
            return str(self.ctx.forms.par.section(section_id).title)
        except Exception:  # an unknown section id from an older form still shows
            return section_id

    def _enter(self) -> None:
        if self._timer.isActive():
            self.search_now()
            return
        item = self.results.currentItem()
        if item is not None:
            self._open(item)

    def _open(self, item: QListWidgetItem) -> None:
        case_id, location = item.data(HIT_ROLE)
        self.close()
        parent = self.parentWidget()
        if parent is not None:
            parent.activateWindow()  # keyboard focus goes back to the case
        self.ctx.events.open_requested.emit(case_id, location)

    def clear(self) -> None:
        self._timer.stop()
        self.query.clear()
        self._generation += 1  # results still on their way are dropped
        self.results.clear()
        self.status.clear()
