"""The one schema every form file follows, read from YAML nodes into dataclasses.

Top level of every file: ``id``, ``kind`` (``par`` | ``visit_plan`` | ``form`` |
``guides`` | ``override``), ``version`` (>= 1), ``title``, and ``history`` (a list of
``{version, renamed: {old: new}, removed: {id: label}}``). Then, by kind:

- ``form``: ``groups`` (each ``id, title, help, show_when: {question, in: [...]},
  questions``), ``per_subject``, ``description``, ``lists`` (named lists of words).
- ``par``: ``sections`` (``id, title, part, guidance, feeds_from: {topics,
  reference_kinds}, confidential, required, needs_analysis, written_by_applicants,
  fields, image``), optional ``front_sheet`` (``title``, ``items``: each ``source``, ``label``,
  ``field: section/field``, ``section``, ``text``) and ``parts`` (each ``id`` = a part key
  or ``confidential``, ``title``, ``number``, ``running_mark``).
- ``visit_plan``: ``topics`` (``id, title, par_sections, prompts, forms``) and ``visits``
  (``id, title, attendance, topics``).
- ``guides``: ``guides`` (``id`` = a ReferenceKind value, ``title``, ``groups``).
- ``override`` (agency folders only): see ``overrides.py``.

A question: ``id, type, label, help, required, choices ({id, label} or a word),
columns (table), action_when, min, max, min_rows, not_in_list, list_message``.
"""

from __future__ import annotations

from types import MappingProxyType

import yaml

from homestudy.forms.nodes import Context, Obj, check_ident, scalar_text
from homestudy.forms.types import (
    ATTENDANCE,
    COLUMN_TYPES,
    CONFIDENTIAL_PART,
    FRONT_SHEET_SOURCES,
    IMAGE_SLOTS,
    PARTS,
    YES_NO_NA_VALUES,
    Choice,
    Condition,
    FormDefinition,
    FrontSheet,
    FrontSheetItem,
    Group,
    GuideSet,
    ParDefinition,
    ParSection,
    PartInfo,
    Question,
    QuestionType,
    Topic,
    VersionChange,
    VisitPlan,
    VisitTemplate,
)

KINDS = ("par", "visit_plan", "form", "guides", "override")
_HEAD = frozenset({"id", "kind", "version", "title", "history"})
_QUESTION_KEYS = frozenset(
    {
        "id",
        "type",
        "label",
        "help",
        "required",
        "choices",
        "columns",
        "action_when",
        "min",
        "max",
        "min_rows",
        "not_in_list",
        "list_message",
    }
)
_GROUP_KEYS = frozenset({"id", "title", "help", "show_when", "questions", "after"})
_SECTION_KEYS = frozenset(
    {
        "id",
        "title",
        "part",
        "guidance",
        "feeds_from",
        "confidential",
        "required",
        "needs_analysis",
        "written_by_applicants",
        "fields",
        "after",
        "image",
    }
)

Definition = FormDefinition | ParDefinition | VisitPlan | GuideSet


