"""Read exports back with independent readers (python-docx, pypdf), and plant canaries.

The readers are cached by the bytes they read: treat what they return as read-only.

A canary is a unique made-up word planted in one confidential place of a case; the
applicants' copy must not contain any of them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache

import docx
import pypdf

from homestudy.model import Case, ParSectionDraft, SectionStatus

#: left out of the applicants' copy (the medical adviser's summary is shared by default:
#: it is the applicants' own health information; see tests/test_confidentiality.py)
CONFIDENTIAL_SECTIONS = ("statutory_checks", "references_summary")


def plant_canaries(case: Case) -> dict[str, str]:
    """Put a canary in every confidential place of ``case``; returns place -> canary."""
    canaries: dict[str, str] = {}

    def canary(place: str) -> str:
        word = f"Zqx{place.replace('_', '').replace(':', '').title()}Canary"
        canaries[place] = word
        return word

    for n, check in enumerate(case.stage1.checks):
        check.notes += f" {canary(f'check_{n}')}"
    for n, ref in enumerate(case.references):
        ref.notes += f"\n\n{canary(f'reference_{n}')} said so."
    for sid in CONFIDENTIAL_SECTIONS:
        draft = case.par_sections.get(sid) or ParSectionDraft(sid)
        draft.text += f"\n\nConfidential detail {canary(f'section_{sid}')}."
        draft.status = SectionStatus.DRAFTING
        case.par_sections[sid] = draft
    return canaries


@dataclass
class DocxText:
    body: str
    headers: list[str]
    footers: list[str]
    heading_texts: list[tuple[str, str]]  # (style name, text)


@cache  # the same bytes are read by several tests
def read_docx(data: bytes) -> DocxText:
    document = docx.Document(io.BytesIO(data))
    body = "\n".join(_paragraph_texts(document.element.body))
    headers = ["".join(p.text for p in s.header.paragraphs) for s in document.sections]
    footers = ["".join(p.text for p in s.footer.paragraphs) for s in document.sections]
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
    return DocxText(body, headers, footers, headings)


def _paragraph_texts(element: object) -> list[str]:
    # every paragraph, in tables and fields too, with its tabs and breaks as spaces
    return ["".join(p.xpath(".//w:t/text()")) for p in element.xpath(".//w:p")]


@cache  # the same bytes are read by several tests
def read_pdf(data: bytes) -> list[str]:
    """The text of every page."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() or "" for page in reader.pages]


@cache  # the same bytes are read by several tests
def pdf_outline_titles(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    titles: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))

    walk(reader.outline)
    return titles


@cache  # the same bytes are read by several tests
def pdf_margin_text(data: bytes, margin_pt: float = 62) -> list[str]:
    """Per page, the text drawn in the top and bottom margins (header and footer)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    out = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        parts: list[str] = []

        def visit(
            text: str,
            cm: list,
            tm: list,
            font: object,
            size: object,
            parts: list[str] = parts,
            height: float = height,
        ) -> None:
            y = tm[5] * cm[3] + cm[5] if cm else tm[5]
            if text.strip() and (y > height - margin_pt or y < margin_pt):
                parts.append(text)

        page.extract_text(visitor_text=visit)
        out.append(" ".join(parts))
    return out


def squash(text: str) -> str:
    """Whitespace-insensitive text for looking things up across line breaks."""
    return re.sub(r"\s+", "", text)


def accept_every_passage(case: Case, forms: object = None) -> Case:
    """Record every flagged passage of ``case``'s shared sections as "may be shared", so
    that its applicants' copy may be exported (tests of what comes after the guard)."""
    from homestudy.forms import load_library
    from homestudy.report.confidentiality import record_may_share, unreviewed_flags

    for flag in unreviewed_flags(case, forms or load_library()):
        record_may_share(case, flag, by="test")
    return case


def accept_every_passage_in_vault(vault: object, case_id: str) -> None:
    """``accept_every_passage`` on the stored case, its sections saved back."""
    case = accept_every_passage(vault.cases.load_case(case_id))  # type: ignore[attr-defined]
    for draft in case.par_sections.values():
        vault.cases.save_par_section(case.id, draft)  # type: ignore[attr-defined]
