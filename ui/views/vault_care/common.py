"""Small pieces the vault-care dialogs share: sizes, the busy bar, the case in hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QLabel, QMenu, QProgressBar, QWidget

#: shown beside a setting IT has fixed centrally (as in the Settings dialog)
LOCKED_TEXT = "Set by your organisation"

PASSPHRASE_ALONE = (
    "Backups are protected by your passphrase alone, not by this computer's keyring, so "
    "you can restore them on a new laptop. Anyone who has a backup file and your "
    "passphrase can open it: keep backups somewhere safe, such as the folder your "
    "organisation gives you, and never with the passphrase written down."
)


def format_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def busy_bar(parent: QWidget, name: str) -> QProgressBar:
    """An indeterminate bar shown while slow work runs (the KDF, a backup ...)."""
    bar = QProgressBar(parent)
    bar.setObjectName(name)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setAccessibleName("Working")
    bar.hide()
    return bar


def wrapped(text: str, parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


@dataclass(frozen=True)
class CaseInHand:
    """The case the File menu's case actions apply to: the open one, else the one
    selected in the case list."""

    case_id: str
    reference: str
    applicants: str
    archived: bool
    open_in_workspace: bool


def case_in_hand(window: Any) -> CaseInHand | None:
    workspace = getattr(window, "workspace", None)
    case = getattr(workspace, "case", None) if workspace is not None else None
    if case is not None:
        return CaseInHand(
            case.id, case.reference, case.applicant_names, case.archived_at is not None, True
        )
    row = window.case_list.selected_row()
    if row is None or window.home.currentWidget() is not window.case_list:
        return None
    return CaseInHand(
        row.case_id, row.reference, row.applicants, row.archived_on is not None, False
    )


def file_menu(window: Any) -> QMenu:
    """The main window's File menu (the one holding Quit), whoever built it."""
    for owner in window.actions["quit"].associatedObjects():
        if isinstance(owner, QMenu):
            return owner
    raise LookupError("the main window has no File menu")
