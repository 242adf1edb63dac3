"""A child process for tests/ui/test_crash_typing.py: the real app, typing without end.

``python crash_typist.py VAULT_DIR CASE_ID SECTION PASSPHRASE`` opens the real main
window over the vault (offscreen), unlocks it, opens the PAR at SECTION and types
" w0 w1 w2 ..." into the editor through key events, a word every 40 ms. After each
word it prints ``typed <words> <CLOCK_MONOTONIC seconds>`` (flushed) so the parent
knows what was typed when; the parent SIGKILLs it part-way.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def word(n: int) -> str:
    return f" w{n}"


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    from homestudy.settings import AppSettings
    from ui.app import build_window, make_application

    folder, case_id, section, passphrase = sys.argv[1:5]
    app = make_application()
    window, _ctx = build_window(argparse.Namespace(vault=folder), AppSettings())
    window.show()
    typed = [0]

    def unlock_when_ready() -> None:
        if window.stack.currentWidget() is window.unlock_view:
            window.unlock_view.passphrase.setText(passphrase)
            window.unlock_view.passphrase.returnPressed.emit()
        else:
            QTimer.singleShot(20, unlock_when_ready)

    def open_case() -> None:
        window.open_case(case_id, f"par:{section}")
        QTimer.singleShot(20, start_typing)

    def start_typing() -> None:
        workspace = window.workspace
        if workspace is None or workspace.case is None:
            QTimer.singleShot(20, start_typing)
            return
        editor = workspace.views["par"].editor
        editor.setFocus()
        editor.moveCursor(QTextCursor.MoveOperation.End)
        print("ready", time.monotonic(), flush=True)

        def type_word() -> None:
            QTest.keyClicks(editor, word(typed[0]))
            typed[0] += 1
            print("typed", typed[0], time.monotonic(), flush=True)

        timer = QTimer(window)
        timer.setInterval(40)
        timer.timeout.connect(type_word)
        timer.start()

    window.unlocked_ready.connect(open_case)
    unlock_when_ready()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
