"""Load and save the domain objects; full-text search.

Every save is one short transaction that also appends to the audit trail and keeps
the search index in step; it returns only once committed (durable: WAL with
``synchronous=FULL``), and the vault then tells its change listeners.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol

from homestudy import validation
from homestudy.errors import NotFoundError, ValidationError
from homestudy.model import (
    Animal,
    Attachment,
    Case,
    CaseSummary,
    ChecklistAnswer,
    ParSectionDraft,
    Reference,
    Route,
    Stage,
    Visit,
    utc_now,
)
from homestudy.serial import from_jsonable, to_jsonable
from homestudy.vault import audit, records, search
from homestudy.vault.search import SearchHit


class Writer(Protocol):
    """What the repository needs from the vault for one write."""

    actor: str

    def reading(self) -> AbstractContextManager[Any]: ...

    def writing(self, case_id: str) -> AbstractContextManager[Any]: ...

    def reclaim(self) -> bool: ...


class CaseRepository:
    def __init__(self, vault: Writer) -> None:
        self._v = vault

    # ------------------------------------------------------------------ reading

    def list_cases(self, *, archived: bool | None = False) -> list[CaseSummary]:
        """The cases in reference order: by default those not archived; ``archived=True``
        only the archived ones; ``archived=None`` every case."""
        where = {
            False: " WHERE c.archived_at IS NULL",
            True: " WHERE c.archived_at IS NOT NULL",
            None: "",
        }[archived]
        with self._v.reading() as conn:
            rows = conn.execute(
                "SELECT c.id, c.reference, c.applicant_names, c.stage, c.stage2_notice_on,"
                " c.provisional_panel_date, c.updated_at,"
                " (SELECT count(*) FROM visits v WHERE v.case_id = c.id AND v.done),"
                " (SELECT count(*) FROM visits v WHERE v.case_id = c.id),"
                " c.archived_at, json_extract(c.data, '$.archive_reason'),"
                " json_extract(c.data, '$.route'), json_extract(c.data, '$.stage1_started_on'),"
                " json_extract(c.data, '$.agency_profile_id')"
                f" FROM cases c{where} ORDER BY c.reference"
            ).fetchall()
        return [
            CaseSummary(
                id=r[0],
                reference=r[1],
                applicant_names=r[2],
                stage=Stage(r[3]),
                stage2_notice_on=date.fromisoformat(r[4]) if r[4] else None,
                provisional_panel_date=date.fromisoformat(r[5]) if r[5] else None,
                visits_done=r[7],
                visits_planned=r[8],
                updated_at=datetime.fromisoformat(r[6]),
                archived_at=datetime.fromisoformat(r[9]) if r[9] else None,
                archive_reason=r[10] or "",
                route=Route(r[11]) if r[11] else Route.STANDARD,
                stage1_started_on=date.fromisoformat(r[12]) if r[12] else None,
                agency_profile_id=r[13] or "",
            )
            for r in rows
        ]

    def load_case(self, case_id: str) -> Case:
        with self._v.reading() as conn:
            row = conn.execute(
                "SELECT data, updated_at FROM cases WHERE id = ?", (case_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError("That case could not be found.")
            data = json.loads(row[0])
            data["updated_at"] = row[1]  # fast paths touch only the column

            def col(sql: str) -> list[Any]:
                return [json.loads(r[0]) for r in conn.execute(sql, (case_id,))]

            data["visits"] = col(
                "SELECT data FROM visits WHERE case_id = ? ORDER BY sequence, rowid"
            )
            data["references"] = col(
                "SELECT data FROM case_references WHERE case_id = ? ORDER BY rowid"
            )
            data["animals"] = col("SELECT data FROM animals WHERE case_id = ? ORDER BY rowid")
            data["attachments"] = col(
                "SELECT meta FROM attachments WHERE case_id = ? ORDER BY rowid"
            )
            sections = col("SELECT data FROM par_sections WHERE case_id = ? ORDER BY rowid")
            data["par_sections"] = {s["section_id"]: s for s in sections}
            data["checklist_answers"] = [
                {
                    "form_id": r[0],
                    "subject_id": r[1],
                    "question_id": r[2],
                    "row": r[3],
                    "form_version": r[4],
                    "archived": bool(r[5]),
                    "updated_at": r[6],
                    "value": json.loads(r[7]),
                }
                for r in conn.execute(
                    "SELECT form_id, subject_id, question_id, row, form_version, archived,"
                    " updated_at, value FROM checklist_answers WHERE case_id = ? ORDER BY rowid",
                    (case_id,),
                )
            ]
        return from_jsonable(Case, data)

    def find_by_reference(self, reference: str, agency_profile_id: str | None = None) -> Case:
        """The case with a reference; two agencies may share one, so name the agency
        profile then (``""``: the case not linked to an agency)."""
        sql, args = "SELECT id FROM cases WHERE reference = ?", [reference]
        if agency_profile_id is not None:
            sql, args = sql + " AND agency_profile_id = ?", [reference, agency_profile_id]
        with self._v.reading() as conn:
            rows = conn.execute(sql + " LIMIT 2", args).fetchall()
        if not rows:
            raise NotFoundError(f"There is no case with the reference {reference}.")
        if len(rows) > 1:
            raise ValidationError(
                f"More than one agency has a case {reference}; use the "
                "case's id instead (homestudy cases --json shows it).",
                field="reference",
            )
        return self.load_case(rows[0][0])

    def read_attachment(self, case_id: str, attachment_id: str) -> bytes:
        with self._v.reading() as conn:
            row = conn.execute(
                "SELECT content, meta FROM attachments WHERE id = ? AND case_id = ?",
                (attachment_id, case_id),
            ).fetchone()
            if row is None:
                raise NotFoundError("That attachment could not be found.")
            data = bytes(row[0])
            # a damaged page reads back as zeros: the stored hash tells (raised inside
            # reading(), so the vault checks itself and reports the damage)
            if hashlib.sha256(data).hexdigest() != json.loads(row[1]).get("sha256"):
                raise ValueError("attachment does not match its hash")
        return data

    def search(
        self,
        query: str,
        limit: int = 50,
        case_id: str | None = None,
    ) -> list[SearchHit]:
        with self._v.reading() as conn:
            return search.search(conn, query, limit, case_id)

    # ------------------------------------------------------------------ writing

    def _log(
        self, conn: Any, action: str, case_id: str, kind: str, rec_id: str, fields: list[str]
    ) -> None:
        audit.append(conn, self._v.actor, action, case_id, kind, rec_id, fields)

    def _touch(self, conn: Any, case_id: str) -> None:
        cur = conn.execute(
            "UPDATE cases SET updated_at = ? WHERE id = ?", (utc_now().isoformat(), case_id)
        )
        if cur.rowcount == 0:
            raise NotFoundError("That case could not be found.")

    def _refuse_new_dates(self, case_id: str, problems: list[validation.Problem]) -> None:
        """ValidationError for an impossible date, unless the same one is already stored."""
        if not problems:
            return
        try:
            stored = validation.case_problems(self.load_case(case_id))
        except NotFoundError:
            stored = []
        validation.refuse_new(problems, stored)

    def save_case(self, case: Case) -> None:
        """Save the whole aggregate in one transaction (absent children are deleted)."""
        self._refuse_new_dates(case.id, validation.case_problems(case))
        case.updated_at = utc_now()
        with self._v.writing(case.id) as conn:
            core = records.case_core(case)
            old = conn.execute("SELECT data FROM cases WHERE id = ?", (case.id,)).fetchone()
            old_core = json.loads(old[0]) if old else None
            archived = case.archived_at.isoformat() if case.archived_at else None
            cols = (
                case.reference,
                case.applicant_names,
                case.stage.value,
                _iso(case.stage2_notice_on),
                _iso(case.provisional_panel_date),
                case.updated_at.isoformat(),
                records.dumps(core),
                archived,
                case.agency_profile_id,
            )
            self._refuse_taken_reference(conn, case)
            conn.execute(
                "INSERT INTO cases (id, reference, applicant_names, stage, stage2_notice_on,"
                " provisional_panel_date, updated_at, data, archived_at, agency_profile_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (id) DO UPDATE SET reference = excluded.reference,"
                " agency_profile_id = excluded.agency_profile_id,"
                " applicant_names = excluded.applicant_names, stage = excluded.stage,"
                " stage2_notice_on = excluded.stage2_notice_on, provisional_panel_date ="
                " excluded.provisional_panel_date, updated_at = excluded.updated_at,"
                " data = excluded.data, archived_at = excluded.archived_at",
                (case.id, *cols),
            )
            fields = [f for f in records.changed_fields(old_core, core) if f != "updated_at"]
            if old is None or fields:
                self._log(
                    conn, "create" if old is None else "update", case.id, "case", case.id, fields
                )
            records.index_case_core(conn, case)
            self._sync_children(conn, case)

    @staticmethod
    def _refuse_taken_reference(conn: Any, case: Case) -> None:
        """References are unique per agency (two agencies may use the same one)."""
        row = conn.execute(
            "SELECT 1 FROM cases WHERE reference = ? AND agency_profile_id = ? AND id != ?",
            (case.reference, case.agency_profile_id, case.id),
        ).fetchone()
        if row is not None:
            where = "for this agency" if case.agency_profile_id else "among unlinked cases"
            raise ValidationError(
                f"Another case {where} already has the reference {case.reference}.",
                field="reference",
            )

    def put_attachment(self, case_id: str, attachment: Attachment, data: bytes) -> bool:
        """Keep an attachment under its own id (one that came from the agency); False if
        the case already has it."""
        with self._v.writing(case_id) as conn:
            if conn.execute("SELECT 1 FROM attachments WHERE id = ?", (attachment.id,)).fetchone():
                return False
            self._touch(conn, case_id)
            conn.execute(
                "INSERT INTO attachments (id, case_id, meta, content) VALUES (?,?,?,?)",
                (attachment.id, case_id, records.dumps(to_jsonable(attachment)), data),
            )
            records.index_attachment(conn, case_id, attachment)
            self._log(conn, "create", case_id, "attachment", attachment.id, ["content", "meta"])
        return True

    def _sync_children(self, conn: Any, case: Case) -> None:
        cid = case.id
        for table, kind, items, index in (
            ("visits", "visit", case.visits, records.index_visit),
            ("case_references", "reference", case.references, records.index_reference),
            ("animals", "animal", case.animals, None),
        ):
            keep = set()
            for item in items:
                keep.add(item.id)
                self._save_record(conn, table, kind, cid, item, index)
            self._delete_missing(conn, table, kind, cid, keep)
        for draft in case.par_sections.values():
            self._save_section(conn, cid, draft)
        sections = {d.section_id for d in case.par_sections.values()}
        for (sid,) in conn.execute(
            "SELECT section_id FROM par_sections WHERE case_id = ?", (cid,)
        ).fetchall():
            if sid not in sections:
                conn.execute(
                    "DELETE FROM par_sections WHERE case_id = ? AND section_id = ?", (cid, sid)
                )
                search.unindex(conn, cid, "par_section", sid)
                self._log(conn, "delete", cid, "par_section", sid, [])
        self._save_answers(conn, cid, case.checklist_answers, replace_all=True)
        for att in case.attachments:  # metadata only; bytes come from add_attachment
            meta = records.dumps(to_jsonable(att))
            cur = conn.execute(
                "UPDATE attachments SET meta = ? WHERE id = ? AND case_id = ? AND meta != ?",
                (meta, att.id, cid, meta),
            )
            if cur.rowcount:
                records.index_attachment(conn, cid, att)
                self._log(conn, "update", cid, "attachment", att.id, ["meta"])

    def _save_record(
        self,
        conn: Any,
        table: str,
        kind: str,
        case_id: str,
        item: Visit | Reference | Animal,
        index: Any,
    ) -> None:
        extra = records.visit_extra(item) if isinstance(item, Visit) else None
        result = records.save_json_record(conn, table, case_id, item.id, to_jsonable(item), extra)
        if result is not None:
            self._log(conn, result[0], case_id, kind, item.id, result[1])
            if index is not None:
                index(conn, case_id, item)

    def _delete_missing(
        self, conn: Any, table: str, kind: str, case_id: str, keep: set[str]
    ) -> None:
        for (rid,) in conn.execute(
            f"SELECT id FROM {table} WHERE case_id = ?", (case_id,)
        ).fetchall():
            if rid not in keep:
                self._delete_record(conn, table, kind, case_id, rid)

    def _delete_record(self, conn: Any, table: str, kind: str, case_id: str, rid: str) -> None:
        cur = conn.execute(f"DELETE FROM {table} WHERE id = ? AND case_id = ?", (rid, case_id))
        if cur.rowcount == 0:
            raise NotFoundError("That record could not be found.")
        search.unindex(conn, case_id, kind, rid)
        self._log(conn, "delete", case_id, kind, rid, [])

    def _save_section(self, conn: Any, case_id: str, draft: ParSectionDraft) -> None:
        fields = records.save_section(conn, case_id, draft)
        if fields is not None:
            records.index_section(conn, case_id, draft)
            self._log(conn, "update", case_id, "par_section", draft.section_id, fields)

    def _save_answers(
        self, conn: Any, case_id: str, answers: list[ChecklistAnswer], replace_all: bool = False
    ) -> None:
        keys = set()
        for a in answers:
            keys.add(records.answer_key(a))
            fields = records.save_answer(conn, case_id, a)
            if fields is not None:
                records.index_answer(conn, case_id, a)
                self._log(conn, "update", case_id, "answer", records.answer_key(a), fields)
        if not replace_all:
            return
        for row in conn.execute(
            "SELECT form_id, subject_id, question_id, row FROM checklist_answers WHERE case_id = ?",
            (case_id,),
        ).fetchall():
            key = "/".join(str(p) for p in row)
            if key not in keys:
                conn.execute(
                    "DELETE FROM checklist_answers WHERE case_id = ? AND form_id = ?"
                    " AND subject_id = ? AND question_id = ? AND row = ?",
                    (case_id, *row),
                )
                search.unindex(conn, case_id, "answer", key)
                self._log(conn, "delete", case_id, "answer", key, [])

    def delete_case(self, case_id: str) -> bool:
        """Delete a case and everything in it, for good; returns whether the space it
        used was reclaimed too (False only when the disk was too full to do it now).

        ``secure_delete`` zeroes the freed rows and pages; the full-text index keeps
        deleted words in its segments until they are merged, so they are merged in the
        same transaction; then the vault checkpoints and VACUUMs (``reclaim``) so no
        page of the case, encrypted or not, is left in the file or its WAL."""
        with self._v.writing(case_id) as conn:
            cur = conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
            if cur.rowcount == 0:
                raise NotFoundError("That case could not be found.")
            search.unindex(conn, case_id)
            search.merge(conn)
            self._log(conn, "delete", case_id, "case", case_id, [])
        reclaim = getattr(self._v, "reclaim", None)
        return bool(reclaim()) if reclaim is not None else True

    def archive_case(self, case_id: str, reason: str = "") -> Case:
        """Take a finished case out of the case list (still searchable and exportable)."""
        case = self.load_case(case_id)
        case.archived_at, case.archive_reason = utc_now(), _one_line(reason)[:200]
        self.save_case(case)
        return case

    def unarchive_case(self, case_id: str) -> Case:
        case = self.load_case(case_id)
        case.archived_at, case.archive_reason = None, ""
        self.save_case(case)
        return case

    # fast paths: one record, one short transaction

    def save_par_section(self, case_id: str, draft: ParSectionDraft) -> None:
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._save_section(conn, case_id, draft)

    def save_visit(self, case_id: str, visit: Visit) -> None:
        self._refuse_new_dates(case_id, validation.visit_problems(visit))
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._save_record(conn, "visits", "visit", case_id, visit, records.index_visit)

    def delete_visit(self, case_id: str, visit_id: str) -> None:
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._delete_record(conn, "visits", "visit", case_id, visit_id)

    def save_reference(self, case_id: str, reference: Reference) -> None:
        self._refuse_new_dates(case_id, validation.reference_problems(reference))
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._save_record(
                conn, "case_references", "reference", case_id, reference, records.index_reference
            )

    def delete_reference(self, case_id: str, reference_id: str) -> None:
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._delete_record(conn, "case_references", "reference", case_id, reference_id)

    def save_animal(self, case_id: str, animal: Animal) -> None:
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._save_record(conn, "animals", "animal", case_id, animal, None)

    def delete_animal(self, case_id: str, animal_id: str) -> None:
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._delete_record(conn, "animals", "animal", case_id, animal_id)

    def save_answers(self, case_id: str, answers: list[ChecklistAnswer]) -> None:
        """Upsert by (form_id, subject_id, question_id, row); others are kept."""
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._save_answers(conn, case_id, answers)

    def add_attachment(
        self,
        case_id: str,
        name: str,
        media_type: str,
        data: bytes,
        description: str = "",
        confidential: bool = True,
    ) -> Attachment:
        att = Attachment(
            name=name,
            media_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            description=description,
            confidential=confidential,
        )
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            conn.execute(
                "INSERT INTO attachments (id, case_id, meta, content) VALUES (?,?,?,?)",
                (att.id, case_id, records.dumps(to_jsonable(att)), data),
            )
            records.index_attachment(conn, case_id, att)
            self._log(conn, "create", case_id, "attachment", att.id, ["content", "meta"])
        return att

    def delete_attachment(self, case_id: str, attachment_id: str) -> None:
        with self._v.writing(case_id) as conn:
            self._touch(conn, case_id)
            self._delete_record(conn, "attachments", "attachment", case_id, attachment_id)


def _one_line(text: str) -> str:
    """Typed or pasted text as one plain line: control characters out, spaces single."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(kept.split())


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def iter_case_ids(conn: Any) -> Iterator[str]:
    for (cid,) in conn.execute("SELECT id FROM cases ORDER BY reference"):
        yield cid
