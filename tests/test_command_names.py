"""Every command a message names exists: a person told to run ``homestudy X`` or
``homestudy-agency X`` can run it (the parsers are the truth)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from homestudy.agency.cli import build_parser as agency_parser
from homestudy.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"\bhomestudy(-agency)? ([a-z][a-z-]+)")
#: words after "homestudy " in texts that are not commands (signed comments, KDF labels)
NOT_COMMANDS = {"kek", "key", "bundle", "receipt", "message", "core", "request"}


def _commands(parser) -> set[str]:
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return set(actions[0].choices)


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_every_named_command_exists() -> None:
    laptop, agency = _commands(build_parser()), _commands(agency_parser())
    missing = []
    for path in [*(REPO / "homestudy").rglob("*.py"), *(REPO / "ui").rglob("*.py")]:
        for text in _strings(path):
            for side, word in NAMED.findall(text):
                known = agency if side else laptop
                if word not in known and word not in NOT_COMMANDS:
                    missing.append(f"{path.relative_to(REPO)}: homestudy{side} {word}")
    assert missing == []
    assert {"restore-device", "reissue", "transfer", "withdraw", "close"} <= agency
    assert {"link", "messages"} <= laptop
