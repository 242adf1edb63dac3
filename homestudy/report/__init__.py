"""PAR and record exports: one document model, two writers (.docx and .pdf).

    from homestudy.report import export_par, export_record
    export_par(case, "pdf", "applicant", Path("par.pdf"), forms=load_library())
    export_record(case, "visit:<visit id>", "docx", Path("visit.docx"), forms=lib)
    export_record(case, "checklists", "pdf", Path("checklists.pdf"), forms=lib)
    export_par(case, "docx", "panel", out, docx_template=agency_template(overrides_dir))
    export_par(case, "pdf", "panel", out, extras=extras_for(vault, case))  # pictures

Each export is built in memory and written with ``homestudy.atomic.write_atomic``,
so a failed export leaves nothing behind (no temp files) and never half a file.
Layers: ``par.py``/``records.py`` build a ``docmodel.Document`` (what the reader
may see is decided there and in ``variants.py``); ``docx.py``/``pdf.py`` only draw it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from homestudy.atomic import TargetExistsError, write_atomic
from homestudy.errors import ExportError, ExportExistsError, HomeStudyError
from homestudy.model import Case
from homestudy.report.docmodel import Document
from homestudy.report.extras import ReportExtras, extras_for
from homestudy.report.variants import Variant

__all__ = [
    "FORMATS",
    "Document",
    "ReportExtras",
    "Variant",
    "WrittenFile",
    "agency_template",
    "build_par_document",
    "build_record_document",
    "check_applicant_copy",
    "docx_template_for",
    "export_par",
    "export_record",
    "extras_for",
    "render",
    "supervisor_findings",
    "write_document",
]

FORMATS = ("docx", "pdf")
log = logging.getLogger(__name__)


def render(document: Document, fmt: str, *, docx_template: Path | None = None) -> bytes:
    """``document`` as bytes of ``fmt`` ("docx" or "pdf"). ``docx_template``: an
    agency's own .docx template (``agency_template(overrides_dir)`` finds it)."""
    if fmt == "docx":
        from homestudy.report.docx import render_docx

        return render_docx(document, template=docx_template)
    if fmt == "pdf":
        from homestudy.report.pdf import render_pdf

        return render_pdf(document)
    raise ExportError(f"HomeStudy cannot export to “{fmt}”; choose docx or pdf.")


def _library(forms: Any) -> Any:
    if forms is not None:
        return forms
    from homestudy.forms import load_library

    return load_library()


def supervisor_findings(case: Case, forms: Any, today: date, rules: Any = None) -> list[Any]:
    """The readiness findings for the supervisor's annex."""
    from homestudy.readiness import assess_readiness
    from homestudy.timeline import TimelineRules

    if rules is None:
        from homestudy.settings import load_settings

        rules = TimelineRules.from_settings(load_settings())
    return list(assess_readiness(case, forms, rules, today))


def build_par_document(
    case: Case,
    variant: Variant | str,
    *,
    forms: Any = None,
    today: date | None = None,
    findings: Sequence[Any] | None = None,
    extras: ReportExtras | None = None,
    rules: Any = None,
    medical_summary_shared: bool = True,
    version: str = "",
    incomplete: bool = False,
) -> Document:
    """The PAR's document model, unguarded (``export_par`` checks the applicants' copy).
    ``extras``: the chosen pictures and the agency's name (``extras_for(vault, case)``);
    ``rules``: the case's ``TimelineRules`` (the applicants' comment period, and whether
    the medical adviser's summary is shared); ``version``: printed on every page
    ("Version 143 · 3 Dec 2026"); ``incomplete``: the case is not ready, so a panel or
    applicants' copy says so on every page."""
    from homestudy.report.par import build_par
    from homestudy.report.variants import INCOMPLETE_MARK, marks_incomplete

    today = today or date.today()
    library = _library(forms)
    if Variant(variant) is Variant.SUPERVISOR and findings is None:
        findings = supervisor_findings(case, library, today, rules)
    document = build_par(
        case,
        library.par,
        variant,
        today=today,
        findings=findings,
        extras=extras,
        rules=rules,
        medical_summary_shared=_medical_shared(rules, medical_summary_shared),
        version=version,
    )
    if incomplete and marks_incomplete(variant):
        document.incomplete_mark = INCOMPLETE_MARK
    return document


def _medical_shared(rules: Any, medical_summary_shared: bool) -> bool:
    """Shared unless the caller or the case's agency rules keep it back."""
    return medical_summary_shared and bool(getattr(rules, "medical_summary_shared", True))


def check_applicant_copy(
    case: Case, forms: Any = None, *, medical_summary_shared: bool = True
) -> None:
    """Raise ``UnreviewedPassagesError`` while a shared section has a flagged passage
    (it names a referee, former partner or household member, or quotes an interview)
    that the worker has not reviewed (``report.confidentiality``)."""
    from homestudy.errors import UnreviewedPassagesError
    from homestudy.report.confidentiality import unreviewed_flags

    library = _library(forms)
    flags = unreviewed_flags(case, library, medical_summary_shared=medical_summary_shared)
    if not flags:
        return
    titles = {s.id: s.title for s in library.par.sections}
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag.section_id] = counts.get(flag.section_id, 0) + 1
    first = flags[0]
    raise UnreviewedPassagesError(
        [(sid, titles.get(sid, sid), n) for sid, n in counts.items()],
        f"par:{first.section_id}/passage:{first.key}",
    )


