"""The named styles and list numbering of the .docx exports.

Every style a report uses has a name a supervisor can find in Word's style gallery and
restyle: "Analysis" (the assessor's analysis paragraphs), "Note" (removal notes, "Not
yet written."), "Report detail" (status lines), "Field" (a "Label: value" line),
"Table text", the headings, the contents levels and the lists. Sizes and spacing come
from ``layout.STYLES``, the numbers the PDF is laid out with. ``define_styles`` adds
what a template lacks (an agency's own template keeps its own look for the styles it
has) and sets the proofing language of the whole document.

Lists are real Word numbering: one bulleted and one numbered definition
(``w:abstractNum`` named "HomeStudy bullets" / "HomeStudy numbers"); each numbered list
gets its own ``w:num`` instance that starts at its first number.
"""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from docx.shared import Pt, RGBColor
from docx.styles.style import ParagraphStyle

from homestudy.report.layout import (
    ANALYSIS_SHADE,
    BODY_WIDTH,
    DOCX_FONT,
    LIST_HANGING,
    LIST_INDENT,
    STYLES,
    TextStyle,
)

#: Word style name -> (layout style, based on)
PARAGRAPH_STYLES: dict[str, tuple[str, str]] = {
    "Normal": ("body", ""),
    "Title": ("title", "Normal"),
    "Subtitle": ("subtitle", "Normal"),
    "Caption": ("caption", "Normal"),
    "TOC Heading": ("toc_title", "Normal"),
    "TOC 1": ("toc0", "Normal"),
    "TOC 2": ("toc1", "Normal"),
    "Analysis": ("analysis", "Normal"),
    "Note": ("note", "Normal"),
    "Report detail": ("meta", "Normal"),
    "Field": ("field", "Normal"),
    "Table text": ("cell", "Normal"),
    "List Bullet": ("list", "Normal"),
    "List Bullet 2": ("list", "Normal"),
    "List Bullet 3": ("list", "Normal"),
    "List Number": ("list", "Normal"),
    "List Number 2": ("list", "Normal"),
    "List Number 3": ("list", "Normal"),
}
#: the model's paragraph styles -> Word styles
MODEL_STYLES = {
    "body": "Normal",
    "cover": "Normal",
    "title": "Title",
    "subtitle": "Subtitle",
    "note": "Note",
    "meta": "Report detail",
    "field": "Field",
    "analysis": "Analysis",
}
#: Heading n -> layout style, for a report with Parts and one without
HEADINGS_WITH_PARTS = {1: "h0", 2: "h1", 3: "h2", 4: "h3"}
HEADINGS_WITHOUT_PARTS = {1: "h1", 2: "h2", 3: "h3", 4: "h3"}
BULLETS_NAME, NUMBERS_NAME = "HomeStudy bullets", "HomeStudy numbers"
BULLET_CHARS = ("•", "◦", "▪")


def twips(points: float) -> str:
    return str(round(points * 20))


