"""Parts of the Export dialog that keep exports honest.

- ``ReadinessNote``: why a panel or applicants' copy will be marked INCOMPLETE (the
  number of blockers), with "Show the blockers" to read them.
- ``ShareRow``: after an applicants' copy, "I have shared this copy with the
  applicants" and the day; the dialog records it in the audit trail.
- ``ask_replace``: the file is there already: Replace, Keep both or Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.exports import INCOMPLETE_MARK
from homestudy.textutil import format_date
from ui.widgets.colours import warning_style

REPLACE, KEEP_BOTH = "replace", "keep_both"


class ReadinessNote(QWidget):
    """'This case has 15 blockers, so this copy will be marked …' and the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.blockers: dict[str, list[Any]] = {}
        self.text = QLabel("")
        self.text.setObjectName("exportIncompleteNote")
        self.text.setAccessibleName("Why this copy is marked incomplete")
        self.text.setWordWrap(True)
        self.text.setStyleSheet(warning_style(self.text))
        self.toggle = QPushButton("Show the &blockers")
        self.toggle.setAutoDefault(False)
        self.toggle.clicked.connect(self._toggle)
        self.list = QListWidget()
        self.list.setAccessibleName("Blockers")
        self.list.setWordWrap(True)
        self.list.hide()
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)
        self.hide()

    def set_blockers(self, blockers: dict[str, list[Any]]) -> None:
        self.blockers = blockers

    def show_for(self, variant: str | None) -> None:
        found = self.blockers.get(variant or "", [])
        self.setVisible(bool(found))
        if not found:
            return
        n = len(found)
        copy = "panel copy" if variant == "panel" else "applicants' copy"
        self.text.setText(
            f"This case is not ready for panel: {n} blocker{'s' if n != 1 else ''}. You can "
            f"still export the {copy} as a working copy; every page will be marked "
            f"“{INCOMPLETE_MARK}”."
        )
        self.list.clear()
        self.list.addItems([str(f.message) for f in found])

    def _toggle(self) -> None:
        shown = not self.list.isVisible()
        self.list.setVisible(shown)
        self.toggle.setText("Hide the &blockers" if shown else "Show the &blockers")


class ShareRow(QWidget):
    """Offered after an applicants' copy is exported; records the day it was shared."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record_button = QPushButton("I ha&ve shared this copy with the applicants")
        self.record_button.setAutoDefault(False)
        self.on = QDateEdit()
        self.on.setAccessibleName("Shared with the applicants on")
        self.on.setDisplayFormat("d MMM yyyy")
        self.on.setCalendarPopup(True)
        self.label = QLabel("o&n")
        self.label.setBuddy(self.on)
        self.done = QLabel("")
        self.done.setAccessibleName("Sharing recorded")
        self.done.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.record_button, self.label, self.on):
            layout.addWidget(widget)
        layout.addWidget(self.done, 1)
        self.hide()

    def offer(self, _record: Any) -> None:
        today = QDate.currentDate()
        self.on.setMaximumDate(today)  # it cannot have been shared tomorrow
        self.on.setDate(today)
        for widget in (self.record_button, self.label, self.on):
            widget.setVisible(True)
            widget.setEnabled(True)
        self.done.setText("")
        self.show()

    def day(self) -> date:
        return cast(date, self.on.date().toPython())  # PySide6 types it as object

    def recorded(self, record: Any) -> None:
        for widget in (self.record_button, self.label, self.on):
            widget.setVisible(False)
        self.done.setText(
            f"Recorded: this copy ({record.version}) was shared with the "
            f"applicants on {format_date(record.shared_on)}. Their comments "
            "are due from that day."
        )


def ask_replace(
    parent: QWidget, path: Path, on_choice: Callable[[str | None], None]
) -> QMessageBox:
    """Ask about a file that is already there; ``on_choice(REPLACE | KEEP_BOTH | None)``.
    Window-modal and opened, not exec'd: the event loop goes on."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "File already there",
        f"There is already a file called {path.name} in {path.parent}.",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("replaceBox")
    box.setAccessibleName("File already there")
    box.setInformativeText(
        "Replace it with this export, or keep both (the new one gets “(2)” in its name)?"
    )
    replace = box.addButton("&Replace", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("&Keep both", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

    def chosen(button: object) -> None:
        on_choice(REPLACE if button is replace else KEEP_BOTH if button is keep else None)

    box.buttonClicked.connect(chosen)
    box.open()
    return box
