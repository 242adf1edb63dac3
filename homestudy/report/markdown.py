"""The PAR's Markdown subset to document blocks, with markdown-it-py.

The subset (``model.ParSectionDraft``): paragraphs, ``**bold**``, ``*italic*``,
``- `` bulleted and ``1. `` numbered lists, backslash escapes. Everything else
(headings, links, HTML, code) stays literal text: the parser starts from the
"zero" preset and only those rules are switched on, so nothing an assessor types
can inject markup into a writer. Single newlines inside a paragraph are kept
as line breaks (``\\n`` in a run); the writers turn them into breaks. A paragraph
that starts "Analysis:" is given the ``analysis`` style.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from homestudy.report.docmodel import ListBlock, ListItem, Paragraph, Run
from homestudy.report.sanitize import clean_text


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("zero").enable(["emphasis", "list", "escape"])


def _runs(inline: Token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    for child in inline.children or []:
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold = max(0, bold - 1)
        elif child.type == "em_open":
            italic += 1
        elif child.type == "em_close":
            italic = max(0, italic - 1)
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run("\n", bold > 0, italic > 0))
        elif child.content:
            run = Run(child.content, bold > 0, italic > 0)
            if runs and (runs[-1].bold, runs[-1].italic) == (run.bold, run.italic):
                runs[-1] = Run(runs[-1].text + run.text, run.bold, run.italic)
            else:
                runs.append(run)
    return runs


def parse_blocks(text: str) -> list[Paragraph | ListBlock]:
    """Blocks for one section's text ([] when it is empty)."""
    source = clean_text(text)
    if not source.strip():
        return []
    blocks: list[Paragraph | ListBlock] = []
    items: list[ListItem] = []
    # one entry per open list: the next number (0 for a bulleted list)
    stack: list[int] = []
    item_runs: list[Run] | None = None

    def close_item() -> None:
        nonlocal item_runs
        if item_runs is not None:
            items.append(_item(item_runs, len(stack) - 1, stack[-1] if stack else 0))
            if stack and stack[-1]:
                stack[-1] += 1
            item_runs = None

    for token in _parser().parse(source):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            close_item()  # a nested list ends its parent item's own text
            start = token.attrs.get("start", 1) if kind == "ordered_list_open" else 0
            stack.append(int(start) if kind == "ordered_list_open" else 0)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            close_item()
            stack.pop()
            if not stack and items:
                blocks.append(ListBlock(tuple(items)))
                items = []
        elif kind == "list_item_open":
            item_runs = []
        elif kind == "list_item_close":
            close_item()
        elif kind == "inline":
            runs = _runs(token)
            if stack:
                if item_runs is None:  # text after a nested list: a continuation item
                    item_runs = []
                if item_runs:
                    item_runs.append(Run("\n"))
                item_runs.extend(runs)
            elif runs:
                blocks.append(Paragraph(tuple(runs), _paragraph_style(runs)))
    return blocks


def _paragraph_style(runs: list[Run]) -> str:
    """ "analysis" for the assessor's analysis paragraph (it starts "Analysis:", bold or
    not): a named style in the .docx, shaded in the PDF."""
    text = "".join(r.text for r in runs).lstrip()
    return "analysis" if text[:9].lower() == "analysis:" else "body"


def _item(runs: list[Run], level: int, number: int) -> ListItem:
    return ListItem(tuple(runs) or (Run(""),), max(0, level), number)


def cell_text(text: str) -> str:
    """Rich text (the editors' Markdown) as the plain lines a table cell holds: emphasis
    is dropped rather than printed as ``**``; list items keep their bullet or number."""
    lines: list[str] = []
    for block in parse_blocks(text):
        if isinstance(block, ListBlock):
            for item in block.items:
                mark = f"{item.number}." if item.number else "\u2022"
                words = "".join(r.text for r in item.runs)
                lines.append("  " * item.level + f"{mark} {words}")
        else:
            lines.append("".join(r.text for r in block.runs))
    return "\n".join(lines)
