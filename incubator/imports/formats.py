"""File formats of imports and exports (CSV, Italian CSV for Excel, XLSX) and the cell
widgets that parse what people type; large exports are streamed."""

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.formats.base_formats import Format

from incubator.imports.cells import (
    cell_text,
    neutralise,
    parse_bool,
    parse_choice,
    parse_choice_list,
    parse_date,
    parse_datetime,
    parse_decimal,
)
from incubator.imports.files import read_csv, read_xlsx

logger = logging.getLogger(__name__)

# Exports past STREAM_AFTER_ROWS rows are streamed: rows are read with an iterator and
# sent in pieces of STREAM_ROWS rows (CSV) or STREAM_BYTES (XLSX), so a large export
# never sits in memory.
STREAM_ROWS = 500


STREAM_BYTES = 64 * 1024


STREAM_AFTER_ROWS = 1000


class DecimalWidget(widgets.NumberWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_decimal(value)

    def render(self, value, obj=None, **kwargs):
        return value


class DateWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value


class DateTimeWidget(widgets.DateTimeWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_datetime(value)

    def render(self, value, obj=None, **kwargs):
        return value


class BooleanWidget(widgets.BooleanWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_bool(value)

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(widgets.Widget):
    """Imports a code or a label; exports the code (the same in every language)."""

    def __init__(self, choices: type[models.TextChoices], **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        return parse_choice(value, self.choices)

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ChoiceListWidget(ChoiceWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_choice_list(value, self.choices)

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


class TextWidget(widgets.CharWidget):
    """Text stripped of surrounding blanks; an empty cell is an empty string."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


class _TableFormat(Format):
    """Reads and writes bytes itself: decoding and neutralising are ours, not tablib's."""

    title = ""
    extension = ""
    content_type = "application/octet-stream"

    def __init__(self, encoding=None):
        self.encoding = encoding  # import-export passes it; the decoding is detected instead

    def get_title(self):
        return str(self.title)

    def get_extension(self):
        return self.extension

    def get_content_type(self):
        return self.content_type

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def can_export(self):
        return True


class CSV(_TableFormat):
    """Import: separator and encoding detected. Export: comma, UTF-8, ISO dates."""

    title = "csv"
    extension = "csv"
    content_type = "text/csv"
    delimiter = ","
    italian = False
    bom = False

    def create_dataset(self, in_stream, **kwargs):
        return read_csv(in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8"))

    def export_data(self, dataset, **kwargs):
        return b"".join(self.stream(dataset.headers or [], dataset))

    def stream(self, headers: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
        """The file in pieces of ``STREAM_ROWS`` rows, as the rows come."""
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=self.delimiter)
        writer.writerow([neutralise(str(h)) for h in headers])
        start = "\ufeff" if self.bom else ""
        for n, row in enumerate(rows, start=1):
            writer.writerow([cell_text(value, italian=self.italian) for value in row])
            if n % STREAM_ROWS == 0:
                yield (start + out.getvalue()).encode("utf-8")
                start = ""
                out.seek(0)
                out.truncate()
        yield (start + out.getvalue()).encode("utf-8")


class ItalianCSV(CSV):
    """As Excel and LibreOffice in Italy expect it: semicolons, a BOM so that accented
    letters open right, dd/mm/yyyy and decimal comma."""

    title = _("csv for Italian Excel (; dd/mm/yyyy 1234,56)")
    delimiter = ";"
    italian = True
    bom = True


class XLSX(_TableFormat):
    title = "xlsx"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def create_dataset(self, in_stream, **kwargs):
        return read_xlsx(in_stream)

    def export_data(self, dataset, **kwargs):
        return b"".join(self.stream(dataset.headers or [], dataset))

    def stream(self, headers: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
        """openpyxl's write-only workbook puts each row on disk as it is appended; the
        finished file is then sent in pieces (an XLSX is a ZIP: its end comes last)."""
        import tempfile

        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def cell(value):
            if isinstance(value, dt.datetime) and timezone.is_aware(value):
                return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
            if isinstance(value, str):
                return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
            return value

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append([cell(str(h)) for h in headers])
        for row in rows:
            sheet.append([cell(value) for value in row])
        with tempfile.TemporaryFile() as out:
            book.save(out)
            out.seek(0)
            while piece := out.read(STREAM_BYTES):
                yield piece


IMPORT_FORMATS = [CSV, XLSX]


EXPORT_FORMATS = [CSV, ItalianCSV, XLSX]
