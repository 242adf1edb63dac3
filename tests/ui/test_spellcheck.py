"""UK English spell check: the word list, the underline, and the context menu."""

from __future__ import annotations

import editors_support
from editors_support import on_worker
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtTest import QTest

from ui.spellcheck import USER_WORDS_SETTING, UkSpelling, dictionary_dir, spelling_service
from ui.widgets.markdown_editor import MarkdownEditor, clean_pasted

editor_ctx = editors_support.editor_ctx  # fixture


def test_british_spellings_are_right_and_american_ones_flagged():
    spelling = UkSpelling()
    for word in (
        "colour",
        "organise",
        "behaviour",
        "centre",
        "analyse",
        "Colour",
        "don't",
        "child’s",
        "Hannah's",
        "DBS",
        "genogram",
        "carers",
    ):
        assert spelling.is_known(word), word
    for word in ("color", "organize", "behavior", "center", "recieve"):
        assert not spelling.is_known(word), word
    assert spelling.suggestions("color")[0] == "colour"
    assert spelling.suggestions("Behavior")[0] == "Behaviour"
    assert spelling.suggestions("recieve")[0] == "receive"
    assert spelling.suggestions("teh")[0] == "the"
    assert spelling.misspelt("The color of the behavior") == [(4, 5), (17, 8)]


def test_the_word_list_ships_with_its_licence():
    folder = dictionary_dir()
    assert (folder / "en_GB.txt").stat().st_size > 500_000
    licence = (folder / "COPYING.en_GB").read_text(encoding="utf-8")
    assert "Kevin Atkinson" in licence and "Permission to use" in licence


def _underlined(editor: MarkdownEditor, block: int = 0) -> list[str]:
    layout_block = editor.document().findBlockByNumber(block)
    text = layout_block.text()
    return [
        text[r.start : r.start + r.length]
        for r in layout_block.layout().formats()
        if r.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline
    ]


def _ready_service(qtbot, ctx):
    service = spelling_service(ctx)
    qtbot.waitUntil(lambda: service.spelling.ready, timeout=10_000)  # loaded off the GUI thread
    return service


def test_typing_underlines_unknown_words_only(qtbot, editor_ctx):
    editor = MarkdownEditor(_ready_service(qtbot, editor_ctx), "Notes")
    qtbot.addWidget(editor)
    editor.show()
    QTest.keyClicks(editor, "The colour and the color")
    assert _underlined(editor) == ["color"]


def test_suggestion_from_the_context_menu_replaces_the_word(qtbot, editor_ctx):
    editor = MarkdownEditor(_ready_service(qtbot, editor_ctx), "Notes")
    qtbot.addWidget(editor)
    editor.show()
    QTest.keyClicks(editor, "A warm color scheme")
    cursor = editor.textCursor()
    cursor.setPosition(8)  # inside "color"
    pos = editor.cursorRect(cursor).center()
    menu = editor.build_context_menu(pos)
    suggestions = [a for a in menu.actions() if a.objectName() == "spellingSuggestion"]
    assert suggestions[0].text() == "colour"
    suggestions[0].trigger()
    assert editor.toPlainText() == "A warm colour scheme"
    assert _underlined(editor) == []
    editor.undo()  # one undo step brings the word back
    assert editor.toPlainText() == "A warm color scheme"


def test_add_to_dictionary_is_kept_in_the_vault(qtbot, editor_ctx):
    service = _ready_service(qtbot, editor_ctx)
    editor = MarkdownEditor(service, "Notes")
    qtbot.addWidget(editor)
    editor.show()
    QTest.keyClicks(editor, "Met Zorblax today")
    assert _underlined(editor) == ["Zorblax"]
    cursor = editor.textCursor()
    cursor.setPosition(6)
    menu = editor.build_context_menu(editor.cursorRect(cursor).center())
    add = next(a for a in menu.actions() if a.objectName() == "addToDictionary")
    with qtbot.waitSignal(service.words_changed):
        add.trigger()
    assert _underlined(editor) == []
    stored = on_worker(editor_ctx, qtbot, lambda v: v.get_setting(USER_WORDS_SETTING))
    assert stored == ["zorblax"]

    # A fresh service (the next session) reads the word back from the vault.
    from ui.spellcheck import SpellingService

    fresh = SpellingService(editor_ctx)
    with qtbot.waitSignal(fresh.words_changed, timeout=10_000):
        fresh.load()
    assert fresh.spelling.is_known("Zorblax")


