"""``homestudy link REF AGENCY`` and ``homestudy messages``: the agency side of a case.

``link`` links a case made on this laptop (the demo included) to an agency the laptop
is enrolled with, so it syncs. ``messages`` lists what the agencies sent that could not
be applied yet, with the reason; ``--retry`` tries them again, ``--resolve ID`` sets one
aside once you have dealt with it (it is kept, not deleted).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from homestudy.commands.common import add_vault_argument

if TYPE_CHECKING:
    from homestudy.vault.vault import Vault


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "link",
        help="link a case to an agency you are enrolled with",
        description="Link a case made on this laptop to an agency, "
        "so that it is sent to that agency at each sync.",
    )
    p.add_argument("reference", metavar="REF", help="the case's reference")
    p.add_argument("agency", metavar="AGENCY", help="the agency's name or id")
    add_vault_argument(p)
    p.set_defaults(run=run_link)
    p = subparsers.add_parser(
        "messages",
        help="messages from agencies not yet applied",
        description="Messages from your agencies that could not be applied, with the reason.",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--retry", action="store_true", help="try to apply them again")
    group.add_argument("--resolve", metavar="ID", help="set one aside (you dealt with it)")
    group.add_argument("--all", action="store_true", help="list every message received")
    add_vault_argument(p)
    p.set_defaults(run=run_messages)


def run_link(args: argparse.Namespace) -> int:
    from homestudy.commands.common import find_case, run_in_vault
    from homestudy.sync.linking import find_profile, link_case

    def link(vault: Vault) -> int:
        state = find_profile(vault, args.agency)
        case = link_case(vault, find_case(vault, args.reference).id, state.id)
        print(
            f"Case {case.reference} is now linked to {state.profile.name}; it is sent at the "
            "next sync (homestudy sync)."
        )
        return 0

    return run_in_vault(args, link)


def run_messages(args: argparse.Namespace) -> int:
    from homestudy.commands.common import run_in_vault
    from homestudy.sync import inbound

    def messages(vault: Vault) -> int:
        if args.resolve:
            inbound.message(vault, args.resolve)
            inbound.resolve(vault, args.resolve)
            print("Set aside. It stays in the vault but is no longer listed as waiting.")
            return 0
        if args.retry:
            inbound.retry(vault)
        found = inbound.messages(vault, status=None if args.all else inbound.UNAPPLIED)
        if not found:
            print(
                "No messages from the agency are waiting."
                if not args.all
                else "No messages from any agency yet."
            )
            return 0
        for m in found:
            line = f"{m.message_id}  {m.received_at[:10]}  {m.summary}  [{m.status}]"
            print(line + (f": {m.reason}" if m.reason else ""))
        if not args.all:
            print(
                "When you have dealt with one: homestudy messages --resolve ID "
                "(or --retry to try them again)."
            )
        return 0

    return run_in_vault(args, messages)
