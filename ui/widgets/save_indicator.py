"""The status-bar save indicator: "Saving…", "Saved at 14:02", "Not saved: <reason>"."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from ui.context import AppEvents


class SaveIndicator(QLabel):
    def __init__(self, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveIndicator")
        self.setAccessibleName("Save status")
        self.state = "idle"
        self.setText("")
        events.save_state_changed.connect(self.show_state)
        events.locked.connect(self.clear)

    def show_state(self, state: str, text: str) -> None:
        self.state = state
        self.setText(text)
        self.setAccessibleDescription(text)
        font = self.font()
        font.setBold(state == "failed")  # no hard-coded colours: weight and an icon instead
        self.setFont(font)
        self.setToolTip(text if state == "failed" else "")
        if state == "failed":
            self.setText(f"⚠ {text}")

    def clear(self) -> None:
        self.state = "idle"
        self.setText("")
