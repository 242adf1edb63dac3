"""Exports with a version, an honest mark and a record in the audit trail.

    inputs = gather(vault, case_id, settings, forms)    # where the vault is (DB worker)
    done = export_copy(inputs, "par:panel", "pdf", out) # anywhere (the pool): no vault
    record = record_export(vault, done)                  # DB worker again
    record_share(vault, case_id, record.id, date.today())

- **Version.** Every copy carries "Version <revision> · <date>" on every page. The
  revision is the vault's count of saved changes to the case (its audit entries other
  than exports and shares), so it moves with every save and two exports of the same
  saved case carry the same number.
- **Honesty.** A panel or applicants' copy of a case with readiness blockers (found
  with the case's agency rules and forms) is marked ``INCOMPLETE_MARK`` on every page;
  it can still be exported as a working copy.
- **Audit.** Each export appends an ``export`` entry (record kind ``export``, record id
  a new export id) whose fields are ``key=value`` strings: what (``par:panel``,
  ``record:checklists`` ...), format, version, revision, the SHA-256 of the file and
  whether it was marked incomplete. Never a path or file name (a name could carry a
  person's name) and never case text. "I have shared this copy with the applicants"
  appends a ``share`` entry for that export id and sets ``Case.applicant_copy_shared_on``
  in the same transaction: the date is only ever set from here.
- **Never silently overwrite.** ``export_copy(..., overwrite=False)`` raises
  ``ExportExistsError`` if the file is there; ``free_name`` offers "name (2).pdf".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from homestudy.errors import ExportError, ExportExistsError, NotFoundError, ValidationError
from homestudy.model import Case
from homestudy.report import WrittenFile
from homestudy.report.variants import INCOMPLETE_MARK, Variant, marks_incomplete, version_label

__all__ = [
    "INCOMPLETE_MARK",
    "ExportDone",
    "ExportExistsError",
    "ExportInputs",
    "ExportRecord",
    "blockers_for",
    "case_revision",
    "export_copy",
    "free_name",
    "gather",
    "history",
    "record_export",
    "record_share",
    "shared_on",
]

EXPORT, SHARE, KIND = "export", "share", "export"
#: readiness codes about sharing the applicants' copy: not a reason to mark that copy
_SHARING_CODES = ("applicant_copy_",)


@dataclass(frozen=True)
class ExportInputs:
    """Everything read from the vault before a case is exported."""

    case: Case
    forms: Any  # FormLibrary: the standard forms with the agency's own
    rules: Any  # TimelineRules: the agency's
    revision: int
    docx_template: Path | None = None
    extras: Any = None  # ReportExtras: the chosen pictures and the agency's name


@dataclass(frozen=True)
class ExportDone:
    """A file just written, before it is recorded."""

    case_id: str
    what: str  # "par:panel" | "par:applicant" | "par:supervisor" | "record:checklists" ...
    fmt: str
    version: str
    revision: int
    incomplete: bool
    blockers: int
    file: WrittenFile


@dataclass(frozen=True)
class ExportRecord:
    """An export as the audit trail holds it (with the day it was shared, if it was)."""

    id: str
    at: datetime
    actor: str
    what: str
    fmt: str
    version: str
    revision: int
    sha256: str
    incomplete: bool
    shared_on: date | None = None
    details: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def variant(self) -> str:
        return self.what.removeprefix("par:")


# ---------------------------------------------------------------- reading the vault


def case_revision(vault: Any, case_id: str) -> int:
    """The case's saved revision: how many changes the audit trail holds for it."""
    with vault.reading() as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM audit WHERE case_id = ? AND action NOT IN (?, ?)",
            (case_id, EXPORT, SHARE),
        ).fetchone()
    return int(row[0])


def gather(vault: Any, case_id: str, settings: Any, forms: Any = None) -> ExportInputs:
    """Load the case fresh with its agency's rules, forms and .docx template.
    ``forms``: the standard library already loaded (used when the case has no agency)."""
    from homestudy.readiness_settings import forms_for_case, rules_for_case
    from homestudy.report import docx_template_for, extras_for

    case = vault.cases.load_case(case_id)
    if case.agency_profile_id or forms is None:
        forms = forms_for_case(vault, case)
    return ExportInputs(
        case,
        forms,
        rules_for_case(vault, case, settings),
        case_revision(vault, case_id),
        docx_template_for(vault, case),
        extras_for(vault, case),
    )


def history(vault: Any, case_id: str) -> list[ExportRecord]:
    """The case's exports, oldest first, each with the day it was shared (if it was)."""
    entries = [e for e in vault.audit.entries(case_id) if e.record_kind == KIND]
    shared: dict[str, date] = {}
    for entry in entries:
        if entry.action == SHARE:
            on = _details(entry.fields).get("shared_on")
            if on:
                shared[entry.record_id] = date.fromisoformat(on)
    return [_record(e, shared.get(e.record_id)) for e in entries if e.action == EXPORT]


def shared_on(vault: Any, case_id: str) -> date | None:
    """The last day an applicants' copy was recorded as shared with the applicants."""
    days = [r.shared_on for r in history(vault, case_id) if r.shared_on is not None]
    return max(days) if days else None


# ---------------------------------------------------------------- exporting (no vault)