#: Where Word expects an element among its siblings (ECMA-376): the tags that must
#: come after it. Word calls a file with children out of order damaged.
_PPR_AFTER_SHD = (
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
SUCCESSORS = {
    "w:pBdr": ("w:shd", *_PPR_AFTER_SHD),
    "w:shd": _PPR_AFTER_SHD,
    "w:lang": ("w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "w:updateFields": (
        "w:hdrShapeDefaults",
        "w:footnotePr",
        "w:endnotePr",
        "w:compat",
        "w:docVars",
        "w:rsids",
        "m:mathPr",
        "w:attachedSchema",
        "w:themeFontLang",
        "w:clrSchemeMapping",
        "w:doNotIncludeSubdocsInStats",
        "w:doNotAutoCompressPictures",
        "w:forceUpgrade",
        "w:captions",
        "w:readModeInkLockDown",
        "w:smartTagType",
        "sl:schemaLibrary",
        "w:shapeDefaults",
        "w:doNotEmbedSmartTags",
        "w:decimalSymbol",
        "w:listSeparator",
    ),
}


def put(parent: Any, tag: str, **attrs: str) -> Any:
    """Set the one ``tag`` child of ``parent`` (a pPr, rPr or settings), in the place
    the schema gives it, replacing any there was."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    parent.insert_element_before(element, *SUCCESSORS[tag])
    return element


def define_styles(docx: DocxDocument, *, ours: bool, has_parts: bool, language: str) -> None:
    """Give ``docx`` every style the writer uses. ``ours``: HomeStudy's own template,
    whose styles are (re)set to the layout; an agency's keeps the styles it has."""
    styles = docx.styles
    _defaults(docx, language)
    for name, (spec, base) in PARAGRAPH_STYLES.items():
        _paragraph_style(docx, name, STYLES[spec], base, ours)
    headings = HEADINGS_WITH_PARTS if has_parts else HEADINGS_WITHOUT_PARTS
    for level, spec in headings.items():
        style = _paragraph_style(docx, f"Heading {level}", STYLES[spec], "Normal", ours)
        style.paragraph_format.keep_with_next = True  # never alone at a page foot
        style.paragraph_format.keep_together = True
        _outline_level(style, level - 1)
    analysis = styles["Analysis"]
    if ours:
        _shade(analysis.element.get_or_add_pPr(), ANALYSIS_SHADE)
    for name in ("TOC 1", "TOC 2"):
        stops = styles[name].paragraph_format.tab_stops
        if ours or not len(stops):
            stops.clear_all()
            stops.add_tab_stop(Pt(BODY_WIDTH), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    for name in (
        "List Bullet",
        "List Bullet 2",
        "List Bullet 3",
        "List Number",
        "List Number 2",
        "List Number 3",
    ):
        _no_contextual_spacing(styles[name])


def _defaults(docx: DocxDocument, language: str) -> None:
    """The proofing language (and font) of everything that does not say otherwise."""
    root = docx.styles.element
    defaults = root.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        root.insert(0, defaults)
    holder = defaults.find(qn("w:rPrDefault"))
    if holder is None:
        holder = OxmlElement("w:rPrDefault")
        defaults.insert(0, holder)
    rpr = holder.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        holder.append(rpr)
    set_language(rpr, language)
    normal = docx.styles["Normal"]
    set_language(normal.element.get_or_add_rPr(), language)


def set_language(rpr: Any, language: str) -> None:
    old = rpr.find(qn("w:lang"))
    bidi = old.get(qn("w:bidi")) if old is not None else None
    lang = put(rpr, "w:lang", val=language, eastAsia=language)
    if bidi:
        lang.set(qn("w:bidi"), bidi)


def set_font(rpr: Any, name: str) -> None:
    """``name`` for every script, with no theme font left to override it."""
    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


def _paragraph_style(
    docx: DocxDocument, name: str, spec: TextStyle, base: str, ours: bool
) -> ParagraphStyle:
    styles = docx.styles
    try:
        style: ParagraphStyle = styles[name]  # python-docx leaves both lookups untyped
        fresh = False
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        fresh = True
    if base and fresh:
        style.base_style = styles[base]
    if fresh:
        style.quick_style = name in ("Analysis", "Note")
    if ours or fresh:
        apply_text_style(style, spec)
    return style


def apply_text_style(style: ParagraphStyle, spec: TextStyle) -> None:
    """``spec`` and nothing else: what python-docx's default styles carried (borders,
    letter spacing, theme colours) is cleared first."""
    element = style.element
    for holder in (element.pPr, element.rPr):
        if holder is not None:
            for child in list(holder):
                if child.tag not in (qn("w:outlineLvl"), qn("w:lang")):
                    holder.remove(child)
    font = style.font
    set_font(style.element.get_or_add_rPr(), DOCX_FONT)
    font.size = Pt(spec.size)
    font.bold = spec.bold
    font.italic = spec.italic
    font.color.rgb = RGBColor.from_string(spec.colour)
    fmt = style.paragraph_format
    fmt.space_before = Pt(spec.before)
    fmt.space_after = Pt(spec.after)
    fmt.line_spacing = Pt(spec.leading)
    fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    fmt.left_indent = Pt(spec.indent) if spec.indent else None
    fmt.widow_control = True


def _outline_level(style: ParagraphStyle, level: int) -> None:
    style.element.get_or_add_pPr().get_or_add_outlineLvl().set(qn("w:val"), str(level))


def _no_contextual_spacing(style: object) -> None:
    ppr = style.element.get_or_add_pPr()  # type: ignore[attr-defined]
    for tag in ("w:contextualSpacing", "w:numPr"):  # the spacing and numbering are ours
        found = ppr.find(qn(tag))
        if found is not None:
            ppr.remove(found)


def _shade(ppr: Any, fill: str) -> None:
    put(ppr, "w:shd", val="clear", color="auto", fill=fill)


# ---------------------------------------------------------------------- numbering


class Numbering:
    """The document's list numbering: a ``numId`` for bullets, and a new one for each
    numbered list (so each starts at its own first number)."""

    def __init__(self, docx: DocxDocument) -> None:
        self.root = _numbering_part(docx).element
        self.bullets_abstract = self._abstract(BULLETS_NAME, numbered=False)
        self.numbers_abstract = self._abstract(NUMBERS_NAME, numbered=True)
        self._bullets = 0

    def bullets(self) -> int:
        if not self._bullets:
            self._bullets = self._new_num(self.bullets_abstract, None, 0)
        return self._bullets

    def numbered(self, level: int, start: int) -> int:
        return self._new_num(self.numbers_abstract, level, start)

    def _new_num(self, abstract_id: int, level: int | None, start: int) -> int:
        num = self.root.add_num(abstract_id)  # python-docx: a new w:num, next free id
        if level is not None:
            num.add_lvlOverride(ilvl=level).add_startOverride(start)
        return int(num.numId)

    def _abstract(self, name: str, numbered: bool) -> int:
        for abstract in self.root.findall(qn("w:abstractNum")):
            label = abstract.find(qn("w:name"))
            if label is not None and label.get(qn("w:val")) == name:
                return int(abstract.get(qn("w:abstractNumId")))
        ids = [int(a.get(qn("w:abstractNumId"))) for a in self.root.findall(qn("w:abstractNum"))]
        new_id = max(ids, default=0) + 1
        abstract = parse_xml(_abstract_xml(new_id, name, numbered))
        # abstractNum elements come before every w:num
        first_num = self.root.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.root.append(abstract)
        return new_id


def _abstract_xml(abstract_id: int, name: str, numbered: bool) -> str:
    levels = []
    for level in range(9):
        left = twips(LIST_HANGING + LIST_INDENT * level + 4)
        hanging = twips(LIST_HANGING)
        if numbered:
            fmt, text, font = "decimal", f"%{level + 1}.", ""
        else:
            char = BULLET_CHARS[level % len(BULLET_CHARS)]
            fmt, text = "bullet", char
            font = f'<w:rPr><w:rFonts w:ascii="{DOCX_FONT}" w:hAnsi="{DOCX_FONT}"/></w:rPr>'
        levels.append(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>{font}</w:lvl>'
        )
    return (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="hybridMultilevel"/><w:name w:val="{name}"/>'
        + "".join(levels)
        + "</w:abstractNum>"
    )


def _numbering_part(docx: DocxDocument) -> NumberingPart:
    part = docx.part
    try:
        return part.part_related_by(RT.NUMBERING)  # type: ignore[return-value]
    except KeyError:  # a template without lists: python-docx cannot make the part itself
        numbering = NumberingPart(
            PackURI("/word/numbering.xml"),
            CT.WML_NUMBERING,
            parse_xml(f"<w:numbering {nsdecls('w')}/>"),
            part.package,
        )
        part.relate_to(numbering, RT.NUMBERING)
        return numbering
