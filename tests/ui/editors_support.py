"""Fixtures for the editor views' tests: a real AppContext whose DB worker holds a
real SQLCipher vault (cheap KDF), and helpers that read results back from it.

Imported by tests/ui/test_visits*.py, test_references*.py, test_checklists*.py,
test_par_editor*.py and test_spellcheck*.py (``from editors_support import ...``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from homestudy.model import Applicant, Case, HouseholdMember, HouseholdMemberKind, LineOfEnquiry
from homestudy.settings import AppSettings
from homestudy.vault import KdfParams, Vault
from ui.context import AppContext, make_context

PASSPHRASE = "editor tests passphrase"
CHEAP_KDF = KdfParams(time_cost=1, memory_kib=64, parallelism=1)


def on_worker(ctx: AppContext, qtbot: Any, fn: Callable[[Vault], Any]) -> Any:
    """Run ``fn(vault)`` on the DB worker (after every queued save) and return its result."""
    box: dict[str, Any] = {}
    ctx.db.submit(fn, lambda value: box.setdefault("value", value),
                  lambda exc: box.setdefault("error", exc))
    qtbot.waitUntil(lambda: "value" in box or "error" in box, timeout=10_000)
    if "error" in box:
        raise box["error"]
    return box["value"]


def settle(qtbot: Any, ctx: AppContext, *views: Any) -> None:
    """Start every pending save and wait until the worker has written them all."""
    for view in views:
        view.flush()
    qtbot.waitUntil(
        lambda: all(v.saver.idle for v in views) and not ctx.db.busy, timeout=10_000
    )


def load(ctx: AppContext, qtbot: Any, case_id: str) -> Case:
    return on_worker(ctx, qtbot, lambda vault: vault.cases.load_case(case_id))


def sample_case(couple: bool = True) -> Case:
    applicants = [Applicant("Hannah", "Mensah", occupation="Teacher")]
    if couple:
        applicants.append(Applicant("Daniel", "Mensah", occupation="Engineer"))
    case = Case(
        reference="HS-TEST-0001",
        applicants=applicants,
        household=[HouseholdMember("Isla", HouseholdMemberKind.BIRTH_CHILD)],
        stage2_notice_on=date(2027, 1, 4),
        lines_of_enquiry=[
            LineOfEnquiry("Explore the support offered by the wider family.",
                          source="Stage 1 references", par_section_ids=["support_network"]),
            LineOfEnquiry("Discuss the 2015 caution disclosed on the DBS check.",
                          source="DBS check", par_section_ids=["statutory_checks"]),
        ],
    )
    return case


@pytest.fixture
def editor_ctx(qtbot: Any, tmp_path: Path) -> Iterator[AppContext]:
    """An AppContext with an open vault on its DB worker."""
    folder = tmp_path / "vault"
    Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF).close()
    ctx = make_context(AppSettings(), folder)
    opened: dict[str, Any] = {}
    ctx.db.open_vault(folder, PASSPHRASE, lambda v: opened.setdefault("ok", v),
                      lambda exc: opened.setdefault("error", exc))
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    assert "error" not in opened, opened
    try:
        yield ctx
    finally:
        ctx.shutdown()


@pytest.fixture
def saved_case(editor_ctx: AppContext, qtbot: Any) -> Case:
    """A couple with a birth child and two lines of enquiry, saved in the vault and loaded."""
    case = sample_case()
    on_worker(editor_ctx, qtbot, lambda vault: vault.cases.save_case(case))
    return load(editor_ctx, qtbot, case.id)
