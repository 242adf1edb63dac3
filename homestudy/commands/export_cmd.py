"""``homestudy export REF --format docx|pdf --variant panel|applicant|supervisor --out PATH``

Also ``--record checklists`` or ``--record visit:<visit id>`` for the record exports
(``--variant`` is then ignored). The file is written atomically, readable only by
you (0600), and never over an existing file unless ``--overwrite`` is given. The
case's agency rules decide readiness (a panel or applicants' copy of a case that is
not ready is marked INCOMPLETE), its agency's .docx template is used, every page
carries the version, and the export (with the file's SHA-256) goes into the vault's
audit trail. ``--shared-on DATE`` (applicants' copy only) also records that this copy
was shared with the applicants that day. Exit status: 0 written, 1 the export failed (also
when --out's folder is not there: it is not made), 2 a bad choice of options (also an
--out whose .docx or .pdf ending is not the --format).
The applicants' copy is refused (exit 1, with how many passages in which sections)
while a shared section has a flagged passage the worker has not reviewed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from homestudy.commands.common import add_vault_argument

HELP = "export a case's PAR (or a visit record or the checklists) to .docx or .pdf"
VARIANTS = ("panel", "applicant", "supervisor")
FORMATS = ("docx", "pdf")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ". The applicants' copy leaves out every "
        "confidential section; the supervisor draft adds section status and readiness.",
    )
    p.add_argument("reference", metavar="REF", help="the case reference, e.g. HS-2026-0142")
    p.add_argument(
        "--format",
        dest="fmt",
        choices=FORMATS,
        default=None,
        help="file format (default: from the --out file's extension)",
    )
    p.add_argument(
        "--variant",
        choices=VARIANTS,
        default="panel",
        help="which copy of the PAR (default: panel)",
    )
    p.add_argument(
        "--record",
        metavar="KIND",
        help='export a record instead of the PAR: "checklists" or "visit:ID"',
    )
    p.add_argument("--out", required=True, type=Path, metavar="PATH", help="the file to write")
    p.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="date the export as this day (default: today)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the --out file if it exists (default: refuse)",
    )
    p.add_argument(
        "--shared-on",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="record that this applicants' copy was shared with the applicants on this day",
    )
    add_vault_argument(p)
    p.set_defaults(run=run)


def _format(args: argparse.Namespace) -> str | None:
    if args.fmt:
        return str(args.fmt)
    suffix = args.out.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def run(args: argparse.Namespace) -> int:
    from homestudy import exports
    from homestudy.commands.common import fail, find_case, open_vault
    from homestudy.errors import HomeStudyError, StorageReadOnlyError
    from homestudy.settings import load_settings
    from homestudy.textutil import format_date

    fmt = _format(args)
    if fmt is None:
        print(
            "homestudy: say --format docx or --format pdf (or give --out a .docx or .pdf name).",
            file=sys.stderr,
        )
        return 2
    named = args.out.suffix.lower().lstrip(".")
    if named in FORMATS and named != fmt:  # a Word file called .pdf opens as neither
        print(
            f"homestudy: --out {args.out} ends in .{named} but --format is {fmt}. "
            f"Give --out a .{fmt} name, or leave --format out.",
            file=sys.stderr,
        )
        return 2
    if not args.out.parent.exists():  # a mistyped folder is not made up
        print(
            f"homestudy: there is no folder {args.out.parent}. Make it first, or give --out "
            "a file in a folder that is there.",
            file=sys.stderr,
        )
        return 1
    record = args.record
    if record is not None and record != "checklists" and not record.startswith("visit:"):
        print('homestudy: --record takes "checklists" or "visit:<visit id>".', file=sys.stderr)
        return 2
    if args.shared_on is not None and (record or args.variant != "applicant"):
        print(
            "homestudy: --shared-on goes with --variant applicant (the applicants' copy).",
            file=sys.stderr,
        )
        return 2
    what = f"record:{record}" if record else f"par:{args.variant}"
    try:
        try:
            vault = open_vault(args)  # writable: the export goes into the audit trail
            recordable = True
        except StorageReadOnlyError:
            if args.shared_on is not None:  # a share must be recorded, or not claimed
                raise
            vault, recordable = open_vault(args, read_only=True), False
        try:
            case = find_case(vault, args.reference)
            inputs = exports.gather(vault, case.id, load_settings())
            done = exports.export_copy(
                inputs, what, fmt, args.out, today=args.today, overwrite=args.overwrite
            )
            if recordable:
                written = exports.record_export(vault, done)
                if args.shared_on is not None:
                    exports.record_share(vault, case.id, written.id, args.shared_on)
        finally:
            vault.close()
    except HomeStudyError as exc:
        if isinstance(exc, exports.ExportExistsError):
            print(
                f"homestudy: {args.out} is already there; it has been left as it is. "
                "Give another --out, or add --overwrite to replace it.",
                file=sys.stderr,
            )
            return 1
        return fail(exc)
    print(f"Exported {case.reference} to {done.file.path}")
    if not recordable:
        print(
            "homestudy: the vault's folder is read-only, so this export is not in the "
            "case's history.",
            file=sys.stderr,
        )
    print(f"{done.version}; SHA-256 {done.file.sha256}")
    if done.incomplete:
        print(
            f"Marked {exports.INCOMPLETE_MARK}: the case has {done.blockers} "
            f"blocker{'s' if done.blockers != 1 else ''} "
            f"(see: homestudy readiness {case.reference})."
        )
    if args.shared_on is not None:
        print(f"Recorded as shared with the applicants on {format_date(args.shared_on)}.")
    return 0
