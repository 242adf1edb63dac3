"""Write what a supervisor needs from a received bundle: the PAR as .docx and .pdf
(supervisor draft variant, through ``homestudy.report``), the case as JSON, and the
attachments. Files are written atomically, 0600: they are case data the agency
asked for.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from homestudy.atomic import write_atomic
from homestudy.errors import ExportError
from homestudy.model import Case
from homestudy.sync.bundle import OpenedBundle


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"


def write_review_pack(opened: OpenedBundle, out_dir: Path) -> list[Path]:
    case = opened.case()
    stem = _safe(case.reference)
    written = [
        write_atomic(
            out_dir / f"{stem}.case.json",
            json.dumps(opened.case_document, indent=2).encode("utf-8"),
        )
    ]
    names = {a.id: a.name for a in case.attachments}
    for attachment_id, data in sorted(opened.attachments.items()):
        name = _safe(f"{attachment_id[:8]}-{names.get(attachment_id, 'attachment')}")
        written.append(write_atomic(out_dir / "attachments" / name, data))
    written += _par_exports(case, out_dir, stem)
    return written


def _par_exports(case: Case, out_dir: Path, stem: str) -> list[Path]:
    from homestudy.forms import load_library
    from homestudy.report import Variant, build_par_document, render

    forms = load_library()
    # one document for both formats (the readiness annex is worked out once)
    document = build_par_document(case, Variant.SUPERVISOR, forms=forms)
    written = []
    for fmt in ("docx", "pdf"):
        try:
            data = render(document, fmt)
        except ExportError:
            raise
        except Exception as exc:  # the report layer's own failure, in plain words
            raise ExportError("The PAR could not be written from this bundle.") from exc
        written.append(write_atomic(out_dir / f"{stem}.PAR-supervisor-draft.{fmt}", data))
    return written
