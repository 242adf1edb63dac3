"""Reading a composed YAML node tree strictly, with the line of every problem.

PyYAML composes the document into nodes that carry marks (line, column); the
schema reads those nodes through ``Obj`` so each error names the file, the line
and the key path (``sections[3].fields[0].type``). Scalars are read by what the
schema expects, not by YAML 1.1's guesses, so ``no`` stays the string "no" where
a string is wanted.
"""

from __future__ import annotations

import builtins  # Obj's methods str, bool, int hide the builtins in its annotations
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from homestudy.errors import FormDefinitionError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Ref:
    """A reference to an id defined elsewhere, checked once every file is loaded."""

    kind: str  # "par_section" | "topic" | "reference_kind" | "form"
    target: str
    file: str
    line: int
    key: str


@dataclass
class Context:
    file: str
    refs: list[Ref] = field(default_factory=list)
    # id(parsed object) -> its node, so later checks can point at the right line
    nodes: dict[int, yaml.Node] = field(default_factory=dict)

    def mark(self, obj: object, node: yaml.Node) -> None:
        self.nodes[id(obj)] = node

    def at(self, obj: object, default: yaml.Node | None = None) -> yaml.Node | None:
        return self.nodes.get(id(obj), default)

    def error(self, message: str, node: yaml.Node | None, key: str) -> FormDefinitionError:
        line = node.start_mark.line + 1 if node is not None else None
        return FormDefinitionError(message, file=self.file, line=line, key=key or None)

    def ref(self, kind: str, target: str, node: yaml.Node, key: str) -> None:
        self.refs.append(Ref(kind, target, self.file, node.start_mark.line + 1, key))


