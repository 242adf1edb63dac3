"""Placeholder until its issue lands: registers no subcommand."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Adds this module's subcommands to ``subparsers``."""


def run(args: argparse.Namespace) -> int:
    return 2
