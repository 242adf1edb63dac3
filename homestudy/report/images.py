"""Pictures made ready for a report: checked, turned upright, cut down to what print
needs, and stripped of their metadata.

A phone photograph carries its place (GPS) and the camera in its EXIF data, and may be
12 megapixels: the report gets a fresh copy re-encoded with Pillow at no more than
``PRINT_DPI`` for the size it is printed at, with no metadata at all, so an export
never gives away where the family lives and stays small. A picture that cannot be
read is an ``ExportError`` that says so and which picture it is by its place in the
report ("Family tree": the caption, never the file's name or its description).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from homestudy.errors import ExportError
from homestudy.report.docmodel import Image
from homestudy.report.layout import image_size

PRINT_DPI = 220
UNREADABLE = (
    "One of the pictures chosen for the report could not be read: it may be damaged or "
    "not a photograph HomeStudy knows (PNG or JPEG). Choose another picture, or take "
    "it out of the report, and export again."
)


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    media_type: str  # "image/png" | "image/jpeg"
    width_pt: float  # printed size
    height_pt: float
    width_px: int
    height_px: int


@lru_cache(maxsize=16)  # the .docx writer's layout pass and the writer see the same picture
def prepare(image: Image) -> PreparedImage:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(image.data)) as source:
                source.load()
                picture = ImageOps.exif_transpose(source) or source
                return _encode(picture, image.max_width_cm, source.format == "PNG")
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        PILImage.DecompressionBombError,
        PILImage.DecompressionBombWarning,
    ) as exc:
        raise ExportError(unreadable(image.caption)) from exc


def unreadable(caption: str) -> str:
    """The message for a picture that cannot be read, naming its place if known."""
    if not caption:
        return UNREADABLE
    return UNREADABLE.replace(
        "One of the pictures chosen for the report", f"The picture chosen for “{caption}”"
    )


def _encode(picture: PILImage.Image, max_width_cm: float, lossless: bool) -> PreparedImage:
    width_pt, height_pt = image_size(picture.width, picture.height, max_width_cm)
    limit = round(width_pt / 72 * PRINT_DPI)
    if picture.width > limit:
        height = max(1, round(picture.height * limit / picture.width))
        picture = picture.resize((limit, height), PILImage.Resampling.LANCZOS)
    transparent = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    out = io.BytesIO()
    if transparent or lossless:  # drawings (a family tree, an eco-map) stay sharp as PNG
        picture = picture.convert("RGBA" if transparent else "RGB")
        picture.save(out, "PNG", compress_level=4)
        media = "image/png"
    else:
        picture = picture.convert("RGB")
        picture.save(out, "JPEG", quality=85, optimize=False)
        media = "image/jpeg"
    return PreparedImage(out.getvalue(), media, width_pt, height_pt, picture.width, picture.height)
