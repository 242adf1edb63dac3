"""The form library: every definition in ``homestudy/data/forms/``, checked against each other.

``load_library()`` reads each ``*.yaml`` in the forms folder (and an agency's
overrides folder, if given), validates each file against the schema, then checks
every reference between files: a visit naming a topic, a topic naming a PAR
section, a PAR section naming a topic or a kind of referee. It is cached per
folder pair, as the definitions do not change while the app runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import platformdirs

from homestudy.errors import FormDefinitionError
from homestudy.forms.nodes import Ref, compose_file
from homestudy.forms.overrides import apply_overrides
from homestudy.forms.schema import Definition, parse_definition
from homestudy.forms.types import FormDefinition, GuideSet, ParDefinition, VisitPlan
from homestudy.model import ReferenceKind

PAR_ID = "par_england"
VISIT_PLAN_ID = "visit_plan"
REFERENCE_GUIDES_ID = "reference_interview"
REQUIRED_IDS = (PAR_ID, VISIT_PLAN_ID, REFERENCE_GUIDES_ID)


def forms_dir() -> Path:
    """The shipped form definitions (package data; see ``homestudy.resources``)."""
    from homestudy.resources import forms_path

    return forms_path()


def agency_overrides_dir(name: str, root: Path | None = None) -> Path | None:
    """The overrides folder an ``AgencyProfile.form_overrides`` value names, or None."""
    if not name:
        return None
    given = Path(name).expanduser()
    if given.is_absolute():
        return given
    if root is None:
        env = os.environ.get("HOMESTUDY_FORM_OVERRIDES")
        root = (
            Path(env)
            if env
            else Path(platformdirs.user_data_dir("HomeStudy", "HomeStudy")) / "form_overrides"
        )
    return root / name


@dataclass(frozen=True)
class FormLibrary:
    par: ParDefinition
    visit_plan: VisitPlan
    reference_guides: GuideSet
    forms: Mapping[str, FormDefinition]  # question forms by id (the PAR's as well)

    def get(self, form_id: str) -> FormDefinition:
        try:
            return self.forms[form_id]
        except KeyError:
            if form_id in (VISIT_PLAN_ID, REFERENCE_GUIDES_ID):
                hint = (
                    " (use .visit_plan)"
                    if form_id == VISIT_PLAN_ID
                    else " (use .reference_guide(kind))"
                )
                raise KeyError(f"{form_id} has no questions of its own{hint}") from None
            raise

    def reference_guide(self, kind: ReferenceKind | str) -> FormDefinition:
        return self.reference_guides.guide(str(kind))

    @property
    def form_ids(self) -> tuple[str, ...]:
        return (*self.forms, VISIT_PLAN_ID, REFERENCE_GUIDES_ID)

    def current_version(self, form_id: str) -> int | None:
        if form_id == REFERENCE_GUIDES_ID:
            return self.reference_guides.version
        form = self.forms.get(form_id)
        return form.version if form else None


def load_library(overrides_dir: Path | None = None, *, base_dir: Path | None = None) -> FormLibrary:
    """Load and check every form (cached). ``overrides_dir``: an agency's additions."""
    base = (base_dir or forms_dir()).resolve()
    extra = overrides_dir.resolve() if overrides_dir is not None else None
    return _load_cached(base, extra)


@lru_cache(maxsize=16)
def _load_cached(base: Path, extra: Path | None) -> FormLibrary:
    return build_library(_yaml_files(base), _yaml_files(extra) if extra else [])


load_library.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]


#: An agency's readiness rules sit beside its form overrides (homestudy.readiness_settings).
AGENCY_RULES_FILE = "rules.yaml"


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise FormDefinitionError("the forms folder is missing", file=str(folder))
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and p.is_file() and p.name != AGENCY_RULES_FILE
    )


def build_library(files: Iterable[Path], override_files: Iterable[Path] = ()) -> FormLibrary:
    defs: dict[str, Definition] = {}
    refs: list[Ref] = []
    origin: dict[str, str] = {}
    for path in files:
        node, ctx = compose_file(path)
        definition = parse_definition(node, ctx)
        if definition.id in defs:
            raise FormDefinitionError(
                f"form id '{definition.id}' is already defined in {origin[definition.id]}",
                file=ctx.file,
                line=node.start_mark.line + 1,
                key="id",
            )
        defs[definition.id], origin[definition.id] = definition, ctx.file
        refs.extend(ctx.refs)
    for form_id in REQUIRED_IDS:
        if form_id not in defs:
            raise FormDefinitionError(f"no file defines the form '{form_id}'")
    defs, more_refs = apply_overrides(defs, list(override_files))
    refs.extend(more_refs)
    par, plan, guides = defs[PAR_ID], defs[VISIT_PLAN_ID], defs[REFERENCE_GUIDES_ID]
    _expect(par, ParDefinition, origin, PAR_ID)
    _expect(plan, VisitPlan, origin, VISIT_PLAN_ID)
    _expect(guides, GuideSet, origin, REFERENCE_GUIDES_ID)
    assert isinstance(par, ParDefinition)
    assert isinstance(plan, VisitPlan)
    assert isinstance(guides, GuideSet)
    _check_refs(refs, defs)
    forms = {PAR_ID: par.form}
    forms.update({k: v for k, v in defs.items() if isinstance(v, FormDefinition)})
    return FormLibrary(par, plan, guides, MappingProxyType(forms))


def _expect(definition: Definition, cls: type, origin: dict[str, str], form_id: str) -> None:
    if not isinstance(definition, cls):
        raise FormDefinitionError(
            f"'{form_id}' must be of a different kind", file=origin.get(form_id), key="kind"
        )


def _check_refs(refs: list[Ref], defs: dict[str, Definition]) -> None:
    par, plan, guides = defs[PAR_ID], defs[VISIT_PLAN_ID], defs[REFERENCE_GUIDES_ID]
    assert isinstance(par, ParDefinition)
    assert isinstance(plan, VisitPlan)
    assert isinstance(guides, GuideSet)
    known = {
        "par_section": set(par.section_ids),
        "topic": {t.id for t in plan.topics},
        "reference_kind": {k.value for k in ReferenceKind},
        "form": set(defs) - {VISIT_PLAN_ID},
    }
    what = {
        "par_section": "PAR section",
        "topic": "visit topic",
        "reference_kind": "kind of referee",
        "form": "form",
    }
    for ref in refs:
        if ref.target not in known[ref.kind]:
            raise FormDefinitionError(
                f"names the {what[ref.kind]} '{ref.target}', which does not exist",
                file=ref.file,
                line=ref.line,
                key=ref.key,
            )
    missing = sorted(known["reference_kind"] - {g.variant for g in guides.guides})
    if missing:
        raise FormDefinitionError(
            f"no interview guide for the kind(s) of referee: {', '.join(missing)}",
            file=guides.source,
            key="guides",
        )
