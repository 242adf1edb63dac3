"""Record-level changes between two versions of a case's JSON (docs/sync-payload.md).

A case is JSON objects and lists. A list whose items are all objects with a text
``"id"`` is a list of records (visits, people, references ...): it is compared by id,
so one changed visit travels alone. Any other value is compared whole.

Operations, applied in order (a path is a list of object keys and ``{"id": X}`` steps):

    {"op": "set",   "path": [...], "value": V}   put V at the path (a record step
                                                 adds the record when it is new)
    {"op": "order", "path": [...], "ids": [...]} the record list at the path now holds
                                                 exactly these ids in this order
    {"op": "unset", "path": [...]}               the object at the path's parent no
                                                 longer has that key
    {"op": "text",  "path": [...], "at": N, "cut": M, "insert": S}
                                                 in the text at the path, replace the M
                                                 characters from position N (Unicode
                                                 code points, from 0) by S

The result is checked against ``state_sha256``: the SHA-256 of the canonical JSON
(keys sorted, no spaces, UTF-8), so a receiver knows it rebuilt the sender's case.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

Path = list[Any]


class ChangeError(ValueError):
    """Operations that do not apply to the state they claim to change."""


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def state_sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def _is_records(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and isinstance(v.get("id"), str) for v in value)
        and len({v["id"] for v in value}) == len(value)
    )


def diff(old: Any, new: Any, path: Path | None = None) -> list[dict[str, Any]]:
    """The operations that turn ``old`` into ``new`` (empty when equal)."""
    path = path or []
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict[str, Any]] = [
            {"op": "unset", "path": [*path, key]} for key in sorted(set(old) - set(new))
        ]
        for key in sorted(new):
            if key in old:
                ops += diff(old[key], new[key], [*path, key])
            else:
                ops.append({"op": "set", "path": [*path, key], "value": new[key]})
        return ops
    if _is_records(old) and (_is_records(new) or new == []):
        before = {r["id"]: r for r in old}
        ids = [r["id"] for r in new]
        ops = [] if ids == list(before) else [{"op": "order", "path": path, "ids": ids}]
        for record in new:
            step = [*path, {"id": record["id"]}]
            if record["id"] in before:
                ops += diff(before[record["id"]], record, step)
            else:
                ops.append({"op": "set", "path": step, "value": record})
        return ops
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) >= LONG_TEXT:
        at, cut, insert = _splice(old, new)
        if len(insert) < max(len(new), LONG_TEXT) // 2:  # a small edit: send the edit only
            return [{"op": "text", "path": path, "at": at, "cut": cut, "insert": insert}]
    return [{"op": "set", "path": path, "value": new}]


LONG_TEXT = 80  # shorter texts travel whole


def _splice(old: str, new: str) -> tuple[int, int, str]:
    """(at, cut, insert): the one stretch where ``old`` and ``new`` differ."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return start, len(old) - start - end, new[start : len(new) - end]


def apply(state: Any, ops: list[dict[str, Any]], *, share: bool = False) -> Any:
    """A new state: ``state`` with ``ops`` applied (``state`` is not changed).

    ``share``: copy only the objects and lists along each operation's path and keep
    every untouched part of ``state`` in the result (a one-word edit of a large case
    copies a handful of containers, not the case). Then neither the result nor
    ``state`` may be changed in place afterwards; the inbox's cached states never are.
    """
    # objects already private to the result (None: all of it, a deep copy)
    fresh: dict[int, Any] | None = {} if share else None
    holder = {"$": state if share else copy.deepcopy(state)}  # a path of [] names the whole
    for op in ops:
        path = ["$", *op["path"]]
        parent = _walk(holder, path[:-1], fresh)
        last = path[-1]
        if op["op"] == "order":
            target = _own_child(parent, last, fresh)
            if not isinstance(target, list):
                raise ChangeError(f"not a list at {_show(path)}")
            by_id = {r.get("id"): r for r in target if isinstance(r, dict)}
            # a new id stays a placeholder until a later set fills it in
            target[:] = [by_id.get(i, _Pending(i)) for i in op["ids"]]
        elif op["op"] == "set":
            _put(parent, last, copy.deepcopy(op.get("value")), path)
        elif op["op"] == "text":
            text = _child(parent, last)
            at, cut = op.get("at"), op.get("cut")
            if (
                not isinstance(text, str)
                or not isinstance(at, int)
                or not isinstance(cut, int)
                or at < 0
                or cut < 0
                or at + cut > len(text)
            ):
                raise ChangeError(f"no text to edit at {_show(path)}")
            _put(parent, last, text[:at] + str(op.get("insert", "")) + text[at + cut :], path)
        elif op["op"] == "unset":
            if not isinstance(parent, dict) or last not in parent:
                raise ChangeError(f"no field at {_show(path)}")
            del parent[last]
        else:
            raise ChangeError(f"unknown operation {op['op']!r}")
    if any(op["op"] == "order" for op in ops) and _has_pending(holder):
        raise ChangeError("a record was listed but never given")
    return holder["$"]


def _walk(value: Any, path: Path, fresh: dict[int, Any] | None = None) -> Any:
    for step in path:
        value = _own_child(value, step, fresh)
    return value


def _own_child(value: Any, step: Any, fresh: dict[int, Any] | None) -> Any:
    """The child at ``step``, first replaced in ``value`` (already private) by a shallow
    copy of it unless it is private already (``fresh``; None: everything is)."""
    child = _child(value, step)
    if fresh is None or not isinstance(child, dict | list) or id(child) in fresh:
        return child
    copied: Any = dict(child) if isinstance(child, dict) else list(child)
    fresh[id(copied)] = copied  # kept alive here, so the id is never reused meanwhile
    if isinstance(step, dict):
        value[next(i for i, item in enumerate(value) if item is child)] = copied
    else:
        value[step] = copied
    return copied


def _child(value: Any, step: Any) -> Any:
    if isinstance(step, dict):
        if not isinstance(value, list):
            raise ChangeError("a record step on something that is not a list")
        for item in value:
            if isinstance(item, dict) and item.get("id") == step.get("id"):
                return item
        raise ChangeError(f"no record {step.get('id')!r}")
    if not isinstance(value, dict) or step not in value:
        raise ChangeError(f"no field {step!r}")
    return value[step]


def _put(parent: Any, step: Any, value: Any, path: Path) -> None:
    if isinstance(step, dict):
        if not isinstance(parent, list):
            raise ChangeError(f"not a list at {_show(path)}")
        for index, item in enumerate(parent):
            if (isinstance(item, dict) and item.get("id") == step.get("id")) or (
                isinstance(item, _Pending) and item.id == step.get("id")
            ):
                parent[index] = value
                return
        parent.append(value)
        return
    if not isinstance(parent, dict):
        raise ChangeError(f"not an object at {_show(path)}")
    parent[step] = value


class _Pending:
    """A record an ``order`` named that a later ``set`` must fill in."""

    def __init__(self, record_id: str) -> None:
        self.id = record_id


def _has_pending(value: Any) -> bool:
    if isinstance(value, _Pending):
        return True
    if isinstance(value, dict):
        return any(_has_pending(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_pending(v) for v in value)
    return False


def _show(path: Path) -> str:
    return "/".join(f"[{s.get('id')}]" if isinstance(s, dict) else str(s) for s in path)
