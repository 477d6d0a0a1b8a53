"""The back office of cohorts, sessions and registers (built on ``incubator.admin``'s
``BackOfficeAdmin``: querysets are ``access.visible`` narrowed to the programmes the user
coordinates, and every write is a service call).

- Cohorts: created with their modules (the INNESCO ones when none is added) and
  enrolments; the sessions are listed with a link to each.
- Training sessions: created and edited through the services; on a started session the
  attendance inline lists the register (one row per person on the roster) and saving it
  is one bulk marking. Actions: cancel, print the registers, export them to fill in.
- Attendance: the marks, with import (dry-run preview, all or nothing) and export in
  CSV, Italian CSV and XLSX (``cohorts.resources``).
"""

import datetime as dt

import tablib
from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cohorts import selectors, services
from cohorts.models import (
    Attendance,
    Cohort,
    CohortEnrolment,
    CurriculumModule,
    TrainingSession,
)
from cohorts.resources import AttendanceResource
from cohorts.views import register_context
from incubator import access
from incubator.admin import BOTH, BackOfficeAdmin, BackOfficeInline, RelatedOnly, new_rows
from incubator.forms import ActionForm, ReasonForm
from incubator.imports.admin import ServiceImportExportMixin
from incubator.imports.formats import CSV, XLSX, ItalianCSV
from incubator.models import Person, Role, User
from incubator.path.models import Enrolment, EnrolmentStatus

