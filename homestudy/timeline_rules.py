"""``TimelineRules``: every number of the clocks and of the readiness check.

Its own module because both the case's timeline (``homestudy.timeline``, which hands
the name on) and the panel dates (``homestudy.timeline_panel``) are read by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from homestudy.settings import AppSettings


@dataclass(frozen=True)
class TimelineRules:
    """Every number of the clock and of the readiness check, in one place.

    Each field is an agency setting (README, "Agency rules"): the defaults come from
    the regulations where they fix a number, else from common practice; an agency's
    ``rules.yaml`` (``homestudy.readiness_settings``) or the app settings change them.
    """

    # the applicants' comment period on the PAR; some agencies read the regulations
    # (reg. 30: observations within 10 working days) as 10
    par_to_applicants_working_days: int = 5
    # papers go to panel members this many working days before panel (panel day not
    # counted); the applicants' comments must be due before then
    papers_to_panel_working_days: int = 5
    panel_minutes_working_days: int = 5
    adm_decision_working_days: int = 7
    tell_verbally_working_days: int = 2
    tell_in_writing_working_days: int = 5
    irm_working_days: int = 40
    review_of_approval_months: int = 12
    stage1_months: int = 2
    stage1_max_months: int = 6
    gap_to_stage2_months: int = 6
    stage2_months: int = 4
    due_soon_working_days: int = 5  # "due soon" when this close
    # readiness thresholds (DOMAIN.md, "Stage 2 in practice")
    min_visits: int = 6
    min_personal_referees: int = 3
    long_acquaintance_years: int = 5
    min_couple_referees: int = 2
    nursery_from_age: int = 2  # children from this age: a school or nursery reference
    health_visitor_under_age: int = 5  # children under this age: a health visitor reference
    # visits
    min_in_person_visits: int = 0  # a count of in-person visits on top of the two below
    home_visit_in_person: bool = True  # the visit that covers the home is in person
    seen_alone_in_person: bool = True  # each applicant is seen alone in person
    home_visit_topics: tuple[str, ...] = ("home_safety",)  # visit topics that are "the home"
    midway_review_required: bool = True
    midway_review_topic: str = "midway_review"
    household_seen: bool = True  # every child (and adult) at home seen at a visit
    # referees
    max_relative_referees: int = 1  # among the personal referees counted
    family_referee: str = "warning"  # no family referee: "blocker" | "warning" | "off"
    # Stage 1: statutory checks, health, training
    adult_age: int = 18  # household members from this age have statutory checks
    applicant_checks: tuple[str, ...] = ("dbs", "local_authority")  # CheckKind values
    household_adult_checks: tuple[str, ...] = ("dbs", "local_authority")
    previous_area_months: int = 12  # lived in the area less than this: previous LA check
    overseas_min_months: int = 6  # an adult stay abroad this long or more: overseas check
    manager_considers: str = "all"  # check results the manager must consider: all | disclosed
    preparation_training: str = "blocker"  # not completed: "blocker" | "warning"
    # staleness at the panel date
    health_safety_valid_months: int = 12
    pet_assessment_valid_months: int = 12
    # the PAR
    required_signatures: tuple[str, ...] = ("assessor", "manager")  # roles in signatories
    # the medical adviser's summary is the applicants' own health information: shared in
    # the applicants' copy unless the agency keeps it confidential
    medical_summary_shared: bool = True

    @classmethod
    def from_settings(cls, settings: AppSettings) -> TimelineRules:
        return cls(
            par_to_applicants_working_days=settings.par_to_applicants_working_days,
            review_of_approval_months=settings.review_of_approval_months,
        )
