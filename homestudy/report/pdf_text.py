"""Paragraph styles and paragraph markup for the PDF writer.

Styles come from ``layout.STYLES`` (the numbers the .docx uses too). Text becomes
reportlab paragraph markup with a font per script (``fonts.segments``); paragraphs
with right-to-left or shaped text are drawn by ``_BidiParagraph``.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph as RLParagraph

from homestudy.report import bidi_lines, fonts
from homestudy.report.docmodel import Run
from homestudy.report.layout import ANALYSIS_SHADE, LIST_HANGING, STYLES, TextStyle


def colour(hex_rgb: str) -> colors.Color:
    return colors.HexColor(f"#{hex_rgb}")


def _style(name: str, spec: TextStyle, **extra: Any) -> ParagraphStyle:
    font = fonts.BASE
    if spec.bold and spec.italic:
        font = f"{fonts.BASE}-BoldItalic"
    elif spec.bold:
        font = f"{fonts.BASE}-Bold"
    elif spec.italic:
        font = f"{fonts.BASE}-Italic"
    settings: dict[str, Any] = {
        "fontName": font,
        "fontSize": spec.size,
        "leading": spec.leading,
        "spaceBefore": spec.before,
        "spaceAfter": spec.after,
        "textColor": colour(spec.colour),
        "leftIndent": spec.indent,
        "shaping": 0,
        "splitLongWords": 1,
        "bulletFontName": fonts.BASE,
        "allowWidows": 0,
        "spaceShrinkage": 0,  # Word never squeezes spaces to fit a word on a line
        "allowOrphans": 0,
    }
    settings.update(extra)
    return ParagraphStyle(name, **settings)


def _styles() -> dict[str, ParagraphStyle]:
    out = {name: _style(name, spec) for name, spec in STYLES.items()}
    analysis = STYLES["analysis"]
    out["analysis"] = _style(
        "analysis",
        analysis,
        backColor=colour(ANALYSIS_SHADE),
        borderPadding=(3, 4, 3, 4),
        rightIndent=4,
    )
    # a table cell may break a word only when it carries soft hyphens (tables.hyphenate)
    out["cell_hyphenated"] = _style("cell_hyphenated", STYLES["cell"], embeddedHyphenation=1)
    out["head_hyphenated"] = _style("head_hyphenated", STYLES["head"], embeddedHyphenation=1)
    return out


STYLES_PDF = _styles()


def list_style(level: int, last: bool) -> ParagraphStyle:
    base = STYLES_PDF["list"]
    indent = LIST_HANGING + 18 * level + 4
    return ParagraphStyle(
        f"list{level}{'_last' if last else ''}",
        parent=base,
        leftIndent=indent,
        bulletIndent=indent - LIST_HANGING,
        spaceAfter=8 if last else base.spaceAfter,
    )


def markup(runs: tuple[Run, ...] | list[Run]) -> tuple[str, str]:
    """reportlab paragraph markup for runs (escaped text, a font per script), and the
    name of a font that needs shaping ("" when none does)."""
    pieces = [(run, font, text) for run in runs for font, text in fonts.segments(run.text)]
    shaped = next((f for _, f, _ in pieces if f in fonts.SHAPED), "")
    if shaped and _font_changes_inside_a_word(pieces):
        shaped = ""  # reportlab shapes a word with its first font only: it would fail
    out: list[str] = []
    for run, font, text in pieces:
        piece = escape(text).replace("\t", "\u00a0" * 4).replace("\n", "<br/>")
        if font:
            piece = f'<font name="{font}">{piece}</font>'
        else:
            if run.bold:
                piece = f"<b>{piece}</b>"
            if run.italic:
                piece = f"<i>{piece}</i>"
            if shaped:  # the paragraph's own font is then the shaped one
                piece = f'<font name="{fonts.BASE}">{piece}</font>'
        out.append(piece)
    return "".join(out), shaped


def _font_changes_inside_a_word(pieces: list[tuple[Run, str, str]]) -> bool:
    for (_, font_a, text_a), (_, font_b, text_b) in itertools.pairwise(pieces):
        # a word that starts in a shaped font and goes on in another cannot be shaped
        if (
            font_a != font_b
            and font_a in fonts.SHAPED
            and text_a
            and text_b
            and not text_a[-1].isspace()
            and not text_b[0].isspace()
        ):
            return True
    return False


class _BidiParagraph(RLParagraph):  # type: ignore[misc]  # reportlab has no type hints
    """A paragraph with right-to-left text: each line is broken in logical order, then
    its words are drawn in Unicode bidi order (report/bidi_lines.py). Splits across
    pages keep the class and the style, so the base direction (``hs_rtl``) too."""

    blPara: Any  # the laid-out lines reportlab's wrap() leaves here

    def drawPara(self, debug: int = 0) -> None:
        laid_out = self.blPara
        if laid_out.kind != 1:  # one plain font: nothing here is shaped or right-to-left
            super().drawPara(debug)
            return
        rtl = bool(getattr(self.style, "hs_rtl", False))
        self.blPara = laid_out.clone(
            lines=[
                line.clone(words=bidi_lines.reorder_frag_line(line.words, rtl))
                for line in laid_out.lines
            ]
        )
        try:
            super().drawPara(debug)
        finally:
            self.blPara = laid_out  # a later split must see the logical order


def paragraph(
    runs: tuple[Run, ...] | list[Run],
    style: ParagraphStyle,
    cls: type[RLParagraph] = RLParagraph,
    **extra: Any,
) -> RLParagraph:
    """A reportlab paragraph for ``runs`` (``cls`` for plain text, a bidi paragraph when
    the text needs shaping or right-to-left order)."""
    text, shaped = markup(runs)
    plain = "".join(r.text for r in runs)
    if not (shaped or bidi_lines.needs_bidi(plain)):
        return cls(text, style, **extra)
    rtl = fonts.is_rtl(plain)
    # reportlab shapes a paragraph only when its style's font is shapable; the base
    # font's words are still left unshaped (fonts.PlainTTFont)
    style = ParagraphStyle(
        style.name + "_x",
        parent=style,
        shaping=1 if shaped else 0,
        fontName=shaped or style.fontName,
        alignment=TA_RIGHT if rtl else style.alignment,
    )
    style.hs_rtl = rtl
    kind: type = cls  # plain `type`: mypy does not count `type[Any]` as Hashable
    return _bidi_class(kind)(text, style, **extra)


@cache
def _bidi_class(cls: type[RLParagraph]) -> type[RLParagraph]:
    if cls is RLParagraph:
        return _BidiParagraph
    return type("_Bidi" + cls.__name__, (_BidiParagraph, cls), {})
