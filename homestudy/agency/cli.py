"""``homestudy-agency``: set up and run an agency's inbox, and work with what arrives.

    homestudy-agency [--home DIR] init --agency-id ID --name NAME --inbox-url URL [--database URL]
    homestudy-agency [--home DIR] serve [--host 127.0.0.1] [--port 8480]
    homestudy-agency [--home DIR] enrol --assessor ID [--assessor-name NAME] --out FILE
    homestudy-agency [--home DIR] revoke DEVICE_ID
    homestudy-agency [--home DIR] inbox [--json]
    homestudy-agency [--home DIR] open BUNDLE_ID --out DIR
    homestudy-agency [--home DIR] assign (--device ID | --assessor ID) CASE_JSON
    homestudy-agency [--home DIR] publish-keys [--days N]
    homestudy-agency [--home DIR] rotate-keys [--days N]

``--home`` defaults to ``$HOMESTUDY_AGENCY_HOME``, else ``./agency``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from homestudy.errors import HomeStudyError

if TYPE_CHECKING:
    from homestudy.agency.db import Database
    from homestudy.agency.home import AgencyHome


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="homestudy-agency",
                                     description="The agency's HomeStudy inbox.")
    parser.add_argument("--home", metavar="DIR",
                        default=os.environ.get("HOMESTUDY_AGENCY_HOME", "agency"),
                        help="the agency's folder: settings, keys, SQLite database")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("init", help="make the agency's keys and database")
    p.add_argument("--agency-id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--inbox-url", required=True, help="the URL devices will reach the inbox at")
    p.add_argument("--database", default="", help="postgresql://... (default: SQLite in --home)")
    p.add_argument("--max-bundle-mb", type=int, default=32)
    p = sub.add_parser("serve", help="run the inbox (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8480, help="0 picks a free port")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes (each verifies and decrypts in parallel)")
    p = sub.add_parser("enrol", help="write an enrolment file for an assessor")
    p.add_argument("--assessor", required=True, help="the assessor's id at the agency")
    p.add_argument("--assessor-name", default="")
    p.add_argument("--days", type=int, default=14, help="days the one-time token stays valid")
    p.add_argument("--out", required=True, type=Path)
    p = sub.add_parser("revoke", help="withdraw a device's access")
    p.add_argument("device_id")
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
    p = sub.add_parser("rotate-keys",
                       help="make new agency keys and publish them, signed by the old key")
    p.add_argument("--days", type=int, default=None,
                   help="days until the new key list expires (default: the agency's setting)")
    p = sub.add_parser("compact", help="apply the retention setting: drop superseded change "
                                       "sets older than it (each case's latest stays whole)")
    p.add_argument("--days", type=int, default=None,
                   help="keep this many days (default: the agency's retention_days setting)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(_COMMANDS[args.command](args))
    except HomeStudyError as exc:
        print(f"homestudy-agency: {exc.message}", file=sys.stderr)
        return 1


@contextmanager
def _home_db(args: argparse.Namespace) -> Iterator[tuple[AgencyHome, Database]]:
    """The agency in ``--home`` and a one-connection handle on its database (closed after)."""
    from homestudy.agency.home import AgencyHome

    home = AgencyHome(args.home)
    db = home.database(pool_size=1)
    try:
        yield home, db
    finally:
        db.close()


def _init(args: argparse.Namespace) -> int:
    from homestudy.agency.home import init_home

    home = init_home(args.home, agency_id=args.agency_id, name=args.name,
                     inbox_url=args.inbox_url, database_url=args.database,
                     max_bundle_size=args.max_bundle_mb * 1024 * 1024)
    print(f"Agency {home.agency_id} set up in {home.path}.")
    print(f"Signing key (minisign): {home.signing_public}")
    print(f"Encryption key (age):   {home.age_recipient}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from homestudy.agency.app import HOME_ENV, create_app
    from homestudy.agency.rotation import finish_rotation

    with _home_db(args) as (home, db):
        db.migrate()  # once, here, before any worker starts
        if finish_rotation(home, db) is not None:
            print("An interrupted key rotation was finished.", flush=True)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    options: dict[str, object] = {"log_level": "warning", "access_log": False,
                                  "limit_concurrency": 1000, "timeout_keep_alive": 30}
    print(f"Inbox listening on http://{args.host}:{port}", flush=True)
    if args.workers > 1:
        from uvicorn.supervisors import Multiprocess

        os.environ[HOME_ENV] = str(home.path.resolve())
        config = uvicorn.Config("homestudy.agency.app:app_from_env", factory=True,
                                workers=args.workers, **options)  # type: ignore[arg-type]
        Multiprocess(config, sockets=[sock]).run()
    else:
        config = uvicorn.Config(create_app(home), **options)  # type: ignore[arg-type]
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def _enrol(args: argparse.Namespace) -> int:
    from homestudy.agency.inbox import Inbox
    from homestudy.atomic import write_atomic
    from homestudy.sync.enrolment import EnrolmentFile

    with _home_db(args) as (home, db):
        db.migrate()
        token = Inbox(home, db).new_token(args.assessor, args.assessor_name, args.days)
    enrolment = EnrolmentFile(
        agency_id=home.agency_id, agency_name=home.config.name, inbox_url=home.config.inbox_url,
        agency_age_recipient=home.age_recipient, agency_signing_public_key=home.signing_public,
        token=token, assessor_id=args.assessor, assessor_name=args.assessor_name,
    )
    write_atomic(args.out, enrolment.to_json())
    print(f"Enrolment file written to {args.out}. Give it to the assessor privately; "
          f"it works once, within {args.days} days.")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from homestudy.agency.inbox import Inbox

    with _home_db(args) as (home, db):
        found = Inbox(home, db).revoke(args.device_id)
    if not found:
        print("No device with that id is enrolled.", file=sys.stderr)
        return 1
    print(f"Device {args.device_id} revoked. Its next sync will be refused.")
    return 0


def _inbox(args: argparse.Namespace) -> int:
    with _home_db(args) as (_home, db), db.transaction() as cur:
        bundles = cur.all("SELECT bundle_id, device_id, sequence, case_reference, size, "
                          "received_at FROM bundles ORDER BY received_at, sequence")
        alerts = cur.all("SELECT created_at, kind, device_id, bundle_id, sequence, detail "
                         "FROM alerts ORDER BY id")
    if args.json:
        keys_b = ("bundle_id", "device_id", "sequence", "case_reference", "size", "received_at")
        keys_a = ("created_at", "kind", "device_id", "bundle_id", "sequence", "detail")
        print(json.dumps({"bundles": [dict(zip(keys_b, r, strict=True)) for r in bundles],
                          "alerts": [dict(zip(keys_a, r, strict=True)) for r in alerts]},
                         indent=2))
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
    written = write_review_pack(opened, args.out)
    for path in written:
        print(path)
    return 0


def _assign(args: argparse.Namespace) -> int:
    from homestudy.agency.assign import assign_case, devices_of
    from homestudy.model import Case
    from homestudy.serial import from_jsonable

    try:
        data = json.loads(args.case_json.read_text(encoding="utf-8"))
        case = from_jsonable(Case, data.get("case", data))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        print(f"homestudy-agency: the case file could not be read ({exc}).", file=sys.stderr)
        return 1
    with _home_db(args) as (home, db):
        targets = [args.device] if args.device else devices_of(db, args.assessor)
        if not targets:
            print("That assessor has no enrolled device yet.", file=sys.stderr)
            return 1
        for device_id in targets:
            made = assign_case(home, db, case, device_id)
            print(f"Case {case.reference} assigned to device {device_id} "
                  f"(bundle {made.bundle_id}, sequence {made.sequence}).")
    return 0


def _publish_keys(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from homestudy.agency.rotation import finish_rotation

    with _home_db(args) as (home, db):
        db.migrate()
        if finish_rotation(home, db) is not None:
            print("An interrupted key rotation was finished first.")
        doc = home.publish_key_list(db, expires_at=datetime.now(UTC) + timedelta(days=args.days))
    version = json.loads(doc.body)["version"]
    print(f"Key list version {version} published; it expires in {args.days} days.")
    return 0


def _rotate_keys(args: argparse.Namespace) -> int:
    from homestudy.agency.rotation import rotate_keys

    with _home_db(args) as (home, db):
        done = rotate_keys(home, db, days=args.days)
    print(f"New agency keys made. Key list version {done.version} names them, signed by the "
          "old signing key and the new one; laptops move to the new keys at their next sync.")
    print(f"Signing key (minisign): {done.signing_public}")
    print(f"Encryption key (age):   {done.age_recipient}")
    print(f"agency.key keeps {done.kept_identities - 1} older identity(ies), so bundles sent "
          "before the rotation still open. A running inbox uses the new keys at once.")
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
    print(f"Removed {removed['bundles']} superseded change set(s) and {removed['blobs']} "
          f"attachment(s) no case refers to any more.")
    return 0


_COMMANDS = {"init": _init, "serve": _serve, "enrol": _enrol, "revoke": _revoke,
             "inbox": _inbox, "open": _open, "assign": _assign, "publish-keys": _publish_keys,
             "rotate-keys": _rotate_keys, "compact": _compact}

if __name__ == "__main__":
    sys.exit(main())
