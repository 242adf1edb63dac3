"""Version 3: people are found by name (issue 12): the names of the applicants (and
their previous names), the household, significant others and referees are added to
the search index of every case already in the vault. No table changes."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from homestudy.vault import search

VERSION = 4


def migrate(conn: Any) -> None:
    for case_id, data in conn.execute("SELECT id, data FROM cases").fetchall():
        core = json.loads(data)
        for person in core.get("applicants", []):
            record = SimpleNamespace(
                full_name=f"{person.get('first_name', '')} {person.get('last_name', '')}".strip(),
                previous_names=list(person.get("previous_names") or []),
            )
            search.index(
                conn, case_id, "applicant", person["id"], search.people_fields("applicant", record)
            )
        for kind, key, text in (
            ("household_member", "household", "notes"),
            ("significant_other", "significant_others", "notes"),
        ):
            for person in core.get(key, []):
                fields = {text: person.get(text, ""), "name": person.get("name", "")}
                search.index(conn, case_id, kind, person["id"], fields)
    for case_id, ref_id, data in conn.execute(
        "SELECT case_id, id, data FROM case_references"
    ).fetchall():
        ref = json.loads(data)
        search.index(
            conn,
            case_id,
            "reference",
            ref_id,
            {
                "notes": ref.get("notes", ""),
                "not_contacted_reason": ref.get("not_contacted_reason", ""),
                "referee_name": ref.get("referee_name", ""),
            },
        )
