"""In the app, a case follows its own agency's rules.yaml: the Overview and the case
list judge it by them (read on the DB worker), a case with no agency by the app's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import editors_support
import pytest
from editors_support import on_worker
from readiness_helpers import TODAY, add_agency_profile, ready_case

from homestudy.forms import load_library
from homestudy.model import AgencyProfile
from homestudy.timeline import TimelineRules
from ui.views.case_list import load_rows
from ui.views.overview import OverviewView

editor_ctx = editors_support.editor_ctx  # fixture


@pytest.fixture
def strict_agency_case(
    editor_ctx: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, Any]:
    monkeypatch.setenv("HOMESTUDY_FORM_OVERRIDES", str(tmp_path))
    (tmp_path / "strict").mkdir()
    (tmp_path / "strict" / "rules.yaml").write_text("version: 1\nmin_visits: 8\n", encoding="utf-8")
    profile = AgencyProfile(name="Strict", agency_id="STRICT", form_overrides="strict")
    agency_case, own_case = ready_case(load_library()), ready_case(load_library())
    agency_case.agency_profile_id = profile.id
    own_case.reference = "HS-OWN-1"

    def store(vault: Any) -> None:
        add_agency_profile(vault, profile)
        vault.cases.save_case(agency_case)
        vault.cases.save_case(own_case)

    on_worker(editor_ctx, qtbot, store)
    return agency_case, own_case


def test_the_overview_uses_the_cases_agency_rules(
    qtbot: Any, editor_ctx: Any, strict_agency_case: Any
) -> None:
    agency_case, own_case = strict_agency_case
    view = OverviewView(editor_ctx)
    qtbot.addWidget(view)
    view.today = TODAY
    view.set_case(agency_case)
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    messages = [e.columns[1] for e in view.data.findings]
    assert messages == ["Visits done: 6 of the at least 8 needed."]
    view.set_case(own_case)  # no agency: the app's own rules, and it is ready
    qtbot.waitUntil(lambda: view.data is not None and not view.data.findings, timeout=10_000)


def test_the_case_list_uses_each_cases_agency_rules(
    qtbot: Any, editor_ctx: Any, strict_agency_case: Any
) -> None:
    ctx = editor_ctx
    rows = on_worker(
        ctx,
        qtbot,
        lambda vault: load_rows(
            vault, TimelineRules(), ctx.forms, TODAY, True, settings=ctx.settings
        ),
    )
    blockers = {r.reference: r.blockers for r in rows}
    assert blockers == {"HS-READY-1": 1, "HS-OWN-1": 0}


def test_the_checks_panel_asks_for_the_checks_of_the_cases_agency(
    qtbot: Any, editor_ctx: Any, tmp_path: Path, strict_agency_case: Any
) -> None:
    """An agency whose rules.yaml also asks for a health check: the Stage 1 page lists it
    for each applicant; a case with no agency does not."""
    from ui.views.case_details import CaseDetailsView

    (tmp_path / "strict" / "rules.yaml").write_text(
        "version: 1\napplicant_checks: [dbs, local_authority, health]\n", encoding="utf-8"
    )
    agency_case, own_case = strict_agency_case
    view = CaseDetailsView(editor_ctx)
    qtbot.addWidget(view)

    def needed(case_: Any) -> set[str]:
        tree = view.checks_panel.needs
        return {tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())}

    view.set_case(agency_case)
    qtbot.waitUntil(lambda: any("ealth" in n for n in needed(agency_case)), timeout=10_000)
    view.set_case(own_case)
    qtbot.waitUntil(lambda: not any("ealth" in n for n in needed(own_case)), timeout=10_000)
