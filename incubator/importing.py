"""Import and export machinery shared by the back office (people and applications here;
attendance and tutoring sessions in ``cohorts`` and ``mentoring``).

What it gives:

- spreadsheets as Italian offices write them: ``decode`` tries UTF-8 (with or without BOM)
  then Windows-1252, ``sniff_delimiter`` picks ``;`` ``,`` tab or ``|`` from the header
  line, ``parse_decimal`` / ``parse_date`` / ``parse_datetime`` / ``parse_bool`` /
  ``parse_choice`` read ``1.234,56``, ``31/01/2026``, ``31/01/2026 09:30``, ``sì``, a
  choice's code or label, as well as the ISO forms and the native values of an XLSX cell;
- formats for django-import-export: ``CSV`` (dialect detected on import), ``ItalianCSV``
  (export: ``;``, UTF-8 with BOM, dd/mm/yyyy, decimal comma) and ``XLSX``; every text cell
  they write goes through ``neutralise`` (a cell starting with = + - @ tab CR or NUL gets an
  apostrophe in front, so a spreadsheet never runs it as a formula);
- ``ServiceResource``: the all-or-nothing runner. Each row is parsed by its columns'
  widgets and written by a service; any bad row rolls back the whole file and the result
  lists every problem as ``RowError`` ("Row 3, tax_code: Enter a valid tax code."), rows
  numbered as the spreadsheet shows them (the header is row 1);
- ``ServiceImportExportMixin`` for a ModelAdmin: the upload screen is a dry run that
  previews the rows (nothing is written) or lists the problems; the confirmation runs
  the same import for real, all or nothing.

To reuse it (e.g. an attendance import in ``cohorts``):

1. In ``<app>/resources.py`` subclass ``ServiceResource``. Declare the columns as
   import-export ``Field``s with the widgets below, put the mandatory ones in
   ``required_columns``, add ``clean_<field>(value, values)`` methods that turn a cleaned
   cell into a record (a session by its code...; raise ``ValueError`` with a message), and
   write ``save_row(values)``: call your service with ``actor=self.actor`` and return
   ``(record, RowResult.IMPORT_TYPE_NEW)`` (or ``_UPDATE`` / ``_SKIP``). Let the service's
   ``DomainError`` out: its field is mapped to the column of the same name.
2. In ``<app>/admin.py`` put ``ServiceImportExportMixin`` before your ModelAdmin base and
   set ``resource_classes = [YourResource]``. Import is allowed when
   ``has_add_permission`` is, export when ``has_view_permission`` is.
"""

import csv
import dataclasses
import datetime as dt
import io
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.contrib import messages
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ImproperlyConfigured,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export import widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import Format
from import_export.resources import ModelResource
from import_export.results import Error, Result, RowResult
from import_export.signals import post_export
from import_export.tmp_storages import MediaStorage

from incubator import access
from incubator.exceptions import NotPermitted
from incubator.models import Programme

logger = logging.getLogger(__name__)

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t", "|")
# Bigger files are refused before any row is read: an import is one transaction.
MAX_ROWS = 5000
# Lines read (blank ones included) before giving up on a file that is mostly empty rows.
MAX_LINES = MAX_ROWS * 10
IMPORT_MAX_BYTES = 10 * 1024 * 1024
XLSX_MAX_EXPANDED_BYTES = 100 * 1024 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Exports past STREAM_AFTER_ROWS rows are streamed: rows are read with an iterator and
# sent in pieces of STREAM_ROWS rows (CSV) or STREAM_BYTES (XLSX), so a large export
# never sits in memory.
STREAM_ROWS = 500
STREAM_BYTES = 64 * 1024
STREAM_AFTER_ROWS = 1000


class UnreadableFile(ValueError):
    """The upload is not a table we can read; the message says why, for the user."""


