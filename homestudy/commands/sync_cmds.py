"""``homestudy enrol FILE`` and ``homestudy sync``: join an agency, send work, get cases.

``enrol`` makes this laptop's keys for the agency named in the enrolment file and
keeps them in the vault; it registers them with the inbox straight away when it can
(otherwise the next ``sync`` does). ``sync`` does one round with every agency and
prints one line per agency. Exit status: 0 when every agency was reached and took
everything, 1 otherwise (offline, refused, revoked), 2 when the vault could not be used.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homestudy.commands.common import add_vault_argument

if TYPE_CHECKING:
    from homestudy.vault.vault import Vault


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "enrol",
        help="enrol this laptop with an agency",
        description="Enrol this laptop with an agency using the "
        "enrolment file the agency gave you.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the agency's enrolment file")
    p.add_argument(
        "--offline",
        action="store_true",
        help="do not contact the inbox now; the next sync registers the laptop",
    )
    add_vault_argument(p)
    p.set_defaults(run=run_enrol)
    p = subparsers.add_parser(
        "sync",
        help="send changed cases to your agencies, fetch new ones",
        description="One sync round with every agency.",
    )
    p.add_argument(
        "--only-due",
        action="store_true",
        help="respect the back-off after failures (default: try everything now)",
    )
    add_vault_argument(p)
    p.set_defaults(run=run_sync)


def _client_factory() -> Any:
    from homestudy.settings import load_settings
    from homestudy.sync.engine import default_client

    return default_client(load_settings().proxy_url)


def run_enrol(args: argparse.Namespace) -> int:
    from homestudy.commands.common import fail, run_in_vault
    from homestudy.errors import HomeStudyError
    from homestudy.sync.engine import describe, sync_round
    from homestudy.sync.enrolment import EnrolmentFile
    from homestudy.sync.enrolment_flow import enrol

    try:
        enrolment = EnrolmentFile.read(args.file)
    except HomeStudyError as exc:
        return fail(exc, 2)

    def enrol_and_sync(vault: Vault) -> int:
        state = enrol(vault, enrolment)
        print(f"Enrolled with {enrolment.agency_name} as device {state.profile.device_id}.")
        if args.offline:
            print("The laptop will register with the agency at the next sync.")
            return 0
        reports = sync_round(vault, _client_factory())
        for report in reports:
            if report.profile_id == state.id:
                print(describe(report))
                return 0 if not (report.error or report.offline) else 1
        return 0

    return run_in_vault(args, enrol_and_sync)


def run_sync(args: argparse.Namespace) -> int:
    from homestudy.commands.common import run_in_vault
    from homestudy.sync.engine import describe, sync_round

    def sync(vault: Vault) -> int:
        reports = sync_round(vault, _client_factory(), force=not args.only_due)
        if not reports:
            print("This laptop is not enrolled with any agency yet (homestudy enrol FILE).")
            return 1
        for report in reports:
            print(describe(report))
        return 0 if all(not (r.error or r.offline or r.revoked) for r in reports) else 1

    return run_in_vault(args, sync)
