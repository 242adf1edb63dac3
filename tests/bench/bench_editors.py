"""Editor benchmarks: what one keystroke costs on the GUI thread in the PAR editor (spell
check and word counts on), and the spell checker's own costs.

- ``PAR keystroke on GUI thread, 3,000-word section``: one key typed into a long section
  with spell check on, until Qt has handled it (highlighting, word count, tree, autosave
  scheduling; the save itself is on the DB worker).
- ``spell check one 200-word paragraph``: what the highlighter does per changed block.
- ``spelling suggestions for one word``: the context menu's cost.
- ``load the en-GB word list``: done once, on the pool, at start.
- ``stored Markdown of a 3,000-word section after one edit``: the rich editor's
  document written back (``homestudy.richtext``), as each keystroke does.
- ``paste a Word page (HTML)``: reading Word's clipboard HTML into blocks.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from _timing import median_line, timings_ms

WORDS = (
    "The applicants described their childhood with warmth and honesty, and their "
    "colour-coded calendar shows how they organise the week around work and family. "
)


def main() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from homestudy.demo import build_demo_case
    from homestudy.settings import AppSettings
    from homestudy.vault import KdfParams, Vault
    from ui import spellcheck
    from ui.context import make_context
    from ui.views.par_editor import ParEditorView

    app = QApplication.instance() or QApplication([])

    start = time.perf_counter()
    spellcheck._base_words.cache_clear()
    spellcheck._base_words()
    print(median_line("load the en-GB word list", [(time.perf_counter() - start) * 1000], 2))

    spelling = spellcheck.UkSpelling()
    spelling.warm_up()
    paragraph = WORDS * 9  # about 200 words
    print(
        median_line(
            "spell check one 200-word paragraph",
            timings_ms(lambda _i: spelling.misspelt(paragraph), 50, warm=False),
            2,
        )
    )
    print(
        median_line(
            "spelling suggestions for one word",
            timings_ms(lambda _i: spelling.suggestions("behavoir"), 20, warm=False),
            2,
        )
    )

    from homestudy.report.markdown import parse_blocks
    from homestudy.richtext import forget, to_markdown
    from ui.widgets import rich_document
    from ui.widgets.paste_html import html_to_blocks

    long_text = "\n\n".join([WORDS * 8] * 14)
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    rich_document.fill_document(document, parse_blocks(long_text))
    to_markdown(rich_document.document_to_blocks(document))
    cursor = QTextCursor(document)

    def edit_and_write(_i: int) -> None:
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText("a")
        to_markdown(rich_document.document_to_blocks(document))

    print(
        median_line(
            "stored Markdown of a 3,000-word section after one edit",
            timings_ms(edit_and_write, 100, warm=False),
            2,
        )
    )
    forget()
    word_html = (
        Path(__file__).resolve().parents[1] / "data" / "paste" / "word_windows.html"
    ).read_text()
    print(
        median_line(
            "paste a Word page (HTML)",
            timings_ms(lambda _i: html_to_blocks(word_html * 5), 30, warm=False),
            2,
        )
    )

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "vault"
        case = build_demo_case()
        case.section("matching").text = "\n\n".join([WORDS * 8] * 14)  # ~3,000 words
        vault = Vault.create(folder, "bench passphrase", kdf=KdfParams(1, 64, 1))
        vault.cases.save_case(case)
        vault.close()
        ctx = make_context(AppSettings(), folder)
        opened: dict[str, object] = {}
        ctx.db.open_vault(
            folder,
            "bench passphrase",
            lambda v: opened.setdefault("ok", v),
            lambda e: opened.setdefault("error", e),
        )
        while not opened:
            app.processEvents()
        view = ParEditorView(ctx)
        view.resize(1400, 900)
        view.set_case(case)
        view.show()
        while not spellcheck.spelling_service(ctx).spelling.ready:
            app.processEvents()
        view.reveal("matching")
        view.editor.moveCursor(QTextCursor.MoveOperation.End)
        app.processEvents()

        def key() -> None:
            QTest.keyClick(view.editor, Qt.Key.Key_A)
            app.processEvents()

        gui = timings_ms(lambda _i: key(), 200, warm=False)
        print(median_line("PAR keystroke on GUI thread, 3,000-word section", gui, 2))
        print(
            f"PAR keystroke on GUI thread p99: {sorted(gui)[int(len(gui) * 0.99) - 1]:.2f} ms "
            f"(n={len(gui)})"
        )
        view.flush()
        while not (view.saver.idle and not ctx.db.busy):
            app.processEvents()
        view.close()
        view.deleteLater()
        ctx.shutdown()


if __name__ == "__main__":
    main()
