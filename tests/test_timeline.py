"""The Stage 1 / Stage 2 clock of a case (homestudy.timeline)."""

from __future__ import annotations

from datetime import date

import pytest

from homestudy.model import Case, Route, Stage
from homestudy.settings import AppSettings
from homestudy.timeline import (
    MilestoneStatus,
    TimelineRules,
    build_timeline,
    stage2_progress,
)

RULES = TimelineRules()


def stage2_case(**changes: object) -> Case:
    case = Case(
        reference="HS-TEST-1",
        stage=Stage.STAGE_2,
        registration_of_interest_on=date(2026, 1, 5),
        stage1_started_on=date(2026, 1, 12),
        stage1_ended_on=date(2026, 3, 20),
        stage2_notice_on=date(2026, 9, 1),
        provisional_panel_date=date(2027, 1, 7),
    )
    for key, value in changes.items():
        setattr(case, key, value)
    return case


def test_rules_from_settings() -> None:
    rules = TimelineRules.from_settings(
        AppSettings(par_to_applicants_working_days=10, review_of_approval_months=6)
    )
    assert rules.par_to_applicants_working_days == 10
    assert rules.review_of_approval_months == 6
    assert rules.adm_decision_working_days == 7  # untouched defaults
    assert TimelineRules.from_settings(AppSettings()) == TimelineRules()


def test_every_milestone_says_why_it_exists() -> None:
    timeline = build_timeline(stage2_case(), RULES, date(2026, 11, 2))
    ids = [m.id for m in timeline.milestones]
    assert ids == [
        "stage1_end",
        "stage2_notice",
        "par_to_applicants",
        "applicants_comments_due",
        "papers_to_panel",
        "stage2_end",
        "panel",
    ]
    for m in timeline.milestones:
        assert m.title and m.reason.endswith(".")
    assert [m.due for m in timeline.milestones] == sorted(m.due for m in timeline.milestones)
    assert timeline.gaps == ()


def test_stage_dates() -> None:
    timeline = build_timeline(stage2_case(), RULES, date(2026, 11, 2))
    stage1 = timeline.get("stage1_end")
    assert stage1 is not None
    assert stage1.due == date(2026, 3, 12)  # two months from 12 Jan
    assert stage1.done == date(2026, 3, 20) and stage1.late
    assert stage1.status is MilestoneStatus.DONE
    notice = timeline.get("stage2_notice")
    assert notice is not None and notice.due == date(2026, 9, 20)
    assert notice.done == date(2026, 9, 1) and not notice.late
    end = timeline.get("stage2_end")
    assert end is not None and end.due == date(2027, 1, 1)
    assert end.status is MilestoneStatus.UPCOMING
    assert "4 months" in end.reason


def test_par_to_applicants_over_christmas_and_new_year() -> None:
    # Provisional panel Thursday 7 Jan 2027. The papers go five working days before it,
    # the panel day not counted: 6, 5, 4 Jan, (1 Jan), 31, 30 Dec -> Wed 30 Dec.
    # The applicants' five working days of comments must end before that, by Tue 29
    # Dec: 29, (28, 25 Dec), 24, 23, 22, 21 -> they need the report by Fri 18 Dec.
    timeline = build_timeline(stage2_case(), RULES, date(2026, 11, 2))
    due = {m.id: m.due for m in timeline.milestones}
    assert due["papers_to_panel"] == date(2026, 12, 30)
    assert due["applicants_comments_due"] == date(2026, 12, 29)
    par = timeline.get("par_to_applicants")
    assert par is not None and par.due == date(2026, 12, 18)
    assert "5 working days" in par.reason and "provisional" in par.reason
    papers = timeline.get("papers_to_panel")
    assert papers is not None and "panel day itself not counted" in papers.reason
    # An agency that reads the rule as ten working days: back over Christmas too.
    ten = TimelineRules(par_to_applicants_working_days=10)
    par10 = build_timeline(stage2_case(), ten, date(2026, 11, 2)).get("par_to_applicants")
    assert par10 is not None and par10.due == date(2026, 12, 11)
    assert "10 working days" in par10.reason
    # Papers out on the panel day itself (0): the comments still end the day before.
    none = TimelineRules(papers_to_panel_working_days=0)
    late = build_timeline(stage2_case(), none, date(2026, 11, 2))
    assert late.get("papers_to_panel").due == date(2027, 1, 7)  # type: ignore[union-attr]
    assert late.get("par_to_applicants").due == date(2026, 12, 29)  # type: ignore[union-attr]


