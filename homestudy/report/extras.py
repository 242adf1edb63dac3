"""What a PAR export needs from the vault besides the case: the pictures the worker
chose (photograph, family tree, eco-map) and the agency's name.

The case only names its pictures (``Case.photo_attachment_id`` ...); their bytes live
encrypted in the vault. ``extras_for(vault, case)`` reads them (on the DB worker in
the UI), so building and rendering the report never touches the vault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homestudy.model import Attachment, Case

if TYPE_CHECKING:
    from homestudy.vault.vault import Vault

#: image slot (forms.types.IMAGE_SLOTS) -> the Case field naming its attachment
SLOT_FIELDS = {
    "photograph": "photo_attachment_id",
    "family_tree": "family_tree_attachment_id",
    "ecomap": "ecomap_attachment_id",
}
SLOT_LABELS = {
    "photograph": "Photograph of the applicants",
    "family_tree": "Family tree",
    "ecomap": "Eco-map",
}
#: pictures a report can print (images.py re-encodes them)
PICTURE_TYPES = ("image/png", "image/jpeg")


@dataclass(frozen=True)
class ReportExtras:
    images: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    agency_name: str = ""


def picture_attachments(case: Case) -> list[Attachment]:
    """The case's attachments that can be placed in the report as pictures."""
    return [a for a in case.attachments if a.media_type.lower() in PICTURE_TYPES]


def chosen(case: Case, slot: str) -> Attachment | None:
    """The attachment chosen for ``slot``, if it is still one of the case's pictures."""
    wanted = getattr(case, SLOT_FIELDS[slot], "")
    return next((a for a in picture_attachments(case) if wanted and a.id == wanted), None)


#: the largest picture file HomeStudy takes in (a phone photograph is well under this)
MAX_PICTURE_BYTES = 30 * 1024 * 1024
NOT_A_PICTURE = (
    "That file is not a photograph or drawing HomeStudy can put in the report. "
    "Choose a PNG or JPEG picture."
)
DAMAGED = (
    "That picture could not be read to the end: the file may be damaged or only partly "
    "copied. Choose another copy of it."
)
TOO_LARGE = "That picture is too large (over 30 MB). Choose a smaller copy."


def _starts_as_a_picture(data: bytes) -> bool:
    """Whether ``data`` starts as a PNG or JPEG file does."""
    return data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))


def picture_type(data: bytes) -> str:
    """The media type of a PNG or JPEG picture, read from its content (not its name)
    and decoded to the end, so a damaged or cut-short file is refused when chosen, not
    at export; ``ValidationError`` with a plain message for anything else."""
    import io

    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    from homestudy.errors import ValidationError

    if len(data) > MAX_PICTURE_BYTES:
        raise ValidationError(TOO_LARGE)
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format
            if kind in ("PNG", "JPEG"):
                picture.load()  # every pixel: a truncated file fails here
    except PILImage.DecompressionBombError as exc:
        raise ValidationError(TOO_LARGE) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ValidationError(DAMAGED if _starts_as_a_picture(data) else NOT_A_PICTURE) from exc
    if kind not in ("PNG", "JPEG"):
        raise ValidationError(NOT_A_PICTURE)
    return "image/png" if kind == "PNG" else "image/jpeg"


def add_picture(vault: Vault, case_id: str, name: str, data: bytes) -> Attachment:
    """Keep ``data`` (a picture file the worker chose) in the vault as an attachment of
    the case, marked shared: pictures are chosen to go in the report."""
    media_type = picture_type(data)
    return vault.cases.add_attachment(case_id, name, media_type, data, confidential=False)


def extras_for(vault: Any, case: Case) -> ReportExtras:
    """Read the chosen pictures and the agency's name (call it on the DB worker)."""
    images: dict[str, bytes] = {}
    for slot in SLOT_FIELDS:
        att = chosen(case, slot)
        if att is not None and att.id not in images:
            images[att.id] = vault.cases.read_attachment(case.id, att.id)
    return ReportExtras(MappingProxyType(images), _agency_name(vault, case))


def _agency_name(vault: Any, case: Case) -> str:
    if not case.agency_profile_id:
        return ""
    from homestudy.errors import NotFoundError
    from homestudy.sync import outbox

    try:
        return str(outbox.profile(vault, case.agency_profile_id).profile.name)
    except NotFoundError:
        return ""
