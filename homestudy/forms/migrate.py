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


def migrate_answers(answers: Iterable[ChecklistAnswer], lib: FormLibrary) -> list[ChecklistAnswer]:
    """The same answers (new objects where changed), moved to current form versions."""
    answers = list(answers)
    planned = [_target(a, lib) for a in answers]
    # answers that keep their slot win it: the store holds one answer per slot
    # (form, subject, question, row), so a moved answer must not land on another
    staying = [p for a, p in zip(answers, planned, strict=True) if _key(p) == _key(a)]
    taken = {_key(p) for p in staying}
    live = {_key(p): p.value for p in staying if not p.archived}
    out: list[ChecklistAnswer] = []
    for answer, moved in zip(answers, planned, strict=True):
        if _key(moved) == _key(answer):
            out.append(moved)
        elif _key(moved) not in taken:
            taken.add(_key(moved))
            out.append(moved)
        elif live.get(_key(moved), _MISSING) == answer.value:
            continue  # an old row migrated and saved before (the store kept both): a copy
        else:
            out.append(replace(answer, archived=True))  # keep it, read-only, where it was
    return out


_MISSING = object()


def _target(answer: ChecklistAnswer, lib: FormLibrary) -> ChecklistAnswer:
    """Where ``answer`` belongs in the current version, ignoring other answers."""
    current = lib.current_version(answer.form_id)
    if current is None or answer.archived or answer.form_version > current:
        return answer
    known = _question_ids(lib, answer.form_id)
    if answer.form_version == current:
        return answer if answer.question_id in known else replace(answer, archived=True)
    qid = answer.question_id
    for change in _history(lib, answer.form_id):
        if change.version <= answer.form_version:
            continue
        qid = dict(change.renamed).get(qid, qid)
        if qid in dict(change.removed):
            return replace(answer, archived=True)
    if qid not in known:
        return replace(answer, archived=True)
    return replace(answer, question_id=qid, form_version=current)


def _history(lib: FormLibrary, form_id: str) -> tuple[VersionChange, ...]:
    if form_id == lib.reference_guides.id:
        return lib.reference_guides.history
    return lib.get(form_id).history


def _question_ids(lib: FormLibrary, form_id: str) -> frozenset[str]:
    # memoised in the library's __dict__: a loaded library never changes
    memo: dict[str, frozenset[str]] = lib.__dict__.setdefault("_question_ids_memo", {})
    if form_id not in memo:
        memo[form_id] = _compute_ids(lib, form_id)
    return memo[form_id]


def _compute_ids(lib: FormLibrary, form_id: str) -> frozenset[str]:
    if form_id == lib.reference_guides.id:
        return frozenset(q.id for g in lib.reference_guides.guides for q in g.questions)
    return frozenset(q.id for q in lib.get(form_id).questions)
