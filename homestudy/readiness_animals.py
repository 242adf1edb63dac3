"""Readiness rules for the animals of the household.

The breed or type lives in one place, the animal's record (``Animal.breed``), and is
matched against the pet form's configurable banned list whatever the word order,
spacing, punctuation or case. The Dangerous Dogs Act goes by a dog's type, not the
name its owners give it, so every dog's assessment asks the worker to judge its type
by its appearance; either way a possible prohibited type blocks. A bite or aggression
history blocks until a risk assessment is recorded and signed off by the manager.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from homestudy.forms import banned_breeds, completeness, list_match
from homestudy.forms.completeness import parse_due
from homestudy.model import Animal, ChecklistAnswer
from homestudy.readiness_checks import answer_date, out_of_date, panel_words
from homestudy.readiness_findings import Finding, FixAt, Severity
from homestudy.readiness_rules import Context, count
from homestudy.textutil import format_date

BLOCKER, WARNING = Severity.BLOCKER, Severity.WARNING

PET_ASSESSMENT = "pet_assessment"
JUDGE_TYPE = (
    "The law goes by the dog's type (how it looks and is built), not the name its owners "
    "give: judge its type and appearance in the dog assessment, and discuss it with your "
    "manager."
)
#: Risk ratings that need the manager's sign-off (a bite history always does).
_SIGN_OFF_RATINGS = {"medium", "high"}


def _label(ctx: Context, index: int, animal: Animal) -> str:
    kind = f" (a {animal.species.strip().lower()})" if animal.species.strip() else ""
    return f"Animal {index} of {len(ctx.case.animals)}{kind}"


def _values(answers: list[ChecklistAnswer]) -> dict[str, object]:
    return {a.question_id: a.value for a in answers if a.row == 0 and not a.archived}


def _answer(value: object) -> str:
    return str(value.get("answer") or "") if isinstance(value, dict) else str(value or "")


def _is_dog(text: str) -> bool:
    return "dog" in re.findall(r"[a-z]+", text.casefold())


def pets(ctx: Context) -> Iterator[Finding]:
    if not ctx.case.animals:
        return
    form = ctx.library.get(PET_ASSESSMENT)
    banned = banned_breeds(ctx.library)
    for n, animal in enumerate(ctx.case.animals, start=1):
        label = _label(ctx, n, animal)
        in_text = f"{label[0].lower()}{label[1:]}"
        at = f"{PET_ASSESSMENT}/{animal.id}"
        answers = ctx.answers_for(PET_ASSESSMENT, animal.id)
        values = _values(answers)
        match = list_match(animal.breed, banned)
        if match:
            yield Finding(
                BLOCKER,
                "banned_breed",
                f"{label} is recorded as a type the agency lists as banned (\u201c{match}\u201d). "
                f"A banned type in the home blocks approval. {JUDGE_TYPE}",
                FixAt("checklists", animal.id),
            )
        if _answer(values.get("dog_type_judgement")) == "yes":
            yield Finding(
                BLOCKER,
                "banned_type_suspected",
                f"The dog assessment for {in_text} records that the dog may be of a "
                "prohibited type by its appearance. This blocks approval until your manager "
                "has resolved it.",
                FixAt("checklists", f"{at}/dog_type_judgement"),
            )
        if not answers:
            yield Finding(
                BLOCKER,
                "pet_assessment_missing",
                f"{label} has no pet assessment yet.",
                FixAt("checklists", animal.id),
            )
            continue
        species = str(values.get("species") or "")
        if species and _is_dog(animal.species) != (species == "dog"):
            yield Finding(
                BLOCKER,
                "animal_species_differs",
                f"The pet assessment for {in_text} gives a different species from the "
                "animal's record, so the dog assessment may be missing. Correct one of them.",
                FixAt("checklists", f"{at}/species"),
            )
        yield from _risk(ctx, in_text, at, values)
        result = completeness(form, answers, animal.id)
        if result.missing_required:
            n_missing = len(result.missing_required)
            yield Finding(
                BLOCKER,
                "pet_assessment_incomplete",
                f"The pet assessment for {in_text} has "
                f"{count(n_missing, 'required question', 'required questions')} unanswered.",
                FixAt("checklists", f"{at}/{result.missing_required[0]}"),
            )
        for action in result.open_actions:
            yield Finding(
                WARNING,
                "pet_action_open",
                f"An action from the pet assessment for {in_text} is still open: "
                f"\u201c{action.label}\u201d.",
                FixAt("checklists", f"{at}/{action.question_id}"),
            )
        assessed = answer_date(ctx, PET_ASSESSMENT, "assessed_on", animal.id)
        if assessed is not None and assessed > ctx.today:
            yield Finding(
                BLOCKER,
                "pet_assessment_date_future",
                f"The pet assessment for {in_text} is dated {format_date(assessed)}, a date "
                "still to come: an assessment not yet done does not count. Record the date "
                "it was done.",
                FixAt("checklists", f"{at}/assessed_on"),
            )
        months = ctx.rules.pet_assessment_valid_months
        expires = out_of_date(ctx, assessed, months)
        if assessed is not None and expires is not None:
            yield Finding(
                BLOCKER,
                "pet_assessment_out_of_date",
                f"The pet assessment for {in_text} was done on {format_date(assessed)} and "
                f"runs out on {format_date(expires)}, before {panel_words(ctx)}: the agency "
                f"asks for one done within {months} months.",
                FixAt("checklists", f"{at}/assessed_on"),
            )


def _risk(ctx: Context, in_text: str, at: str, values: dict[str, object]) -> Iterator[Finding]:
    """A bite or aggression history, or a medium or high risk rating, needs a written
    risk assessment signed off by the manager."""
    bitten = _answer(values.get("bite_history")) == "yes"
    rating = str(values.get("risk_rating") or "")
    if not bitten and rating not in _SIGN_OFF_RATINGS:
        return
    written = bool(str(values.get("risk_assessment") or "").strip())
    by = bool(str(values.get("manager_sign_off_by") or "").strip())
    on = parse_due(values.get("manager_sign_off_on"))
    if written and by and on is not None and on <= ctx.today:
        return
    missing = [
        part
        for part, ok in (
            ("a risk assessment", written),
            ("the manager's sign-off (name and date)", by and on is not None and on <= ctx.today),
        )
        if not ok
    ]
    why = "has bitten or shown aggression" if bitten else f"is rated {rating} risk"
    yield Finding(
        BLOCKER,
        "animal_bite_history" if bitten else "animal_risk_not_signed_off",
        f"The pet assessment for {in_text} records that the animal {why}; it needs "
        f"{' and '.join(missing)} before panel.",
        FixAt("checklists", f"{at}/{'risk_assessment' if not written else 'manager_sign_off_by'}"),
    )
