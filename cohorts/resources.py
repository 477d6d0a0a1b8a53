"""Import and export columns of attendance registers (django-import-export). An export
is one row per mark; edit it in a spreadsheet and import it back. Rows are written by
``cohorts.services.attendance_mark_bulk``, all or nothing, with a dry-run preview: see
``incubator.imports``."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field
from import_export.results import RowResult

from cohorts import services
from cohorts.models import Attendance, AttendanceStatus, TrainingSession
from incubator import access
from incubator.exceptions import NotPermitted
from incubator.imports.cells import parse_decimal
from incubator.imports.engine import BatchOutcome, ServiceResource
from incubator.imports.formats import ChoiceWidget, DateTimeWidget, TextWidget

# Paper registers and Italian spreadsheets use these words and initials as often as codes.
STATUS_WORDS = {
    "p": AttendanceStatus.PRESENT,
    "presente": AttendanceStatus.PRESENT,
    "a": AttendanceStatus.ABSENT,
    "assente": AttendanceStatus.ABSENT,
    "g": AttendanceStatus.JUSTIFIED,
    "giustificato": AttendanceStatus.JUSTIFIED,
    "giustificata": AttendanceStatus.JUSTIFIED,
    "assenza giustificata": AttendanceStatus.JUSTIFIED,
    "parziale": AttendanceStatus.PARTIAL,
}


class StatusWidget(ChoiceWidget):
    def __init__(self, **kwargs):
        super().__init__(AttendanceStatus, **kwargs)

    def clean(self, value, row=None, **kwargs):
        word = str(value or "").strip().casefold()
        return STATUS_WORDS.get(word) or super().clean(value, row, **kwargs)


class WholeNumberWidget(widgets.IntegerWidget):
    """``90``, ``90,0`` or an XLSX number; never a fraction."""

    def clean(self, value, row=None, **kwargs):
        number = parse_decimal(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": value})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


def _groups(rows):
    """The rows as (session, [(row number, values)]) groups in file order: a group holds
    each person at most once, so a person marked again later in the file starts a new
    group written after the first."""
    groups, open_groups = [], {}
    for number, values in rows:
        session, person = values["session"], values["person"]
        current = open_groups.get(session.pk)
        if current is None or person in current[1]:
            current = ([], set())
            open_groups[session.pk] = current
            groups.append((session, current[0]))
        current[0].append((number, values))
        current[1].add(person)
    return groups


def _column(name: str, attribute: str | None = None, widget=None, readonly: bool = False) -> Field:
    return Field(attribute=attribute, column_name=name, widget=widget or TextWidget(), readonly=readonly)


class AttendanceResource(ServiceResource):
    """One row per mark: ``session`` and ``person`` are ids (the columns between them only
    help the reader); ``status`` is a code, its label, or P / A / G.

    Batched: the whole file is one ``attendance_mark_registers`` call (the registers' own
    service, its rules checked for all the sessions at once and the marks written by one
    upsert), not a call per row or per session. A person given twice for a session is
    marked twice, in file order, as a row by row import would."""

    batched = True

    session = _column("session", "session_id", WholeNumberWidget())
    session_start = _column("session_start", "session__starts_at", DateTimeWidget(), readonly=True)
    module = _column("module", "session__module__title", readonly=True)
    topic = _column("topic", "session__topic", readonly=True)
    person = _column("person", "person_id", WholeNumberWidget())
    last_name = _column("last_name", "person__last_name", readonly=True)
    first_name = _column("first_name", "person__first_name", readonly=True)
    status = _column("status", "status", StatusWidget())
    minutes_attended = _column("minutes_attended", "minutes_attended", WholeNumberWidget())
    note = _column("note", "note")

    required_columns = ("session", "person", "status")

    class Meta:
        model = Attendance
        name = _("Attendance")
        # No savepoint per row: rows are only cleaned one by one and written together
        # (``save_batch``); the import's own transaction keeps it all or nothing.
        use_bulk = True
        fields = (
            "session",
            "session_start",
            "module",
            "topic",
            "person",
            "last_name",
            "first_name",
            "status",
            "minutes_attended",
            "note",
        )
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._sessions: dict[int, TrainingSession | None] = {}

    def record_repr(self, record) -> str:
        # ``str(mark)`` translates the status label on every row: once per import here.
        return f"{record.person} - {self._status_labels[record.status]}"

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._status_labels = {code: str(label) for code, label in AttendanceStatus.choices}
        # The sessions of the whole file looked up at once, within the user's reach.
        ids = set()
        for raw in dataset["session"] if "session" in (dataset.headers or []) else ():
            try:
                ids.add(self.fields["session"].widget.clean(raw))
            except (ValueError, TypeError, ArithmeticError):  # the row's own check names it
                continue
        ids.discard(None)
        found = {
            s.pk: s for s in access.visible(self.actor, TrainingSession).filter(pk__in=ids).select_related("cohort")
        }
        self._sessions = {pk: found.get(pk) for pk in ids}

    def clean_session(self, value, values):
        if value is None:
            raise ValueError(gettext("This field is required."))
        if value not in self._sessions:  # not read before the import (never, in a file)
            visible = access.visible(self.actor, TrainingSession).select_related("cohort")
            self._sessions[value] = visible.filter(pk=value).first()
        if self._sessions[value] is None:
            raise ValueError(gettext("There is no session %(id)s among yours.") % {"id": value})
        return self._sessions[value]

    def clean_person(self, value, values):
        if value is None:
            raise ValueError(gettext("This field is required."))
        return value

    def clean_status(self, value, values):
        if not value:
            raise ValueError(gettext("This field is required."))
        return value

    def save_batch(self, rows):
        outcome = BatchOutcome()
        groups = _groups(rows)
        registers = [
            (
                session,
                [
                    {
                        "person": values["person"],
                        "status": values["status"],
                        "minutes_attended": values.get("minutes_attended"),
                        "note": values.get("note", ""),
                    }
                    for _number, values in group
                ],
            )
            for session, group in groups
        ]
        self.report(0, 1, phase=(0.5, 1.0), every=1)
        try:
            results = services.attendance_mark_registers(actor=self.actor, registers=registers)
        except services.RegistersRefused as refused:
            for position, exc in refused.refusals.items():
                group = groups[position][1]
                if isinstance(exc, services.MarkError):
                    outcome.refused[group[exc.position - 1][0]] = ValidationError({exc.column: [exc.detail]})
                elif isinstance(exc, NotPermitted):
                    refusal = ValidationError({NON_FIELD_ERRORS: [exc.message]})
                    outcome.refused.update({number: refusal for number, _values in group})
                else:  # the session's own refusal: every row of it
                    outcome.refused.update({number: exc for number, _values in group})
            return outcome
        self.report(1, 2, phase=(0.5, 1.0), every=1)  # written; what remains is telling each row
        # The marks as written, read once for the whole file (the admin log and the preview
        # show each row's record).
        sessions = {session.pk for session, _group in groups}
        people = {values["person"] for _number, values in rows}
        # Each session once (with its module, for the preview), not once per mark.
        by_pk = {
            session.pk: session
            for session in TrainingSession.objects.filter(pk__in=sessions).select_related("cohort", "module")
        }
        records = {}
        # The person's name only (the log's text and the export's columns), not the whole record.
        marks = (
            Attendance.objects.filter(session_id__in=sessions, person_id__in=people)
            .select_related("person")
            .only(*(f.attname for f in Attendance._meta.concrete_fields), "person__first_name", "person__last_name")
        )
        for mark in marks:
            mark.session = by_pk[mark.session_id]
            records[(mark.session_id, mark.person_id)] = mark
        for (session, group), result in zip(groups, results, strict=True):
            created, updated = set(result.created), set(result.updated)
            for number, values in group:
                person = values["person"]
                kind = (
                    RowResult.IMPORT_TYPE_NEW
                    if person in created
                    else RowResult.IMPORT_TYPE_UPDATE
                    if person in updated
                    else RowResult.IMPORT_TYPE_SKIP
                )
                outcome.written[number] = (records[(session.pk, person)], kind)
        return outcome

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("session__module", "person").order_by("session__starts_at", "session_id", "pk")