def back_office_scope(user, model_or_qs, programme_path: str) -> models.QuerySet:
    """What the back office works on: the records the user may see (``access.visible``)
    in the programmes they coordinate (all for an administrator). ``programme_path`` leads
    from the model to its programme, e.g. ``"call__programme"`` (``"pk"`` for Programme)."""
    queryset = access.visible(user, model_or_qs)
    if access.is_admin(user):
        return queryset
    return queryset.filter(**{f"{programme_path}__in": access.coordinated(user)})


# --- reading ---------------------------------------------------------------------------------


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
    headers = [str(h).strip() if h is not None else "" for h in header]
    dataset = tablib.Dataset(headers=headers)
    for line, row in enumerate(rows, start=2):
        if line > MAX_LINES:
            raise UnreadableFile(gettext("Import at most %(n)s rows at a time.") % {"n": MAX_ROWS})
        cells = list(row)[: len(headers)]
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


# --- parsing cells ---------------------------------------------------------------------------

_PLAIN = re.compile(r"[+-]?\d+(\.\d+)?")
_COMMA = re.compile(r"[+-]?\d+(,\d+)?")
_ITALIAN_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")
_ENGLISH_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_decimal(value) -> Decimal | None:
    """``12,5`` and ``1.234,56`` (Italian), ``12.5`` and ``1,234.56``; a lone dot is a
    decimal point (``1.234`` is 1.234, as XLSX and our own CSV write it)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(gettext("Enter a number."))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest form that reads back as the same float
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
        if _PLAIN.fullmatch(text):
            pass
        elif _COMMA.fullmatch(text):
            text = text.replace(",", ".")
        elif _ITALIAN_GROUPED.fullmatch(text):
            text = text.replace(".", "").replace(",", ".")
        elif _ENGLISH_GROUPED.fullmatch(text):
            text = text.replace(",", "")
        else:
            raise ValueError(gettext("“%(value)s” is not a number (e.g. 1234,56).") % {"value": value})
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(gettext("“%(value)s” is not a number (e.g. 1234,56).") % {"value": value}) from None
    if not number.is_finite():
        raise ValueError(gettext("Enter a number."))
    return number


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)


def parse_date(value) -> dt.date | None:
    """``31/01/2026`` (also with - or .) or ``2026-01-31``; an XLSX date cell as it is."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(gettext("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": value})


def parse_datetime(value) -> dt.datetime | None:
    """``31/01/2026 09:30`` or ISO; a time without zone is Italian time (Europe/Rome);
    a date alone is its midnight."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        moment = None
        for fmt in DATETIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                try:
                    moment = dt.datetime.combine(parse_date(text), dt.time())
                except ValueError:
                    raise ValueError(
                        gettext("“%(value)s” is not a date and time: write it as dd/mm/yyyy hh:mm.") % {"value": value}
                    ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "sì", "si", "s", "x", "vero", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "falso", "f"})


def parse_bool(value) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(gettext("“%(value)s” is not yes or no (sì/no).") % {"value": value})


def parse_choice(value, choices: type[models.TextChoices]) -> str | None:
    """A choice by its code or by its label in the current language (case ignored)."""
    if _blank(value):
        return None
    wanted = str(value).strip().casefold()
    for code in choices.values:  # codes first: no label to translate for most cells
        if wanted == str(code).casefold():
            return code
    for code, label in choices.choices:
        if wanted in (str(code).casefold(), str(label).casefold()):
            return code
    raise ValueError(
        gettext("“%(value)s” is not one of: %(choices)s.")
        % {"value": value, "choices": ", ".join(str(c) for c in choices.values)}
    )


def parse_choice_list(value, choices: type[models.TextChoices]) -> list[str]:
    """Several choices in one cell, separated by commas, semicolons or bars."""
    if _blank(value):
        return []
    found: list[str] = []
    for part in re.split(r"[,;|]", str(value)):
        if part.strip():
            code = parse_choice(part, choices)
            if code not in found:
                found.append(code)
    return found


# --- writing cells ---------------------------------------------------------------------------


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell_text(value, *, italian: bool = False) -> str:
    """A native value as CSV text: ISO forms, or the Italian ones (31/01/2026, 12,50, sì)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if italian:
            return "sì" if value else "no"
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float):
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        return text.replace(".", ",") if italian else text
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%d/%m/%Y %H:%M:%S" if italian else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if italian else value.isoformat()
    return neutralise(str(value))


