"""The .docx pages: each Word section's size, margins, header and footer.

Every section has its own header and footer (none is linked to the one before), so
a confidential part in its own section carries its running mark top and bottom and
can be detached. Top: the marking and the case reference, the running mark, the
INCOMPLETE mark; foot: the INCOMPLETE mark, the running mark, the copy and its
version, the marking with "Page X of Y" (PAGE / NUMPAGES fields). The same lines as
the PDF (``layout.header_lines`` / ``footer_lines``), at the same heights.

A DRAFT watermark is Word's own kind: a VML text-path shape anchored in the header
("PowerPlusWaterMarkObject", what Word's Design > Watermark writes, which LibreOffice
reads as a watermark too). python-docx has no API for it and no maintained library
makes one, so the shape is built from python-docx's ``parse_xml``.
"""

from __future__ import annotations

import copy
from xml.sax.saxutils import quoteattr

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section, _Footer, _Header
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from homestudy.report.docmodel import Document
from homestudy.report.docx_styles import put
from homestudy.report.layout import (
    BODY_WIDTH,
    FOOTER_DISTANCE,
    GREY,
    HEADER_DISTANCE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    SIDE_MARGIN,
    MarkLine,
    footer_lines,
    header_lines,
    margins,
)

_R_EMBED = qn("r:embed")
_R_ID = qn("r:id")


class Pages:
    """Sets up each section as the writer starts it. The template's own header and
    footer content (an agency's logo) is copied to the top of every section's."""

    def __init__(self, docx: DocxDocument, document: Document) -> None:
        self.docx, self.document = docx, document
        first = docx.sections[0]
        self._template_header = _template_content(first.header)
        self._template_footer = _template_content(first.footer)
        self._watermarks = 0

    def setup(self, section: Section, running_mark: str) -> None:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Pt(PAGE_WIDTH), Pt(PAGE_HEIGHT)
        top, bottom = margins(self.document, running_mark)
        section.left_margin = section.right_margin = Pt(SIDE_MARGIN)
        section.top_margin, section.bottom_margin = Pt(top), Pt(bottom)
        section.header_distance = Pt(HEADER_DISTANCE)
        section.footer_distance = Pt(FOOTER_DISTANCE)
        section.different_first_page_header_footer = False
        for part, lines, content, is_header in (
            (
                section.header,
                header_lines(self.document, running_mark),
                self._template_header,
                True,
            ),
            (
                section.footer,
                footer_lines(self.document, running_mark),
                self._template_footer,
                False,
            ),
        ):
            part.is_linked_to_previous = False
            self._fill(part, lines, content, is_header)

    def _fill(
        self,
        part: _Header | _Footer,
        lines: list[MarkLine],
        template: tuple[list[BaseOxmlElement], Part | None],
        is_header: bool,
    ) -> None:
        root = part._element
        for child in list(root):
            root.remove(child)
        elements, source_part = template
        for element in elements:  # the agency's logo and lines, first
            root.append(_copy_into(element, source_part, part.part))
        for n, line in enumerate(lines):
            paragraph = DocxParagraph(OxmlElement("w:p"), part)
            root.append(paragraph._p)
            _mark_line(paragraph, line, self.document.reference if is_header else None)
            if (is_header and n == len(lines) - 1) or (not is_header and n == 0):
                _rule(paragraph, "bottom" if is_header else "top")  # as the PDF's rules
            if is_header and n == 0 and self.document.watermark:
                self._watermarks += 1
                paragraph._p.append(_watermark(self.document.watermark, self._watermarks))


def _template_content(part: _Header | _Footer) -> tuple[list[BaseOxmlElement], Part | None]:
    """What the template's header (or footer) holds, unless it is empty."""
    if part.is_linked_to_previous:
        return [], None
    elements = [copy.deepcopy(e) for e in part._element if e.tag in (qn("w:p"), qn("w:tbl"))]
    has_content = any(
        e.xpath(".//w:t[normalize-space(text())] | .//w:drawing | .//w:pict") for e in elements
    )
    return (elements, part.part) if has_content else ([], None)


