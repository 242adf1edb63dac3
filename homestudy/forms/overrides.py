"""An agency's own additions to the standard forms, from a folder of YAML files.

Each file in the folder is either a whole new form (any kind but ``par``,
``visit_plan`` and ``guides``), or ``kind: override`` with ``extends: <form id>`` and
any of:

- ``add_groups``: groups to add to a form (each may say ``after: <group id>``);
- ``add_questions``: ``[{group, after?, questions}]`` — questions added to a group;
- ``add_sections``: PAR sections (each may say ``after: <section id>``);
- ``add_fields``: ``[{section, questions}]`` — fields added to a PAR section;
- ``add_topics`` / ``add_visits``: visit-plan topics and visits (``after:`` allowed);
- ``lists``: named lists that replace the form's (e.g. ``banned_breeds``).

Additions keep the base form's id and version, so answers stay where they are; an
added id that clashes with an existing one is an error, as is an ``after`` or
``group`` that names nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import yaml

from homestudy.forms.nodes import Context, Obj, Ref, compose_file
from homestudy.forms.schema import (
    Definition,
    _unique_questions,
    check_form_refs,
    parse_definition,
    parse_group,
    parse_lists,
    parse_questions,
    parse_section,
    parse_topic,
    parse_visit,
    read_kind,
    top_keys,
    value_node,
)
from homestudy.forms.types import (
    FormDefinition,
    Group,
    GuideSet,
    ParDefinition,
    Question,
    VisitPlan,
)

T = TypeVar("T")


def apply_overrides(
    defs: dict[str, Definition], files: list[Path]
) -> tuple[dict[str, Definition], list[Ref]]:
    out = dict(defs)
    refs: list[Ref] = []
    for path in files:
        node, ctx = compose_file(path)
        if read_kind(node, ctx) != "override":
            definition = parse_definition(node, ctx)
            if definition.id in out or not isinstance(definition, FormDefinition):
                raise ctx.error(
                    f"an agency may add new forms, not replace '{definition.id}'",
                    value_node(node, "id"),
                    "id",
                )
            out[definition.id] = definition
        else:
            obj = Obj(
                node, ctx, "", frozenset({"id", "kind", "version", "title"}) | top_keys("override")
            )
            obj.ident("id")
            obj.int("version", required=True, minimum=1)
            obj.str("title", required=True)
            target = obj.ident("extends")
            if target not in out:
                raise ctx.error(
                    f"extends '{target}', which is not a form", obj.node_of("extends"), "extends"
                )
            out[target] = _extend(out[target], obj, ctx)
        refs.extend(ctx.refs)
    return out, refs


def _extend(base: Definition, obj: Obj, ctx: Context) -> Definition:
    allowed = {
        FormDefinition: {"add_groups", "add_questions", "lists"},
        ParDefinition: {"add_sections", "add_fields"},
        VisitPlan: {"add_topics", "add_visits"},
        GuideSet: set(),
    }[type(base)]
    for key in obj.items:
        if (key.startswith("add_") or key == "lists") and key not in allowed:
            raise ctx.error(
                f"'{key}' cannot be used on the form '{base.id}'", obj.node_of(key), key
            )
    if isinstance(base, FormDefinition):
        return _extend_form(base, obj, ctx)
    if isinstance(base, ParDefinition):
        return _extend_par(base, obj, ctx)
    if isinstance(base, VisitPlan):
        return _extend_plan(base, obj, ctx)
    return base


def _insert(
    items: tuple[T, ...],
    new: T,
    after: str,
    ids: list[str],
    ctx: Context,
    node: yaml.Node | None,
    key: str,
) -> tuple[T, ...]:
    if not after:
        return (*items, new)
    if after not in ids:
        raise ctx.error(f"after '{after}', which is not there", node, key)
    i = ids.index(after) + 1
    return (*items[:i], new, *items[i:])


def _after(n: yaml.Node, ctx: Context, key: str) -> str:
    if isinstance(n, yaml.MappingNode):
        for k, v in n.value:
            if k.value == "after":
                return Obj(
                    yaml.MappingNode("tag:yaml.org,2002:map", [(k, v)]),
                    ctx,
                    key,
                    frozenset({"after"}),
                ).ident("after")
    return ""


def _extend_form(form: FormDefinition, obj: Obj, ctx: Context) -> FormDefinition:
    groups = form.groups
    for i, n in enumerate(obj.seq("add_groups")):
        key = f"add_groups[{i}]"
        group = parse_group(n, ctx, key, allow_after=True)
        if group.id in [g.id for g in groups]:
            raise ctx.error(f"duplicate group id '{group.id}'", n, key)
        groups = _insert(
            groups, group, _after(n, ctx, key), [g.id for g in groups], ctx, n, f"{key}.after"
        )
    for i, n in enumerate(obj.seq("add_questions")):
        aobj = Obj(n, ctx, f"add_questions[{i}]", frozenset({"group", "after", "questions"}))
        gid = aobj.ident("group")
        if gid not in [g.id for g in groups]:
            raise ctx.error(
                f"names the group '{gid}', which is not in '{form.id}'",
                aobj.node_of("group"),
                aobj.key("group"),
            )
        after = aobj.ident("after", required=False)
        new_qs = parse_questions(aobj, "questions", ctx)
        groups = tuple(
            _add_to_group(g, new_qs, after, ctx, aobj) if g.id == gid else g for g in groups
        )
    lists = dict(form.lists)
    if obj.has("lists"):
        lists.update(parse_lists(obj))
    extended = replace(form, groups=groups, lists=MappingProxyType(lists))
    _unique_questions(extended.questions, obj.node, ctx, "add_questions")
    check_form_refs(extended, obj.node, ctx, history=False)
    return extended


def _add_to_group(
    group: Group, new_qs: tuple[Question, ...], after: str, ctx: Context, aobj: Obj
) -> Group:
    qs = group.questions
    for q in new_qs:
        qs = _insert(
            qs, q, after, [x.id for x in qs], ctx, aobj.node_of("after"), aobj.key("after")
        )
        after = q.id if after else ""
    return replace(group, questions=qs)


def _extend_par(par: ParDefinition, obj: Obj, ctx: Context) -> ParDefinition:
    sections = par.sections
    for i, n in enumerate(obj.seq("add_sections")):
        key = f"add_sections[{i}]"
        section = parse_section(n, ctx, key, allow_after=True)
        if section.id in [s.id for s in sections]:
            raise ctx.error(f"duplicate section id '{section.id}'", n, key)
        sections = _insert(
            sections, section, _after(n, ctx, key), [s.id for s in sections], ctx, n, f"{key}.after"
        )
    for i, n in enumerate(obj.seq("add_fields")):
        aobj = Obj(n, ctx, f"add_fields[{i}]", frozenset({"section", "questions"}))
        sid = aobj.ident("section")
        if sid not in [s.id for s in sections]:
            raise ctx.error(
                f"names the PAR section '{sid}', which does not exist",
                aobj.node_of("section"),
                aobj.key("section"),
            )
        new_qs = parse_questions(aobj, "questions", ctx)
        sections = tuple(
            replace(s, fields=(*s.fields, *new_qs)) if s.id == sid else s for s in sections
        )
    extended = replace(par, sections=sections)
    _unique_questions(extended.form.questions, obj.node, ctx, "add_fields")
    return extended


def _extend_plan(plan: VisitPlan, obj: Obj, ctx: Context) -> VisitPlan:
    topics = plan.topics
    for i, n in enumerate(obj.seq("add_topics")):
        topic = parse_topic(n, ctx, f"add_topics[{i}]")
        if topic.id in [t.id for t in topics]:
            raise ctx.error(f"duplicate topic id '{topic.id}'", n, f"add_topics[{i}]")
        topics = (*topics, topic)
    visits = plan.visits
    for i, n in enumerate(obj.seq("add_visits")):
        key = f"add_visits[{i}]"
        visit = parse_visit(n, ctx, key)
        if visit.id in [v.id for v in visits]:
            raise ctx.error(f"duplicate visit id '{visit.id}'", n, key)
        for t in visit.topics:
            if t not in [x.id for x in topics]:
                raise ctx.error(
                    f"visit '{visit.id}' names topic '{t}', which is not defined",
                    n,
                    f"{key}.topics",
                )
        visits = _insert(
            visits, visit, _after(n, ctx, key), [v.id for v in visits], ctx, n, f"{key}.after"
        )
    return replace(plan, topics=topics, visits=visits)
