"""The confidentiality guard in the PAR editor: the flagged passages of a shared section.

A list under the section's text, one row per passage that names a referee, a former
partner or a household member, or quotes an interview, with who it names; beside it
"May be shared" (with an optional note of why) and "Move to confidential references".
The view does the work (``homestudy.report.confidentiality``); this only shows and asks.
Keyboard: Tab reaches the list, the note and both buttons; Enter on a row shows the
passage in the text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.report.confidentiality import Flag, plain_passage

TITLE = "Shared with the applicants: passages to review"
_ROLE = {
    "referee": "referee",
    "former partner": "former partner",
    "household member": "household",
    "significant other": "significant other",
}


def flag_format(widget: QWidget) -> QTextCharFormat:
    """How a flagged passage is marked in the text: an amber wash that reads on light
    and dark palettes, with a wavy underline for those who cannot tell the colour."""
    dark = widget.palette().color(QPalette.ColorRole.Base).lightness() < 128
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(120, 80, 0, 150) if dark else QColor(255, 196, 0, 90))
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    fmt.setUnderlineColor(QColor("#ffb74d") if dark else QColor("#9a5b00"))
    return fmt


def describe(flag: Flag) -> str:
    """One row of the list: what the passage does, who it names, and its first words."""
    who = ", ".join(flag.who)
    roles = ", ".join(_ROLE.get(r, r) for r in flag.roles)
    doing = {"quote": "Quotes an interview", "source": "Reports someone else"}.get(
        flag.kind, "Names"
    )
    words = plain_passage(flag.text)
    if len(words) > 90:
        words = words[:88].rstrip() + "…"
    place = f" In the details, {flag.where}:" if flag.field else ""
    if not flag.who:  # "his ex-wife told me": no one named to show
        return f"{doing} —{place} “{words}”"
    return f"{doing}: {who} ({roles}) —{place} “{words}”"


class SharedPassagesPanel(QGroupBox):
    """Signals carry the chosen ``Flag``: ``chosen`` (show it in the text),
    ``may_share`` (with the note), ``to_confidential`` (move it to the confidential
    references)."""

    chosen = Signal(object)
    may_share = Signal(object, str)
    to_confidential = Signal(object)  # not ``move``: that is QWidget.move()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.setAccessibleName(TITLE)
        self.flags: list[Flag] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Passages to review")
        self.list = QListWidget()
        self.list.setAccessibleName("Flagged passages")
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(44)  # two rows; the splitter above gives it more
        self.list.setMaximumHeight(140)
        self.list.currentRowChanged.connect(self._row_changed)
        self.list.itemActivated.connect(lambda _item: self._row_changed(self.list.currentRow()))
        self.note = QLineEdit()
        self.note.setPlaceholderText("Why it may be shared (e.g. the applicants' own child)")
        self.note.setAccessibleName("Why this passage may be shared")
        self.note.setMinimumWidth(80)
        self.share_button = QPushButton("&May be shared")
        self.share_button.setToolTip("Record that the applicants may read this passage")
        self.share_button.setAccessibleName("May be shared")
        self.share_button.clicked.connect(self._share)
        self.move_button = QPushButton("Move to &confidential references")
        self.move_button.setToolTip(
            "Take the passage out of this section and add it to the confidential references section"
        )
        self.move_button.setAccessibleName("Move to confidential references")
        self.move_button.clicked.connect(self._move)
        note_label = QLabel("N&ote:")
        note_label.setBuddy(self.note)
        # two short rows, so the panel never widens the writing pane (1024-pixel windows)
        note_row = QHBoxLayout()
        note_row.addWidget(note_label)
        note_row.addWidget(self.note, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.share_button)
        actions.addWidget(self.move_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.list)
        layout.addLayout(note_row)
        layout.addLayout(actions)
        QWidget.setTabOrder(self.list, self.note)
        QWidget.setTabOrder(self.note, self.share_button)
        QWidget.setTabOrder(self.share_button, self.move_button)
        self.set_flags([], 0)

    def set_flags(self, flags: list[Flag], reviewed: int) -> None:
        """Show ``flags`` (those still to review); ``reviewed``: how many of the
        section's passages are already recorded as may be shared."""
        keep = self.current.key if self.current is not None else ""
        self.flags = list(flags)
        self.list.blockSignals(True)
        self.list.clear()
        for flag in self.flags:
            item = QListWidgetItem(describe(flag))
            item.setData(Qt.ItemDataRole.UserRole, flag.key)
            self.list.addItem(item)
        row = next((i for i, f in enumerate(self.flags) if f.key == keep), 0)
        self.list.setCurrentRow(row if self.flags else -1)
        self.list.blockSignals(False)
        done = f" {reviewed} already recorded as may be shared." if reviewed else ""
        if self.flags:
            n = len(self.flags)
            self.summary.setText(
                f"{n} passage{'s' if n != 1 else ''} here name{'s' if n == 1 else ''} someone "
                "else or quote an interview: reword, move or accept each before the "
                f"applicants' copy can be exported.{done}"
            )
        else:
            self.summary.setText("No passages to review in this section." + done)
        for widget in (self.list, self.note, self.share_button):
            widget.setEnabled(bool(self.flags))
        self._update_move()

    def _update_move(self) -> None:
        # a passage in the section's details is reworded there or accepted, not moved
        current = self.current
        self.move_button.setEnabled(current is not None and not current.field)

    @property
    def current(self) -> Flag | None:
        row = self.list.currentRow() if hasattr(self, "list") else -1
        return self.flags[row] if 0 <= row < len(self.flags) else None

    def select(self, key: str) -> bool:
        row = next((i for i, f in enumerate(self.flags) if f.key == key), -1)
        if row < 0:
            return False
        self.list.blockSignals(True)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._update_move()
        self.chosen.emit(self.flags[row])  # shown in the text even if it was the current row
        self.list.setFocus()
        return True

    def _row_changed(self, _row: int) -> None:
        self._update_move()
        if self.current is not None:
            self.chosen.emit(self.current)

    def _share(self) -> None:
        if self.current is not None:
            note = self.note.text()
            self.note.clear()
            self.may_share.emit(self.current, note)

    def _move(self) -> None:
        if self.current is not None:
            self.to_confidential.emit(self.current)