def test_comments_due_follow_the_day_the_copy_was_shared() -> None:
    case = stage2_case(applicant_copy_shared_on=date(2026, 12, 10))
    timeline = build_timeline(case, RULES, date(2026, 12, 11))
    comments = timeline.get("applicants_comments_due")
    assert comments is not None and comments.due == date(2026, 12, 17)  # 11, 14 .. 17


def test_impossible_panel_dates_are_said_at_once() -> None:
    from homestudy.timeline import panel_date_problems

    today = date(2026, 11, 2)
    codes = lambda case: [p.code for p in panel_date_problems(case, RULES, today)]  # noqa: E731
    assert codes(stage2_case(provisional_panel_date=date(2026, 12, 10))) == []
    # The default case's panel, 7 Jan 2027, is itself past the four months.
    assert codes(stage2_case()) == ["panel_after_stage2"]
    # Before Stage 2 started.
    assert codes(stage2_case(provisional_panel_date=date(2026, 8, 27))) == [
        "panel_before_stage2",
        "panel_date_passed",
    ]
    # So late that the decision cannot come within the four months (ends 1 Jan 2027).
    late = panel_date_problems(stage2_case(provisional_panel_date=date(2026, 12, 24)), RULES, today)
    assert [p.code for p in late] == ["panel_after_stage2"]
    assert "after Stage 2's 4 months end on 1 Jan 2027" in late[0].message
    assert not late[0].blocks
    # A Sunday.
    assert codes(stage2_case(provisional_panel_date=date(2026, 12, 13))) == [
        "panel_not_working_day"
    ]
    # So soon that the applicants' comments and the papers no longer fit.
    soon = panel_date_problems(stage2_case(provisional_panel_date=date(2026, 11, 12)), RULES, today)
    assert [p.code for p in soon] == ["panel_too_soon"] and soon[0].blocks
    assert "needed the report by" in soon[0].message
    # Passed with no outcome: the stage still says panel is to come.
    assert "panel_date_passed" in codes(stage2_case(provisional_panel_date=date(2026, 10, 30)))
    decided = stage2_case(stage=Stage.DECISION, panel_date=date(2026, 10, 29))
    assert "panel_date_passed" not in codes(decided)


@pytest.mark.parametrize(
    ("today", "shared", "status"),
    [
        (date(2026, 11, 2), None, MilestoneStatus.UPCOMING),
        (date(2026, 12, 14), None, MilestoneStatus.DUE_SOON),  # 15 .. 18 Dec still to come
        (date(2026, 12, 21), None, MilestoneStatus.OVERDUE),
        (date(2026, 12, 31), date(2026, 12, 18), MilestoneStatus.DONE),
    ],
)
def test_status(today: date, shared: date | None, status: MilestoneStatus) -> None:
    case = stage2_case(applicant_copy_shared_on=shared)
    par = build_timeline(case, RULES, today).get("par_to_applicants")
    assert par is not None and par.status is status


def test_after_a_confirmed_panel_over_christmas() -> None:
    # Panel Monday 14 Dec 2026: minutes 5 working days later (21 Dec), decision 7
    # working days after the minutes, skipping 25 and 28 Dec and 1 Jan.
    case = stage2_case(stage=Stage.PANEL, panel_date=date(2026, 12, 14))
    timeline = build_timeline(case, RULES, date(2026, 12, 15))
    due = {m.id: m.due for m in timeline.milestones}
    assert due["panel"] == date(2026, 12, 14)
    assert due["panel_minutes"] == date(2026, 12, 21)
    assert due["adm_decision"] == date(2027, 1, 4)
    assert due["tell_verbally"] == date(2027, 1, 6)
    assert due["tell_in_writing"] == date(2027, 1, 11)
    panel = timeline.get("panel")
    assert panel is not None and panel.status is MilestoneStatus.DONE
    assert panel.done == date(2026, 12, 14)
    assert [m.id for m in timeline.next_deadlines(2)] == ["par_to_applicants", "panel_minutes"]
    assert timeline.get("papers_to_panel").status is MilestoneStatus.DONE  # type: ignore[union-attr]


