"""Mentoring in the coordinators' back office, on ``incubator.admin.BackOfficeAdmin``:
reach through ``access.visible`` in the programmes the user coordinates, writes through
the services (refusals come back as form errors), no deletions.

- unit-cost bands, tutor profiles (with their conflicts of interest), venture needs;
- assignments, with "Assign from suggestions": pick an enrolment, read the tutors ranked
  by the matching score with its parts, assign one;
- tutoring sessions (private notes as a form field, never a column of the list or of the
  export) with import and export (dry run, then all or nothing) and action items."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator import access
from incubator.access import back_office_scope
from incubator.admin import BackOfficeAdmin, BackOfficeInline, RelatedOnly, new_rows
from incubator.exceptions import NotPermitted
from incubator.forms import LinesField
from incubator.imports.admin import ServiceImportExportMixin
from incubator.models import Role, User
from incubator.path.models import Enrolment
from mentoring import selectors, services
from mentoring.forms import AssignFromSuggestionForm, EnrolmentChoiceForm, report_refusal
from mentoring.models import (
    ActionItem,
    Assignment,
    TutorConflict,
    TutoringSession,
    TutoringSessionPrivateNote,
    TutorProfile,
    UnitCostBand,
    VentureNeeds,
)
from mentoring.querysets import LIVE_ENROLMENT_STATUSES
from mentoring.resources import TutoringSessionResource

ENROLMENT_PROGRAMME = "enrolment__application__call__programme"


def _changed(form, names) -> dict:
    return {name: form.cleaned_data[name] for name in names if name in form.changed_data}


@admin.register(UnitCostBand)
class UnitCostBandAdmin(BackOfficeAdmin):
    addable = True
    writable = True
    show_history = True
    list_display = ("code", "label", "hourly_rate", "programme")
    list_filter = (("programme", RelatedOnly),)
    list_select_related = ("programme",)
    search_fields = ("code", "label")
    fields = ("programme", "code", "label", "hourly_rate")

    def get_readonly_fields(self, request, obj=None):
        return ("programme",) if obj else ()

    def save_with_services(self, request, obj, form, formsets, change):
        if change:
            changed = _changed(form, ("code", "label", "hourly_rate"))
            return services.unit_cost_band_update(actor=request.user, band=obj, **changed) if changed else obj
        return services.unit_cost_band_create(actor=request.user, **form.cleaned_data)


class TutorProfileForm(forms.ModelForm):
    expertise = LinesField(label=_("expertise tags"), required=False, help_text=_("One per line."))
    languages = LinesField(label=_("languages"), required=False, help_text=_("One ISO code per line, e.g. it."))

    class Meta:
        model = TutorProfile
        fields = ("programme", "user", "person", "kind", "capacity", "unit_cost_band", "expertise", "languages")


class ConflictInline(BackOfficeInline):
    model = TutorConflict
    fields = ("venture", "note", "declared_at", "declared_by")
    readonly_fields = ("declared_at", "declared_by")
    add_on_change = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("venture", "declared_by")


class AssignmentInline(BackOfficeInline):
    model = Assignment
    fields = ("enrolment", "role", "starts_on", "ends_on", "hours_budget")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enrolment__application__venture")


@admin.register(TutorProfile)
class TutorProfileAdmin(BackOfficeAdmin):
    form = TutorProfileForm
    addable = True
    writable = True
    show_history = True
    list_display = ("__str__", "programme", "kind", "capacity", "unit_cost_band", "expertise_list")
    list_filter = (("programme", RelatedOnly), "kind")
    list_select_related = ("programme", "user", "unit_cost_band")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("person",)
    inlines = [ConflictInline, AssignmentInline]

    @admin.display(description=_("expertise tags"))
    def expertise_list(self, profile):
        return ", ".join(profile.expertise or [])

    def get_readonly_fields(self, request, obj=None):
        return ("programme", "user") if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # The user list is the administrators'; a coordinator picks among their tutors.
            tutors = User.objects.filter(roles__role=Role.TUTOR)
            if not access.is_admin(request.user):
                tutors = tutors.filter(roles__programme__in=access.coordinated(request.user))
            kwargs["queryset"] = tutors.distinct().order_by("last_name", "first_name", "username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_with_services(self, request, obj, form, formsets, change):
        if change:
            changed = _changed(form, sorted(services.PROFILE_EDITABLE))
            profile = services.tutor_profile_update(actor=request.user, profile=obj, **changed) if changed else obj
        else:
            profile = services.tutor_profile_create(actor=request.user, **form.cleaned_data)
        for formset in formsets:
            if formset.model is TutorConflict:
                for row in new_rows(formset, ("venture", "note")):
                    services.tutor_conflict_declare(actor=request.user, tutor=profile, **row)
        return profile


@admin.register(TutorConflict)
class TutorConflictAdmin(BackOfficeAdmin):
    programme_path = "tutor__programme"
    addable = True
    autocomplete_fields = ("tutor", "venture")
    list_display = ("tutor", "venture", "note", "declared_at", "declared_by")
    list_select_related = ("tutor__user", "venture", "declared_by")
    fields = ("tutor", "venture", "note")

    def save_with_services(self, request, obj, form, formsets, change):
        return services.tutor_conflict_declare(actor=request.user, **form.cleaned_data)


class VentureNeedsForm(forms.ModelForm):
    keywords = LinesField(label=_("needs (keywords)"), required=False, help_text=_("One per line."))
    languages = LinesField(label=_("languages"), required=False, help_text=_("One ISO code per line, e.g. it."))

    class Meta:
        model = VentureNeeds
        fields = ("venture", "keywords", "languages", "note")


@admin.register(VentureNeeds)
class VentureNeedsAdmin(BackOfficeAdmin):
    autocomplete_fields = ("venture",)
    programme_path = "venture__programme"
    form = VentureNeedsForm
    addable = True
    writable = True
    list_display = ("venture", "keywords_list", "languages_list", "updated_at")
    list_select_related = ("venture",)
    search_fields = ("venture__title",)

    @admin.display(description=_("needs (keywords)"))
    def keywords_list(self, needs):
        return ", ".join(needs.keywords or [])

    @admin.display(description=_("languages"))
    def languages_list(self, needs):
        return ", ".join(needs.languages or [])

    def get_readonly_fields(self, request, obj=None):
        return ("venture",) if obj else ()

    def save_with_services(self, request, obj, form, formsets, change):
        fields = dict(form.cleaned_data)
        venture = obj.venture if change else fields.pop("venture")
        fields.pop("venture", None)
        return services.venture_needs_set(actor=request.user, venture=venture, **fields)


# --- assignments ---------------------------------------------------------------------


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ("tutor", "enrolment", "role", "starts_on", "ends_on", "hours_budget")


@admin.register(Assignment)
class AssignmentAdmin(BackOfficeAdmin):
    programme_path = ENROLMENT_PROGRAMME
    form = AssignmentForm
    addable = True
    writable = True
    show_history = True
    change_list_template = "admin/mentoring/assignment/change_list.html"
    list_display = ("tutor", "venture", "role", "starts_on", "ends_on", "hours_budget", "hours_used")
    list_filter = ("role",)
    # Foreign keys to tables that grow (people, ventures, enrolments, sessions) are
    # picked by search, not listed whole in a select.
    autocomplete_fields = ("tutor", "enrolment")
    list_select_related = ("tutor__user", "enrolment__application__venture")
    search_fields = ("tutor__user__last_name", "enrolment__application__venture__title")

    def get_queryset(self, request):
        return selectors.with_usage(super().get_queryset(request))

    @admin.display(description=_("venture"), ordering="enrolment__application__venture__title")
    def venture(self, assignment):
        return assignment.enrolment.application.venture

    @admin.display(description=_("hours used"))
    def hours_used(self, assignment):
        budget = selectors.budget_of(assignment)
        return f"{budget.hours_used} ⚠" if budget.exceeded else budget.hours_used

    def get_readonly_fields(self, request, obj=None):
        return ("tutor", "enrolment") if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "enrolment":
            kwargs["queryset"] = back_office_scope(
                request.user, Enrolment.objects.select_related("application__venture"), "application__call__programme"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_with_services(self, request, obj, form, formsets, change):
        if change:
            changed = _changed(form, ("role", "starts_on", "ends_on", "hours_budget"))
            return services.assignment_update(actor=request.user, assignment=obj, **changed) if changed else obj
        return services.assignment_create(actor=request.user, **form.cleaned_data)

    # -- assign from suggestions

    def get_urls(self):
        suggest = path(
            "suggestions/",
            self.admin_site.admin_view(self.suggestions_view),
            name="mentoring_assignment_suggestions",
        )
        return [suggest, *super().get_urls()]

    def suggestions_view(self, request):
        """Choose an enrolment, read its suggestions with the parts of each score, assign."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        enrolments = back_office_scope(
            request.user,
            Enrolment.objects.filter(status__in=LIVE_ENROLMENT_STATUSES).select_related("application__venture"),
            "application__call__programme",
        ).order_by("application__venture__title")
        chooser = EnrolmentChoiceForm(request.GET or None, enrolments=enrolments)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Assign a tutor from the suggestions"),
            "opts": self.opts,
            "chooser": chooser,
            "formula": selectors.SCORE_FORMULA,
        }
        if chooser.is_valid():
            enrolment = chooser.cleaned_data["enrolment"]
            suggestions = selectors.assignment_suggestions(enrolment=enrolment)
            tutors = TutorProfile.objects.filter(pk__in=[s.tutor.pk for s in suggestions])
            start, end = selectors.suggestion_period(enrolment)
            form = AssignFromSuggestionForm(
                request.POST or None,
                tutors=tutors,
                initial={"starts_on": start, "ends_on": end, "role": "lead", "tutor": suggestions[0].tutor.pk}
                if suggestions
                else {"starts_on": start, "ends_on": end},
            )
            if request.method == "POST" and form.is_valid():
                try:
                    assignment = services.assignment_create(
                        actor=request.user, enrolment=enrolment, **form.cleaned_data
                    )
                except ValidationError as refusal:
                    report_refusal(form, refusal)
                except NotPermitted as exc:
                    raise PermissionDenied(exc.message) from exc
                else:
                    self.message_user(
                        request, gettext("%(assignment)s assigned.") % {"assignment": assignment}, messages.SUCCESS
                    )
                    return HttpResponseRedirect(reverse("admin:mentoring_assignment_changelist"))
            context.update({"enrolment": enrolment, "suggestions": suggestions, "form": form})
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/mentoring/assignment/suggestions.html", context)


