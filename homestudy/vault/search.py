"""Full-text search (FTS5) over every narrative field of the vault.

``search_docs`` maps a (case, kind, record, field, paragraph) to a rowid of
``search_fts`` (one row per paragraph: snippets then only scan a paragraph); the
repository calls ``index``/``unindex`` in the same transaction as the save, so the
index is never out of step with the records. Kinds: ``par_section``, ``visit``,
``reference``, ``answer``, ``stage1``, ``check``, ``line_of_enquiry``,
``household_member``, ``significant_other``, ``attachment``, ``applicant``.

People are found by name: the field ``name`` of ``applicant`` (full and previous
names), ``household_member`` and ``significant_other``, and ``referee_name`` of a
``reference`` (``people_fields``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_START, _END = "\x02", "\x03"  # private markers, turned into spans below
_NO_MARKERS = str.maketrans({_START: " ", _END: " "})  # so typed text never fakes one
_WORD = re.compile(r"\w+", re.UNICODE)
_PARAGRAPH = re.compile(r"\n\s*\n")  # how the PAR Markdown subset separates paragraphs


@dataclass(frozen=True)
class SearchHit:
    """One match. ``snippet`` is plain text around the match; ``highlights`` are
    (start, end) character spans of the matched words within it."""

    case_id: str
    case_reference: str
    kind: str
    record_id: str  # section id for par_section, question id for answer, else the record's id
    field: str
    paragraph: int  # 0-based paragraph (blank-line separated) of the field's text
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    rank: float


def index(conn: Any, case_id: str, kind: str, record_id: str, fields: dict[str, str]) -> None:
    """Bring the indexed text of one record up to date (empty paragraphs are dropped).

    Only paragraphs that changed are touched: an autosave while typing re-indexes one
    paragraph, not the whole PAR section (FTS5 work is the main cost of a save)."""
    wanted = {
        (field, n): para.translate(_NO_MARKERS)
        for field, text in fields.items()
        if text
        for n, para in enumerate(_PARAGRAPH.split(text))
        if para.strip()
    }
    have = {
        (field, n): (doc_id, text)
        for doc_id, field, n, text in conn.execute(
            "SELECT d.id, d.field, d.paragraph, f.text FROM search_docs d JOIN search_fts f"
            " ON f.rowid = d.id WHERE d.case_id = ? AND d.kind = ? AND d.record_id = ?",
            (case_id, kind, record_id),
        )
    }
    for key, (doc_id, text) in have.items():
        if key not in wanted:
            conn.execute("DELETE FROM search_fts WHERE rowid = ?", (doc_id,))
            conn.execute("DELETE FROM search_docs WHERE id = ?", (doc_id,))
        elif wanted[key] != text:
            conn.execute("UPDATE search_fts SET text = ? WHERE rowid = ?", (wanted[key], doc_id))
    for (field, n), para in wanted.items():
        if (field, n) not in have:
            cur = conn.execute(
                "INSERT INTO search_docs (case_id, kind, record_id, field, paragraph)"
                " VALUES (?,?,?,?,?)",
                (case_id, kind, record_id, field, n),
            )
            conn.execute(
                "INSERT INTO search_fts (rowid, text) VALUES (?, ?)", (cur.lastrowid, para)
            )


def unindex(
    conn: Any,
    case_id: str,
    kind: str | None = None,
    record_id: str | None = None,
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


def merge(conn: Any) -> None:
    """Merge the index into one segment: FTS5 keeps a deleted row's words in its older
    segments until a merge, and a deleted case must leave nothing behind."""
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")


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


def search(
    conn: Any,
    text: str,
    limit: int = 50,
    case_id: str | None = None,
) -> list[SearchHit]:
    query = fts_query(text)
    if not query:
        return []
    sql = (
        "SELECT d.case_id, c.reference, d.kind, d.record_id, d.field, d.paragraph,"
        f" snippet(search_fts, 0, '{_START}', '{_END}', '…', 16), bm25(search_fts)"
        " FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid"
        " JOIN cases c ON c.id = d.case_id WHERE search_fts MATCH ?"
    )
    params: list[Any] = [query]
    if case_id is not None:
        sql += " AND d.case_id = ?"
        params.append(case_id)
    # a literal LIMIT: bound as a parameter it made FTS5 queries several times slower
    sql += f" ORDER BY bm25(search_fts) LIMIT {max(1, int(limit))}"
    hits = []
    for cid, ref, kind, rid, field, para, marked, rank in conn.execute(sql, params):
        snippet, spans = _spans(marked)
        hits.append(SearchHit(cid, ref, kind, rid, field, para, snippet, spans, float(rank)))
    return hits


def people_fields(kind: str, record: Any) -> dict[str, str]:
    """The searchable names of a person record (merged into its other fields)."""
    if kind == "applicant":
        return {"name": " ".join([record.full_name, *record.previous_names]).strip()}
    if kind == "reference":
        return {"referee_name": record.referee_name}
    if kind in ("household_member", "significant_other"):
        return {"name": record.name}
    return {}


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
