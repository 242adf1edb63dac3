"""PAR and record exports: one document model, two writers (.docx and .pdf).

    from homestudy.report import export_par, export_record
    export_par(case, "pdf", "applicant", Path("par.pdf"), forms=load_library())
    export_record(case, "visit:<visit id>", "docx", Path("visit.docx"), forms=lib)
    export_record(case, "checklists", "pdf", Path("checklists.pdf"), forms=lib)
    export_par(case, "docx", "panel", out, docx_template=agency_template(overrides_dir))

Each export is built in memory and written with ``homestudy.atomic.write_atomic``,
so a failed export leaves nothing behind (no temp files) and never half a file.
Layers: ``par.py``/``records.py`` build a ``docmodel.Document`` (what the reader
may see is decided there and in ``variants.py``); ``docx.py``/``pdf.py`` only draw it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from homestudy.atomic import write_atomic
from homestudy.errors import ExportError, HomeStudyError
from homestudy.model import Case
from homestudy.report.docmodel import Document
from homestudy.report.variants import Variant

__all__ = [
    "FORMATS",
    "Document",
    "Variant",
    "agency_template",
    "build_par_document",
    "build_record_document",
    "docx_template_for",
    "export_par",
    "export_record",
    "render",
    "supervisor_findings",
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


def build_par_document(case: Case, variant: Variant | str, *, forms: Any = None,
                       today: date | None = None,
                       findings: Sequence[Any] | None = None) -> Document:
    from homestudy.report.par import build_par

    today = today or date.today()
    library = _library(forms)
    if Variant(variant) is Variant.SUPERVISOR and findings is None:
        findings = supervisor_findings(case, library, today)
    return build_par(case, library.par, variant, today=today, findings=findings)


def build_record_document(case: Case, record: str, *, forms: Any = None,
                          today: date | None = None) -> Document:
    """``record`` is "checklists" or "visit:<visit id>"."""
    from homestudy.report.records import build_checklists, build_visit_record

    library = _library(forms)
    if record == "checklists":
        return build_checklists(case, library, today)
    if record.startswith("visit:"):
        return build_visit_record(case, record.removeprefix("visit:"), library, today)
    raise ExportError("Choose a record to export: “checklists” or “visit:<visit id>”.")


def export_par(case: Case, fmt: str, variant: Variant | str, out: Path | str, *,
               forms: Any = None, today: date | None = None,
               findings: Sequence[Any] | None = None,
               docx_template: Path | None = None) -> Path:
    """Write the PAR of ``case`` to ``out`` and return the path written."""
    document = build_par_document(case, variant, forms=forms, today=today, findings=findings)
    return _write(document, fmt, out, docx_template)


def export_record(case: Case, record: str, fmt: str, out: Path | str, *, forms: Any = None,
                  today: date | None = None, docx_template: Path | None = None) -> Path:
    document = build_record_document(case, record, forms=forms, today=today)
    return _write(document, fmt, out, docx_template)


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


def _write(document: Document, fmt: str, out: Path | str,
           docx_template: Path | None = None) -> Path:
    if fmt not in FORMATS:
        raise ExportError(f"HomeStudy cannot export to “{fmt}”; choose docx or pdf.")
    try:
        data = render(document, fmt, docx_template=docx_template)
    except HomeStudyError:
        raise
    except Exception as exc:  # a writer bug must reach the user as a plain message
        # the type only: a writer's message can quote the case's text
        log.error("export failed while rendering %s: %s", fmt, type(exc).__name__,
                  exc_info=exc)  # the log file keeps frames only (homestudy.diagnostics)
        raise ExportError() from exc
    try:
        return write_atomic(Path(out), data, mode=0o600)
    except HomeStudyError:
        raise
    except OSError as exc:
        raise ExportError(
            "HomeStudy could not save the export there. Check the folder exists and that "
            "you may save files in it, or choose another place."
        ) from exc