# --- tutoring sessions ---------------------------------------------------------------


class TutoringSessionForm(forms.ModelForm):
    private_notes = forms.CharField(
        label=_("private notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the tutor and the coordinators see these notes."),
    )

    class Meta:
        model = TutoringSession
        fields = (
            "assignment",
            "starts_at",
            "minutes",
            "mode",
            "activity",
            "topics",
            "shared_notes",
            "participants_present",
            "milestones",
        )


class ActionItemInline(BackOfficeInline):
    model = ActionItem
    fields = ("text", "owner", "due_on", "done_at")
    readonly_fields = ("done_at",)
    add_on_create = True
    add_on_change = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")


SESSION_FIELDS = (
    "starts_at",
    "minutes",
    "mode",
    "activity",
    "topics",
    "shared_notes",
    "participants_present",
    "milestones",
)


@admin.register(TutoringSession)
class TutoringSessionAdmin(ServiceImportExportMixin, BackOfficeAdmin):
    programme_path = "tutor__programme"
    form = TutoringSessionForm
    addable = True
    writable = True
    show_history = True
    resource_classes = [TutoringSessionResource]
    list_display = ("starts_at", "tutor", "venture", "minutes", "mode", "activity", "topics")
    # A date filter, not a date hierarchy: the hierarchy reads the years and months of
    # every row on each page (two scans of a table that grows without bound).
    list_filter = ("mode", "activity", ("tutor", RelatedOnly), ("starts_at", admin.DateFieldListFilter))
    list_select_related = ("tutor__user", "assignment__enrolment__application__venture")
    search_fields = ("topics", "assignment__enrolment__application__venture__title", "tutor__user__last_name")
    autocomplete_fields = ("assignment", "participants_present", "milestones")
    inlines = [ActionItemInline]
    filter_horizontal = ()

    @admin.display(description=_("venture"), ordering="assignment__enrolment__application__venture__title")
    def venture(self, session):
        return session.assignment.enrolment.application.venture

    def get_readonly_fields(self, request, obj=None):
        return ("assignment",) if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            return form
        note = access.visible(request.user, TutoringSessionPrivateNote).filter(session=obj).first()
        # The note goes into this form's own initial data: the class's field objects are
        # shared by every form built in the process (a note set on them leaked into the
        # next "add" form, whoever opened it).
        text = note.text if note else ""

        class FormWithNote(form):
            def __init__(self, *args, **kwargs):
                kwargs["initial"] = {"private_notes": text, **(kwargs.get("initial") or {})}
                super().__init__(*args, **kwargs)

        FormWithNote.__name__ = form.__name__
        return FormWithNote

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignment":
            kwargs["queryset"] = back_office_scope(
                request.user,
                Assignment.objects.select_related("tutor__user", "enrolment__application__venture"),
                ENROLMENT_PROGRAMME,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if related_admin is not None:
            kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_with_services(self, request, obj, form, formsets, change):
        data = form.cleaned_data
        values = {name: data[name] for name in SESSION_FIELDS}
        values["participants_present"] = [p.pk for p in data["participants_present"]]
        values["milestones"] = [m.pk for m in data["milestones"]]
        if change:
            changed = {name: values[name] for name in SESSION_FIELDS if name in form.changed_data}
            if "private_notes" in form.changed_data:
                changed["private_notes"] = data["private_notes"]
            session = services.tutoring_session_update(actor=request.user, session=obj, **changed) if changed else obj
        else:
            session = services.tutoring_session_log(
                actor=request.user, assignment=data["assignment"], private_notes=data["private_notes"], **values
            )
        for formset in formsets:
            for row in new_rows(formset, ("text", "owner", "due_on")):
                services.action_item_add(actor=request.user, session=session, **row)
        budget = selectors.budget_status(session.assignment)
        if budget.exceeded:
            self.message_user(request, budget.warning, messages.WARNING)
        return session


@admin.register(ActionItem)
class ActionItemAdmin(BackOfficeAdmin):
    programme_path = "session__tutor__programme"
    writable = True
    list_display = ("text", "venture", "owner", "due_on", "done_at")
    list_filter = (("done_at", admin.EmptyFieldListFilter), "due_on")
    autocomplete_fields = ("owner",)
    list_select_related = ("owner", "session__assignment__enrolment__application__venture")
    search_fields = ("text",)
    fields = ("session", "text", "owner", "due_on", "done_at", "done_by")
    readonly_fields = ("session", "done_at", "done_by")
    actions = ["mark_done", "reopen"]

    @admin.display(description=_("venture"))
    def venture(self, item):
        return item.session.assignment.enrolment.application.venture

    def save_with_services(self, request, obj, form, formsets, change):
        changed = _changed(form, ("text", "owner", "due_on"))
        return services.action_item_update(actor=request.user, item=obj, **changed) if changed else obj

    @admin.action(description=_("Mark as done"))
    def mark_done(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda item: services.action_item_set_done(actor=request.user, item=item, done=True),
            gettext("%(n)s action items marked as done."),
        )

    @admin.action(description=_("Reopen"))
    def reopen(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda item: services.action_item_set_done(actor=request.user, item=item, done=False),
            gettext("%(n)s action items reopened."),
        )
