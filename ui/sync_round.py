"""One sync round from the app, in the three phases of ``homestudy.sync.engine``:
bundles frozen and results recorded on the DB worker, the network on the pool, so
the GUI never waits. The sync status and the agency dialog both start rounds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from homestudy.sync import engine, outbox
from ui.context import AppContext
from ui.operations import run_db, run_job


def run_round(
    ctx: AppContext,
    parent: QWidget | None,
    on_done: Callable[[list[engine.RoundReport]], None],
    on_error: Callable[[BaseException], None],
    *,
    force: bool = True,
    profile_id: str | None = None,
) -> None:
    """One sync round (all agencies, or one): freeze on the DB worker, talk on the pool,
    record on the DB worker. ``cases_changed`` is emitted after it, so the case list and
    every sync status redraw."""

    def prepare(vault: Any) -> list[engine.ProfilePlan]:
        outbox.watch(vault)
        plans = engine.prepare(vault, force=force)
        return [p for p in plans if profile_id is None or p.state.id == profile_id]

    def talk(plans: list[engine.ProfilePlan]) -> None:
        make_client = engine.default_client(ctx.settings.proxy_url)

        def exchange() -> list[engine.ProfileResult]:
            results = []
            for plan in plans:  # a revoked laptop asks too: it may have been restored
                with make_client(plan.state) as client:
                    results.append(engine.exchange(plan, client))
            return results

        run_job(ctx, parent, exchange, record, on_error=on_error)

    def record(results: list[engine.ProfileResult]) -> None:
        def apply(vault: Any) -> list[engine.RoundReport]:
            return [engine.apply(vault, result) for result in results]

        run_db(ctx, parent, apply, finished, on_error=on_error)

    def finished(reports: list[engine.RoundReport]) -> None:
        on_done(reports)
        ctx.events.cases_changed.emit()

    run_db(ctx, parent, prepare, talk, on_error=on_error)
