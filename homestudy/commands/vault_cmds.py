"""Vault subcommands: ``demo``, ``cases``, ``backup``, ``restore``, ``passwd``,
``archive``, ``unarchive`` and ``delete``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from homestudy.commands import common
from homestudy.errors import HomeStudyError, NotFoundError

NO_KEYRING_WARNING = (
    "Note: this computer has no working keyring, so the vault is protected by your "
    "passphrase alone. Choose a long passphrase."
)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("demo", help="create a vault with a fictional demo case")
    common.add_vault_argument(p)
    p.set_defaults(run=run_demo)

    p = subparsers.add_parser("cases", help="list the cases in the vault")
    common.add_vault_argument(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--archived", action="store_true", help="only the archived cases")
    which.add_argument("--all", action="store_true", help="archived cases as well")
    p.set_defaults(run=run_cases)

    p = subparsers.add_parser("backup", help="write an encrypted backup of the vault")
    common.add_vault_argument(p)
    p.add_argument("--out", required=True, metavar="FILE", help="the backup file to write")
    p.set_defaults(run=run_backup)

    p = subparsers.add_parser("restore", help="restore the vault from an encrypted backup")
    common.add_vault_argument(p)
    p.add_argument("backup_file", metavar="FILE", help="a backup made by 'homestudy backup'")
    p.set_defaults(run=run_restore)

    p = subparsers.add_parser("passwd", help="change the vault's passphrase")
    common.add_vault_argument(p)
    p.set_defaults(run=run_passwd)

    p = subparsers.add_parser("archive", help="archive a finished case (out of the list)")
    common.add_vault_argument(p)
    p.add_argument("reference", metavar="REF", help="the case's reference")
    p.add_argument("--reason", default="", help="why, e.g. 'Approved at panel'")
    p.set_defaults(run=run_archive)

    p = subparsers.add_parser("unarchive", help="bring an archived case back to the list")
    common.add_vault_argument(p)
    p.add_argument("reference", metavar="REF", help="the case's reference")
    p.set_defaults(run=run_unarchive)

    p = subparsers.add_parser("delete", help="delete a case and everything in it, for good")
    common.add_vault_argument(p)
    p.add_argument("reference", metavar="REF", help="the case's reference")
    p.add_argument(
        "--confirm",
        metavar="REF",
        default=None,
        help="the reference again, to confirm without a prompt (scripts)",
    )
    p.set_defaults(run=run_delete)


def run(args: argparse.Namespace) -> int:
    return int(args.run(args))


def _guarded(fn: Any) -> Any:
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return int(fn(args))
        except HomeStudyError as exc:
            return common.fail(exc)

    wrapper.__doc__ = fn.__doc__
    return wrapper


@_guarded
def run_demo(args: argparse.Namespace) -> int:
    from homestudy.demo import build_demo_case
    from homestudy.vault import Vault

    folder = common.vault_dir(args)
    if Vault.exists(folder):
        vault = common.open_vault(args)
    else:
        vault = Vault.create(folder, common.ask_passphrase("New passphrase: ", new=True))
        if not vault.keyring_protected:
            print(NO_KEYRING_WARNING, file=sys.stderr)
    try:
        case = build_demo_case()
        try:
            vault.cases.find_by_reference(case.reference)
        except NotFoundError:
            vault.cases.save_case(case)
        print(case.reference)
    finally:
        vault.close()
    return 0


@_guarded
def run_cases(args: argparse.Namespace) -> int:
    from homestudy.sync.linking import agency_label, agency_names
    from homestudy.textutil import format_date

    # not read-only: an older vault may need its upgrade; but nothing else is written
    vault = common.open_vault(args, for_writing=False)
    which = True if args.archived else None if args.all else False
    try:
        summaries = vault.cases.list_cases(archived=which)
        names = agency_names(vault)
    finally:
        vault.close()
    if args.json:
        rows = [
            {
                "id": s.id,
                "reference": s.reference,
                "applicants": s.applicant_names,
                "stage": s.stage.value,
                "stage2_notice_on": s.stage2_notice_on.isoformat() if s.stage2_notice_on else None,
                "provisional_panel_date": (
                    s.provisional_panel_date.isoformat() if s.provisional_panel_date else None
                ),
                "visits_done": s.visits_done,
                "visits_planned": s.visits_planned,
                "updated_at": s.updated_at.isoformat(),
                "archived_at": s.archived_at.isoformat() if s.archived_at else None,
                "archive_reason": s.archive_reason,
                "agency": agency_label(names, s.agency_profile_id) if s.agency_profile_id else None,
            }
            for s in summaries
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not summaries:
        print("No archived cases." if args.archived else "No cases yet.")
    for s in summaries:
        stage = s.stage.value.replace("_", " ").capitalize()
        panel = format_date(s.provisional_panel_date, "not set")
        archived = f"  archived {format_date(s.archived_at.date())}" if s.archived_at else ""
        print(
            f"{s.reference}  {s.applicant_names}  {stage}  visits {s.visits_done}/"
            f"{s.visits_planned}  panel {panel}  {agency_label(names, s.agency_profile_id)}"
            f"{archived}"
        )
    return 0


@_guarded
def run_backup(args: argparse.Namespace) -> int:
    vault = common.open_vault(args, for_writing=False)  # a read-only vault backs up too
    try:
        out = vault.backup(Path(args.out))
    finally:
        vault.close()
    print(f"Backup written to {out}")
    return 0


@_guarded
def run_restore(args: argparse.Namespace) -> int:
    from homestudy.vault import Vault

    folder = common.vault_dir(args)
    had_vault = Vault.exists(folder)
    vault = Vault.restore(Path(args.backup_file), folder, common.ask_passphrase())
    try:
        count = len(vault.cases.list_cases())
        if not vault.keyring_protected:
            print(NO_KEYRING_WARNING, file=sys.stderr)
    finally:
        vault.close()
    print(f"Restored {count} case(s) into {folder}")
    if had_vault:
        print("The vault that was there has been kept beside it (…before-restore-…).")
    return 0


@_guarded
def run_passwd(args: argparse.Namespace) -> int:
    common.existing_vault_dir(args)
    old = common.ask_passphrase("Current passphrase: ")  # once: it opens the vault too
    vault = common.open_vault(args, passphrase=old)
    try:
        new = common.ask_passphrase("New passphrase: ", new=True, env="HOMESTUDY_NEW_PASSPHRASE")
        vault.change_passphrase(old, new)
    finally:
        vault.close()
    print("Passphrase changed.")
    return 0


@_guarded
def run_archive(args: argparse.Namespace) -> int:
    vault = common.open_vault(args)
    try:
        case = common.find_case(vault, args.reference)
        if case.archived_at is None:
            vault.cases.archive_case(case.id, args.reason)
    finally:
        vault.close()
    print(
        f"Archived {case.reference}. It stays searchable and can be exported; "
        f"'homestudy unarchive {case.reference}' brings it back to the list."
    )
    return 0


@_guarded
def run_unarchive(args: argparse.Namespace) -> int:
    vault = common.open_vault(args)
    try:
        case = common.find_case(vault, args.reference)
        if case.archived_at is not None:
            vault.cases.unarchive_case(case.id)
    finally:
        vault.close()
    print(f"{case.reference} is back in the case list.")
    return 0


@_guarded
def run_delete(args: argparse.Namespace) -> int:
    from homestudy.errors import ValidationError

    vault = common.open_vault(args)
    try:
        case = common.find_case(vault, args.reference)
        typed = args.confirm
        if typed is None:
            print(
                f"This deletes {case.reference} and everything in it from this computer, "
                "for good. Backups made before now still hold it.",
                file=sys.stderr,
            )
            typed = _ask_line(f"Type {case.reference} to confirm: ")
        if typed.strip() != case.reference:
            raise ValidationError(
                "The reference typed does not match, so nothing was deleted.", field="confirm"
            )
        reclaimed = vault.cases.delete_case(case.id)
    finally:
        vault.close()
    print(f"Deleted {case.reference}.")
    if not reclaimed:
        print(
            "The disk is too full to reclaim the space it used now; HomeStudy will do it "
            "after the next deletion.",
            file=sys.stderr,
        )
    return 0


def _ask_line(prompt: str) -> str:
    from homestudy.errors import ValidationError

    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        raise ValidationError(
            "Nothing was typed, so nothing was deleted. Scripts can confirm with --confirm REF.",
            field="confirm",
        ) from None
