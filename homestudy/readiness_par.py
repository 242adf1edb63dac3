"""Readiness rules for the PAR's structured fields and its signatures.

Every field the PAR form marks ``required: true`` must be answered (whatever the
section, and whatever an agency's overrides add), and the report must carry the
signatures the agency requires before the papers go to panel: by default the
assessing social worker's and the team manager's countersignature, each a row of
the ``signatures`` section's ``signatories`` table with a name and a date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from homestudy.forms import completeness
from homestudy.forms.completeness import parse_due
from homestudy.readiness_findings import Finding, FixAt, Severity
from homestudy.readiness_rules import Context
from homestudy.report.confidentiality import unreviewed_flags
from homestudy.textutil import format_date
from homestudy.timeline import stage2_start

BLOCKER, WARNING = Severity.BLOCKER, Severity.WARNING

SIGNATURES_SECTION = "signatures"
SIGNATORIES = "signatories"


def required_fields(ctx: Context) -> Iterator[Finding]:
    form = ctx.library.get(ctx.library.par.id)
    result = completeness(form, ctx.answers)
    for question_id in result.missing_required:
        section = form.group_of(question_id)
        label = form.question(question_id).label
        yield Finding(
            BLOCKER,
            "par_field_missing",
            f"The PAR section \u201c{section.title}\u201d has a required field left blank: "
            f"\u201c{label}\u201d.",
            FixAt("par", f"{section.id}/{question_id}"),
        )


def _role_labels(ctx: Context) -> dict[str, str]:
    form = ctx.library.get(ctx.library.par.id)
    if not form.has_question(SIGNATORIES):
        return {}
    columns = {c.id: c for c in form.question(SIGNATORIES).columns}
    role = columns.get("role")
    return {c.id: c.label for c in role.choices} if role is not None else {}


def signatures(ctx: Context) -> Iterator[Finding]:
    form_id = ctx.library.par.id
    rows = [
        a.value
        for a in ctx.answers
        if a.form_id == form_id
        and a.question_id == SIGNATORIES
        and a.subject_id == ""
        and isinstance(a.value, dict)
    ]
    labels = _role_labels(ctx)
    clock = ctx.clock
    where = FixAt("par", f"{SIGNATURES_SECTION}/{SIGNATORIES}")
    for role in ctx.rules.required_signatures:
        who = labels.get(role, role.replace("_", " ")).lower()
        dates = [
            parse_due(r.get("signed_on"))
            for r in rows
            if r.get("role") == role and str(r.get("name") or "").strip()
        ]
        signed = [d for d in dates if d is not None and d <= ctx.today]
        if not signed:
            by = (
                f" before the papers go to panel on {format_date(clock.papers_out)}"
                if clock is not None
                else " before the papers go to panel"
            )
            detail = " (the date given is still to come)" if dates else ""
            yield Finding(
                BLOCKER,
                "par_signature_missing",
                f"The PAR has not been signed by the {who}{detail}: add their name and the "
                f"date under Signatures{by}.",
                where,
            )
            continue
        stale = _stale_signature(ctx, who, max(signed))
        if stale is not None:
            yield Finding(BLOCKER, stale[0], stale[1], where)
        elif clock is not None and min(signed) > clock.papers_out:
            yield Finding(
                WARNING,
                "par_signed_after_papers",
                f"The {who} signed the PAR on {format_date(min(signed))}, after the papers "
                f"were due to go to panel ({format_date(clock.papers_out)}).",
                where,
            )


def _stale_signature(ctx: Context, who: str, signed: date) -> tuple[str, str] | None:
    """(code, message) when the newest signature cannot be of this report: it is older
    than the start of Stage 2, or a PAR section was changed after it."""
    began = stage2_start(ctx.case)
    if began is not None and signed < began:
        return (
            "par_signature_before_stage2",
            f"The {who}'s signature is dated {format_date(signed)}, before Stage 2 began on "
            f"{format_date(began)}, so it cannot be a signature of this report: they must "
            "sign it again with the date they sign.",
        )
    edits = [
        (d.last_edited.date(), d.section_id)
        for d in ctx.case.par_sections.values()
        if d.last_edited is not None
    ]
    if not edits:
        return None
    edited, section_id = max(edits)
    if edited <= signed:
        return None
    titles = {s.id: s.title for s in ctx.library.par.sections}
    return (
        "par_signature_before_edit",
        f"The {who} signed the PAR on {format_date(signed)}, but the section "
        f"\u201c{titles.get(section_id, section_id)}\u201d was changed after that, on "
        f"{format_date(edited)}: they must sign the report as it now stands.",
    )


#: what each role is called in a finding (no names: a message never carries case content)
_ROLE_WORDS = {
    "referee": "a referee",
    "former partner": "a former partner",
    "household member": "a household member",
    "significant other": "someone close to the applicants",
}


def shared_passages(ctx: Context) -> Iterator[Finding]:
    """For each shared section, its passages that name a third party or quote an
    interview, until the worker rewords them, moves them to the confidential part or says
    they may be shared: the applicants' copy cannot be exported before then. One finding
    per section (the demo has dozens of passages), opening at its first passage."""
    definition = ctx.library.par
    titles = {s.id: s.title for s in definition.sections}
    by_section: dict[str, list[Any]] = {}
    for flag in unreviewed_flags(
        ctx.case, definition, medical_summary_shared=ctx.rules.medical_summary_shared
    ):
        by_section.setdefault(flag.section_id, []).append(flag)
    for section_id, flags in by_section.items():
        names = dict.fromkeys(
            _ROLE_WORDS.get(r, "someone else")
            for flag in flags
            for r in flag.roles
            if r != "referee" or flag.kind != "quote"
        )
        quotes = any(flag.kind == "quote" for flag in flags)
        parts = ([f"name {' or '.join(names)}"] if names else []) + (
            ["quote a referee's interview"] if quotes else []
        )
        count = f"{len(flags)} passages" if len(flags) > 1 else "A passage"
        verb = (
            " or ".join(parts)
            if len(flags) > 1
            else " or ".join(parts).replace("name ", "names ", 1).replace("quote ", "quotes ", 1)
        )
        # a passage in a table cell or an answer is reworded there: only prose can move
        ways = (
            "reword it, move it to the confidential references, or record that it may be shared"
            if any(not flag.field for flag in flags)
            else "reword it or record that it may be shared"
        )
        yield Finding(
            BLOCKER,
            "shared_passage_unreviewed",
            f"{count} in \u201c{titles.get(section_id, section_id)}\u201d, which the "
            f"applicants will read, {verb}: "
            + (f"review each one ({ways})." if len(flags) > 1 else f"{ways}."),
            FixAt("par", f"{section_id}/passage:{flags[0].key}"),
        )