# --- widgets: cells <-> values; render gives native values, the formats write them -----------


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


# --- formats ---------------------------------------------------------------------------------


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


# --- the all-or-nothing runner ---------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem of an import: the spreadsheet row (header = 1), the column, the message."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if not self.column:
            return gettext("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return gettext("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportResult(Result):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.header_problems: list[RowError] = []

    def has_errors(self):
        return bool(self.header_problems) or super().has_errors()

    @property
    def problems(self) -> list[RowError]:
        found = list(self.header_problems)
        found += [RowError(None, "", str(error.error)) for error in self.base_errors]
        for error_row in self.error_rows:
            found += [
                RowError(error_row.number + 1, "", gettext("Unexpected error: the import was stopped and logged."))
                for _error in error_row.errors
            ]
        for invalid in self.invalid_rows:
            for column, texts in invalid.error_dict.items():
                found += [
                    RowError(invalid.number + 1, "" if column == NON_FIELD_ERRORS else column, str(text))
                    for text in texts
                ]
        return sorted(found, key=lambda p: (p.row or 0, p.column))


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc)]


@dataclass
class PendingRow:
    """A cleaned row of a batched import, waiting for ``save_batch``."""

    number: int  # import-export's row number (the header is row 0)
    row: Mapping[str, Any]
    values: dict[str, Any]
    result: RowResult
    retain: bool


@dataclass
class BatchOutcome:
    """What ``save_batch`` did, by row number: the record and its import type, or why the
    row was refused (a ValidationError keyed by field, as a service raises it)."""

    written: dict[int, tuple[models.Model, str]] = dataclasses.field(default_factory=dict)
    refused: dict[int, ValidationError] = dataclasses.field(default_factory=dict)