def test_not_approved_has_the_review_window() -> None:
    case = stage2_case(stage=Stage.NOT_APPROVED, panel_date=date(2026, 12, 14))
    timeline = build_timeline(case, RULES, date(2027, 1, 10))
    irm = timeline.get("irm_window")
    assert irm is not None
    # 40 working days after 4 Jan 2027 (no bank holidays until Good Friday, 26 Mar).
    assert irm.due == date(2027, 3, 1)
    assert "40 working days" in irm.reason
    assert timeline.get("review_of_approval") is None
    adm = timeline.get("adm_decision")
    assert adm is not None and adm.status is MilestoneStatus.DONE
    assert timeline.stage2_day is None  # the clock stops at the decision


def test_approved_has_the_review_of_approval() -> None:
    case = stage2_case(stage=Stage.APPROVED, panel_date=date(2026, 12, 14))
    rules = TimelineRules(review_of_approval_months=6)
    review = build_timeline(case, rules, date(2027, 1, 10)).get("review_of_approval")
    assert review is not None and review.due == date(2027, 7, 4)
    assert "6 months" in review.reason


def test_open_stage1_shows_its_limit() -> None:
    case = Case(reference="HS-TEST-2", stage=Stage.STAGE_1, stage1_started_on=date(2026, 6, 10))
    timeline = build_timeline(case, RULES, date(2026, 9, 1))
    end, limit = timeline.get("stage1_end"), timeline.get("stage1_limit")
    assert end is not None and end.status is MilestoneStatus.OVERDUE
    assert limit is not None and limit.due == date(2026, 12, 10)
    assert limit.status is MilestoneStatus.UPCOMING
    assert timeline.get("stage2_end") is None
    assert timeline.stage2_day is None


def test_missing_dates_give_gaps_not_errors() -> None:
    bare = Case(reference="HS-TEST-3", stage=Stage.STAGE_2)
    timeline = build_timeline(bare, RULES, date(2026, 11, 2))
    assert timeline.milestones == ()
    assert [g.code for g in timeline.gaps] == ["no_stage2_start"]
    assert timeline.next_deadlines() == []
    started = Case(reference="HS-TEST-4", stage=Stage.STAGE_2, stage2_notice_on=date(2026, 9, 1))
    timeline = build_timeline(started, RULES, date(2026, 11, 2))
    assert [g.code for g in timeline.gaps] == ["no_panel_date"]
    assert [m.id for m in timeline.milestones] == ["stage2_end"]
    stage1 = Case(reference="HS-TEST-5", stage=Stage.STAGE_1)
    assert [g.code for g in build_timeline(stage1, RULES, date(2026, 1, 1)).gaps] == [
        "no_stage1_start"
    ]


def test_fast_track_starts_at_stage2() -> None:
    case = stage2_case(route=Route.FAST_TRACK)
    timeline = build_timeline(case, RULES, date(2026, 11, 2))
    ids = {m.id for m in timeline.milestones}
    assert not ids & {"stage1_end", "stage1_limit", "stage2_notice"}
    assert {"stage2_end", "par_to_applicants", "panel"} <= ids


def test_concurrent_route_runs_the_stages_together() -> None:
    case = Case(
        reference="HS-TEST-6",
        stage=Stage.STAGE_1,
        route=Route.FOSTER_CARER_CONCURRENT,
        stage1_started_on=date(2026, 9, 1),
    )
    timeline = build_timeline(case, RULES, date(2026, 9, 10))
    end = timeline.get("stage2_end")
    assert end is not None and end.due == date(2027, 1, 1)
    assert timeline.get("stage2_notice") is None
    assert timeline.stage2_day == (10, 123)


def test_stage2_progress() -> None:
    case = stage2_case()
    assert stage2_progress(case, date(2026, 9, 1)) == (1, 123)
    assert stage2_progress(case, date(2026, 11, 9)) == (70, 123)
    assert stage2_progress(case, date(2027, 1, 1)) == (123, 123)  # the last day, 1 Jan
    assert stage2_progress(case, date(2027, 1, 8)) == (130, 123)  # over time: keeps counting
    assert stage2_progress(case, date(2026, 8, 1)) == (1, 123)  # never before day 1
    assert stage2_progress(stage2_case(stage2_notice_on=None), date(2026, 11, 9)) is None
    assert stage2_progress(stage2_case(stage=Stage.GAP), date(2026, 11, 9)) is None
    assert stage2_progress(stage2_case(stage=Stage.APPROVED), date(2026, 11, 9)) is None
    # Over a leap February the period is a day longer.
    leap = stage2_case(stage2_notice_on=date(2027, 11, 1))
    assert stage2_progress(leap, date(2027, 11, 1)) == (1, 122)
