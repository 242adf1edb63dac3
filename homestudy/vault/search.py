"""Full-text search (FTS5) over every narrative field of the vault.

``search_docs`` maps a (case, kind, record, field) to a rowid of ``search_fts``; the
repository calls ``index``/``unindex`` in the same transaction as the save, so the
index is never out of step with the records. Kinds: ``par_section``, ``visit``,
``reference``, ``answer``, ``stage1``, ``check``, ``line_of_enquiry``,
``household_member``, ``significant_other``, ``attachment``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_START, _END = "\x02", "\x03"  # private markers, turned into spans below
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    """One match. ``snippet`` is plain text around the match; ``highlights`` are
    (start, end) character spans of the matched words within it."""

    case_id: str
    case_reference: str
    kind: str
    record_id: str  # section id for par_section, question id for answer, else the record's id
    field: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    rank: float


def index(conn: Any, case_id: str, kind: str, record_id: str, fields: dict[str, str]) -> None:
    """Replace the indexed text of one record (empty texts are dropped)."""
    unindex(conn, case_id, kind, record_id)
    for field, text in fields.items():
        if not text or not text.strip():
            continue
        cur = conn.execute(
            "INSERT INTO search_docs (case_id, kind, record_id, field) VALUES (?,?,?,?)",
            (case_id, kind, record_id, field))
        conn.execute("INSERT INTO search_fts (rowid, text) VALUES (?, ?)", (cur.lastrowid, text))


def unindex(conn: Any, case_id: str, kind: str | None = None, record_id: str | None = None,
            ) -> None:
    sql, params = "SELECT id FROM search_docs WHERE case_id = ?", [case_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    if record_id is not None:
        sql += " AND record_id = ?"
        params.append(record_id)
    ids = [(r[0],) for r in conn.execute(sql, params)]
    if ids:
        conn.executemany("DELETE FROM search_fts WHERE rowid = ?", ids)
        conn.executemany("DELETE FROM search_docs WHERE id = ?", ids)


def fts_query(text: str) -> str:
    """User text to a safe FTS5 query: every word must match; the last may be a prefix."""
    words = _WORD.findall(text)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _spans(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos, start = 0, 0
    for ch in marked:
        if ch == _START:
            start = pos
        elif ch == _END:
            spans.append((start, pos))
        else:
            out.append(ch)
            pos += 1
    return "".join(out), tuple(spans)


def search(conn: Any, text: str, limit: int = 50, case_id: str | None = None,
           ) -> list[SearchHit]:
    query = fts_query(text)
    if not query:
        return []
    sql = (
        "SELECT d.case_id, c.reference, d.kind, d.record_id, d.field,"
        f" snippet(search_fts, 0, '{_START}', '{_END}', '…', 16), bm25(search_fts)"
        " FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid"
        " JOIN cases c ON c.id = d.case_id WHERE search_fts MATCH ?"
    )
    params: list[Any] = [query]
    if case_id is not None:
        sql += " AND d.case_id = ?"
        params.append(case_id)
    sql += " ORDER BY bm25(search_fts) LIMIT ?"
    params.append(limit)
    hits = []
    for cid, ref, kind, rid, field, marked, rank in conn.execute(sql, params):
        snippet, spans = _spans(marked)
        hits.append(SearchHit(cid, ref, kind, rid, field, snippet, spans, float(rank)))
    return hits


def answer_text(value: Any) -> str:
    """The free text inside a checklist answer value (strings, lists, table rows)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(answer_text(v) for v in value.values() if not isinstance(v, bool))
    if isinstance(value, list):
        return "\n".join(answer_text(v) for v in value)
    return ""


def texts(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {k: v for k, v in pairs if v}
