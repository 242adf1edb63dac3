"""Version 3 (issue 10): statutory checks per person, and the breed in one place.

Checks recorded before version 3 name their person only by ``subject`` text. Each
is linked to the applicant or household member of that name (``person_id``): an
exact match of the name, else the one person whose name has every word of the
subject ("Hannah" for Hannah Whitfield; titles such as "Mr" ignored). A check that
matches nobody, or more than one person, is left unlinked, and readiness asks the
assessor whose it is. Nothing else about a check changes.

The pet form's own "breed" answer (removed in pet_assessment version 2) is moved to
the animal's record when the record has none; when both were filled in and differ,
the record keeps both ("record / form") so the assessor sees what each said and
readiness checks both against the banned list. The form answer itself stays stored.

The logic is frozen here, not imported, so the step does the same on every vault.
"""

from __future__ import annotations

import json
import re
from typing import Any

VERSION = 3

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev"})


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in re.findall(r"\w+", text.casefold()) if w not in _TITLES)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def link_subject(subject: str, people: list[tuple[str, str]]) -> str:
    """The id of the one person ``subject`` names, or ""."""
    wanted = _words(subject)
    if not wanted:
        return ""
    exact = [pid for pid, name in people if _words(name) == wanted]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return ""
    partial = [pid for pid, name in people if set(wanted) <= set(_words(name))]
    return partial[0] if len(partial) == 1 else ""


def _link_checks(data: dict[str, Any]) -> bool:
    people = [
        (a.get("id", ""), f"{a.get('first_name', '')} {a.get('last_name', '')}")
        for a in data.get("applicants", [])
    ]
    people += [(m.get("id", ""), m.get("name", "")) for m in data.get("household", [])]
    changed = False
    for check in data.get("stage1", {}).get("checks", []):
        if check.get("person_id"):
            continue
        person = link_subject(str(check.get("subject", "")), people)
        check["person_id"] = person
        changed = changed or bool(person) or "person_id" not in check
    return changed


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _merge_breeds(conn: Any, case_id: str) -> None:
    rows = conn.execute("SELECT id, data FROM animals WHERE case_id = ?", (case_id,)).fetchall()
    for animal_id, raw in rows:
        animal = json.loads(raw)
        found = conn.execute(
            "SELECT value FROM checklist_answers WHERE case_id = ? AND form_id = "
            "'pet_assessment' AND subject_id = ? AND question_id = 'breed' AND row = 0",
            (case_id, animal_id),
        ).fetchone()
        if found is None:
            continue
        form_breed = json.loads(found[0])
        if not isinstance(form_breed, str) or not form_breed.strip():
            continue
        record = str(animal.get("breed") or "").strip()
        if _compact(form_breed) in _compact(record):
            continue  # the same, or merged already
        animal["breed"] = f"{record} / {form_breed.strip()}" if record else form_breed.strip()
        conn.execute("UPDATE animals SET data = ? WHERE id = ?", (_dumps(animal), animal_id))


def migrate(conn: Any) -> None:
    for case_id, raw in conn.execute("SELECT id, data FROM cases").fetchall():
        data = json.loads(raw)
        if _link_checks(data):
            conn.execute("UPDATE cases SET data = ? WHERE id = ?", (_dumps(data), case_id))
        _merge_breeds(conn, case_id)