def _copy_into(
    element: BaseOxmlElement, source_part: Part | None, target_part: Part
) -> BaseOxmlElement:
    """A copy of ``element`` for another header part, its pictures related anew."""
    clone = copy.deepcopy(element)
    for node in clone.iter():
        for attr in (_R_EMBED, _R_ID):
            rid = node.get(attr)
            if rid and source_part is not None and rid in source_part.rels:
                rel = source_part.rels[rid]
                if rel.is_external:
                    new = target_part.relate_to(rel.target_ref, rel.reltype, is_external=True)
                else:
                    new = target_part.relate_to(rel.target_part, rel.reltype)
                node.set(attr, new)
    return clone


def _mark_line(paragraph: DocxParagraph, line: MarkLine, reference: str | None) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(line.height)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    stops = fmt.tab_stops
    stops.add_tab_stop(Pt(BODY_WIDTH), WD_TAB_ALIGNMENT.RIGHT)
    colour = RGBColor.from_string(line.colour)
    if line.kind in ("running", "incomplete"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if line.kind == "incomplete":  # white on a red band, as in the PDF
        _shade(paragraph, line.colour)
        colour = RGBColor(0xFF, 0xFF, 0xFF)
    run = paragraph.add_run(line.text)
    run.bold = line.bold or None
    run.font.size, run.font.color.rgb = Pt(line.size), colour
    if line.kind != "marking":
        return
    if reference is not None:  # the header: the case reference on the right
        ref = paragraph.add_run(f"\t{reference}")
    else:  # the footer: "Page X of Y"
        ref = paragraph.add_run("\tPage ")
    ref.font.size, ref.font.color.rgb = Pt(line.size), RGBColor.from_string(GREY)
    if reference is None:
        _field(paragraph, "PAGE", "1", line.size)
        of = paragraph.add_run(" of ")
        of.font.size, of.font.color.rgb = Pt(line.size), RGBColor.from_string(GREY)
        _field(paragraph, "NUMPAGES", "1", line.size)


def _rule(paragraph: DocxParagraph, side: str) -> None:
    borders = put(paragraph._p.get_or_add_pPr(), "w:pBdr")
    line = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", "4"), ("space", "1"), ("color", RULE)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)


def _shade(paragraph: DocxParagraph, fill: str) -> None:
    put(paragraph._p.get_or_add_pPr(), "w:shd", val="clear", color="auto", fill=fill)


def _field(paragraph: DocxParagraph, instruction: str, shown: str, size: float) -> None:
    """A simple field (PAGE, NUMPAGES) with ``shown`` as its cached result."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), GREY)
    props.append(colour)
    half_points = OxmlElement("w:sz")
    half_points.set(qn("w:val"), str(round(size * 2)))
    props.append(half_points)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


_VML_NAMESPACES = (
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)
_TEXTPATH_FORMULAS = (
    "sum #0 0 10800",
    "prod #0 2 1",
    "sum 21600 0 @1",
    "sum 0 0 @2",
    "sum 21600 0 @3",
    "if @0 @3 0",
    "if @0 21600 @1",
    "if @0 0 @2",
    "if @0 @4 21600",
    "mid @5 @6",
    "mid @8 @5",
    "mid @7 @8",
    "mid @6 @7",
    "sum @6 0 @5",
)


def _watermark(text: str, n: int) -> object:
    """Word's text watermark: a faint red diagonal word behind the page's text."""
    formulas = "".join(f'<v:f eqn="{f}"/>' for f in _TEXTPATH_FORMULAS)
    shapetype = (
        '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
        'path="m@7,l@8,m@5,21600l@6,21600e">'
        f"<v:formulas>{formulas}</v:formulas>"
        '<v:path textpathok="t" o:connecttype="custom" '
        'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
        '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" '
        'xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/>'
        "</v:shapetype>"
    )
    style = (
        "position:absolute;margin-left:0;margin-top:0;width:440pt;height:160pt;"
        "rotation:315;z-index:-251654144;mso-position-horizontal:center;"
        "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
        "mso-position-vertical-relative:margin"
    )
    return parse_xml(
        f"<w:r {nsdecls('w')} {_VML_NAMESPACES}>"
        "<w:rPr><w:noProof/></w:rPr><w:pict>"
        + shapetype
        + f'<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s{2048 + n}" '
        f'type="#_x0000_t136" style="{style}" o:allowincell="f" fillcolor="#c00000" '
        'stroked="f"><v:fill opacity=".25"/>'
        f'<v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" '
        f"string={quoteattr(text)}/>"
        '<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>'
    )