def value_node(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value node under ``key`` of a mapping node, read leniently (no checks)."""
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        for k, v in pairs:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def read_kind(node: yaml.Node, ctx: Context) -> str:
    """The file's ``kind``, read before the keys are checked (they depend on it)."""
    if not isinstance(node, yaml.MappingNode):
        raise ctx.error("expected a mapping of keys to values", node, "")
    kind_node = value_node(node, "kind")
    if kind_node is None:
        raise ctx.error("missing required key 'kind'", node, "kind")
    kind = scalar_text(kind_node, ctx, "kind")
    if kind not in KINDS:
        raise ctx.error(f"unknown kind '{kind}' (one of {', '.join(KINDS)})", kind_node, "kind")
    return kind


def top_keys(kind: str) -> frozenset[str]:
    return {
        "form": frozenset({"groups", "per_subject", "description", "lists"}),
        "par": frozenset({"sections", "front_sheet", "parts"}),
        "visit_plan": frozenset({"topics", "visits"}),
        "guides": frozenset({"guides", "per_subject", "description"}),
        "override": frozenset(
            {
                "extends",
                "add_groups",
                "add_questions",
                "add_sections",
                "add_fields",
                "add_topics",
                "add_visits",
                "lists",
                "description",
            }
        ),
    }[kind]


def parse_definition(node: yaml.Node, ctx: Context) -> Definition:
    kind = read_kind(node, ctx)
    if kind == "override":
        raise ctx.error("an override belongs in an agency's overrides folder", node, "kind")
    obj = Obj(node, ctx, "", _HEAD | top_keys(kind))
    form_id = obj.ident("id")
    version = obj.int("version", required=True, minimum=1)
    title = obj.str("title", required=True)
    history = parse_history(obj, version)
    if kind == "par":
        sections = tuple(
            parse_section(n, ctx, f"sections[{i}]")
            for i, n in enumerate(obj.seq("sections", required=True))
        )
        _unique(
            [(s.id, obj.seq("sections")[i]) for i, s in enumerate(sections)],
            ctx,
            "sections",
            "section",
        )
        _unique_questions(
            [f for s in sections for f in s.fields], obj.node_of("sections"), ctx, "sections"
        )
        par = ParDefinition(
            form_id,
            version,
            title,
            sections,
            history,
            ctx.file,
            parse_front_sheet(obj, ctx, sections),
            parse_parts(obj, ctx),
        )
        check_form_refs(par.form, node, ctx)
        return par
    if kind == "visit_plan":
        topic_nodes = obj.seq("topics", required=True)
        topics = tuple(parse_topic(n, ctx, f"topics[{i}]") for i, n in enumerate(topic_nodes))
        _unique([(t.id, topic_nodes[i]) for i, t in enumerate(topics)], ctx, "topics", "topic")
        visit_nodes = obj.seq("visits", required=True)
        visits = tuple(parse_visit(n, ctx, f"visits[{i}]") for i, n in enumerate(visit_nodes))
        _unique([(v.id, visit_nodes[i]) for i, v in enumerate(visits)], ctx, "visits", "visit")
        known = {t.id for t in topics}
        for i, v in enumerate(visits):
            vobj = visit_nodes[i]
            for t in v.topics:
                if t not in known:
                    raise ctx.error(
                        f"visit '{v.id}' names topic '{t}', which is not defined",
                        vobj,
                        f"visits[{i}].topics",
                    )
        return VisitPlan(form_id, version, title, visits, topics, ctx.file)
    per_subject = obj.bool("per_subject")
    description = obj.str("description")
    if kind == "guides":
        guides = []
        guide_nodes = obj.seq("guides", required=True)
        for i, gnode in enumerate(guide_nodes):
            gobj = Obj(gnode, ctx, f"guides[{i}]", frozenset({"id", "title", "groups"}))
            variant = gobj.ident("id")
            ctx.ref("reference_kind", variant, gobj.node_of("id") or gnode, gobj.key("id"))
            groups = parse_groups(gobj, ctx)
            guides.append(
                FormDefinition(
                    form_id,
                    version,
                    gobj.str("title", required=True),
                    groups,
                    description,
                    per_subject=True,
                    variant=variant,
                    history=history,
                    source=ctx.file,
                )
            )
            check_form_refs(guides[-1], gnode, ctx, history=False)
        _unique([(g.variant, guide_nodes[i]) for i, g in enumerate(guides)], ctx, "guides", "guide")
        return GuideSet(form_id, version, title, tuple(guides), history, ctx.file)
    lists = parse_lists(obj)
    groups = parse_groups(obj, ctx)
    form = FormDefinition(
        form_id,
        version,
        title,
        groups,
        description,
        per_subject,
        lists=lists,
        history=history,
        source=ctx.file,
    )
    check_form_refs(form, obj.node_of("groups") or node, ctx)
    return form


def parse_lists(obj: Obj) -> MappingProxyType[str, tuple[str, ...]]:
    node = obj.node_of("lists")
    if node is None:
        return MappingProxyType({})
    lobj = Obj(
        node,
        obj.ctx,
        obj.key("lists"),
        frozenset(k.value for k, _ in getattr(node, "value", []) if isinstance(k, yaml.ScalarNode)),
    )
    return MappingProxyType({name: lobj.str_list(name) for name in lobj.items})


def parse_history(obj: Obj, version: int) -> tuple[VersionChange, ...]:
    changes = []
    for i, node in enumerate(obj.seq("history")):
        hobj = Obj(node, obj.ctx, f"history[{i}]", frozenset({"version", "renamed", "removed"}))
        v = hobj.int("version", required=True, minimum=2)
        if v > version:
            raise obj.ctx.error(
                f"history names version {v}, newer than the form's {version}",
                node,
                hobj.key("version"),
            )
        renamed = []
        for old, new, vnode in hobj.str_map("renamed"):
            check_ident(old, vnode, obj.ctx, hobj.key("renamed"))
            check_ident(new, vnode, obj.ctx, hobj.key(f"renamed.{old}"))
            renamed.append((old, new))
        removed = tuple((k, label) for k, label, _ in hobj.str_map("removed"))
        changes.append(VersionChange(v, tuple(renamed), removed))
        obj.ctx.mark(changes[-1], node)
    versions = [c.version for c in changes]
    if versions != sorted(set(versions)):
        raise obj.ctx.error(
            "history versions must be listed once each, oldest first",
            obj.node_of("history"),
            "history",
        )
    return tuple(changes)


def parse_groups(obj: Obj, ctx: Context, key: str = "groups") -> tuple[Group, ...]:
    nodes = obj.seq(key, required=True)
    groups = tuple(parse_group(n, ctx, f"{obj.key(key)}[{i}]") for i, n in enumerate(nodes))
    _unique([(g.id, nodes[i]) for i, g in enumerate(groups)], ctx, obj.key(key), "group")
    _unique_questions([q for g in groups for q in g.questions], obj.node_of(key), ctx, obj.key(key))
    return groups


def parse_group(node: yaml.Node, ctx: Context, path: str, allow_after: bool = False) -> Group:
    obj = Obj(node, ctx, path, _GROUP_KEYS if allow_after else _GROUP_KEYS - {"after"})
    show_when = None
    if obj.has("show_when"):
        sobj = Obj(
            obj.node_of("show_when"), ctx, obj.key("show_when"), frozenset({"question", "in"})
        )
        show_when = Condition(sobj.ident("question"), sobj.str_list("in"))
        if not show_when.values:
            raise ctx.error("'in' must list at least one answer", sobj.node, sobj.key("in"))
    questions = parse_questions(obj, "questions", ctx)
    group = Group(
        obj.ident("id"), obj.str("title", required=True), questions, obj.str("help"), show_when
    )
    ctx.mark(group, node)
    if show_when is not None:
        ctx.mark(show_when, obj.node_of("show_when") or node)
    return group


def parse_questions(
    obj: Obj, key: str, ctx: Context, columns: bool = False, required: bool = True
) -> tuple[Question, ...]:
    nodes = obj.seq(key, required=required)
    return tuple(
        parse_question(n, ctx, f"{obj.key(key)}[{i}]", columns) for i, n in enumerate(nodes)
    )


def parse_question(node: yaml.Node, ctx: Context, path: str, column: bool = False) -> Question:
    obj = Obj(node, ctx, path, _QUESTION_KEYS)
    qid = obj.ident("id")
    raw_type = obj.str("type", required=True)
    try:
        qtype = QuestionType(raw_type)
    except ValueError:
        names = ", ".join(t.value for t in QuestionType)
        raise ctx.error(
            f"unknown question type '{raw_type}' (one of {names})",
            obj.node_of("type"),
            obj.key("type"),
        ) from None
    if column and qtype not in COLUMN_TYPES:
        raise ctx.error(
            "a table column cannot itself be a table", obj.node_of("type"), obj.key("type")
        )
    choices: tuple[Choice, ...] = ()
    if qtype in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
        choices = parse_choices(obj, ctx)
    elif obj.has("choices"):
        raise ctx.error(
            f"a {qtype.value} question has no choices", obj.node_of("choices"), obj.key("choices")
        )
    cols: tuple[Question, ...] = ()
    if qtype is QuestionType.TABLE:
        cols = parse_questions(obj, "columns", ctx, columns=True)
        _unique_questions(cols, obj.node_of("columns"), ctx, obj.key("columns"))
    elif obj.has("columns"):
        raise ctx.error("only a table has columns", obj.node_of("columns"), obj.key("columns"))
    action_when = obj.str_list("action_when") if obj.has("action_when") else ("no",)
    for value in action_when:
        if value not in YES_NO_NA_VALUES:
            raise ctx.error(
                f"'{value}' is not one of {', '.join(YES_NO_NA_VALUES)}",
                obj.node_of("action_when"),
                obj.key("action_when"),
            )
    if obj.has("action_when") and qtype is not QuestionType.YES_NO_NA:
        raise ctx.error(
            "only a yes_no_na question has action_when",
            obj.node_of("action_when"),
            obj.key("action_when"),
        )
    min_v, max_v = obj.number("min"), obj.number("max")
    if (min_v is not None or max_v is not None) and qtype is not QuestionType.NUMBER:
        raise ctx.error(
            "only a number question has min and max",
            obj.node_of("min") or obj.node_of("max"),
            obj.key("min"),
        )
    if min_v is not None and max_v is not None and min_v > max_v:
        raise ctx.error("min is more than max", obj.node_of("min"), obj.key("min"))
    question = Question(
        id=qid,
        type=qtype,
        label=obj.str("label", required=True),
        help=obj.str("help"),
        required=obj.bool("required"),
        choices=choices,
        columns=cols,
        action_when=action_when,
        min_value=min_v,
        max_value=max_v,
        min_rows=obj.int("min_rows"),
        not_in_list=obj.ident("not_in_list", required=False),
        list_message=obj.str("list_message"),
    )
    ctx.mark(question, obj.node_of("id") or node)
    return question


def parse_choices(obj: Obj, ctx: Context) -> tuple[Choice, ...]:
    nodes = obj.seq("choices", required=True)
    choices = []
    for i, n in enumerate(nodes):
        key = f"{obj.key('choices')}[{i}]"
        if isinstance(n, yaml.ScalarNode):
            cid = scalar_text(n, ctx, key)
            check_ident(cid, n, ctx, key)
            choices.append(Choice(cid, cid.replace("_", " ").capitalize()))
        else:
            cobj = Obj(n, ctx, key, frozenset({"id", "label"}))
            choices.append(Choice(cobj.ident("id"), cobj.str("label", required=True)))
    _unique([(c.id, nodes[i]) for i, c in enumerate(choices)], ctx, obj.key("choices"), "choice")
    return tuple(choices)


def parse_section(
    node: yaml.Node, ctx: Context, path: str, allow_after: bool = False
) -> ParSection:
    obj = Obj(node, ctx, path, _SECTION_KEYS if allow_after else _SECTION_KEYS - {"after"})
    sid = obj.ident("id")
    part = obj.str("part", required=True)
    if part not in PARTS:
        raise ctx.error(
            f"part '{part}' is not one of {', '.join(PARTS)}", obj.node_of("part"), obj.key("part")
        )
    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    if obj.has("feeds_from"):
        fobj = Obj(
            obj.node_of("feeds_from"),
            ctx,
            obj.key("feeds_from"),
            frozenset({"topics", "reference_kinds"}),
        )
        topics = fobj.str_list("topics", ident=True)
        kinds = fobj.str_list("reference_kinds", ident=True)
        for i, t in enumerate(topics):
            ctx.ref("topic", t, fobj.seq("topics")[i], f"{fobj.key('topics')}[{i}]")
        for i, k in enumerate(kinds):
            ctx.ref(
                "reference_kind",
                k,
                fobj.seq("reference_kinds")[i],
                f"{fobj.key('reference_kinds')}[{i}]",
            )
    return ParSection(
        id=sid,
        title=obj.str("title", required=True),
        part=part,
        guidance=obj.str_list("guidance"),
        feeds_from_topics=topics,
        feeds_from_reference_kinds=kinds,
        confidential=obj.bool("confidential"),
        required=obj.bool("required"),
        needs_analysis=obj.bool("needs_analysis"),
        written_by_applicants=obj.bool("written_by_applicants"),
        fields=parse_questions(obj, "fields", ctx, required=False),
        image=_choice(obj, "image", IMAGE_SLOTS, ctx),
    )


def _choice(
    obj: Obj, key: str, allowed: tuple[str, ...], ctx: Context, required: bool = False
) -> str:
    value = obj.str(key, required=required)
    if value and value not in allowed:
        raise ctx.error(
            f"{key} '{value}' is not one of {', '.join(allowed)}", obj.node_of(key), obj.key(key)
        )
    return value


def parse_front_sheet(
    obj: Obj, ctx: Context, sections: tuple[ParSection, ...]
) -> FrontSheet | None:
    if not obj.has("front_sheet"):
        return None
    fobj = Obj(obj.node_of("front_sheet"), ctx, "front_sheet", frozenset({"title", "items"}))
    by_id = {s.id: s for s in sections}
    items = []
    for i, n in enumerate(fobj.seq("items", required=True)):
        iobj = Obj(
            n,
            ctx,
            f"front_sheet.items[{i}]",
            frozenset({"source", "label", "field", "section", "text"}),
        )
        item = FrontSheetItem(
            _choice(iobj, "source", FRONT_SHEET_SOURCES, ctx, True),
            iobj.str("label"),
            iobj.str("field"),
            iobj.str("section"),
            iobj.str("text"),
        )
        if item.source == "field":
            sid, _, qid = item.field.partition("/")
            if sid not in by_id or qid not in {q.id for q in by_id[sid].fields}:
                raise ctx.error(
                    f"field '{item.field}' is not a field of a PAR section "
                    "(write it as section/field)",
                    iobj.node_of("field") or n,
                    iobj.key("field"),
                )
        if item.source == "section_text" and item.section not in by_id:
            raise ctx.error(
                f"section '{item.section}' is not a PAR section",
                iobj.node_of("section") or n,
                iobj.key("section"),
            )
        items.append(item)
    return FrontSheet(fobj.str("title", required=True), tuple(items))


def parse_parts(obj: Obj, ctx: Context) -> tuple[PartInfo, ...]:
    parts = []
    for i, n in enumerate(obj.seq("parts")):
        pobj = Obj(n, ctx, f"parts[{i}]", frozenset({"id", "title", "number", "running_mark"}))
        parts.append(
            PartInfo(
                _choice(pobj, "id", (*PARTS, CONFIDENTIAL_PART), ctx, True),
                pobj.str("title", required=True),
                pobj.str("number"),
                pobj.str("running_mark"),
            )
        )
    _unique([(p.id, obj.seq("parts")[i]) for i, p in enumerate(parts)], ctx, "parts", "part")
    return tuple(parts)


def parse_topic(node: yaml.Node, ctx: Context, path: str) -> Topic:
    obj = Obj(node, ctx, path, frozenset({"id", "title", "par_sections", "prompts", "forms"}))
    sections = obj.str_list("par_sections", ident=True)
    for i, s in enumerate(sections):
        ctx.ref("par_section", s, obj.seq("par_sections")[i], f"{obj.key('par_sections')}[{i}]")
    forms = obj.str_list("forms", ident=True)
    for i, f in enumerate(forms):
        ctx.ref("form", f, obj.seq("forms")[i], f"{obj.key('forms')}[{i}]")
    return Topic(
        obj.ident("id"), obj.str("title", required=True), sections, obj.str_list("prompts"), forms
    )


def parse_visit(node: yaml.Node, ctx: Context, path: str) -> VisitTemplate:
    obj = Obj(node, ctx, path, frozenset({"id", "title", "attendance", "topics", "after"}))
    attendance = obj.str("attendance", required=True)
    if attendance not in ATTENDANCE:
        raise ctx.error(
            f"attendance '{attendance}' is not one of {', '.join(ATTENDANCE)}",
            obj.node_of("attendance"),
            obj.key("attendance"),
        )
    return VisitTemplate(
        obj.ident("id"),
        obj.str("title", required=True),
        attendance,
        obj.str_list("topics", ident=True),
    )


def check_form_refs(
    form: FormDefinition, node: yaml.Node, ctx: Context, history: bool = True
) -> None:
    """References inside one form: show_when questions and named lists."""
    for group in form.groups:
        cond = group.show_when
        if cond is not None and not form.has_question(cond.question_id):
            raise ctx.error(
                f"group '{group.id}' depends on question '{cond.question_id}', "
                "which is not in this form",
                ctx.at(cond, node),
                f"groups.{group.id}.show_when.question",
            )
        for q in group.questions:
            for col in (q, *q.columns):
                if col.not_in_list and col.not_in_list not in form.lists:
                    raise ctx.error(
                        f"question '{col.id}' names the list '{col.not_in_list}', "
                        "which this form does not define",
                        ctx.at(col, node),
                        f"groups.{group.id}.{q.id}.not_in_list",
                    )
    if history:
        check_history(form, node, ctx)


def check_history(form: FormDefinition, node: yaml.Node, ctx: Context) -> None:
    """Every rename must end at a question the form has (or one removed later)."""
    for i, change in enumerate(form.history):
        where = ctx.at(change, node) or node
        for old, new in change.renamed:
            if form.has_question(old):
                raise ctx.error(
                    f"'{old}' was renamed but the form still has it",
                    where,
                    f"history[{i}].renamed.{old}",
                )
            final = final_id(form.history[i + 1 :], new)
            if final is not None and not form.has_question(final):
                raise ctx.error(
                    f"'{old}' was renamed to '{new}', which is not in the form",
                    where,
                    f"history[{i}].renamed.{old}",
                )
        for old, _ in change.removed:
            if form.has_question(old):
                raise ctx.error(
                    f"'{old}' was removed but the form still has it",
                    where,
                    f"history[{i}].removed.{old}",
                )


def final_id(later: tuple[VersionChange, ...], qid: str) -> str | None:
    """Follow ``qid`` through later changes: its current id, or None if removed."""
    for change in later:
        qid = dict(change.renamed).get(qid, qid)
        if qid in dict(change.removed):
            return None
    return qid


def _unique(pairs: list[tuple[str, yaml.Node]], ctx: Context, key: str, what: str) -> None:
    seen: set[str] = set()
    for ident, node in pairs:
        if ident in seen:
            raise ctx.error(f"duplicate {what} id '{ident}'", node, key)
        seen.add(ident)


def _unique_questions(
    questions: list[Question] | tuple[Question, ...], node: yaml.Node | None, ctx: Context, key: str
) -> None:
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise ctx.error(f"duplicate question id '{q.id}'", ctx.at(q, node), key)
        seen.add(q.id)
