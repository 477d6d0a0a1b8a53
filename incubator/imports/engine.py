"""The import engine: a resource whose rows are written through the services, all or
nothing, with a dry-run preview and per-row errors naming row and column; exports by rows."""

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ImproperlyConfigured,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from import_export.resources import ModelResource
from import_export.results import Error, Result, RowResult

from incubator.access import back_office_scope
from incubator.exceptions import NotPermitted
from incubator.imports.cells import cell_text
from incubator.models import Programme

logger = logging.getLogger(__name__)


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


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(given, actual) -> bool:
    """A file's value and the record's, compared as values (a date as a date, 999,00 as
    999.00), not as the text a spreadsheet happens to write."""
    if _blank(given) and _blank(actual):
        return True
    if isinstance(given, dt.datetime) and isinstance(actual, dt.datetime):
        if timezone.is_naive(given):
            given = timezone.make_aware(given)
        if timezone.is_naive(actual):
            actual = timezone.make_aware(actual)
        return given == actual
    if given == actual:
        return True
    return cell_text(given).strip() == cell_text(actual).strip()


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

    def record_repr(self, record: models.Model) -> str:
        """A written record as the admin log names it (``str`` by default)."""
        return str(record)

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

    def ignored_values(self, row: Mapping[str, Any], record: models.Model) -> dict[str, list[str]]:
        """Columns this import does not write (the rules decide them, e.g. a session's
        hourly rate comes from the tutor's band) given in the file with another value than
        the one the record has: refused, naming the column, never dropped silently. A
        column left empty or as exported is fine."""
        found: dict[str, list[str]] = {}
        for field in self.fields.values():
            if not field.readonly or field.column_name not in row or _blank(row[field.column_name]):
                continue
            raw = row[field.column_name]
            try:
                given = field.widget.clean(raw, row=row)
            except (ValueError, ValidationError, TypeError):
                given = raw
            try:
                actual = field.get_value(record)
            except ObjectDoesNotExist:
                actual = None
            if not _same(given, actual):
                found[field.column_name] = [
                    gettext(
                        "This column is not imported: the rules decide it (here “%(actual)s”, the file says "
                        "“%(given)s”). Leave it empty or as exported."
                    )
                    % {"actual": cell_text(actual), "given": raw}
                ]
        return found

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
            ignored = self.ignored_values(row, record)
            if ignored:
                raise ValidationError(ignored)
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
            if p.number in outcome.written and p.number not in outcome.refused:
                ignored = self.ignored_values(p.row, outcome.written[p.number][0])
                if ignored:
                    outcome.refused[p.number] = ValidationError(ignored)
            if p.number in outcome.refused:
                p.result.import_type = RowResult.IMPORT_TYPE_INVALID
                p.result.validation_error = self.by_column(outcome.refused[p.number])
                result.append_invalid_row(p.number, p.row, p.result.validation_error)
            elif p.number in outcome.written:
                record, p.result.import_type = outcome.written[p.number]
                # What add_instance_info sets (for the admin log), the text from the resource.
                p.result.object_id, p.result.object_repr = record.pk, self.record_repr(record)
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