# --- cohorts -------------------------------------------------------------------------------


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = (
            "programme",
            "call",
            "name",
            "starts_on",
            "ends_on",
            "completion_threshold",
            "grant_threshold",
            "warning_threshold",
        )
        widgets = {
            "starts_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "ends_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "grant_threshold" in self.fields and self.instance.pk is None:
            self.fields["grant_threshold"].required = False
            self.fields["grant_threshold"].help_text = _("Leave empty for the call's threshold for grants.")


class ModuleInline(BackOfficeInline):
    model = CurriculumModule
    fields = ("title", "planned_hours", "mode", "order")
    add_on_create = True
    add_on_change = True
    verbose_name_plural = _("curriculum (when none is added, the seven INNESCO modules)")


class CohortEnrolmentInline(BackOfficeInline):
    model = CohortEnrolment
    fields = ("enrolment", "added_at")
    readonly_fields = ("added_at",)
    add_on_create = True
    add_on_change = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cohort", "enrolment__application__venture")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "enrolment":
            # The running enrolments not yet in a cohort, with what their names need.
            enrolments = access.visible(request.user, Enrolment).filter(
                cohort_membership__isnull=True, status__in=(EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)
            )
            if not access.is_admin(request.user):
                enrolments = enrolments.filter(application__call__programme__in=access.coordinated(request.user))
            kwargs["queryset"] = enrolments.select_related("application__venture")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SessionInline(BackOfficeInline):
    model = TrainingSession
    fields = ("starts_at", "ends_at", "module", "topic", "kind", "cancelled_at")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("module").order_by("starts_at")


@admin.register(Cohort)
class CohortAdmin(BackOfficeAdmin):
    form = CohortForm
    addable = True
    writable = True
    show_history = True
    list_display = (
        "name",
        "programme",
        "call",
        "starts_on",
        "ends_on",
        "completion_threshold",
        "grant_threshold",
        "warning_threshold",
        "enrolment_count",
    )
    list_filter = (("programme", RelatedOnly),)
    search_fields = ("name",)
    list_select_related = ("programme", "call")
    inlines = [ModuleInline, CohortEnrolmentInline, SessionInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(enrolment_count=Count("memberships"))
        return queryset.order_by(*Cohort._meta.ordering)  # GROUP BY drops Meta.ordering

    @admin.display(description=_("enrolments"), ordering="enrolment_count")
    def enrolment_count(self, cohort):
        return cohort.enrolment_count

    def get_readonly_fields(self, request, obj=None):
        return ("programme", "call") if obj is not None else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else [ModuleInline, CohortEnrolmentInline]

    def view_on_site(self, obj):
        return reverse("cohorts:cohort", kwargs={"pk": obj.pk})

    def save_with_services(self, request, obj, form, formsets, change):
        rows = {formset.model: formset for formset in formsets}
        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data if name in services.COHORT_FIELDS}
            cohort = services.cohort_update(actor=request.user, cohort=obj, **changed) if changed else obj
            for row in new_rows(rows[CurriculumModule], ModuleInline.fields):
                services.module_create(actor=request.user, cohort=cohort, **row)
        else:
            modules = new_rows(rows[CurriculumModule], ModuleInline.fields)
            cohort = services.cohort_create(
                actor=request.user,
                programme=data["programme"],
                call=data["call"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                completion_threshold=data.get("completion_threshold"),
                grant_threshold=data.get("grant_threshold"),
                warning_threshold=data.get("warning_threshold"),
                modules=modules or None,
            )
        for row in new_rows(rows[CohortEnrolment], ("enrolment",)):
            services.cohort_add_enrolment(actor=request.user, cohort=cohort, enrolment=row["enrolment"])
        return cohort


# --- training sessions ---------------------------------------------------------------------


def trainer_choices(user):
    trainers = User.objects.filter(roles__role=Role.TUTOR, is_active=True)
    if not access.is_admin(user):
        trainers = trainers.filter(roles__programme__in=access.coordinated(user))
    return trainers.distinct().order_by("last_name", "first_name", "username")


class TrainingSessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ("cohort", "module", "kind", "topic", "starts_at", "ends_at", "place", "online_url", "trainers")


class AttendanceInlineForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ("person", "status", "minutes_attended", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A saved mark is corrected, never moved to someone else.
            self.fields["person"].disabled = True


class AttendanceInline(BackOfficeInline):
    """The register: a row per person on the roster of the session's day (prefilled),
    saved as one bulk marking."""

    model = Attendance
    form = AttendanceInlineForm
    fields = ("person", "status", "minutes_attended", "note")
    verbose_name_plural = _("attendance register")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")

    def _open(self, obj) -> bool:
        return obj is not None and not obj.is_cancelled and obj.starts_at <= timezone.now()

    def has_add_permission(self, request, obj):
        return super().has_view_permission(request, obj) and self._open(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._open(obj)

    def get_extra(self, request, obj=None, **kwargs):
        return len(self._unmarked(obj)) if self._open(obj) else 0

    def _unmarked(self, obj) -> list[int]:
        if obj is None:
            return []
        marked = set(obj.attendance.values_list("person_id", flat=True))
        return [pk for pk in selectors.session_roster(obj).values_list("pk", flat=True) if pk not in marked]

    def get_formset(self, request, obj=None, **kwargs):
        # Kept on the request, not on the admin object: nothing of one request may be
        # left where the next one (another programme's) would read it.
        request._register_session = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            session = getattr(request, "_register_session", None)
            kwargs["queryset"] = selectors.session_register(session) if session else Person.objects.none()
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # Read once for the whole register, not once per row.
            field.choices = list(field.choices)
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TrainingSession)
class TrainingSessionAdmin(BackOfficeAdmin):
    programme_path = "cohort__programme"
    form = TrainingSessionForm
    addable = True
    writable = True
    show_history = True
    list_display = ("starts_at", "cohort", "module", "topic", "kind", "duration_minutes", "trainer_names", "cancelled")
    # A date filter, not a date hierarchy: the hierarchy reads the years and months of
    # every row on each page (two scans of a table that grows without bound).
    list_filter = (
        ("cohort", RelatedOnly),
        "kind",
        ("cancelled_at", admin.EmptyFieldListFilter),
        ("starts_at", admin.DateFieldListFilter),
    )
    search_fields = ("topic", "module__title", "cohort__name")
    list_select_related = ("cohort", "module")
    filter_horizontal = ("trainers",)
    inlines = [AttendanceInline]
    actions = ["print_registers", "export_registers", "cancel_sessions"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("trainers")

    @admin.display(description=_("trainers"))
    def trainer_names(self, session):
        return ", ".join(t.get_full_name() or t.username for t in session.trainers.all()) or "—"

    @admin.display(description=_("cancelled"), boolean=True, ordering="cancelled_at")
    def cancelled(self, session):
        return session.is_cancelled

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.is_cancelled:
            return (*TrainingSessionForm.Meta.fields, "cancelled_at", "cancellation_reason", "register_link")
        return ("cohort", "register_link")

    def get_fields(self, request, obj=None):
        fields = list(TrainingSessionForm.Meta.fields)
        if obj is not None:
            fields.append("register_link")
            if obj.is_cancelled:
                fields += ["cancelled_at", "cancellation_reason"]
        return fields

    @admin.display(description=_("register"))
    def register_link(self, session):
        return format_html(
            '<a href="{}">{}</a>', reverse("cohorts:register", kwargs={"pk": session.pk}), gettext("Print the register")
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "module":
            kwargs["queryset"] = access.visible(request.user, CurriculumModule).select_related("cohort")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "trainers":
            kwargs["queryset"] = trainer_choices(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AttendanceInline):
            kwargs["initial"] = [{"person": pk} for pk in inline._unmarked(obj)]
        return kwargs

    def save_with_services(self, request, obj, form, formsets, change):
        data = form.cleaned_data
        if not change:
            return services.session_create(
                actor=request.user,
                cohort=data["cohort"],
                module=data.get("module"),
                kind=data["kind"],
                topic=data["topic"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data.get("place", ""),
                online_url=data.get("online_url", ""),
                trainers=list(data.get("trainers") or []),
            )
        session = obj
        changed = {name: data[name] for name in form.changed_data if name in services.SESSION_FIELDS}
        if "trainers" in changed:
            changed["trainers"] = list(changed["trainers"])
        if changed:
            session = services.session_update(actor=request.user, session=obj, **changed)
        for formset in formsets:
            if formset.model is not Attendance:
                continue
            marks = [
                {
                    "person": f.cleaned_data["person"].pk,
                    "status": f.cleaned_data["status"],
                    "minutes_attended": f.cleaned_data.get("minutes_attended"),
                    "note": f.cleaned_data.get("note", ""),
                }
                for f in formset.forms
                if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            if marks:
                services.attendance_mark_bulk(actor=request.user, session=session, marks=marks)
        return session

    # -- actions

    @admin.action(description=_("Print the registers"), location=BOTH)
    def print_registers(self, request, queryset):
        sessions = queryset.select_related("cohort__programme", "cohort__call", "module").order_by("starts_at")
        context = {"registers": [register_context(session) for session in sessions]}
        return TemplateResponse(request, "cohorts/session_register.html", context)

    @admin.action(description=_("Export the registers to fill in (CSV, XLSX)"))
    def export_registers(self, request, queryset):
        form = RegisterExportForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Export the registers"))
        file_format = EXPORT_FORMATS[form.cleaned_data["format"]]()
        body = file_format.export_data(register_dataset(queryset.order_by("starts_at")))
        response = HttpResponse(body, content_type=file_format.get_content_type())
        stamp = dt.date.today().isoformat()
        response["Content-Disposition"] = f'attachment; filename="registers-{stamp}.{file_format.get_extension()}"'
        return response

    @admin.action(description=_("Cancel the sessions"))
    def cancel_sessions(self, request, queryset):
        form = ReasonForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Cancel the sessions"))
        self.run_services(
            request,
            queryset,
            lambda session: services.session_cancel(
                actor=request.user, session=session, reason=form.cleaned_data["reason"]
            ),
            gettext("%(n)s sessions cancelled."),
        )


EXPORT_FORMATS = {"csv": CSV, "csv-it": ItalianCSV, "xlsx": XLSX}


class RegisterExportForm(ActionForm):
    format = forms.ChoiceField(
        label=_("format"),
        choices=[("xlsx", "XLSX"), ("csv-it", _("CSV for Italian Excel")), ("csv", "CSV")],
        initial="xlsx",
    )


def register_dataset(sessions) -> tablib.Dataset:
    """The registers of ``sessions`` in the attendance import's columns: one row per
    person on each roster (marks filled where they exist), to complete and import back."""
    headers = [field.column_name for field in AttendanceResource().get_export_fields()]
    dataset = tablib.Dataset(headers=headers)
    for session in sessions.select_related("module"):
        for row in selectors.session_register(session):
            dataset.append(
                [
                    session.pk,
                    session.starts_at,
                    session.module.title if session.module else "",
                    session.topic,
                    row.pk,
                    row.last_name,
                    row.first_name,
                    row.mark_status or "",
                    row.mark_minutes,
                    row.mark_note or "",
                ]
            )
    return dataset


# --- attendance ----------------------------------------------------------------------------


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ("session", "person", "status", "minutes_attended", "note")


@admin.register(Attendance)
class AttendanceAdmin(ServiceImportExportMixin, BackOfficeAdmin):
    """Marks one by one, or by the file: import an export (or a filled-in register) back."""

    programme_path = "session__cohort__programme"
    form = AttendanceForm
    addable = True
    writable = True
    resource_classes = [AttendanceResource]
    list_display = ("session", "person", "status", "minutes_attended", "marked_by", "marked_at")
    list_filter = ("status", ("session__cohort", RelatedOnly))
    search_fields = ("person__last_name", "person__first_name", "session__topic")
    list_select_related = ("session", "person", "marked_by")
    # Foreign keys to tables that grow (people, ventures, enrolments, sessions) are
    # picked by search, not listed whole in a select.
    autocomplete_fields = ("session", "person")
    readonly_fields = ("marked_by", "marked_at")

    def get_readonly_fields(self, request, obj=None):
        return ("session", "person", "marked_by", "marked_at") if obj is not None else ()

    def save_with_services(self, request, obj, form, formsets, change):
        data = form.cleaned_data
        session = obj.session if change else data["session"]
        person = obj.person if change else data["person"]
        mark = {
            "person": person.pk,
            "status": data["status"],
            "minutes_attended": data.get("minutes_attended"),
            "note": data.get("note", ""),
        }
        services.attendance_mark_bulk(actor=request.user, session=session, marks=[mark])
        return Attendance.objects.get(session=session, person=person)
