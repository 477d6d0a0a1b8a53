"""Import and export columns of attendance registers (django-import-export). An export
is one row per mark; edit it in a spreadsheet and import it back. Rows are written by
``cohorts.services.attendance_mark_bulk``, all or nothing, with a dry-run preview: see
``incubator.importing``."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field
from import_export.results import RowResult

from cohorts import services
from cohorts.models import Attendance, AttendanceStatus, TrainingSession
from incubator import access
from incubator.importing import ChoiceWidget, DateTimeWidget, ServiceResource, TextWidget, parse_decimal

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


def _column(name: str, attribute: str | None = None, widget=None, readonly: bool = False) -> Field:
    return Field(attribute=attribute, column_name=name, widget=widget or TextWidget(), readonly=readonly)


class AttendanceResource(ServiceResource):
    """One row per mark: ``session`` and ``person`` are ids (the columns between them only
    help the reader); ``status`` is a code, its label, or P / A / G."""

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

    def clean_session(self, value, values):
        if value is None:
            raise ValueError(gettext("This field is required."))
        session = access.visible(self.actor, TrainingSession).select_related("cohort").filter(pk=value).first()
        if session is None:
            raise ValueError(gettext("There is no session %(id)s among yours.") % {"id": value})
        return session

    def clean_person(self, value, values):
        if value is None:
            raise ValueError(gettext("This field is required."))
        return value

    def clean_status(self, value, values):
        if not value:
            raise ValueError(gettext("This field is required."))
        return value

    def save_row(self, values):
        mark = {
            "person": values["person"],
            "status": values["status"],
            "minutes_attended": values.get("minutes_attended"),
            "note": values.get("note", ""),
        }
        try:
            result = services.attendance_mark_bulk(actor=self.actor, session=values["session"], marks=[mark])
        except services.MarkError as exc:
            raise ValidationError({exc.column: [exc.detail]}) from None
        record = Attendance.objects.get(session=values["session"], person_id=values["person"])
        if result.created:
            return record, RowResult.IMPORT_TYPE_NEW
        if result.updated:
            return record, RowResult.IMPORT_TYPE_UPDATE
        return record, RowResult.IMPORT_TYPE_SKIP

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("session__module", "person").order_by("session__starts_at", "session_id", "pk")
