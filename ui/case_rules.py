"""A case's own agency rules (its ``rules.yaml``), read on the DB worker where the vault
is: the views that judge a case by them (the Stage 1 checks, the PAR editor's guard)
all read them the same way."""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from homestudy.model import Case
from homestudy.timeline import TimelineRules
from ui.context import AppContext
from ui.operations import run_db


def read_case_rules(
    ctx: AppContext, owner: QWidget, case: Case, apply: Callable[[TimelineRules], None]
) -> None:
    """``apply`` the rules ``case`` is judged by: its agency's, once read off the GUI
    thread; the app's settings at once for a case of no agency. ``apply`` checks that
    the case is still the one shown (another may have been opened meanwhile)."""
    if not case.agency_profile_id:
        apply(TimelineRules.from_settings(ctx.settings))
        return
    from homestudy.readiness_settings import rules_for_case

    snapshot, settings = copy.deepcopy(case), ctx.settings
    run_db(ctx, owner, lambda vault: rules_for_case(vault, snapshot, settings), apply)
