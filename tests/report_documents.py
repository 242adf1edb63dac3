"""Documents and pictures built for the writer tests: every kind of block, Parts,
a confidential part in its own section, pictures, marks on every page.

``photo_jpeg`` makes a photograph-like JPEG with EXIF data a phone would write (its
orientation, and GPS coordinates that must never reach an export); ``drawing_png``
a family-tree-like drawing.
"""

from __future__ import annotations

import io
import random

from PIL import Image as PILImage
from PIL import ImageDraw

from homestudy.report.docmodel import (
    Document,
    Heading,
    Image,
    ListBlock,
    ListItem,
    PageBreak,
    Paragraph,
    Run,
    SectionBreak,
    TableOfContents,
    WritingSpace,
)

CONFIDENTIAL = "CONFIDENTIAL – not to be shared with the applicants"
INCOMPLETE = "INCOMPLETE – NOT FOR PANEL"
VERSION = "Version r42 · 2 Dec 2026"
GPS_CANARY = "ZqxGpsCanary"  # the camera's "make": it must not survive into an export


def photo_jpeg(width: int = 1600, height: int = 1200, *, rotate_tag: int = 1) -> bytes:
    """A noisy gradient JPEG with EXIF: camera make, orientation and a GPS position."""
    rng = random.Random(7)
    picture = PILImage.new("RGB", (width, height))
    pixels = picture.load()
    for y in range(0, height, 4):
        for x in range(0, width, 4):
            shade = (x * 255 // width, y * 255 // height, rng.randrange(120, 200))
            for dy in range(4):
                for dx in range(4):
                    if x + dx < width and y + dy < height:
                        pixels[x + dx, y + dy] = shade
    exif = PILImage.Exif()
    exif[0x010F] = GPS_CANARY  # Make
    exif[0x0112] = rotate_tag  # Orientation
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def drawing_png(width: int = 900, height: int = 600) -> bytes:
    picture = PILImage.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    boxes = [(80, 60), (520, 60), (300, 300), (120, 480), (480, 480)]
    for x, y in boxes:
        draw.rectangle((x, y, x + 260, y + 80), outline="black", width=4)
    draw.line((210, 140, 430, 300), fill="black", width=4)
    draw.line((650, 140, 430, 300), fill="black", width=4)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


VOCABULARY = (
    "the applicants described their childhood with warmth and some sadness "
    "reflecting on how their parents managed conflict and what they would "
    "do differently when caring for a child who has experienced loss"
)


def prose(words: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    vocabulary = VOCABULARY.split()
    return " ".join(rng.choice(vocabulary) for _ in range(words)).capitalize() + "."


def rich_document(*, incomplete: bool = True, watermark: str = "", sections: int = 6) -> Document:
    doc = Document(
        reference="HS-TEST-0001",
        title="Prospective Adopter's Report (England)",
        variant_label="Panel copy",
        author="Priya Raman",
        version_label=VERSION,
        incomplete_mark=INCOMPLETE if incomplete else "",
        watermark=watermark,
    )
    doc.para(doc.title, "title")
    doc.para("Panel copy", "subtitle")
    doc.blocks.append(
        Image(
            photo_jpeg(),
            "image/jpeg",
            "Photograph of the applicants",
            max_width_cm=8,
            caption="The applicants",
        )
    )
    doc.field("Applicants", "Hannah Whitfield and Daniel Mensah")
    doc.blocks.append(TableOfContents())
    doc.blocks.append(PageBreak())
    doc.blocks.append(Heading(0, "Part 1 – Assessment report", "part1"))
    for n in range(1, sections + 1):
        doc.blocks.append(Heading(1, f"Section number {n}", f"s{n}", number=str(n + 3)))
        doc.para(prose(320, n))
        doc.blocks.append(
            Paragraph((Run("Analysis: ", bold=True), Run(prose(60, 50 + n))), "analysis")
        )
        doc.blocks.append(Heading(2, f"Inside section {n}", f"s{n}_inner"))
        doc.para(prose(200, 100 + n))
        if n == 2:
            doc.blocks.append(
                ListBlock(
                    (
                        ListItem((Run("First point"),)),
                        ListItem((Run("Second point"),)),
                        ListItem((Run("Nested under the second"),), level=1),
                        ListItem((Run("Third point"),)),
                    )
                )
            )
            doc.blocks.append(
                ListBlock(
                    (
                        ListItem((Run("Numbered three"),), number=3),
                        ListItem((Run("Numbered four"),), number=4),
                    )
                )
            )
            doc.blocks.append(
                ListBlock(
                    (
                        ListItem((Run("A new list starts at one"),), number=1),
                        ListItem((Run("and goes on to two"),), number=2),
                    )
                )
            )
            doc.blocks.append(
                Image(
                    drawing_png(),
                    "image/png",
                    "Family tree of the household",
                    max_width_cm=14,
                    caption="Family tree",
                )
            )
        if n == 3:
            doc.table(
                ["Check", "Person", "Outcome", "Completed", "Notes"],
                [
                    [
                        "Enhanced DBS",
                        "Hannah Whitfield",
                        "Clear",
                        "12 May 2026",
                        "Conversational notes about the disclosure were completed.",
                    ],
                    [
                        "Local authority",
                        "Daniel Mensah",
                        "Information disclosed",
                        "15 May 2026",
                        prose(40, 9),
                    ],
                ]
                * 6,
                caption="Statutory checks",
            )
        doc.note("Not yet written.")
    doc.blocks.append(Heading(0, "Part 2 – Factual information", "part2"))
    doc.blocks.append(Heading(1, "Household", "household", number="11"))
    doc.para(prose(120, 77))
    doc.blocks.append(SectionBreak(CONFIDENTIAL))
    doc.blocks.append(Heading(1, "Statutory checks and references", "confidential", number="12"))
    doc.para(prose(700, 78))
    doc.blocks.append(SectionBreak(""))
    doc.blocks.append(Heading(1, "Signatures", "signatures", number="13"))
    doc.para("Sign and date below.", "meta")
    doc.blocks.append(WritingSpace(6))
    return doc