def compose_file(path: Path) -> tuple[yaml.Node, Context]:
    ctx = Context(file=path.name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormDefinitionError(
            f"cannot read the file ({exc.__class__.__name__})", file=path.name
        ) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote or bracket: point at its start
        line = mark.line + 1 if mark is not None else None
        problem = "; ".join(p for p in (exc.context, exc.problem) if p) or "badly formed"
        raise FormDefinitionError(f"not valid YAML: {problem}", file=path.name, line=line) from None
    except yaml.YAMLError:
        raise FormDefinitionError("not valid YAML", file=path.name) from None
    if node is None:
        raise FormDefinitionError("the file is empty", file=path.name, line=1)
    return node, ctx


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Obj:
    """A YAML mapping read key by key; ``done()`` rejects any key nobody read."""

    def __init__(
        self, node: yaml.Node | None, ctx: Context, path: str, allowed: frozenset[str]
    ) -> None:
        if not isinstance(node, yaml.MappingNode):
            raise ctx.error("expected a mapping of keys to values", node, path)
        self.node, self.ctx, self.path = node, ctx, path
        self.items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise ctx.error("a key must be a plain word", k, path)
            name = str(k.value)
            if name in self.items:
                raise ctx.error(f"duplicate key '{name}'", k, _join(path, name))
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                raise ctx.error(f"unknown key '{name}' (known keys: {known})", k, _join(path, name))
            self.items[name] = (k, v)

    def key(self, name: str) -> str:
        return _join(self.path, name)

    def has(self, name: str) -> bool:
        return name in self.items

    def node_of(self, name: str) -> yaml.Node | None:
        item = self.items.get(name)
        return item[1] if item else None

    def _need(self, name: str) -> yaml.Node:
        item = self.items.get(name)
        if item is None:
            raise self.ctx.error(f"missing required key '{name}'", self.node, self.key(name))
        return item[1]

    def _scalar(self, name: str, required: bool) -> yaml.ScalarNode | None:
        node = self._need(name) if required else self.node_of(name)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            if required:
                raise self.ctx.error(f"'{name}' must have a value", node, self.key(name))
            return None
        if not isinstance(node, yaml.ScalarNode):
            raise self.ctx.error(
                f"'{name}' must be a single value, not a list or mapping", node, self.key(name)
            )
        return node

    def str(self, name: str, required: bool = False, default: str = "") -> str:
        node = self._scalar(name, required)
        if node is None:
            return default
        text = str(node.value).strip()
        if required and not text:
            raise self.ctx.error(f"'{name}' must not be empty", node, self.key(name))
        return text

    def ident(self, name: builtins.str, required: builtins.bool = True) -> builtins.str:
        """An id: lower-case letters, digits and underscores."""
        node = self._scalar(name, required)
        if node is None:
            return ""
        value = str(node.value)
        check_ident(value, node, self.ctx, self.key(name))
        return value

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        node = self._scalar(name, False)
        if node is None:
            return default
        if node.tag != _BOOL:
            raise self.ctx.error(f"'{name}' must be true or false", node, self.key(name))
        return str(node.value).lower() in ("true", "yes", "on", "y")

    def int(
        self,
        name: builtins.str,
        required: builtins.bool = False,
        default: builtins.int = 0,
        minimum: builtins.int = 0,
    ) -> builtins.int:
        node = self._scalar(name, required)
        if node is None:
            return default
        if node.tag != _INT:
            raise self.ctx.error(f"'{name}' must be a whole number", node, self.key(name))
        value = int(str(node.value).replace("_", ""))
        if value < minimum:
            raise self.ctx.error(f"'{name}' must be at least {minimum}", node, self.key(name))
        return value

    def number(self, name: builtins.str) -> float | None:
        node = self._scalar(name, False)
        if node is None:
            return None
        if node.tag not in (_INT, _FLOAT):
            raise self.ctx.error(f"'{name}' must be a number", node, self.key(name))
        return float(str(node.value).replace("_", ""))

    def seq(self, name: builtins.str, required: builtins.bool = False) -> list[yaml.Node]:
        node = self._need(name) if required else self.node_of(name)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            if required:
                raise self.ctx.error(f"'{name}' must be a list", node, self.key(name))
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.ctx.error(f"'{name}' must be a list", node, self.key(name))
        if required and not node.value:
            raise self.ctx.error(f"'{name}' must not be empty", node, self.key(name))
        return list(node.value)

    def str_list(
        self, name: builtins.str, ident: builtins.bool = False
    ) -> tuple[builtins.str, ...]:
        out: list[str] = []
        for i, item in enumerate(self.seq(name)):
            key = f"{self.key(name)}[{i}]"
            if not isinstance(item, yaml.ScalarNode) or item.tag == _NULL:
                raise self.ctx.error(f"each entry of '{name}' must be a single value", item, key)
            value = str(item.value).strip()
            if ident:
                check_ident(value, item, self.ctx, key)
            elif not value:
                raise self.ctx.error(f"an entry of '{name}' is empty", item, key)
            out.append(value)
        return tuple(out)

    def str_map(self, name: builtins.str) -> list[tuple[builtins.str, builtins.str, yaml.Node]]:
        """A mapping of plain strings to plain strings, in order, with each value's node."""
        node = self.node_of(name)
        if node is None:
            return []
        if not isinstance(node, yaml.MappingNode):
            raise self.ctx.error(f"'{name}' must be a mapping", node, self.key(name))
        out: list[tuple[str, str, yaml.Node]] = []
        seen: set[str] = set()
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode) or not isinstance(v, yaml.ScalarNode):
                raise self.ctx.error(f"'{name}' must map words to words", k, self.key(name))
            if k.value in seen:
                raise self.ctx.error(f"duplicate key '{k.value}'", k, f"{self.key(name)}.{k.value}")
            seen.add(k.value)
            out.append((str(k.value), str(v.value), v))
        return out


def check_ident(value: str, node: yaml.Node, ctx: Context, key: str) -> None:
    if (
        not value
        or not value.replace("_", "a").isalnum()
        or not value.isascii()
        or value != value.lower()
        or value[0].isdigit()
    ):
        raise ctx.error(
            f"'{value}' is not a valid id (use lower-case letters, digits and _)", node, key
        )


def scalar_text(node: yaml.Node, ctx: Context, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL:
        raise ctx.error("expected a single value", node, key)
    return str(node.value).strip()
