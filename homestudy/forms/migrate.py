"""Moving answers to the current version of their form. Never loses an answer.

For an answer to an older version, each later version's ``history`` entry is
applied in turn: a renamed question moves the answer to the new id; a removed one
keeps the answer under its old id with ``archived=True`` (shown read-only). An
answer whose question the form no longer has, with no declaration, is archived
too. Answers to a newer version than we know, or to a form we do not know, are
kept exactly as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from homestudy.model import ChecklistAnswer

if TYPE_CHECKING:
    from homestudy.forms.library import FormLibrary
    from homestudy.forms.types import VersionChange


def _key(a: ChecklistAnswer) -> tuple[str, str, str, int]:
    return (a.form_id, a.subject_id, a.question_id, a.row)


def migrate_answers(answers: Iterable[ChecklistAnswer], lib: FormLibrary
                    ) -> list[ChecklistAnswer]:
    """The same answers (new objects where changed), moved to current form versions."""
    answers = list(answers)
    out: list[ChecklistAnswer] = []
    # answers already at the current version win a clash with a migrated one
    current = {_key(a): a.value for a in answers
               if not a.archived and a.form_version == lib.current_version(a.form_id)}
    taken = set(current)
    for answer in answers:
        migrated = _migrate_one(answer, lib, taken)
        if migrated is not answer and migrated.archived and _is_copy(answer, lib, current):
            continue  # an old row already migrated and saved (the store keeps both): drop it
        if not migrated.archived and migrated is not answer:
            taken.add(_key(migrated))
        out.append(migrated)
    return out


def _is_copy(answer: ChecklistAnswer, lib: FormLibrary, current: dict[tuple[str, str, str, int],
             object]) -> bool:
    """True if ``answer`` migrates onto a current answer with the very same value."""
    moved = _migrate_one(answer, lib, set())
    key = _key(moved)
    return not moved.archived and key in current and current[key] == answer.value


def _migrate_one(answer: ChecklistAnswer, lib: FormLibrary,
                 taken: set[tuple[str, str, str, int]]) -> ChecklistAnswer:
    current = lib.current_version(answer.form_id)
    if current is None or answer.archived or answer.form_version > current:
        return answer
    known = _question_ids(lib, answer.form_id)
    if answer.form_version == current:
        if answer.question_id in known:
            return answer
        return replace(answer, archived=True)
    qid = answer.question_id
    for change in _history(lib, answer.form_id):
        if change.version <= answer.form_version:
            continue
        qid = dict(change.renamed).get(qid, qid)
        if qid in dict(change.removed):
            return replace(answer, archived=True)
    moved = replace(answer, question_id=qid, form_version=current)
    if qid not in known or _key(moved) in taken:
        # keep it under its old id, read-only, rather than overwrite a newer answer
        return replace(answer, archived=True)
    return moved


def _history(lib: FormLibrary, form_id: str) -> tuple[VersionChange, ...]:
    if form_id == lib.reference_guides.id:
        return lib.reference_guides.history
    return lib.get(form_id).history


def _question_ids(lib: FormLibrary, form_id: str) -> set[str]:
    if form_id == lib.reference_guides.id:
        return {q.id for g in lib.reference_guides.guides for q in g.questions}
    return {q.id for q in lib.get(form_id).questions}
