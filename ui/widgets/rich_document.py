"""A ``QTextDocument`` and the PAR's blocks (``homestudy.richtext``), both ways.

Each paragraph is a text block; a line break inside one is Qt's line separator
(U+2028, Shift+Enter). A list item is a block in a ``QTextList`` whose indent is its
level + 1; bullets are discs, circles and squares by level, numbers are decimal.
Bold is a weight of 600 or more, italic is italic; nothing else is read or written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from PySide6.QtGui import (
    QFont,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextList,
    QTextListFormat,
)

from homestudy.report.docmodel import ListBlock, ListItem, Paragraph, Run
from homestudy.richtext import Block, split_lists

LINE_SEPARATOR = "\u2028"
_BULLETS = (
    QTextListFormat.Style.ListDisc,
    QTextListFormat.Style.ListCircle,
    QTextListFormat.Style.ListSquare,
)
_ORDERED = frozenset(
    {
        QTextListFormat.Style.ListDecimal,
        QTextListFormat.Style.ListLowerAlpha,
        QTextListFormat.Style.ListUpperAlpha,
        QTextListFormat.Style.ListLowerRoman,
        QTextListFormat.Style.ListUpperRoman,
    }
)


def char_format(bold: bool, italic: bool) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    fmt.setFontItalic(italic)
    return fmt


#: Space after a paragraph (pixels): paragraphs read as paragraphs, as in Word
PARAGRAPH_GAP = 8


def paragraph_format() -> QTextBlockFormat:
    fmt = QTextBlockFormat()
    fmt.setBottomMargin(PARAGRAPH_GAP)
    return fmt


def list_format(level: int, ordered: bool) -> QTextListFormat:
    fmt = QTextListFormat()
    fmt.setIndent(level + 1)
    fmt.setStyle(QTextListFormat.Style.ListDecimal if ordered else _BULLETS[level % 3])
    return fmt


def is_ordered(text_list: QTextList) -> bool:
    return text_list.format().style() in _ORDERED


# ------------------------------------------------------------------ document -> blocks


def blocks_of(document: QTextDocument) -> Iterator[QTextBlock]:
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()


def block_runs(block: QTextBlock) -> tuple[Run, ...]:
    # format ranges count UTF-16 code units, as Qt does; Python counts code points
    text = block.text().encode("utf-16-le", "surrogatepass")
    runs: list[Run] = []
    for part in block.textFormats():
        piece = text[2 * part.start : 2 * (part.start + part.length)].decode("utf-16-le", "replace")
        piece = piece.replace(LINE_SEPARATOR, "\n").replace("\ufffc", "")  # no images
        if not piece:
            continue
        fmt = part.format
        bold, italic = fmt.fontWeight() >= QFont.Weight.DemiBold, fmt.fontItalic()
        if runs and (runs[-1].bold, runs[-1].italic) == (bold, italic):
            runs[-1] = Run(runs[-1].text + piece, bold, italic)
        else:
            runs.append(Run(piece, bold, italic))
    return tuple(runs)


def document_units(document: QTextDocument) -> list[tuple[Block, list[int]]]:
    """The document's blocks, each with the numbers of the text blocks it is made of.
    Empty paragraphs are left out (they are gaps, as blank lines are in Markdown)."""
    units: list[tuple[Block, list[int]]] = []
    items: list[ListItem] = []
    numbers: list[int] = []
    previous_level = -1

    def close_list() -> None:
        nonlocal items, numbers, previous_level
        if items:
            offset = 0
            for part in split_lists(ListBlock(tuple(items))):
                count = len(part.items)
                units.append((part, numbers[offset : offset + count]))
                offset += count
        items, numbers, previous_level = [], [], -1

    for block in blocks_of(document):
        runs = block_runs(block)
        text_list = block.textList()
        if text_list is not None:
            if not "".join(r.text for r in runs).strip():
                continue  # an empty item (Enter at the end of a list) is a gap
            level = max(0, min(text_list.format().indent() - 1, previous_level + 1))
            ordered = is_ordered(text_list)
            number = text_list.itemNumber(block) + 1 if ordered else 0
            items.append(ListItem(runs or (Run(""),), level, number))
            numbers.append(block.blockNumber())
            previous_level = level
            continue
        close_list()
        if "".join(r.text for r in runs).strip():
            units.append((Paragraph(runs), [block.blockNumber()]))
    close_list()
    return units


def document_to_blocks(document: QTextDocument) -> list[Block]:
    return [unit for unit, _numbers in document_units(document)]


def unit_index(document: QTextDocument, block_number: int) -> int:
    """The paragraph (``EvidenceLink.paragraph``) a text block belongs to; a gap counts
    with the paragraph before it."""
    index = 0
    for n, (_unit, numbers) in enumerate(document_units(document)):
        if numbers[0] > block_number:
            break
        index = n
    return index


# ------------------------------------------------------------------ blocks -> document


def insert_blocks(
    cursor: QTextCursor,
    blocks: Sequence[Block],
    *,
    first_in_place: bool = True,
) -> None:
    """Insert ``blocks`` at ``cursor`` (the first one into the current text block when
    ``first_in_place``), as one edit the caller may wrap in an edit block."""
    first = first_in_place
    for block in blocks:
        if isinstance(block, Paragraph):
            _new_block(cursor, first)
            _insert_runs(cursor, block.runs)
            first = False
            continue
        open_lists: list[QTextList] = []
        for n, item in enumerate(block.items):
            _new_block(cursor, first)
            first = False
            level = min(item.level, len(open_lists))
            del open_lists[level + 1 :]
            ordered = bool(item.number)
            if len(open_lists) > level and is_ordered(open_lists[level]) == ordered:
                open_lists[level].add(cursor.block())
            else:
                del open_lists[level:]
                open_lists.append(cursor.createList(list_format(level, ordered)))
            gap = QTextBlockFormat()
            gap.setBottomMargin(PARAGRAPH_GAP if n == len(block.items) - 1 else 2)
            cursor.mergeBlockFormat(gap)
            _insert_runs(cursor, item.runs)


def _new_block(cursor: QTextCursor, in_place: bool) -> None:
    if not in_place:
        cursor.insertBlock(paragraph_format(), char_format(False, False))
    elif cursor.block().textList() is not None and cursor.block().length() <= 1:
        cursor.block().textList().remove(cursor.block())
        cursor.setBlockFormat(paragraph_format())


def _insert_runs(cursor: QTextCursor, runs: Sequence[Run]) -> None:
    for run in runs:
        if run.text:
            cursor.insertText(
                run.text.replace("\n", LINE_SEPARATOR), char_format(run.bold, run.italic)
            )
    cursor.setCharFormat(char_format(False, False))


def fill_document(document: QTextDocument, blocks: Sequence[Block]) -> None:
    """Replace the document's content with ``blocks``; the undo history starts here, so
    no undo can ever empty what was loaded."""
    document.clear()
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    cursor.setBlockFormat(paragraph_format())
    cursor.setBlockCharFormat(char_format(False, False))
    insert_blocks(cursor, blocks)
    cursor.endEditBlock()
    document.clearUndoRedoStacks()
    document.setModified(False)