def build_record_document(
    case: Case, record: str, *, forms: Any = None, today: date | None = None, version: str = ""
) -> Document:
    """``record`` is "checklists" or "visit:<visit id>"."""
    from homestudy.report.records import build_checklists, build_visit_record

    library = _library(forms)
    if record == "checklists":
        document = build_checklists(case, library, today)
    elif record.startswith("visit:"):
        document = build_visit_record(case, record.removeprefix("visit:"), library, today)
    else:
        raise ExportError("Choose a record to export: “checklists” or “visit:<visit id>”.")
    if version:
        document.version_label = version
    return document


def export_par(
    case: Case,
    fmt: str,
    variant: Variant | str,
    out: Path | str,
    *,
    forms: Any = None,
    today: date | None = None,
    findings: Sequence[Any] | None = None,
    docx_template: Path | None = None,
    extras: ReportExtras | None = None,
    rules: Any = None,
    medical_summary_shared: bool = True,
    version: str = "",
    incomplete: bool = False,
    overwrite: bool = True,
) -> Path:
    """Write the PAR of ``case`` to ``out`` and return the path written. The applicants'
    copy is refused (``UnreviewedPassagesError``, nothing written) while a flagged
    passage is not reviewed. ``overwrite=False``: ``ExportExistsError`` if ``out``
    exists (it is left alone)."""
    shared = _medical_shared(rules, medical_summary_shared)
    if Variant(variant) is Variant.APPLICANT:
        check_applicant_copy(case, forms, medical_summary_shared=shared)
    document = build_par_document(
        case,
        variant,
        forms=forms,
        today=today,
        findings=findings,
        extras=extras,
        rules=rules,
        medical_summary_shared=shared,
        version=version,
        incomplete=incomplete,
    )
    return write_document(document, fmt, out, docx_template=docx_template, overwrite=overwrite).path


def export_record(
    case: Case,
    record: str,
    fmt: str,
    out: Path | str,
    *,
    forms: Any = None,
    today: date | None = None,
    docx_template: Path | None = None,
    version: str = "",
    overwrite: bool = True,
) -> Path:
    document = build_record_document(case, record, forms=forms, today=today, version=version)
    return write_document(document, fmt, out, docx_template=docx_template, overwrite=overwrite).path


def agency_template(overrides_dir: Path | None) -> Path | None:
    """The agency's own .docx template in its form-overrides folder, or None."""
    from homestudy.report.docx_template import agency_template as find

    return find(overrides_dir)


def docx_template_for(vault: Any, case: Case, root: Path | None = None) -> Path | None:
    """The .docx template of ``case``'s agency: ``report-template.docx`` in the form-
    overrides folder its agency profile names, or None (HomeStudy's own). Reads the
    vault: call it where the database is used (the UI's DB worker)."""
    if not case.agency_profile_id:
        return None
    from homestudy.errors import NotFoundError
    from homestudy.forms import agency_overrides_dir
    from homestudy.sync import outbox

    try:
        state = outbox.profile(vault, case.agency_profile_id)
    except NotFoundError:
        return None
    return agency_template(agency_overrides_dir(state.profile.form_overrides, root))


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    sha256: str  # of the bytes written: the audit trail keeps it
    size: int


def write_document(
    document: Document,
    fmt: str,
    out: Path | str,
    *,
    docx_template: Path | None = None,
    overwrite: bool = True,
) -> WrittenFile:
    """Render ``document`` and write it atomically (0600). ``overwrite=False`` never
    replaces an existing file: ``ExportExistsError``, nothing written."""
    if fmt not in FORMATS:
        raise ExportError(f"HomeStudy cannot export to “{fmt}”; choose docx or pdf.")
    try:
        data = render(document, fmt, docx_template=docx_template)
    except HomeStudyError:
        raise
    except Exception as exc:  # a writer bug must reach the user as a plain message
        # the type only: a writer's message can quote the case's text
        log.error(
            "export failed while rendering %s: %s", fmt, type(exc).__name__, exc_info=exc
        )  # the log file keeps frames only (homestudy.diagnostics)
        raise ExportError() from exc
    try:
        path = write_atomic(Path(out), data, mode=0o600, replace=overwrite)
    except HomeStudyError:
        raise
    except TargetExistsError as exc:
        raise ExportExistsError() from exc
    except OSError as exc:
        raise ExportError(
            "HomeStudy could not save the export there. Check the folder exists and that "
            "you may save files in it, or choose another place."
        ) from exc
    return WrittenFile(path, hashlib.sha256(data).hexdigest(), len(data))


def _write(
    document: Document, fmt: str, out: Path | str, docx_template: Path | None = None
) -> Path:
    return write_document(document, fmt, out, docx_template=docx_template).path
