"""Pictures in exports: turned upright, cut to print size, metadata gone, and a damaged
picture a plain error that writes nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage
from report_documents import GPS_CANARY, drawing_png, photo_jpeg

from homestudy.errors import ExportError
from homestudy.report import render
from homestudy.report.docmodel import Document, Image
from homestudy.report.images import PRINT_DPI, UNREADABLE, prepare


def test_a_phone_photo_is_turned_upright_cut_down_and_stripped():
    # EXIF orientation 6: the camera was held upright, the pixels lie on their side
    data = photo_jpeg(2400, 1600, rotate_tag=6)
    prepared = prepare(Image(data, "image/jpeg", "A photograph", max_width_cm=8))
    picture = PILImage.open(io.BytesIO(prepared.data))
    assert picture.height > picture.width  # upright
    assert prepared.height_pt > prepared.width_pt
    assert picture.width <= round(prepared.width_pt / 72 * PRINT_DPI)  # 220 dpi at most
    assert not picture.getexif() and GPS_CANARY.encode() not in prepared.data
    assert prepared.media_type == "image/jpeg"


def test_a_drawing_stays_a_sharp_png_and_fits_the_page():
    prepared = prepare(
        Image(drawing_png(400, 3000), "image/png", "A tall drawing", max_width_cm=15)
    )
    assert prepared.media_type == "image/png"
    assert prepared.height_pt <= 0.56 * 842  # never taller than about half the page
    assert abs(prepared.width_pt / prepared.height_pt - 400 / 3000) < 0.01  # shape kept


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xd8\xff\xe0 not really a jpeg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"],
)
def test_a_damaged_picture_is_a_plain_error(fmt, data):
    doc = Document(reference="HS-TEST-0006", title="Pictures", variant_label="Panel copy")
    doc.blocks.append(Image(data, "image/jpeg", "Photograph of Hannah Whitfield"))
    with pytest.raises(ExportError) as raised:
        render(doc, fmt)
    assert str(raised.value) == UNREADABLE
    assert "Hannah" not in str(raised.value)


def test_a_damaged_picture_leaves_no_file(tmp_path):
    from homestudy.report import _write  # what export_par and export_record write with

    doc = Document(reference="HS-TEST-0007", title="Pictures", variant_label="Panel copy")
    doc.para("Some text before the picture.")
    doc.blocks.append(Image(b"broken", "image/png", "Photograph"))
    for fmt in ("pdf", "docx"):
        out = tmp_path / f"par.{fmt}"
        with pytest.raises(ExportError):
            _write(doc, fmt, out)
    assert list(tmp_path.iterdir()) == []  # no file, no temporary file


@pytest.mark.parametrize(
    "data",
    [
        drawing_png(300, 200)[:-200],  # cut short
        photo_jpeg(600, 400)[:-2000],
        drawing_png(300, 200).replace(b"IDAT", b"IDAx", 1),  # a damaged chunk
    ],
)
def test_a_damaged_picture_is_refused_when_chosen(vault, data):
    from homestudy.demo import build_demo_case
    from homestudy.errors import ValidationError
    from homestudy.report.extras import add_picture

    case = build_demo_case()
    vault.cases.save_case(case)
    with pytest.raises(ValidationError) as raised:
        add_picture(vault, case.id, "tree.png", data)
    assert "could not be read to the end" in str(raised.value) or "not a photograph" in str(
        raised.value
    )
    assert len(vault.cases.load_case(case.id).attachments) == len(case.attachments)  # none kept
    good = add_picture(vault, case.id, "tree.png", drawing_png(300, 200))
    assert good.media_type == "image/png"


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_damaged_picture_at_export_is_named_by_its_place(fmt):
    doc = Document(reference="HS-TEST-0008", title="Pictures", variant_label="Panel copy")
    doc.blocks.append(
        Image(photo_jpeg(600, 400)[:-2000], "image/jpeg", "Hannah at home", caption="Eco-map")
    )
    with pytest.raises(ExportError) as raised:
        render(doc, fmt)
    message = str(raised.value)
    assert message.startswith("The picture chosen for \u201cEco-map\u201d could not be read")
    assert "Hannah" not in message
