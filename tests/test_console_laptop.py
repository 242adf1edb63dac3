"""The review loop end to end: a laptop (a real vault) synced over 127.0.0.1 with a real
inbox process; the team manager comments on two PAR sections and returns the PAR in the
console (real server, real HTTP); the laptop's next sync shows the comments beside their
sections, the worker resolves one, and the console shows it resolved."""

from __future__ import annotations

from datetime import date

from sync_helpers import InboxServer, enrolment_for, make_agency

from homestudy.demo import build_demo_case
from homestudy.sync import inbound, outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import sync_round
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.linking import link_case
from tests.console_helpers import ConsoleServer, Staff, close_all


def test_comments_reach_the_laptop_and_resolved_comes_back(tmp_path, vault):
    from homestudy.agency.console import auth

    home = make_agency(tmp_path / "agency")
    inbox = InboxServer(home.path)
    console = None
    try:

        def to(_state):
            return InboxClient(inbox.url, retries=0, sleep=lambda _s: None)

        state = enrol(vault, enrolment_for(home, inbox.url, "priya.raman"))
        outbox.watch(vault)
        sync_round(vault, to)
        case = build_demo_case(date(2026, 12, 3), reference="HS-2026-0777")
        vault.cases.save_case(case)
        link_case(vault, case.id, state.id)
        (report,) = sync_round(vault, to)
        assert not report.error, report.error

        from homestudy.agency.console.schema import migrate_console

        db = home.database(pool_size=1)
        try:
            migrate_console(db)
            secret = auth.add_staff(
                db, "manager", "Morgan Manager", "team_manager", "correct horse battery"
            )
        finally:
            db.close()
        console = ConsoleServer(home)
        manager = Staff(console.url)
        assert manager.sign_in("manager", secret).status_code == 303
        assert case.reference in manager.get("/").text
        # the team page says which HomeStudy version the laptop synced with
        from homestudy import __version__

        team = manager.get("/team").text
        assert state.profile.device_id in team and f"<td>{__version__}</td>" in team
        manager.get(f"/cases/{case.id}")
        first, second = "support_network", "health"
        assert {first, second} <= set(case.par_sections)
        for sid, text in (
            (first, "Who else helps day to day?"),
            (second, "Say more about the shift pattern."),
        ):
            assert (
                manager.post(
                    f"/cases/{case.id}/comments", {"section_id": sid, "text": text}
                ).status_code
                == 303
            )
        assert (
            manager.post(
                f"/cases/{case.id}/decision", {"decision": "return", "reasons": "Two gaps."}
            ).status_code
            == 303
        )

        sync_round(vault, to)  # the laptop collects the review message
        beside_first = inbound.review_comments(vault, case.id, first)
        beside_second = inbound.review_comments(vault, case.id, second)
        assert [c.text for c in beside_first] == ["Who else helps day to day?"]
        assert [c.text for c in beside_second] == ["Say more about the shift pattern."]
        c = beside_first[0]
        inbound.save_reply(
            vault,
            case.id,
            c.review_id,
            c.comment_id,
            reply="Added her sister and two neighbours.",
            resolved=True,
        )
        (report,) = sync_round(vault, to)
        assert not report.error, report.error

        page = manager.get(f"/cases/{case.id}").text
        assert "Resolved</strong> by" in page and "Added her sister and two neighbours." in page
        assert page.count("Resolved</strong>") == 1  # the other comment is still open
    finally:
        close_all()
        if console is not None:
            console.stop()
        inbox.stop()
