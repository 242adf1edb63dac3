"""The README stays true: every command, make target and screenshot it names exists."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from homestudy.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(action.choices)


def test_every_subcommand_is_in_the_command_line_reference() -> None:
    names = subcommands()
    assert len(names) >= 5
    for name in names:
        assert f"`homestudy {name}" in README, name
    assert "`homestudy --self-test`" in README


def test_every_make_target_named_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    named = set(re.findall(r"(?:`|^)make ([a-z-]+)", README, re.MULTILINE))
    assert {"run", "test", "package", "package-test", "bench", "screenshots"} <= named
    for target in named:
        assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), target


def test_every_image_and_link_in_the_readme_exists() -> None:
    targets = re.findall(r"\]\(((?!https?:)[^)#]+)(?:#[^)]*)?\)", README)
    images = [t for t in targets if t.endswith(".png")]
    assert len(images) >= 3
    for target in targets:
        assert (ROOT / target).exists(), target
