"""No case text reaches the disk in plaintext: canaries in every kind of record.

A child process (with its own TMPDIR) writes a unique canary string into every kind
of record the vault holds, searches, backs up, locks, unlocks and closes. The parent
then reads every file under the vault folder and the child's TMPDIR and looks for
each canary in UTF-8, UTF-16-LE and UTF-16-BE.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

KINDS = [
    "applicant",
    "household",
    "significant_other",
    "medical",
    "training",
    "stage1_notes",
    "check",
    "line_of_enquiry",
    "visit_title",
    "visit_notes",
    "referee",
    "reference_notes",
    "animal",
    "answer_text",
    "answer_comment",
    "par_text",
    "attachment_name",
    "attachment_description",
    "attachment_content",
    "setting",
    "search_query",
]

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from homestudy.demo import build_demo_case
    from homestudy.model import ChecklistAnswer, ParSectionDraft, Visit
    from homestudy.vault import KdfParams, Vault

    folder, tag = Path(sys.argv[1]), sys.argv[2]
    c = {k: f"Canary{k.replace('_', '')}{tag}" for k in sys.argv[3:]}
    pw = "canary passphrase"
    vault = Vault.create(folder, pw, kdf=KdfParams(1, 64, 1))
    case = build_demo_case()
    case.applicants[0].first_name = c["applicant"]
    case.household[0].notes = c["household"]
    case.significant_others[0].notes = c["significant_other"]
    case.stage1.medical_adviser_summary = c["medical"]
    case.stage1.preparation_training = c["training"]
    case.stage1.notes = c["stage1_notes"]
    case.stage1.checks[0].notes = c["check"]
    case.lines_of_enquiry[0].text = c["line_of_enquiry"]
    case.animals[0].name = c["animal"]
    vault.cases.save_case(case)
    vault.cases.save_visit(case.id, Visit(9, c["visit_title"], notes=c["visit_notes"]))
    ref = case.references[0]
    ref.referee_name, ref.notes = c["referee"], c["reference_notes"]
    vault.cases.save_reference(case.id, ref)
    vault.cases.save_answers(case.id, [
        ChecklistAnswer("pet_assessment", 1, "temperament", c["answer_text"],
                        subject_id=case.animals[0].id),
        ChecklistAnswer("health_safety", 1, "garden",
                        {"answer": "no", "comment": c["answer_comment"], "action": "",
                         "due": "", "done": False}),
    ])
    for n in range(30):  # several versions of a section, as autosave makes them
        vault.cases.save_par_section(case.id, ParSectionDraft(
            "health", f"Draft {n}. {c['par_text']} " + "More words. " * 50 * n))
    vault.cases.save_par_section(case.id, ParSectionDraft("health", "Replaced."))
    vault.cases.add_attachment(case.id, c["attachment_name"] + ".txt", "text/plain",
                               (c["attachment_content"] + "\\n").encode() * 100,
                               description=c["attachment_description"])
    vault.set_setting("note", c["setting"])
    assert vault.cases.search(c["visit_notes"])
    vault.cases.search(c["search_query"])
    vault.backup(folder / "backup.hsbackup")
    vault.lock()
    vault.unlock(pw)
    assert vault.cases.load_case(case.id).applicants[0].first_name == c["applicant"]
    vault.close()
    print("done")
""")


def test_no_canary_on_disk(tmp_path: Path) -> None:
    folder, tmpdir = tmp_path / "vault", tmp_path / "tmp"
    tmpdir.mkdir()
    tag = os.urandom(6).hex()
    env = {
        **os.environ,
        "TMPDIR": str(tmpdir),
        "TEMP": str(tmpdir),
        "TMP": str(tmpdir),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), tag, *KINDS],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"

    files = [p for root in (folder, tmpdir) for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "vault.db" for p in files)
    canaries = [f"Canary{k.replace('_', '')}{tag}" for k in KINDS]
    for path in files:
        data = path.read_bytes()
        for canary in canaries:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert canary.encode(encoding) not in data, (path.name, canary, encoding)
        assert tag.encode() not in data and tag.encode("utf-16-le") not in data
