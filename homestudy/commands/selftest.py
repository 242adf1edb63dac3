"""Placeholder until issue 7 lands."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    print("self-test is not built yet")
    return 1
