"""``homestudy export REF --format docx|pdf --variant panel|applicant|supervisor --out PATH``

Also ``--record checklists`` or ``--record visit:<visit id>`` for the record exports
(``--variant`` is then ignored). The file is written atomically, readable only by
you (0600). Exit status: 0 written, 1 the export failed, 2 a bad choice of options.
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
    p.add_argument("--format", dest="fmt", choices=FORMATS, default=None,
                   help="file format (default: from the --out file's extension)")
    p.add_argument("--variant", choices=VARIANTS, default="panel",
                   help="which copy of the PAR (default: panel)")
    p.add_argument("--record", metavar="KIND",
                   help='export a record instead of the PAR: "checklists" or "visit:ID"')
    p.add_argument("--out", required=True, type=Path, metavar="PATH", help="the file to write")
    p.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="date the export as this day (default: today)")
    add_vault_argument(p)
    p.set_defaults(run=run)


def _format(args: argparse.Namespace) -> str | None:
    if args.fmt:
        return str(args.fmt)
    suffix = args.out.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def run(args: argparse.Namespace) -> int:
    from homestudy.commands.common import fail
    from homestudy.errors import HomeStudyError
    from homestudy.forms import load_library
    from homestudy.report import export_par, export_record

    fmt = _format(args)
    if fmt is None:
        print("homestudy: say --format docx or --format pdf (or give --out a .docx or .pdf "
              "name).", file=sys.stderr)
        return 2
    record = args.record
    if record is not None and record != "checklists" and not record.startswith("visit:"):
        print('homestudy: --record takes "checklists" or "visit:<visit id>".', file=sys.stderr)
        return 2
    try:
        library = load_library()
        case, agency = _case_and_agency(args)
        if record:
            written = export_record(case, record, fmt, args.out, forms=library, today=args.today)
        else:
            written = export_par(case, fmt, args.variant, args.out, forms=library,
                                 today=args.today, agency_name=agency)
    except HomeStudyError as exc:
        return fail(exc)
    print(f"Exported {case.reference} to {written}")
    return 0


def _case_and_agency(args: argparse.Namespace) -> tuple[Any, str]:
    """The case and the name of its agency ("" when not linked to one)."""
    from homestudy.commands.common import find_case, open_vault
    from homestudy.sync.linking import agency_names

    vault = open_vault(args, read_only=True)
    try:
        case = find_case(vault, args.reference)
        return case, agency_names(vault).get(case.agency_profile_id, "")
    finally:
        vault.close()
