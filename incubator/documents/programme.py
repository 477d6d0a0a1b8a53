"""The values every document carries about its programme (the ``COMMON`` placeholders of
``kinds``), its logo included: an ``<img>`` whose source is the image itself as a
``data:`` URI, so the PDF needs nothing but the HTML (no file or network access while
rendering) and the same logo always gives the same bytes."""

from django.utils.html import format_html

from incubator import uploads
from incubator.models import Programme


def logo_html(programme: Programme) -> str:
    """The programme's logo as trusted HTML (sized by the documents' CSS, ``header .logo``),
    with the programme's name as its text; "" when it has none or its file cannot be read."""
    source = uploads.image_data_uri(programme.logo)
    return format_html('<img class="logo" src="{}" alt="{}">', source, programme.name) if source else ""


def programme_values(programme: Programme) -> dict:
    return {
        "programme_name": programme.name,
        "programme_code": programme.code,
        "programme_cup": programme.cup,
        "managing_body": programme.managing_body,
        "programme_logo": logo_html(programme),
    }
