"""Import and export columns of tutoring sessions (django-import-export). Rows are
written by ``services.tutoring_session_log``, all or nothing (``incubator.imports``).

Private notes are not a column, neither to import nor to export: they live in another
model that this resource never reads. A file exported and imported again is refused as
overlapping sessions, so nothing is logged twice."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field
from import_export.results import RowResult

from incubator.access import back_office_scope
from incubator.imports.engine import ServiceResource
from incubator.imports.formats import ChoiceWidget, DateTimeWidget, DecimalWidget, TextWidget
from mentoring import services
from mentoring.models import Activity, Assignment, SessionMode, TutoringSession


def _column(name: str, attribute: str | None = None, widget=None, readonly: bool = False) -> Field:
    return Field(attribute=attribute, column_name=name, widget=widget or TextWidget(), readonly=readonly)


class TutoringSessionResource(ServiceResource):
    assignment = _column("assignment", "assignment_id", widgets.IntegerWidget())
    programme = _column("programme", "tutor__programme__code", readonly=True)
    tutor = _column("tutor", "tutor__user__username", readonly=True)
    venture = _column("venture", "assignment__enrolment__application__venture__title", readonly=True)
    starts_at = _column("starts_at", "starts_at", DateTimeWidget())
    minutes = _column("minutes", "minutes", widgets.IntegerWidget())
    ends_at = _column("ends_at", "ends_at", DateTimeWidget(), readonly=True)
    mode = _column("mode", "mode", ChoiceWidget(SessionMode))
    activity = _column("activity", "activity", ChoiceWidget(Activity))
    topics = _column("topics", "topics")
    shared_notes = _column("shared_notes", "shared_notes")
    hourly_rate = _column("hourly_rate", "hourly_rate", DecimalWidget(), readonly=True)

    required_columns = ("assignment", "starts_at", "minutes")

    class Meta:
        model = TutoringSession
        name = _("Tutoring sessions")
        fields = (
            "assignment",
            "programme",
            "tutor",
            "venture",
            "starts_at",
            "minutes",
            "ends_at",
            "mode",
            "activity",
            "topics",
            "shared_notes",
            "hourly_rate",
        )
        export_order = fields

    # -- import

    def clean_assignment(self, value, values):
        if value is None:
            raise ValueError(gettext("This field is required."))
        assignment = (
            back_office_scope(self.actor, Assignment, "enrolment__application__call__programme")
            .filter(pk=value)
            .first()
        )
        if assignment is None:
            raise ValueError(gettext("There is no assignment %(id)s among those you coordinate.") % {"id": value})
        return assignment

    def clean_starts_at(self, value, values):
        if value is None:
            raise ValueError(gettext("This field is required."))
        return value

    def clean_minutes(self, value, values):
        if value is None:
            raise ValueError(gettext("This field is required."))
        return value

    def save_row(self, values):
        fields = {name: value for name, value in values.items() if value not in (None, "")}
        session = services.tutoring_session_log(actor=self.actor, **fields)
        return session, RowResult.IMPORT_TYPE_NEW

    # -- export

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(
            "tutor__programme", "tutor__user", "assignment__enrolment__application__venture"
        ).order_by("starts_at", "pk")
