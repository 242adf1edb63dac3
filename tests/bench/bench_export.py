"""Benchmark: the PAR of a 25,000-word case, with a photograph and two pictures (a family
tree and an eco-map), to .docx and .pdf in each variant.

Built from the demo case: its sections are grown with more of its own kind of prose
(paragraphs reshuffled from the demo's sections, with their analysis and lists) to
25,000 words, and the pictures are made here (a 12-megapixel JPEG photograph with
EXIF, and two PNG drawings) and placed as the content side places them: the
photograph on the cover, the drawings in their sections. Build the model + render, in
memory, then the file written as an export writes it (SHA-256 for the audit trail,
atomic, 0600), with the version and the INCOMPLETE mark on every page of the panel and
applicants' copies. The .docx includes its contents' page numbers, worked out from one
PDF layout pass. The readiness pass that decides the mark is timed on its own.

Aims: .docx at most 1 s, .pdf at most 2 s. Run: ``python tests/bench/bench_export.py``.
"""

from __future__ import annotations

import io
import random
from datetime import date

from _timing import median_ms

WORDS = 25_000


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (4000, 3000), (180, 200, 220))
    draw = ImageDraw.Draw(picture)
    rng = random.Random(1)
    for _ in range(400):  # enough detail that JPEG has work to do
        x, y = rng.randrange(4000), rng.randrange(3000)
        draw.ellipse(
            (x, y, x + rng.randrange(40, 400), y + rng.randrange(40, 400)),
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    exif = Image.Exif()
    exif[0x010F] = "Phone camera"
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def _drawing(label: str) -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1800, 1200), "white")
    draw = ImageDraw.Draw(picture)
    for n in range(7):
        x, y = 100 + (n % 4) * 420, 150 + (n // 4) * 500
        draw.rectangle((x, y, x + 320, y + 160), outline="black", width=6)
        draw.text((x + 20, y + 60), f"{label} {n}", fill="black")
        draw.line((x + 160, y + 160, 900, 1100), fill="black", width=4)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _grow(case, words: int) -> int:
    """Add the demo's own kind of paragraphs to its sections until the PAR has ``words``."""
    rng = random.Random(25_000)
    drafts = [d for d in case.par_sections.values() if d.text.strip()]
    pool = [p for d in drafts for p in d.text.split("\n\n") if len(p.split()) > 30]
    total = sum(d.word_count for d in case.par_sections.values())
    while total < words:
        draft = rng.choice(drafts)
        extra = rng.choice(pool)
        draft.text += "\n\n" + extra
        total += len(extra.split())
    return total


def build_case(today: date):
    from homestudy.demo import build_demo_case

    case = build_demo_case(today)
    words = _grow(case, WORDS)
    return case, words


def place_pictures(document, photo: bytes, tree: bytes, ecomap: bytes) -> None:
    from homestudy.report.docmodel import Heading, Image

    blocks = document.blocks
    blocks.insert(
        2, Image(photo, "image/jpeg", "Photograph of the applicants", 8.0, "The applicants")
    )
    for anchor, data, alt, caption in (
        ("s_family_tree", tree, "Family tree drawn with the applicants", "Family tree"),
        ("s_social_support", ecomap, "Eco-map of the household's support", "Eco-map"),
    ):
        at = next(
            (i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.anchor == anchor),
            len(blocks) // 2,
        )
        blocks.insert(at + 1, Image(data, "image/png", alt, 15.0, caption))


def main() -> None:
    import tempfile
    from pathlib import Path

    from homestudy import exports
    from homestudy.forms import load_library
    from homestudy.report import build_par_document, write_document
    from homestudy.report.variants import version_label
    from homestudy.timeline import TimelineRules

    today = date.today()
    case, words = build_case(today)
    lib = load_library()
    photo, tree, ecomap = _photo(), _drawing("Tree"), _drawing("Eco-map")
    version = version_label(143, today)
    inputs = exports.ExportInputs(case, lib, TimelineRules(), 143)
    n = 5
    # the readiness pass an export of a panel or applicants' copy adds (for the mark)
    ms = median_ms(lambda: exports.blockers_for(inputs, "panel", today), n)
    print(
        f"export readiness check for the INCOMPLETE mark ({words} words): "
        f"median {ms:.0f} ms (n={n})"
    )
    with tempfile.TemporaryDirectory() as folder:
        for variant in ("panel", "applicant", "supervisor"):
            findings = [] if variant == "supervisor" else None  # readiness is benched apart

            def run(fmt: str, v: str = variant, fi: object = findings) -> object:
                # as the Export dialog writes it: version and INCOMPLETE on every page,
                # SHA-256 of the bytes, the atomic private write
                document = build_par_document(
                    case, v, forms=lib, today=today, findings=fi, version=version, incomplete=True
                )
                place_pictures(document, photo, tree, ecomap)
                return write_document(document, fmt, Path(folder) / f"{v}.{fmt}")

            for fmt in ("docx", "pdf"):
                ms = median_ms(lambda f=fmt: run(f), n)
                print(
                    f"export {variant} PAR .{fmt} ({words} words, 3 pictures, version, "
                    f"marks, hash, atomic write): median {ms:.0f} ms (n={n})"
                )


if __name__ == "__main__":
    main()
