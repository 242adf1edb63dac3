"""``homestudy-agency``: set up and run an agency's inbox, and work with what arrives.

    homestudy-agency [--home DIR] init --agency-id ID --name NAME --inbox-url URL [--database URL]
    homestudy-agency --version
    homestudy-agency [--home DIR] serve [--role all|inbox|console] [--host H] [--port P]
                                        [--workers N]
    homestudy-agency [--home DIR] protect-key
    homestudy-agency [--home DIR] enrol --assessor ID [--assessor-name NAME] --out FILE
    homestudy-agency [--home DIR] revoke DEVICE_ID
    homestudy-agency [--home DIR] restore-device DEVICE_ID
    homestudy-agency [--home DIR] reissue --assessor ID --to-device DEVICE_ID
    homestudy-agency [--home DIR] transfer CASE --to-device DEVICE_ID
    homestudy-agency [--home DIR] withdraw|close CASE [--reason TEXT]
    homestudy-agency [--home DIR] inbox [--json]
    homestudy-agency [--home DIR] open BUNDLE_ID --out DIR
    homestudy-agency [--home DIR] assign (--device ID | --assessor ID) CASE_JSON
    homestudy-agency [--home DIR] publish-keys [--days N]
    homestudy-agency [--home DIR] rotate-keys [--days N]
    homestudy-agency [--home DIR] rotate-receipt-key [--days N]
    homestudy-agency [--home DIR] console|staff-add|devices|enrolments|cancel-enrolment|restore
                     (the web console: homestudy.agency.console.cli)

``--home`` defaults to ``$HOMESTUDY_AGENCY_HOME``, else ``./agency``. The keys are
passphrase-protected (``init`` asks for one; ``protect-key`` protects an older folder);
the passphrase comes from a systemd credential, a file, the environment or a prompt
(``homestudy.agency.keystore``). Every failure is one plain line on stderr and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from homestudy.errors import HomeStudyError

if TYPE_CHECKING:
    from homestudy.agency.db import Database
    from homestudy.agency.home import AgencyHome
    from homestudy.agency.rotation import Rotation


def add_version_option(parser: argparse.ArgumentParser) -> None:
    """``--version``: what IT checks after installing ``homestudy[agency]``."""
    from homestudy import __version__

    parser.add_argument("--version", action="version", version=f"homestudy-agency {__version__}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="homestudy-agency", description="The agency's HomeStudy inbox."
    )
    add_version_option(parser)
    parser.add_argument(
        "--home",
        metavar="DIR",
        default=os.environ.get("HOMESTUDY_AGENCY_HOME", "agency"),
        help="the agency's folder: settings, keys, SQLite database",
    )
    from homestudy.agency.console.cli import add_insecure_cookies, port_number

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("init", help="make the agency's keys and database")
    p.add_argument("--agency-id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--inbox-url", required=True, help="the URL devices will reach the inbox at")
    p.add_argument("--database", default="", help="postgresql://... (default: SQLite in --home)")
    p.add_argument("--max-bundle-mb", type=int, default=32)
    p = sub.add_parser("serve", help="run the inbox or the console (uvicorn)")
    p.add_argument(
        "--role",
        choices=("all", "inbox", "console"),
        default="all",
        help="inbox: internet-facing, holds no decryption key; console: internal, "
        "holds the (protected) decryption key; all: both in one process",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=port_number, default=8480, help="0 picks a free port")
    add_insecure_cookies(p)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (each verifies and decrypts in parallel)",
    )
    sub.add_parser("protect-key", help="protect plain key files with a passphrase (once)")
    p = sub.add_parser("enrol", help="write an enrolment file for an assessor")
    p.add_argument("--assessor", required=True, help="the assessor's id at the agency")
    p.add_argument("--assessor-name", default="")
    p.add_argument("--days", type=int, default=14, help="days the one-time token stays valid")
    p.add_argument("--out", required=True, type=Path)
    p = sub.add_parser("revoke", help="withdraw a device's access")
    p.add_argument("device_id")
    p = sub.add_parser("restore-device", help="give back access to a device revoked by mistake")
    p.add_argument("device_id")
    p = sub.add_parser(
        "reissue", help="send every case of an assessor to their new laptop (a lost one)"
    )
    p.add_argument("--assessor", required=True)
    p.add_argument("--to-device", required=True)
    p = sub.add_parser("transfer", help="move a case (reference or id) to another laptop")
    p.add_argument("case")
    p.add_argument("--to-device", required=True)
    for name, what in (("withdraw", "withdraw a case"), ("close", "close a case")):
        p = sub.add_parser(name, help=f"{what}: the laptop archives it and says so")
        p.add_argument("case")
        p.add_argument("--reason", default="")
    p = sub.add_parser("inbox", help="list received bundles and alerts")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("open", help="decrypt a received bundle and write the PAR for review")
    p.add_argument("bundle_id")
    p.add_argument("--out", required=True, type=Path)
    p = sub.add_parser("assign", help="send a new case (JSON) to an assessor's device(s)")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--device")
    target.add_argument("--assessor")
    p.add_argument("case_json", type=Path)
    p = sub.add_parser("publish-keys", help="sign and publish a new key list (renews expiry)")
    p.add_argument("--days", type=int, default=365, help="days until the new list expires")
    p = sub.add_parser(
        "rotate-keys", help="make new agency keys and publish them, signed by the old key"
    )
    p.add_argument(
        "--days",
        type=int,
        default=None,
        help="days until the new key list expires (default: the agency's setting)",
    )
    p = sub.add_parser(
        "rotate-receipt-key",
        help="make a new receipt key (an older folder: its first) and publish it in a key list",
    )
    p.add_argument(
        "--days",
        type=int,
        default=None,
        help="days until the new key list expires (default: the agency's setting)",
    )
    p = sub.add_parser(
        "compact",
        help="apply the retention setting: drop superseded change "
        "sets older than it (each case's latest stays whole)",
    )
    p.add_argument(
        "--days",
        type=int,
        default=None,
        help="keep this many days (default: the agency's retention_days setting)",
    )
    from homestudy.agency.console.cli import add_commands  # the web console's commands

    _COMMANDS.update(add_commands(sub))
    return parser


def _version() -> str:
    from homestudy import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    import sqlite3

    args = build_parser().parse_args(argv)
    try:
        return int(_COMMANDS[args.command](args))
    except HomeStudyError as exc:
        print(f"homestudy-agency: {exc.message}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # the SQLite file's folder is missing or not writable
        print(f"homestudy-agency: the inbox database could not be opened ({exc}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("homestudy-agency: stopped.", file=sys.stderr)
        return 130


def _home_db(args: argparse.Namespace) -> AbstractContextManager[tuple[AgencyHome, Database]]:
    from homestudy.agency.home import home_and_database  # not loaded for --version

    return home_and_database(args.home)


def _init(args: argparse.Namespace) -> int:
    from homestudy.agency import keystore
    from homestudy.agency.home import init_home

    passphrase = keystore.find_passphrase(prompt=True, confirm=True)
    if passphrase is None:
        raise HomeStudyError(
            "init needs a passphrase to protect the agency's keys: run it in a terminal, or "
            f"set ${keystore.PASSPHRASE_ENV} or ${keystore.PASSPHRASE_FILE_ENV}."
        )
    if args.database:
        from homestudy.agency.pool import describe

        describe(args.database)  # a malformed URL is refused before anything is made
    home = init_home(
        args.home,
        agency_id=args.agency_id,
        name=args.name,
        inbox_url=args.inbox_url,
        database_url=args.database,
        max_bundle_size=args.max_bundle_mb * 1024 * 1024,
        passphrase=passphrase,
    )
    print(
        f"Agency {home.agency_id} set up in {home.path}; its keys are protected by the passphrase."
    )
    print(f"Signing key (minisign): {home.signing_public}")
    print(f"Receipt key (minisign): {home.receipt_public}")
    print(f"Encryption key (age):   {home.age_recipient}")
    return 0


def _protect_key(args: argparse.Namespace) -> int:
    from homestudy.agency.protect import protect_home

    done = protect_home(Path(args.home))
    if not done:
        print("The agency's keys were already protected by a passphrase.")
        return 0
    print(
        f"Protected {', '.join(done)} with the passphrase. Keep the passphrase apart from "
        "backups of the folder; the console needs it to start."
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from homestudy.agency.serve import serve

    return serve(
        Path(args.home),
        role=args.role,
        host=args.host,
        port=args.port,
        workers=args.workers,
        secure_cookies=not args.insecure_cookies,
    )


def _enrol(args: argparse.Namespace) -> int:
    from homestudy.agency.console.team import issue_enrolment  # as the console issues one
    from homestudy.atomic import write_atomic

    with _home_db(args) as (home, db):
        db.migrate()
        data = issue_enrolment(home, db, args.assessor, args.assessor_name, args.days)
        _audit(db, "enrolment_issued", args.assessor.strip())
    write_atomic(args.out, data)
    print(
        f"Enrolment file written to {args.out}. Give it to the assessor privately; "
        f"it works once, within {args.days} days."
    )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from homestudy.agency.console.team import revoke_device

    return _change_device(
        args, revoke_device, "device_revoked", "revoked. Its next sync will be refused."
    )


def _restore_device(args: argparse.Namespace) -> int:
    from homestudy.agency.console.team import restore_device

    return _change_device(
        args, restore_device, "device_restored", "restored. Its next sync will be accepted."
    )


def _change_device(
    args: argparse.Namespace,
    change: Callable[[AgencyHome, Database, str], None],
    action: str,
    done: str,
) -> int:
    """``change`` the device ``args.device_id`` (audited as ``action``) and say it is
    ``done``; as the console's team page does it (a plain error if there is no such device
    or nothing to change, which is not audited)."""
    with _home_db(args) as (home, db):
        change(home, db, args.device_id)
        _audit(db, action, args.device_id)
    print(f"Device {args.device_id} {done}")
    return 0


def _reissue(args: argparse.Namespace) -> int:
    from homestudy.agency.recovery import reissue

    with _home_db(args) as (home, db):
        db.migrate()
        made = reissue(home, db, args.assessor, args.to_device)
    print(
        f"{len(made)} case(s) re-issued to device {args.to_device}; they arrive at its next sync."
    )
    return 0


def _transfer(args: argparse.Namespace) -> int:
    from homestudy.agency.recovery import find_case_id, transfer_case

    with _home_db(args) as (home, db):
        db.migrate()
        made = transfer_case(home, db, find_case_id(db, args.case), args.to_device)
    print(f"Case {args.case} transferred to device {made.device_id} (sequence {made.sequence}).")
    return 0


def _end_case(args: argparse.Namespace) -> int:
    from homestudy.agency.messages import queue_message
    from homestudy.agency.recovery import find_case_id

    default = {
        "withdraw": "The agency withdrew this case.",
        "close": "The agency closed this case.",
    }[args.command]
    with _home_db(args) as (home, db):
        db.migrate()
        queue_message(
            db,
            home,
            case_id=find_case_id(db, args.case),
            kind=args.command,
            body={"reason": args.reason or default},
        )
    print(f"Case {args.case}: the laptop archives it at its next sync.")
    return 0


def _inbox(args: argparse.Namespace) -> int:
    with _home_db(args) as (_home, db), db.transaction() as cur:
        bundles = cur.all(
            "SELECT bundle_id, device_id, sequence, case_reference, size, "
            "received_at FROM bundles ORDER BY received_at, sequence"
        )
        alerts = cur.all(
            "SELECT created_at, kind, device_id, bundle_id, sequence, detail "
            "FROM alerts ORDER BY id"
        )
    if args.json:
        keys_b = ("bundle_id", "device_id", "sequence", "case_reference", "size", "received_at")
        keys_a = ("created_at", "kind", "device_id", "bundle_id", "sequence", "detail")
        print(
            json.dumps(
                {
                    "bundles": [dict(zip(keys_b, r, strict=True)) for r in bundles],
                    "alerts": [dict(zip(keys_a, r, strict=True)) for r in alerts],
                },
                indent=2,
            )
        )
        return 0
    for b in bundles:
        print(f"{b[5]}  {b[3]:<16} seq {b[2]:>5}  {b[4]:>9} bytes  {b[0]}  from {b[1]}")
    for a in alerts:
        print(f"ALERT {a[0]} {a[1]}: device {a[2]} bundle {a[3]}: {a[5]}")
    print(f"{len(bundles)} bundle(s), {len(alerts)} alert(s).")
    return 0


def _open(args: argparse.Namespace) -> int:
    from homestudy.agency.assign import open_received
    from homestudy.agency.export import write_review_pack

    with _home_db(args) as (home, db):
        opened = open_received(home, db, args.bundle_id)
        _audit(db, "decrypt", opened.manifest.case_reference, f"bundle {args.bundle_id}")
    written = write_review_pack(opened, args.out)
    for path in written:
        print(path)
    return 0


def _assign(args: argparse.Namespace) -> int:
    from homestudy.agency.assign import assign_case, devices_of
    from homestudy.agency.case_schema import check_case_document

    try:
        data = json.loads(args.case_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"homestudy-agency: the case file could not be read ({exc}).", file=sys.stderr)
        return 1
    case = check_case_document(data)  # every mistake, with its path; nothing is sent
    with _home_db(args) as (home, db):
        targets = [args.device] if args.device else devices_of(db, args.assessor)
        if not targets:
            print("That assessor has no enrolled device yet.", file=sys.stderr)
            return 1
        for device_id in targets:
            made = assign_case(home, db, case, device_id)
            _audit(db, "assign", case.reference, f"device {device_id}")
            print(
                f"Case {case.reference} assigned to device {device_id} "
                f"(bundle {made.bundle_id}, sequence {made.sequence})."
            )
    return 0


def _publish_keys(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from homestudy.agency.rotation import finish_rotation

    with _home_db(args) as (home, db):
        db.migrate()
        if finish_rotation(home, db) is not None:
            print("An interrupted key rotation was finished first.")
        doc = home.publish_key_list(db, expires_at=datetime.now(UTC) + timedelta(days=args.days))
        _audit(db, "key_operation", "publish-keys", f"{args.days} days")
    version = json.loads(doc.body)["version"]
    print(f"Key list version {version} published; it expires in {args.days} days.")
    return 0


def _rotate(args: argparse.Namespace, rotate: Callable[..., Rotation]) -> Rotation:
    """One key rotation (``rotate-keys``, ``rotate-receipt-key``), audited by its command."""
    with _home_db(args) as (home, db):
        done = rotate(home, db, days=args.days)
        _audit(db, "key_operation", args.command, f"key list {done.version}")
    return done


def _rotate_receipt_key(args: argparse.Namespace) -> int:
    from homestudy.agency.rotation import rotate_receipt_key

    done = _rotate(args, rotate_receipt_key)
    print(
        f"New receipt key made. Key list version {done.version} names it, signed by the "
        "signing key; laptops check receipts with it from their next sync."
    )
    print(f"Receipt key (minisign): {done.receipt_public}")
    print(
        "If the inbox runs on another host, copy agency-receipt.key and agency-receipt.pub "
        "there now: until then laptops keep their bundles and send them again."
    )
    return 0


def _rotate_keys(args: argparse.Namespace) -> int:
    from homestudy.agency.rotation import rotate_keys

    done = _rotate(args, rotate_keys)
    print(
        f"New agency keys made. Key list version {done.version} names them, signed by the "
        "old signing key and the new one; laptops move to the new keys at their next sync."
    )
    print(f"Signing key (minisign): {done.signing_public}")
    print(f"Receipt key (minisign): {done.receipt_public}")
    print(f"Encryption key (age):   {done.age_recipient}")
    print(
        f"agency.key keeps {done.kept_identities - 1} older identity(ies), so bundles sent "
        "before the rotation still open. A running inbox uses the new keys at once."
    )
    return 0


def _compact(args: argparse.Namespace) -> int:
    import dataclasses

    from homestudy.agency.inbox import Inbox

    with _home_db(args) as (home, db):
        if args.days is not None:
            home.config = dataclasses.replace(home.config, retention_days=args.days)
        if home.config.retention_days <= 0:
            print("Retention is not set (retention_days in agency.json): everything is kept.")
            return 0
        removed = Inbox(home, db).compact()
    print(
        f"Removed {removed['bundles']} superseded change set(s) and {removed['blobs']} "
        f"attachment(s) no case refers to any more."
    )
    return 0


def _audit(db: Database, action: str, target: str, detail: str = "") -> None:
    from homestudy.agency.console.audit import record_cli

    record_cli(db, action, target, detail)


_COMMANDS = {
    "init": _init,
    "serve": _serve,
    "protect-key": _protect_key,
    "enrol": _enrol,
    "revoke": _revoke,
    "restore-device": _restore_device,
    "reissue": _reissue,
    "transfer": _transfer,
    "withdraw": _end_case,
    "close": _end_case,
    "inbox": _inbox,
    "open": _open,
    "assign": _assign,
    "publish-keys": _publish_keys,
    "rotate-keys": _rotate_keys,
    "rotate-receipt-key": _rotate_receipt_key,
    "compact": _compact,
}

if __name__ == "__main__":
    sys.exit(main())
