"""Agency rules: every readiness and clock threshold, set per agency.

The numbers live in one frozen object, ``timeline.TimelineRules``. Its values come,
later ones winning, from:

1. the defaults (the regulations where they fix a number, else common practice);
2. the app settings (``AppSettings``: the comment period and the review of approval,
   which IT may lock centrally);
3. the agency's ``rules.yaml``, in the agency profile's form-overrides folder
   (``AgencyProfile.form_overrides``), so two agencies' cases can follow different
   rules on one laptop.

``rules.yaml`` is read as strictly as the forms: unknown keys, wrong types and
values out of range are refused with the file, line and key
(``FormDefinitionError``)::

    version: 1
    min_visits: 8
    family_referee: blocker        # blocker | warning | off
    applicant_checks: [dbs, local_authority, health]
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_type_hints

from homestudy.errors import FormDefinitionError, NotFoundError
from homestudy.forms.library import AGENCY_RULES_FILE
from homestudy.forms.nodes import Obj, compose_file
from homestudy.model import Case, CheckKind
from homestudy.settings import AppSettings
from homestudy.timeline import TimelineRules

if TYPE_CHECKING:
    from homestudy.forms import FormLibrary

RULES_FILE = AGENCY_RULES_FILE  # beside the form overrides
RULES_FORMAT_VERSION = 1

#: Settings that take one of a few words.
CHOICES: dict[str, tuple[str, ...]] = {
    "family_referee": ("blocker", "warning", "off"),
    "preparation_training": ("blocker", "warning"),
    "manager_considers": ("all", "disclosed"),
}
#: List settings whose entries must be statutory check kinds.
CHECK_LISTS = ("applicant_checks", "household_adult_checks")
#: Whole-number settings that must be at least 1 (the rest may be 0).
AT_LEAST_ONE = frozenset(
    {"stage1_months", "stage1_max_months", "stage2_months", "min_personal_referees", "adult_age"}
)


def _field_types() -> dict[str, Any]:
    hints = get_type_hints(TimelineRules)
    return {f.name: hints[f.name] for f in dataclasses.fields(TimelineRules)}


def parse_rules(path: Path) -> dict[str, Any]:
    """The values ``path`` sets, checked; raises ``FormDefinitionError`` naming the line."""
    try:
        node, ctx = compose_file(path)
    except FormDefinitionError as exc:  # it names only the file's name: give the path
        raise FormDefinitionError(_bare(exc), file=str(path), line=exc.line, key=exc.key) from None
    ctx.file = str(path)
    types = _field_types()
    obj = Obj(node, ctx, "", frozenset(types) | {"version"})
    version = obj.int("version", required=True, minimum=1)
    if version > RULES_FORMAT_VERSION:
        raise ctx.error(
            f"version {version} is newer than this HomeStudy knows "
            f"({RULES_FORMAT_VERSION}); update HomeStudy",
            obj.node_of("version"),
            "version",
        )
    return {name: _read(obj, name, types[name]) for name in obj.items if name != "version"}


def _bare(exc: FormDefinitionError) -> str:
    """The error's own words, without the "file:line: [key] " it starts with."""
    text = exc.message
    where = ":".join(str(p) for p in (exc.file, exc.line) if p is not None)
    if where and text.startswith(where + ": "):
        text = text[len(where) + 2 :]
    if exc.key and text.startswith(f"[{exc.key}] "):
        text = text[len(exc.key) + 3 :]
    return text


def _read(obj: Obj, name: str, kind: Any) -> Any:
    ctx, node = obj.ctx, obj.node_of(name)
    if kind is bool:
        return obj.bool(name)
    if kind is int:
        return obj.int(name, required=True, minimum=1 if name in AT_LEAST_ONE else 0)
    if kind is str:
        value = obj.str(name, required=name in CHOICES)
        if name in CHOICES and value not in CHOICES[name]:
            raise ctx.error(f"'{value}' is not one of {', '.join(CHOICES[name])}", node, name)
        if name not in CHOICES and value:
            return obj.ident(name)
        return value
    # tuple[str, ...]
    values = obj.str_list(name, ident=True)
    if name in CHECK_LISTS:
        known = {k.value for k in CheckKind}
        for value in values:
            if value not in known:
                raise ctx.error(
                    f"'{value}' is not a kind of check (one of {', '.join(sorted(known))})",
                    node,
                    name,
                )
    return values


@lru_cache(maxsize=32)
def _cached(path: Path, _stamp: tuple[int, int]) -> tuple[tuple[str, Any], ...]:
    return tuple(parse_rules(path).items())


def rules_file_values(folder: Path | None) -> dict[str, Any]:
    """What the agency folder's ``rules.yaml`` sets ({} when there is none); re-read
    when the file changes."""
    if folder is None:
        return {}
    path = folder / RULES_FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    except OSError:
        raise FormDefinitionError("cannot read the agency rules file", file=str(path)) from None
    return dict(_cached(path, (stat.st_mtime_ns, stat.st_size)))


def agency_rules(settings: AppSettings, overrides_dir: Path | None = None) -> TimelineRules:
    """Defaults, then the app settings, then the agency's ``rules.yaml``."""
    base = TimelineRules.from_settings(settings)
    values = rules_file_values(overrides_dir)
    return dataclasses.replace(base, **values) if values else base


def overrides_dir_for_case(vault: Any, case: Case) -> Path | None:
    """The form-overrides folder of the agency the case belongs to (None: no agency,
    or an agency with no overrides). Runs where the vault may be used."""
    if not case.agency_profile_id:
        return None
    from homestudy.forms import agency_overrides_dir
    from homestudy.sync.outbox import profile

    try:
        state = profile(vault, case.agency_profile_id)
    except NotFoundError:
        return None
    return agency_overrides_dir(state.profile.form_overrides)


def rules_for_case(vault: Any, case: Case, settings: AppSettings) -> TimelineRules:
    return agency_rules(settings, overrides_dir_for_case(vault, case))


def forms_for_case(vault: Any, case: Case) -> FormLibrary:
    """The standard forms with the case's agency's own additions."""
    from homestudy.forms import load_library

    folder = overrides_dir_for_case(vault, case)
    return load_library(folder if folder is not None and folder.is_dir() else None)
