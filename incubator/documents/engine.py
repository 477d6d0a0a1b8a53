"""Placeholders in, HTML out, PDF out. Pure functions: no database.

Same HTML -> same PDF bytes: WeasyPrint writes no creation date unless the HTML asks for
one, and the PDF's ``/ID`` is derived from the HTML (``pdf_identifier``) instead of being
random, so a document generated again from the same data and template version is
byte-identical and its SHA-256 matches the stored one.
"""

import hashlib
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext as _

from incubator.documents.kinds import PLACEHOLDERS, RAW

# Anything between double braces is a placeholder use, so "{{ a.b }}" or "{{ x|f }}" is
# caught (and refused) rather than left in the text.
_USE = re.compile(r"\{\{(.*?)\}\}", re.S)
_NAME = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*$")
_FORBIDDEN = ("{%", "<script", "@import", "url(")

STYLE = """
@page { size: A4; margin: 2cm 1.8cm 2.2cm;
  @bottom-right { content: "%(page)s " counter(page) " %(of)s " counter(pages); font-size: 8pt; } }
@page wide { size: A4 landscape; }
section.register { page-break-after: always; }
section.register:last-child { page-break-after: auto; }
table.roster td { height: 1.6em; }
.verify svg { width: 3cm; height: 3cm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }
header { border-bottom: 1px solid #06c; margin-bottom: 1em; }
header .prog { font-weight: bold; color: #06c; }
header img.logo { display: block; max-height: 1.6cm; max-width: 6cm; margin-bottom: 0.2cm; }
table { border-collapse: collapse; width: 100%%; table-layout: fixed; }
th, td { border: 1px solid #999; padding: 3px 4px; text-align: left; vertical-align: top; }
code { font-size: 8pt; word-break: break-all; }
"""


# "page n of m" in the document's language (the CSS counter fills in n and m).
FOOTER = {"it": {"page": "Pagina", "of": "di"}, "en": {"page": "Page", "of": "of"}}


def check(kind: str, body: str) -> None:
    """Refuse a template that uses a placeholder unknown to its kind, naming it."""
    allowed = set(PLACEHOLDERS[kind])
    unknown = []
    for use in _USE.findall(body):
        match = _NAME.match(use)
        name = match.group(1) if match else use.strip()
        if name not in allowed and name not in unknown:
            unknown.append(name)
    if unknown:
        raise ValidationError(
            {"body": _("Unknown placeholder: %(names)s.") % {"names": ", ".join(unknown)}}, code="unknown_placeholder"
        )
    lowered = body.lower()
    for token in _FORBIDDEN:
        if token in lowered:
            raise ValidationError(
                {"body": _("Not allowed in a template: %(token)s") % {"token": token}}, code="forbidden_markup"
            )


def fill(kind: str, body: str, values: Mapping[str, object]) -> str:
    """Replace each placeholder; values are escaped except the product's own HTML: the
    placeholders in ``kinds.RAW`` that this kind documents."""
    raw = RAW & set(PLACEHOLDERS[kind])

    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        value = values.get(name, "")
        text = "" if value is None else str(value)
        return text if name in raw else escape(text)

    return _USE.sub(replace, body)


def page(title: str, body_html: str, language: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE % FOOTER.get(language, FOOTER['it'])}</style></head>"
        f"<body>{body_html}</body></html>"
    )


def to_pdf(html: str) -> bytes:
    # Heavy imports, only when a document is actually rendered.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    # Only data: URIs (the logo, the QR code) are read: a template naming a remote or
    # local address (an <img src>, a <link>) makes the server fetch nothing.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_identifier=identifier)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
