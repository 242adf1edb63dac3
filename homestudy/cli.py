"""The ``homestudy`` command: the desktop app by default, subcommands for scripting.

Each subcommand lives in its own module under ``homestudy.commands`` with
``add_parser(subparsers)`` and ``run(args) -> int``; they are imported here
explicitly (no registry), and each imports its heavy dependencies inside ``run``
so that ``homestudy --help`` and the app start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from homestudy import __version__


def build_parser() -> argparse.ArgumentParser:
    from homestudy.commands import (
        agency_cmds,
        export_cmd,
        readiness_cmd,
        selftest,
        sync_cmds,
        vault_cmds,
    )

    parser = argparse.ArgumentParser(
        prog="homestudy",
        description="HomeStudy: Stage 2 adoption assessments and PARs, offline and encrypted.",
    )
    parser.add_argument("--version", action="version", version=f"HomeStudy {__version__}")
    parser.add_argument(
        "--vault",
        metavar="DIR",
        help="the vault folder (default: $HOMESTUDY_VAULT, else your user data folder)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation end to end and exit 0 if all is well",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (vault_cmds, readiness_cmd, export_cmd, sync_cmds, agency_cmds):
        module.add_parser(subparsers)
    parser.set_defaults(self_test_module=selftest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from homestudy.vault.hardening import harden_process

    harden_process()  # before any case data is in memory: no core dumps of it
    import logging

    # the commands say what happened in plain words; Python's last-resort handler
    # would add bare log lines (a warning about a damaged vault, say) to stderr
    logging.getLogger("homestudy").addHandler(logging.NullHandler())
    if args.self_test:
        return int(args.self_test_module.run(args))
    if args.command is None:
        from ui.app import run_app  # the GUI only loads when asked for

        return run_app(args)
    from homestudy.commands.common import fail_unexpected

    try:
        return int(args.run(args))
    except Exception as exc:  # a safety net: commands report their own errors first
        return fail_unexpected(exc)


if __name__ == "__main__":
    sys.exit(main())
