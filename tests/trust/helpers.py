"""Shared steps of the trust tests: browsers per user, what a file says as text or cells,
and the back office's export form filled in with every column."""

import csv
import io
import zipfile

from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.errors import PyPdfError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def text_of(response) -> str:
    """What a response carries, as text: the bytes of a spreadsheet's XML parts too, and
    the text a PDF's pages print (its content streams are compressed, so its raw bytes
    alone would show none of it)."""
    content = body_of(response)
    if content.startswith(b"%PDF-"):
        return pdf_text(content) + "\n" + content.decode("utf-8", "replace")
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def pdf_text(content: bytes) -> str:
    """The text of every page; a file that is not a readable PDF (an uploaded stub) has none."""
    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() for page in reader.pages)
    except (PyPdfError, ValueError):
        return ""


def cells_of(content: bytes) -> list[object]:
    """Every cell of a CSV (any delimiter we write) or XLSX file; formula cells of an
    XLSX come back as ``("FORMULA", text)``."""
    if content.startswith(b"PK\x03\x04"):
        book = load_workbook(io.BytesIO(content))
        found = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    found.append(("FORMULA", cell.value) if cell.data_type == "f" else cell.value)
        return found
    text = content.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


def admin_export(client: Client, model: str, file_format: str):
    """``model`` as "app/model"; ``file_format`` is the index in the export form."""
    url = f"/admin/{model}/export/"
    form = client.get(url).context["form"]
    fields = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(url, {"format": file_format, "resource": "0", **fields})
    assert response.status_code == 200 and response.get("Content-Disposition", "").startswith("attachment"), (
        model,
        response.status_code,
    )
    return response