class ServiceResource(ModelResource):
    """Rows written by services, all or nothing. Subclasses define ``save_row(values)``,
    or set ``batched`` and define ``save_batch(rows)`` when their service writes many
    records in one call (e.g. a register's marks): every row is cleaned first, then the
    rows are written together - a service call per group instead of one per row."""

    #: columns that must be in the header row
    required_columns: tuple[str, ...] = ()
    #: rows are written by ``save_batch`` once the file has been read
    batched = False

    def __init__(self, *, actor=None, progress: Callable[[float], None] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        #: called with the share of the file done (0..1), e.g. by a background import
        self.progress = progress
        self._programmes: dict[str, Programme] | None = None
        self._pending: list[PendingRow] = []
        self._total = 0
        self._preview = False

    def save_batch(self, rows: list[tuple[int, dict[str, Any]]]) -> BatchOutcome:
        """Batched resources write ``(row number, cleaned values)`` here, in file order."""
        raise ImproperlyConfigured(f"{type(self).__name__} sets batched but does not define save_batch().")

    def report(self, done: int, total: int, phase: tuple[float, float] = (0.0, 1.0), every: int = 100) -> None:
        """Tells ``progress`` how far the file is (every ``every`` steps and at the end);
        a batched import cleans its rows in the first half and writes them in the second."""
        if self.progress and total and (done % every == 0 or done == total):
            start, end = phase
            self.progress(start + (end - start) * done / total)

    @classmethod
    def get_result_class(cls):
        return ImportResult

    # -- columns

    def column_of(self, field_name: str) -> str:
        """The column a service's error field belongs to (the field's own name if none)."""
        if field_name in (NON_FIELD_ERRORS, "non_field_errors"):
            return NON_FIELD_ERRORS
        for name, field in self.fields.items():
            attribute = (field.attribute or "").split("__")[0]
            if field_name in (name, attribute) and not field.readonly:
                return field.column_name
        return field_name

    def by_column(self, exc: ValidationError) -> ValidationError:
        if not hasattr(exc, "error_dict"):
            return ValidationError({NON_FIELD_ERRORS: exc.messages})
        grouped: dict[str, list[str]] = {}
        for field_name, texts in exc.message_dict.items():
            grouped.setdefault(self.column_of(field_name), []).extend(texts)
        return ValidationError(grouped)

    def clean_row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """Every import column through its widget, then its ``clean_<name>`` hook; all the
        row's problems at once, keyed by column."""
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name in self.get_import_order():  # declared order: hooks may read earlier columns
            field = self.fields[name]
            if field.readonly or field.column_name not in row:
                continue
            try:
                value = field.clean(row)
                hook = getattr(self, f"clean_{name}", None)
                values[name] = hook(value, values) if hook else value
            except (ValueError, ValidationError, ObjectDoesNotExist) as exc:
                errors[field.column_name] = _messages(exc)
        if errors:
            raise ValidationError(errors)
        return values

    def programme_by_code(self, code: str) -> Programme:
        """A programme the importing user coordinates, by its code (case ignored)."""
        if not code:
            raise ValueError(gettext("This field is required."))
        if self._programmes is None:
            programmes = back_office_scope(self.actor, Programme, "pk")
            self._programmes = {p.code.casefold(): p for p in programmes}
        try:
            return self._programmes[code.casefold()]
        except KeyError:
            raise ValueError(
                gettext("There is no programme “%(code)s” among those you coordinate.") % {"code": code}
            ) from None

    # -- the run

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        kwargs.pop("use_transactions", None)
        kwargs.pop("rollback_on_validation_errors", None)
        headers = list(dataset.headers or [])
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.header_problems = [RowError(1, c, gettext("This column is missing.")) for c in missing]
            return result
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def before_import(self, dataset, **kwargs):
        self._pending, self._total = [], len(dataset)

    def import_row(self, row, instance_loader, **kwargs):
        if self.batched:
            return self._clean_for_batch(row, **kwargs)
        self.report(kwargs.get("row_number") or 0, self._total)
        row_result = self.get_row_result_class()()
        try:
            values = self.clean_row(row)
            record, row_result.import_type = self.save_row(values)
        except ValidationError as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = self.by_column(exc)
            return row_result
        except NotPermitted as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError({NON_FIELD_ERRORS: [exc.message]})
            return row_result
        except Exception as exc:  # reported on the row; the whole file is rolled back
            logger.exception("Import row %s failed", kwargs.get("row_number"))
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(Error(exc, row=row, number=kwargs.get("row_number")))
            return row_result
        row_result.add_instance_info(record)
        if kwargs.get("retain_instance_in_row_result"):
            row_result.instance = record
        row_result.diff = [cell_text(value) for value in self.export_resource(record)]
        return row_result

    def _clean_for_batch(self, row, **kwargs) -> RowResult:
        number = kwargs.get("row_number") or 0
        self.report(number, self._total, phase=(0.0, 0.5))
        row_result = self.get_row_result_class()()
        try:
            values = self.clean_row(row)
        except ValidationError as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = self.by_column(exc)
            return row_result
        # Counted as new for now; the write below settles it (new, update or skip).
        row_result.import_type = RowResult.IMPORT_TYPE_NEW
        self._pending.append(
            PendingRow(number, row, values, row_result, bool(kwargs.get("retain_instance_in_row_result")))
        )
        self._preview = bool(kwargs.get("dry_run"))
        return row_result

    def after_import(self, dataset, result, **kwargs):
        """The batch is written here, inside the import's transaction (a refused row rolls
        the whole file back). No sequence reset (ModelResource's): services never insert
        explicit ids, and a reset could hand out an id a concurrent transaction already took."""
        if self.batched and self._pending:
            self._write_batch(result)

    def _write_batch(self, result: Result) -> None:
        pending, self._pending = self._pending, []
        outcome = self.save_batch([(p.number, p.values) for p in pending])
        self.report(1, 1, phase=(0.5, 1.0))
        for p in pending:
            result.totals[p.result.import_type] -= 1
            if p.number in outcome.refused:
                p.result.import_type = RowResult.IMPORT_TYPE_INVALID
                p.result.validation_error = self.by_column(outcome.refused[p.number])
                result.append_invalid_row(p.number, p.row, p.result.validation_error)
            elif p.number in outcome.written:
                record, p.result.import_type = outcome.written[p.number]
                p.result.add_instance_info(record)
                if p.retain:
                    p.result.instance = record
                if self._preview:  # the row as it will be; only the preview shows it
                    p.result.diff = [cell_text(value) for value in self.export_resource(record)]
            else:
                # Not written because another row of its group was refused (the whole
                # file is rolled back anyway): shown as the file has it.
                p.result.diff = [cell_text(p.row.get(header, "")) for header in result.diff_headers]
            result.totals[p.result.import_type] += 1


def export_rows(resource, queryset, export_fields=None) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows of an export, the rows produced one at a time (what
    ``Resource.export`` puts in a dataset all at once)."""
    resource.before_export(queryset, export_fields=export_fields)
    queryset = resource.filter_export(queryset, export_fields=export_fields)
    headers = resource.get_export_headers(selected_fields=export_fields)
    rows = (
        resource.export_resource(obj, selected_fields=export_fields, force_native_type=True)
        for obj in resource.iter_queryset(queryset)
    )
    return headers, rows


def run_file_import(job, progress: Callable[[float], None] | None = None) -> ImportResult:
    """A background import (``ImportJob``): the file the user confirmed, read back from the
    shared storage and imported with the back office's own resource and format, all or
    nothing; the admin log records the rows as an inline import would."""
    from types import SimpleNamespace

    from django.apps import apps
    from django.contrib import admin as django_admin

    model = apps.get_model(job.model)
    model_admin = django_admin.site._registry[model]
    resources = {f"{c.__module__}.{c.__qualname__}": c for c in model_admin.resource_classes}
    resource_class = resources[job.resource]  # only the admin's own resources are ever run
    file_format = model_admin.get_import_formats()[job.format_index]()
    storage = model_admin.get_tmp_storage_class()(
        name=job.file_name,
        encoding=None,
        read_mode=file_format.get_read_mode(),
        **model_admin.get_tmp_storage_class_kwargs(),
    )
    dataset = file_format.create_dataset(storage.read())
    resource = resource_class(actor=job.requested_by, progress=progress)
    result = resource.import_data(
        dataset,
        dry_run=False,
        retain_instance_in_row_result=True,
        file_name=job.original_name,
        user=job.requested_by,
    )
    if not (result.has_errors() or result.has_validation_errors()):
        model_admin.generate_log_entries(result, SimpleNamespace(user=job.requested_by))
    storage.remove()
    return result


# --- admin -----------------------------------------------------------------------------------


class ServiceImportExportMixin(ImportExportMixin):
    """Import (dry-run preview, then all or nothing) and safe export for a ModelAdmin."""

    import_template_name = "admin/incubator/import.html"
    export_template_name = "admin/incubator/export.html"
    import_error_display = ("message",)
    # The upload waits for its confirmation in the default file storage (MEDIA_ROOT, shared
    # by every web node and never served publicly), not in one node's /tmp.
    tmp_storage_class = MediaStorage

    def get_import_formats(self):
        return IMPORT_FORMATS

    def get_export_formats(self):
        return EXPORT_FORMATS

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**kwargs, "actor": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        # Native values for every format: ours write numbers and dates in their own dialect.
        kwargs.pop("encoding", None)
        data = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return file_format.export_data(data)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """Exports are streamed: the rows are read with an iterator and written as they
        come, so a 100,000-row export takes the memory of a few hundred rows."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request, export_form=export_form))
        headers, rows = export_rows(resource, queryset, self.get_export_resource_fields_from_form(export_form))
        first = list(itertools.islice(rows, STREAM_AFTER_ROWS + 1))
        if len(first) <= STREAM_AFTER_ROWS:
            # A small file is sent whole, with its length (browsers then show progress).
            body = b"".join(file_format.stream(headers, first))
            response = HttpResponse(body, content_type=file_format.get_content_type())
        else:
            pieces = file_format.stream(headers, itertools.chain(first, rows))
            response = StreamingHttpResponse(pieces, content_type=file_format.get_content_type())
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        post_export.send(sender=None, model=self.model)
        return response

    # -- imports past a size run in the background

    def get_urls(self):
        info = self.get_model_info()
        job = path(
            "import/jobs/<int:job_id>/",
            self.admin_site.admin_view(self.import_job_view),
            name="{}_{}_import_job".format(*info),
        )
        return [job, *super().get_urls()]

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmation. A file of more than ``IMPORT_BACKGROUND_ROWS`` rows is imported
        by a task on the background worker (the same all-or-nothing import); the user is
        sent to a page that follows it."""
        from incubator.services_imports import background_rows, import_job_start

        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if form.is_valid():
            index = int(form.cleaned_data["format"])
            file_format = self.get_import_formats()[index]()
            storage = self.get_tmp_storage_class()(
                name=form.cleaned_data["import_file_name"],
                encoding=None,
                read_mode=file_format.get_read_mode(),
                **self.get_tmp_storage_class_kwargs(),
            )
            rows = len(file_format.create_dataset(storage.read()))
            if rows > background_rows():
                resource = self.choose_import_resource_class(form, request)
                job = import_job_start(
                    actor=request.user,
                    model_label=self.model._meta.label,
                    resource=f"{resource.__module__}.{resource.__qualname__}",
                    format_index=index,
                    file_name=form.cleaned_data["import_file_name"],
                    original_name=form.cleaned_data.get("original_file_name") or "",
                    rows=rows,
                )
                url = self._job_url(job)
                messages.info(
                    request,
                    format_html(
                        gettext(
                            'The file has {rows} rows: it is imported in the background. <a href="{url}">{link}</a>'
                        ),
                        rows=rows,
                        url=url,
                        link=gettext("Follow the import"),
                    ),
                )
                return HttpResponseRedirect(url)
        return super().process_import(request, **kwargs)

    def _job_url(self, job) -> str:
        info = self.get_model_info()
        return reverse(f"admin:{info[0]}_{info[1]}_import_job", args=[job.pk], current_app=self.admin_site.name)

    def import_job_view(self, request, job_id: int):
        """Status, progress and result of one of the user's background imports."""
        from incubator.models_imports import ImportJob
        from incubator.services_imports import job_progress

        job = access.get_visible(request.user, ImportJob, pk=job_id, model=self.model._meta.label)
        info = self.get_model_info()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Background import"),
            "opts": self.model._meta,
            "job": job,
            "progress": job_progress(job),
            "changelist_url": reverse(f"admin:{info[0]}_{info[1]}_changelist", current_app=self.admin_site.name),
            "import_url": reverse(f"admin:{info[0]}_{info[1]}_import", current_app=self.admin_site.name),
        }
        return TemplateResponse(request, "admin/incubator/import_job.html", context)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        stored = form.files.get("import_file") if form is not None and form.files else None
        if stored is not None and hasattr(stored, "tmp_storage_name") and not context.get("confirm_form"):
            # A preview that cannot be confirmed: do not keep the people's data it holds.
            storage = self.get_tmp_storage_class()(name=stored.tmp_storage_name, **self.get_tmp_storage_class_kwargs())
            storage.remove()
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request):
        """After the confirmation: a file that went wrong since its preview wrote nothing."""
        if result.has_errors() or result.has_validation_errors():
            for problem in result.problems[:20]:
                messages.error(request, str(problem))
            messages.error(request, gettext("Nothing was imported."))
            info = self.get_model_info()
            return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_import", current_app=self.admin_site.name))
        return super().process_result(result, request)
