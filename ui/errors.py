"""Turn exceptions into plain messages a social worker can act on.

``HomeStudyError`` carries its own ``message`` (plain UK English, never case
content). Anything else is a bug: the user gets a calm, general message and the
log gets the exception type only (a traceback may quote case text).
"""

from __future__ import annotations

import errno
import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from homestudy.errors import HomeStudyError

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Something unexpected went wrong. Your work saved so far is safe. "
    "If this keeps happening, tell your IT team what you were doing."
)


def error_message(exc: BaseException) -> str:
    """The text to show for ``exc``."""
    if isinstance(exc, HomeStudyError):
        return exc.message
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "The disk is full. Free some space and try again."
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "HomeStudy is not allowed to use that file or folder."
        if exc.errno == errno.ENOENT:
            return "That file or folder could not be found."
    log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)  # frames only
    return UNEXPECTED


def show_error(parent: QWidget | None, exc: BaseException, title: str = "HomeStudy") -> QMessageBox:
    """A window-modal warning that does not block the event loop (``open``, not ``exec``)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, error_message(exc), QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("errorBox")
    box.setAccessibleName("Error message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box
