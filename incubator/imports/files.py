"""Uploaded import files: encodings, CSV delimiters, XLSX archives checked before they are
read, and the size and row limits."""

import csv
import io
import logging
from collections.abc import Iterable
from typing import Any

import tablib
from django.utils.translation import gettext

from incubator.imports.cells import restore

logger = logging.getLogger(__name__)


ENCODINGS = ("utf-8-sig", "cp1252")


DELIMITERS = (";", ",", "\t", "|")


# Bigger files are refused before any row is read: an import is one transaction.
MAX_ROWS = 5000


# Lines read (blank ones included) before giving up on a file that is mostly empty rows.
MAX_LINES = MAX_ROWS * 10


IMPORT_MAX_BYTES = 10 * 1024 * 1024


XLSX_MAX_EXPANDED_BYTES = 100 * 1024 * 1024


class UnreadableFile(ValueError):
    """The upload is not a table we can read; the message says why, for the user."""


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252 (what Excel saves as "CSV" in Italy)."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(gettext("The file is neither UTF-8 nor Windows-1252 text."))


def sniff_delimiter(text: str) -> str:
    """The candidate that occurs most in the header line (a comma when none does)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _dataset(rows: Iterable[list[Any]]) -> tablib.Dataset:
    """Header row first; blank lines dropped; short rows padded, so cells match columns."""
    rows = iter(rows)
    header = next(rows, None)
    if not header or not any(h not in (None, "") for h in header):
        raise UnreadableFile(gettext("The file has no header row."))
    headers = [restore(str(h).strip()) if h is not None else "" for h in header]
    dataset = tablib.Dataset(headers=headers)
    for line, row in enumerate(rows, start=2):
        if line > MAX_LINES:
            raise UnreadableFile(gettext("Import at most %(n)s rows at a time.") % {"n": MAX_ROWS})
        cells = [restore(cell) for cell in list(row)[: len(headers)]]
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if len(dataset) >= MAX_ROWS:
            raise UnreadableFile(gettext("Import at most %(n)s rows at a time.") % {"n": MAX_ROWS})
        dataset.append(cells + [None] * (len(headers) - len(cells)))
    return dataset


def _not_too_large(data: bytes) -> None:
    if len(data) > IMPORT_MAX_BYTES:
        raise UnreadableFile(
            gettext("The file is too large: at most %(mb)s MB.") % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)}
        )


def read_csv(data: bytes) -> tablib.Dataset:
    _not_too_large(data)
    text = decode(data)
    if "\0" in text:
        raise UnreadableFile(gettext("The file is not a text (CSV) file."))
    return _dataset(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))


def _xlsx_archive_is_sane(data: bytes) -> bool:
    """An XLSX is a ZIP of XML parts: refuse one whose parts would expand beyond
    ``XLSX_MAX_EXPANDED_BYTES`` (a zip bomb) before openpyxl decompresses anything."""
    import zipfile

    from incubator.uploads import sniff

    if sniff(io.BytesIO(data)) != "xlsx":
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        return len(members) <= 1000 and sum(m.file_size for m in members) <= XLSX_MAX_EXPANDED_BYTES


def read_xlsx(data: bytes) -> tablib.Dataset:
    """openpyxl parses the XML parts through defusedxml (installed, so
    ``openpyxl.DEFUSEDXML`` is true): entity expansion and external entities are refused."""
    from openpyxl import load_workbook

    _not_too_large(data)
    unreadable = UnreadableFile(gettext("The file is not an Excel (XLSX) workbook."))
    if not _xlsx_archive_is_sane(data):
        raise unreadable
    try:
        # data_only: a formula cell gives its cached value, never the formula.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise unreadable from exc
    try:
        return _dataset(book.active.iter_rows(values_only=True))
    except UnreadableFile:
        raise
    except Exception as exc:  # a part that is malformed (or forbidden XML) past the first rows
        raise unreadable from exc
    finally:
        book.close()
