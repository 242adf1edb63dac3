"""The .docx template a report starts from, and the file properties it ends with.

HomeStudy's own template is ``homestudy/data/report/report-template.docx``: python-docx's
default with its leftovers taken out (the 2013 "Microsoft Macintosh Word" properties,
the thumbnail, a second copy of the styles, 150 unused table styles) and HomeStudy's
styles in (``docx_styles``). Remake it with ``python -m homestudy.report.docx_template``.

An agency may put its own ``report-template.docx`` (its styles, a logo in the header)
in its profile's form-overrides folder; ``agency_template`` finds it and
``load_template`` checks it is a usable Word document, with a plain message if not.
Whatever the template, its body is emptied, its header and footer kept as the start of
each page's own (a logo stays), and the properties are HomeStudy's, dated now.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import docx as python_docx
from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from homestudy.errors import ExportError
from homestudy.report.docmodel import Document
from homestudy.report.docx_styles import define_styles, put
from homestudy.resources import resource_path

TEMPLATE_NAME = "report-template.docx"
KEEP_STYLES = frozenset(
    {
        "Normal",
        "Header",
        "HeaderChar",
        "Footer",
        "FooterChar",
        "DefaultParagraphFont",
        "TableNormal",
        "NoList",
        "TableGrid",
        "Title",
        "TitleChar",
        "Subtitle",
        "SubtitleChar",
        "Heading1",
        "Heading2",
        "Heading3",
        "Heading4",
        "Heading1Char",
        "Heading2Char",
        "Heading3Char",
        "Heading4Char",
        "ListParagraph",
        "ListBullet",
        "ListBullet2",
        "ListBullet3",
        "ListNumber",
        "ListNumber2",
        "ListNumber3",
        "Caption",
        "TOCHeading",
        "Strong",
        "Emphasis",
    }
)
_EXTENDED_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_DROPPED_RELS = (
    RT.THUMBNAIL,
    RT.CUSTOM_XML,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
)


def default_template() -> Path:
    return resource_path("report", TEMPLATE_NAME)


def agency_template(overrides_dir: Path | None) -> Path | None:
    """The agency's own report template in its form-overrides folder, if it has one."""
    if overrides_dir is None:
        return None
    path = Path(overrides_dir) / TEMPLATE_NAME
    return path if path.is_file() else None


def _unusable(detail: str) -> ExportError:
    return ExportError(
        f"The agency's report template ({TEMPLATE_NAME} in its form overrides folder) "
        f"cannot be used: {detail}. Ask the agency for a new copy saved from Word as a "
        "Word Document (.docx), or remove it to use HomeStudy's own layout."
    )


def load_template(path: Path | None) -> tuple[DocxDocument, bool]:
    """The template to build on, emptied: (document, is HomeStudy's own)."""
    ours = path is None
    source = default_template() if ours else Path(path)  # type: ignore[arg-type]
    try:
        data = source.read_bytes()
    except OSError as exc:
        if ours:
            raise ExportError(
                "HomeStudy's report template is missing: reinstall HomeStudy."
            ) from exc
        raise _unusable("it could not be opened") from exc
    if not ours:
        _check_package(data)
    try:
        docx = python_docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a bad package
        if ours:
            raise ExportError(
                "HomeStudy's report template is damaged: reinstall HomeStudy."
            ) from exc
        raise _unusable("Word could not read it either way HomeStudy tried") from exc
    _empty_body(docx)
    _drop_leftovers(docx)
    return docx, ours


def _check_package(data: bytes) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _unusable("it is not a Word document (.docx)")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        if "word/document.xml" not in names:
            raise _unusable("it is not a Word document (.docx)")
        types = (
            package.read("[Content_Types].xml").decode("utf-8", "replace")
            if "[Content_Types].xml" in names
            else ""
        )
    if "macroEnabled" in types or "template.main" in types:
        raise _unusable(
            "it is a macro-enabled document or a Word template (.dotx); save "
            "it as a Word Document (.docx)"
        )


def _empty_body(docx: DocxDocument) -> None:
    body = docx.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sect = body.find(qn("w:sectPr"))
    if sect is None:
        body.append(OxmlElement("w:sectPr"))
        return
    for tag in ("w:titlePg",):  # one header for every page: ours
        found = sect.find(qn(tag))
        if found is not None:
            sect.remove(found)
    for ref in sect.findall(qn("w:headerReference")) + sect.findall(qn("w:footerReference")):
        if ref.get(qn("w:type")) in ("first", "even"):
            sect.remove(ref)


def _drop_leftovers(docx: DocxDocument) -> None:
    for owner in (docx.part.package, docx.part):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype in _DROPPED_RELS:
                del owner.rels[rid]
    settings = docx.settings.element
    for tag in (
        "w:savePreviewPicture",
        "w:rsids",
        "w:attachedTemplate",
        "w:documentProtection",
        "w:evenAndOddHeaders",
    ):
        for found in settings.findall(qn(tag)):
            settings.remove(found)


def finish(docx: DocxDocument, document: Document, pages: int) -> None:
    """HomeStudy's file properties and settings, dated now."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props = docx.core_properties
    props.title = f"{document.title} — {document.reference}"  # never a person's name
    props.subject = f"{document.variant_label} — {document.marking}"
    props.author = document.author or "HomeStudy"
    props.last_modified_by = "HomeStudy"
    props.keywords = document.marking
    props.category = document.marking
    props.language = document.language or "en-GB"
    props.comments = "Made by HomeStudy."
    props.created = props.modified = now
    props.revision = 1
    props.identifier = ""
    props.content_status = document.incomplete_mark or ("Draft" if document.watermark else "")
    _app_properties(docx, pages)
    settings = docx.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), document.language or "en-GB")
    # Word refreshes the contents and page fields when editing is allowed; in
    # Protected View it shows the page numbers HomeStudy filled in
    put(settings, "w:updateFields", val="true")


def _app_properties(docx: DocxDocument, pages: int) -> None:
    ElementTree.register_namespace("", _EXTENDED_NS)
    root = ElementTree.Element(f"{{{_EXTENDED_NS}}}Properties")
    for name, value in (
        ("Application", "HomeStudy"),
        ("DocSecurity", "0"),
        ("Pages", str(max(1, pages))),
        ("Company", ""),
        ("LinksUpToDate", "false"),
        ("SharedDoc", "false"),
    ):
        ElementTree.SubElement(root, f"{{{_EXTENDED_NS}}}{name}").text = value
    blob = ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)
    package = docx.part.package
    for rel in package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = blob  # a plain Part: its bytes are what is saved
            return
    part = Part(PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES, blob, package)
    package.relate_to(part, RT.EXTENDED_PROPERTIES)


# ---------------------------------------------------------------------- our template


def make_template() -> bytes:
    """HomeStudy's template from python-docx's default (see the module docstring)."""
    docx = python_docx.Document()
    _empty_body(docx)
    _drop_leftovers(docx)
    styles = docx.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEEP_STYLES:
            styles.remove(style)
    numbering = docx.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)  # ours are added when a report has a list
    define_styles(docx, ours=True, has_parts=False, language="en-GB")
    blank = Document(reference="", title="Report", variant_label="")
    finish(docx, blank, 1)
    docx.core_properties.author = "HomeStudy"
    docx.core_properties.title = "HomeStudy report template"
    docx.core_properties.subject = ""
    docx.core_properties.keywords = ""
    docx.core_properties.category = ""
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def main() -> None:
    target = resource_path("report", TEMPLATE_NAME)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(make_template())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