def test_ctrl_b_and_ctrl_i_wrap_the_selection(qtbot):
    editor = MarkdownEditor(None, "Text")
    qtbot.addWidget(editor)
    editor.show()
    QTest.keyClicks(editor, "warm and caring")
    editor.moveCursor(QTextCursor.MoveOperation.Start)
    editor.moveCursor(QTextCursor.MoveOperation.EndOfWord, QTextCursor.MoveMode.KeepAnchor)
    QTest.keyClick(editor, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "**warm** and caring"
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.moveCursor(QTextCursor.MoveOperation.StartOfWord, QTextCursor.MoveMode.KeepAnchor)
    QTest.keyClick(editor, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "**warm** and *caring*"
    QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "**warm** and caring"
    QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "warm and caring"


def test_paste_from_word_drops_control_characters_only(qtbot):
    editor = MarkdownEditor(None, "Text")
    qtbot.addWidget(editor)
    pasted = "Line one\r\nTab\there\x00\x07\x0b\x0c end\x1f — “quoted” café\r"
    assert clean_pasted(pasted) == "Line one\nTab\there end — “quoted” café\n"
    mime = QMimeData()
    mime.setText(pasted)
    editor.insertFromMimeData(mime)
    # each pasted line is a paragraph; the stored form separates them with a blank line
    assert editor.markdown() == "Line one\n\nTab\there end — “quoted” café"


def test_analysis_paragraph_goes_after_the_current_paragraph(qtbot):
    editor = MarkdownEditor(None, "Text")
    qtbot.addWidget(editor)
    editor.setPlainText("First paragraph.\n\nSecond paragraph.")
    cursor = editor.textCursor()
    cursor.setPosition(3)
    editor.setTextCursor(cursor)
    editor.insert_analysis_paragraph()
    QTest.keyClicks(editor, "They cope well.")
    assert editor.toPlainText() == (
        "First paragraph.\n\n**Analysis:** They cope well.\n\nSecond paragraph."
    )
    assert editor.current_paragraph() == 1


def test_the_word_list_loads_off_the_gui_thread_then_underlines(qtbot, editor_ctx):
    from ui.spellcheck import _base_words

    _base_words.cache_clear()  # as at start-up: nothing loaded yet
    service = spelling_service(editor_ctx)  # starts loading on the pool
    editor = MarkdownEditor(service, "Notes")
    qtbot.addWidget(editor)
    editor.show()
    QTest.keyClicks(editor, "A bright color")  # typing never waits for the list
    qtbot.waitUntil(lambda: _underlined(editor) == ["color"], timeout=10_000)
    assert service.spelling.ready


def test_the_case_own_names_are_known_while_it_is_open(qtbot, make_app, demo_vault_dir, unlock):
    from conftest import WAIT_MS

    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    service = spelling_service(ctx)
    qtbot.waitUntil(lambda: service.spelling.ready, timeout=WAIT_MS)
    names = [
        case.references[0].referee_name.split()[-1],
        case.household[0].name.split()[0],
        case.animals[0].name,
        case.applicants[1].last_name,
    ]
    unknown = [n for n in names if not service.spelling.is_known(n)]
    assert unknown, "the demo family has names the dictionary does not know"
    window.open_case(case.id, "par:health")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    assert all(service.spelling.is_known(n) for n in names)
    editor = window.workspace.views["par"].editor
    editor.set_markdown(f"{unknown[0]} visited. Teh garden.")
    qtbot.waitUntil(
        lambda: bool(editor.document().firstBlock().layout().formats()), timeout=WAIT_MS
    )
    underlined = [
        editor.document().firstBlock().text()[f.start : f.start + f.length]
        for f in editor.document().firstBlock().layout().formats()
    ]
    assert underlined == ["Teh"]  # the family's name is not flagged, the slip is
    window.show_case_list()  # leaving the case forgets its names
    assert not all(service.spelling.is_known(n) for n in unknown)
