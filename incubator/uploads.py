"""The one check every uploaded file goes through: its size, its type read from its
bytes AND from its extension (both must agree, whatever the browser claims), and the
name it is stored under (sanitised, with a random prefix so that names cannot be guessed
or collide). Used by milestone evidence (``services_path``), expense documents
(``incubator.funding.expenses``), spreadsheet imports (``importing``) and the programme's
logo (``validate_logo``, a model validator, which also reads the image with Pillow).

Uploaded files are stored under MEDIA_ROOT and never served from a public URL
(``MEDIA_URL`` maps to nothing): only views that check the user's access hand them out,
as attachments with ``X-Content-Type-Options: nosniff``.

Office files are ZIP archives: only their directory is read here, never their members'
contents (no decompression, so no zip bomb); XLSX imports are read by openpyxl, which
parses XML through defusedxml (no entity expansion, no external entities)."""

import base64
import io
import logging
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from incubator.exceptions import DomainError

logger = logging.getLogger(__name__)

MB = 1024 * 1024
_HEAD = 512


@dataclass(frozen=True)
class Kind:
    """A type of document: its extensions and the content type it is served with."""

    name: str
    extensions: tuple[str, ...]
    content_type: str


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("pdf", ("pdf",), "application/pdf"),
        Kind("png", ("png",), "image/png"),
        Kind("jpeg", ("jpg", "jpeg"), "image/jpeg"),
        Kind("odt", ("odt",), "application/vnd.oasis.opendocument.text"),
        Kind("docx", ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        Kind("xlsx", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Kind("csv", ("csv", "txt"), "text/csv"),
    )
}
_BY_EXTENSION = {extension: kind for kind in KINDS.values() for extension in kind.extensions}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class Policy:
    """What one kind of upload accepts. ``code_prefix`` names the error codes
    (``<prefix>_too_large``, ``_empty``, ``_type``, ``_content``, ``_missing``);
    ``codes`` overrides single ones."""

    kinds: tuple[str, ...]
    max_bytes: int
    code_prefix: str = "file"
    codes: dict[str, str] = field(default_factory=dict)

    def code(self, problem: str) -> str:
        return self.codes.get(problem, f"{self.code_prefix}_{problem}")

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(extension for name in self.kinds for extension in KINDS[name].extensions)


def extension_of(name: str) -> str:
    return PurePath((name or "").replace("\\", "/")).suffix.lower().lstrip(".")


def content_type_for(name: str) -> str:
    """The content type a stored file is served with (its extension was checked against
    its bytes on upload); anything else is a plain download."""
    kind = _BY_EXTENSION.get(extension_of(name))
    return kind.content_type if kind else "application/octet-stream"


def _zip_kind(file: UploadedFile | IO[bytes], head: bytes) -> str:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return ""
    finally:
        file.seek(0)
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    # ODF puts an uncompressed "mimetype" entry first: its bytes follow the local header.
    if "mimetype" in names and _ODT_MIMETYPE in head:
        return "odt"
    return ""