def blockers_for(inputs: ExportInputs, variant: str, today: date) -> list[Any]:
    """The readiness blockers that make ``variant`` an incomplete copy."""
    from homestudy.readiness import Severity, assess_readiness

    if not marks_incomplete(variant):
        return []
    found = assess_readiness(inputs.case, inputs.forms, inputs.rules, today)
    blockers = [f for f in found if f.severity is Severity.BLOCKER]
    if Variant(variant) is Variant.APPLICANT:  # sharing this very copy is not missing work
        blockers = [f for f in blockers if not f.code.startswith(_SHARING_CODES)]
    return blockers


def export_copy(
    inputs: ExportInputs,
    what: str,
    fmt: str,
    out: Path | str,
    *,
    today: date | None = None,
    overwrite: bool = False,
) -> ExportDone:
    """Build, mark and write one copy. ``what``: "par:<variant>" or "record:<record>"
    ("record:checklists", "record:visit:<id>")."""
    from homestudy.report import (
        build_par_document,
        build_record_document,
        check_applicant_copy,
        supervisor_findings,
        write_document,
    )

    today = today or date.today()
    version = version_label(inputs.revision, today)
    kind, _, choice = what.partition(":")
    blockers: list[Any] = []
    if kind == "par":
        variant = Variant(choice)
        findings = None
        if variant is Variant.SUPERVISOR:
            findings = supervisor_findings(inputs.case, inputs.forms, today, inputs.rules)
        shared = bool(getattr(inputs.rules, "medical_summary_shared", True))
        if variant is Variant.APPLICANT:  # flagged passages reviewed first (the guard)
            check_applicant_copy(inputs.case, inputs.forms, medical_summary_shared=shared)
        blockers = blockers_for(inputs, variant, today)
        document = build_par_document(
            inputs.case,
            variant,
            forms=inputs.forms,
            today=today,
            findings=findings,
            extras=inputs.extras,
            rules=inputs.rules,
            version=version,
            incomplete=bool(blockers),
        )
    elif kind == "record" and choice:
        document = build_record_document(
            inputs.case, choice, forms=inputs.forms, today=today, version=version
        )
    else:
        raise ExportError("Choose what to export: a copy of the PAR or a record.")
    written = write_document(
        document, fmt, out, docx_template=inputs.docx_template, overwrite=overwrite
    )
    return ExportDone(
        inputs.case.id,
        what,
        fmt,
        version,
        inputs.revision,
        bool(document.incomplete_mark),
        len(blockers),
        written,
    )


def free_name(path: Path) -> Path:
    """``path`` if nothing is there, else the first free "name (2).ext", "name (3).ext"."""
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


# ---------------------------------------------------------------- recording


def record_export(vault: Any, done: ExportDone) -> ExportRecord:
    """Append the export to the audit trail (no case change: listeners are not told)."""
    from homestudy.vault import audit

    export_id = uuid.uuid4().hex
    fields = _fields(
        what=done.what,
        format=done.fmt,
        version=done.version,
        revision=str(done.revision),
        sha256=done.file.sha256,
        incomplete="yes" if done.incomplete else "no",
    )
    with vault.writing(None) as conn:
        audit.append(conn, vault.actor, EXPORT, done.case_id, KIND, export_id, fields)
    for record in reversed(history(vault, done.case_id)):
        if record.id == export_id:
            return record
    raise NotFoundError("The export was not recorded.")  # pragma: no cover - just written


def record_share(vault: Any, case_id: str, export_id: str, on: date) -> ExportRecord:
    """Record that the copy ``export_id`` was shared with the applicants ``on`` that day:
    a ``share`` entry and ``applicant_copy_shared_on``, in one transaction."""
    from homestudy.model import utc_now
    from homestudy.vault import audit, records

    mine = {r.id: r for r in history(vault, case_id)}.get(export_id)
    if mine is None or mine.variant != Variant.APPLICANT.value:
        raise NotFoundError(
            "Only an applicants' copy that was exported can be recorded as "
            "shared with the applicants."
        )
    if on > date.today():
        raise ValidationError(
            "The day it was shared cannot be in the future.", field="applicant_copy_shared_on"
        )
    case = vault.cases.load_case(case_id)
    case.applicant_copy_shared_on = on
    case.updated_at = utc_now()
    with vault.writing(case_id) as conn:
        audit.append(
            conn,
            vault.actor,
            SHARE,
            case_id,
            KIND,
            export_id,
            _fields(
                shared_on=on.isoformat(), what=mine.what, version=mine.version, sha256=mine.sha256
            ),
        )
        conn.execute(
            "UPDATE cases SET data = ?, updated_at = ? WHERE id = ?",
            (records.dumps(records.case_core(case)), case.updated_at.isoformat(), case_id),
        )
        audit.append(
            conn, vault.actor, "update", case_id, "case", case_id, ["applicant_copy_shared_on"]
        )
    return {r.id: r for r in history(vault, case_id)}[export_id]


# ---------------------------------------------------------------- the entries' fields


def _fields(**values: str) -> list[str]:
    return [f"{key}={value}" for key, value in values.items()]


def _details(fields: Iterable[str]) -> dict[str, str]:
    return dict(f.split("=", 1) for f in fields if "=" in f)


def _record(entry: Any, shared: date | None) -> ExportRecord:
    d = _details(entry.fields)
    return ExportRecord(
        entry.record_id,
        entry.at,
        entry.actor,
        d.get("what", ""),
        d.get("format", ""),
        d.get("version", ""),
        int(d.get("revision", "0") or 0),
        d.get("sha256", ""),
        d.get("incomplete") == "yes",
        shared,
        d,
    )
