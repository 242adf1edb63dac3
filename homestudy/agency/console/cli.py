"""The console's commands for ``homestudy-agency`` (kept apart from the inbox's):

console [--host 127.0.0.1] [--port 8490] [--insecure-cookies]   run the web console
                                (exactly ``serve --role console``, on its own default port)
staff-add USERNAME --name NAME --role admin|team_manager|panel_adviser
                                (password from $HOMESTUDY_STAFF_PASSWORD or a prompt)
devices [--json]                 laptops: last seen, state
enrolments [--json] [--all]      enrolment files not yet used (--all: every one)
cancel-enrolment FILE_ID         make an unused enrolment file useless
(revoke, restore-device and enrol are the inbox's own commands)
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from collections.abc import Callable
from typing import Any


def port_number(text: str) -> int:
    """``--port``: a whole number from 0 to 65535, or argparse's plain one-line refusal."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port: give a number from 1 to 65535 (0 picks a free one)"
        )
    return port


def add_insecure_cookies(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--insecure-cookies",
        action="store_true",
        help="console sign-in cookies without 'Secure' (only for plain http on this "
        "machine, never behind a network)",
    )


def add_commands(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser(
        "console", help="run the web console (on the internal network): serve --role console"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=port_number, default=8490, help="0 picks a free port")
    add_insecure_cookies(p)
    p = sub.add_parser("staff-add", help="add a console account (prints its TOTP set-up)")
    p.add_argument("username")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["admin", "team_manager", "panel_adviser"])
    p.add_argument(
        "--oidc",
        action="store_true",
        help="no password: signs in through the organisation's OpenID Connect "
        "provider (USERNAME = their e-mail there)",
    )
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("devices", help="list the laptops: assessor, last seen, state")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("enrolments", help="list enrolment files not yet used")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="used and expired ones too")
    p = sub.add_parser("cancel-enrolment", help="make an unused enrolment file useless")
    p.add_argument("file_id")
    p.add_argument("--json", action="store_true")
    return {
        "console": _console,
        "staff-add": _staff_add,
        "devices": _devices,
        "enrolments": _enrolments,
        "cancel-enrolment": _cancel,
    }


def _home_db(args: argparse.Namespace) -> Any:
    from homestudy.agency.home import home_and_database

    return home_and_database(args.home)


def _console(args: argparse.Namespace) -> int:
    """``serve --role console``: the same checks (protected keys), /health, /metrics, request
    log, body limit and re-numbering loop; only the default port differs."""
    from pathlib import Path

    from homestudy.agency.serve import serve

    return serve(
        Path(args.home),
        role="console",
        host=args.host,
        port=args.port,
        workers=1,
        secure_cookies=not args.insecure_cookies,
    )


def _print(args: argparse.Namespace, data: Any, text: str) -> int:
    print(json.dumps(data, indent=2) if getattr(args, "json", False) else text)
    return 0


def _password(username: str) -> str:
    """From $HOMESTUDY_STAFF_PASSWORD, else typed at a prompt; a plain AgencyError when
    there is neither (no terminal to ask at: a script, a pipe)."""
    import sys

    from homestudy.errors import AgencyError

    given = os.environ.get("HOMESTUDY_STAFF_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        raise AgencyError(
            "No password given: set HOMESTUDY_STAFF_PASSWORD, or run this in a terminal "
            "to type one."
        )
    try:
        return getpass.getpass(f"Password for {username} (12 characters or more): ")
    except EOFError as exc:
        raise AgencyError("No password was typed; the account was not made.") from exc


def _staff_add(args: argparse.Namespace) -> int:
    from homestudy.agency.console import audit, auth
    from homestudy.agency.console.schema import migrate_console

    password = "" if args.oidc else _password(args.username)
    with _home_db(args) as (home, db):
        migrate_console(db)
        secret = auth.add_staff(db, args.username, args.name, args.role, password, oidc=args.oidc)
        audit.record_cli(db, "staff_added", args.username, args.role)
    if args.oidc:
        return _print(
            args,
            {"username": args.username, "role": args.role, "oidc": True},
            f"Account {args.username} made; it signs in through OpenID Connect.",
        )
    uri = auth.totp_uri(secret, args.username, f"HomeStudy {home.config.name}")
    return _print(
        args,
        {"username": args.username, "role": args.role, "totp_secret": secret, "totp_uri": uri},
        f"Account {args.username} made. Add it to an authenticator app with this "
        f"key: {secret}\n(or as a link: {uri})",
    )


def _devices(args: argparse.Namespace) -> int:
    from homestudy.agency.console import team

    with _home_db(args) as (_home, db):
        rows = team.devices(db)
    lines = [
        f"{d.assessor_name or d.assessor_id:<20} {d.device_id}  {d.state:<8} last seen "
        f"{d.last_seen[:16] or 'never'}  {d.bundles} bundle(s)"
        for d in rows
    ]
    return _print(args, team.as_json(rows), "\n".join(lines) or "No laptop is enrolled yet.")


def _enrolments(args: argparse.Namespace) -> int:
    from homestudy.agency.console import team

    with _home_db(args) as (_home, db):
        rows = team.enrolments(db, outstanding_only=not args.all)
    lines = [
        f"{e.token_id}  {e.assessor_name or e.assessor_id:<20} {e.state:<8} expires "
        f"{e.expires_at[:16]}"
        for e in rows
    ]
    return _print(args, team.as_json(rows), "\n".join(lines) or "No enrolment file is waiting.")


def _cancel(args: argparse.Namespace) -> int:
    from homestudy.agency.console import audit, team
    from homestudy.agency.console.schema import migrate_console

    with _home_db(args) as (_home, db):
        migrate_console(db)
        cancelled = team.cancel_enrolment(db, args.file_id)
        audit.record_cli(db, "enrolment_cancelled", cancelled)
    return _print(
        args,
        {"cancelled": cancelled},
        f"Enrolment file {cancelled} cancelled; it can no longer be used.",
    )