def _is_text(head: bytes) -> bool:
    """UTF-8 (a character may be cut at the end of the sample) or Windows-1252 text."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return True
    try:
        head.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def sniff(file: UploadedFile | IO[bytes]) -> str:
    """The kind the bytes are ("" when none we accept), whatever the name says."""
    file.seek(0)
    head = file.read(_HEAD)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file, head)
    if head and _is_text(head):
        return "csv"
    return ""


def _types(policy: Policy) -> str:
    return ", ".join(sorted({KINDS[name].extensions[0].upper() for name in policy.kinds}))


def validate_upload(file: UploadedFile | None, policy: Policy, *, field: str = "file", required: bool = True) -> str:
    """Checks ``file`` against ``policy``; returns its extension (lower case). Every
    refusal is a DomainError on ``field`` with a message for the person who uploaded."""
    if not file:
        if required:
            raise DomainError(_("Attach a file."), code=policy.code("missing"), field=field)
        return ""
    size = getattr(file, "size", None)
    if size is None or size > policy.max_bytes:
        raise DomainError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": max(1, policy.max_bytes // MB)},
            code=policy.code("too_large"),
            field=field,
        )
    if size == 0:
        raise DomainError(_("The file is empty."), code=policy.code("empty"), field=field)
    extension = extension_of(file.name)
    if extension not in policy.extensions:
        raise DomainError(
            _("This type of file is not accepted: use %(types)s.") % {"types": _types(policy)},
            code=policy.code("type"),
            field=field,
        )
    if sniff(file) != _BY_EXTENSION[extension].name:
        raise DomainError(
            _("The file's content is not a %(ext)s document. Accepted types: %(types)s.")
            % {"ext": extension.upper(), "types": _types(policy)},
            code=policy.code("content"),
            field=field,
        )
    return extension


def safe_filename(name: str, extension: str, *, default: str = "file", random_prefix: bool = True) -> str:
    """A name safe to store: no directories, no characters outside letters, digits,
    dot, dash and underscore, at most 80 characters of stem, the checked extension, and
    a random prefix (unless ``random_prefix`` is off)."""
    stem = get_valid_filename(PurePath((name or "").replace("\\", "/")).stem)[:80].strip("._-") or default
    safe = f"{stem}.{extension}"
    return f"{secrets.token_hex(8)}-{safe}" if random_prefix else safe


def shown_name(stored: str) -> str:
    """The stored name without its directories and random prefix (for downloads)."""
    base = stored.rsplit("/", 1)[-1]
    prefix, _sep, rest = base.partition("-")
    return rest if rest and len(prefix) == 16 and all(c in "0123456789abcdef" for c in prefix) else base


def accepted_extensions(kinds: Iterable[str]) -> list[str]:
    """For ``<input type="file" accept=...>``."""
    return [f".{extension}" for name in kinds for extension in KINDS[name].extensions]


# The programme's logo (on the documents' header): a PNG or JPEG of at most 1 MB whose
# pixels are few enough to decode safely (a small compressed file may hold a huge image).
LOGO_UPLOADS = Policy(kinds=("png", "jpeg"), max_bytes=1 * MB, code_prefix="logo")
LOGO_MAX_PIXELS = 4000 * 4000


def validate_logo(file) -> None:
    """Model validator of ``Programme.logo``: size, extension and bytes (``validate_upload``),
    then the image itself read by Pillow (dimensions, not corrupt). A stored logo is not
    checked again on later saves of the programme."""
    if not file or getattr(file, "_committed", False):
        return
    try:
        validate_upload(file, LOGO_UPLOADS, field="logo", required=False)
    except DomainError as refusal:
        raise ValidationError(refusal.messages[0], code=refusal.code) from None
    from PIL import Image, UnidentifiedImageError  # only when a logo is uploaded

    invalid = ValidationError(_("The file is not a readable PNG or JPEG image."), code="logo_content")
    try:
        file.seek(0)
        with Image.open(file) as image:
            width, height = image.size
            if image.format not in ("PNG", "JPEG"):
                raise invalid
            if width * height > LOGO_MAX_PIXELS:
                raise ValidationError(
                    _("The image is too large: at most %(pixels)s million pixels.")
                    % {"pixels": LOGO_MAX_PIXELS // 1_000_000},
                    code="logo_too_many_pixels",
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise invalid from None
    finally:
        file.seek(0)


def image_data_uri(file, policy: Policy = LOGO_UPLOADS) -> str:
    """A stored image (checked when uploaded) as a ``data:`` URI, for a page or a document
    that must not fetch it from a URL; "" when there is none, it cannot be read, or its
    bytes are not one of ``policy``'s image kinds within its size."""
    if not file:
        return ""
    try:
        with file.open("rb") as stored:
            content = stored.read(policy.max_bytes + 1)
    except OSError:
        logger.warning("The stored image %s cannot be read.", file.name)
        return ""
    kind = sniff(io.BytesIO(content))
    if kind not in policy.kinds or not KINDS[kind].content_type.startswith("image/") or len(content) > policy.max_bytes:
        return ""
    return f"data:{KINDS[kind].content_type};base64,{base64.b64encode(content).decode('ascii')}"


def logo_path(instance, filename: str) -> str:
    """Where a programme's logo is stored (under MEDIA_ROOT, never served publicly)."""
    return f"programmes/logos/{safe_filename(filename, extension_of(filename), default='logo')}"
