"""Admin of participants' ESF+ entry data and results, venture outcomes, training unit
costs, pseudonyms and the read log. Imported at the end of ``incubator.admin``.

Entry data, results and pseudonyms start from ``access_participants.visible_sensitive``:
a coordinator sees their programmes' records, a superuser who is not a coordinator there
sees none. Every list page and form that shows entry data logs the read. Saves call the
services; the forms run the services' own checks first, so a refusal is a form error."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incubator import access
from incubator import services_participants as services
from incubator.access_participants import visible_sensitive
from incubator.models import Enrolment, Person, Programme
from incubator.models_participants import (
    ParticipantEntryData,
    ParticipantResult,
    Pseudonym,
    ReadChannel,
    ResultTiming,
    SensitiveDataRead,
    TrainingUnitCost,
    VentureOutcome,
)


class CoordinatorAdmin(admin.ModelAdmin):
    """Open to the coordinators of some programme (and superusers); rows are then scoped
    by the access rules, and nothing is deleted here (erasure is anonymisation)."""

    def _coordinates(self, request) -> bool:
        return bool(access.coordinated(request.user)) or access.is_admin(request.user)

    def has_module_permission(self, request) -> bool:
        return self._coordinates(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._coordinates(request)

    def has_add_permission(self, request) -> bool:
        return self._coordinates(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._coordinates(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # Entry data, results and pseudonyms: the stricter rule (no superuser bypass).
    sensitive = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.sensitive:
            return visible_sensitive(request.user, queryset)
        return access.visible(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in (Person, Enrolment, Programme):
            kwargs["queryset"] = access.visible(request.user, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyCoordinatorAdmin(CoordinatorAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- entry data ----------------------------------------------------------------------------


class EntryDataForm(forms.ModelForm):
    class Meta:
        model = ParticipantEntryData
        fields = [
            "person",
            "entered_on",
            "gender",
            "birth_date",
            "labour_status",
            "isced",
            "third_country_national",
            "foreign_background",
            "homeless",
            "rural",
            "disability",
            "minority",
            "victim_of_violence",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.entry_data_check(self.instance)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(ParticipantEntryData)
class EntryDataAdmin(CoordinatorAdmin):
    form = EntryDataForm
    sensitive = True
    list_display = ["id", "person", "entered_on", "gender", "labour_status", "isced"]
    list_filter = ["gender", "labour_status", "isced"]
    search_fields = ["person__last_name", "person__first_name"]
    list_select_related = ["person"]
    readonly_fields = ["recorded_by", "recorded_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The person of existing entry data does not change.
        return [*self.readonly_fields, "person"] if obj else self.readonly_fields

    def _log(self, request, entries) -> None:
        services.entry_data_log_reads(
            reader=request.user,
            people=[(entry.person_id, entry.person.programme_id) for entry in entries],
            channel=ReadChannel.ADMIN,
            detail=request.get_full_path(),
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            self._log(request, changelist.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, object_id)
        if entry is not None:
            self._log(request, [entry])
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "person"}
            saved = services.entry_data_update(actor=request.user, entry=obj, **fields)
        else:
            fields = {name: value for name, value in form.cleaned_data.items() if name != "person"}
            saved = services.entry_data_create(actor=request.user, person=form.cleaned_data["person"], **fields)
        obj.pk = saved.pk


# --- results and outcomes ----------------------------------------------------------------


RESULT_KEY = ("person", "enrolment", "timing")


class ResultForm(forms.ModelForm):
    class Meta:
        model = ParticipantResult
        fields = [
            "person",
            "enrolment",
            "timing",
            "left_on",
            "observed_on",
            "job_searching",
            "in_education",
            "qualification_gained",
            "employed",
            "better_situation",
            "source",
            "source_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "left_on" in self.fields:
            self.fields["left_on"].required = False
            self.fields["left_on"].help_text = _("Empty: the day the enrolment ended or the person left the team.")

    def clean(self):
        # Runs before the model's own checks, so the date filled in here is validated too.
        cleaned = super().clean()
        if self.errors:
            return cleaned
        key = {name: cleaned.get(name, getattr(self.instance, name, None)) for name in RESULT_KEY}
        try:
            cleaned["left_on"] = services.result_check(
                **key,
                observed_on=cleaned["observed_on"],
                left_on=cleaned.get("left_on"),
                indicators={
                    name: cleaned.get(name, False) for name in services.EXIT_FIELDS + services.SIX_MONTH_FIELDS
                },
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


@admin.register(ParticipantResult)
class ResultAdmin(CoordinatorAdmin):
    form = ResultForm
    sensitive = True
    list_display = ["id", "person", "enrolment", "timing", "observed_on", "employed", "source"]
    list_filter = ["timing", "source"]
    list_select_related = ["person", "enrolment__application__venture"]

    def get_readonly_fields(self, request, obj=None):
        # A correction changes the answers, never whose result it is.
        return RESULT_KEY if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        asked = services.EXIT_FIELDS if obj.timing == ResultTiming.AT_EXIT else services.SIX_MONTH_FIELDS
        saved = services.result_record(
            actor=request.user,
            person=obj.person,
            enrolment=obj.enrolment,
            timing=obj.timing,
            observed_on=data["observed_on"],
            left_on=data["left_on"],
            source=data["source"],
            source_note=data.get("source_note", ""),
            **{name: data.get(name, False) for name in asked},
        )
        obj.pk = saved.pk


@admin.register(VentureOutcome)
class VentureOutcomeAdmin(CoordinatorAdmin):
    list_display = ["enrolment", "observed_on", "jobs_women", "jobs_men", "jobs_non_binary", "revenue", "funds_raised"]
    list_select_related = ["enrolment__application__venture"]
    fields = [
        "enrolment",
        "observed_on",
        "jobs_women",
        "jobs_men",
        "jobs_non_binary",
        "revenue",
        "funds_raised",
        "source",
        "source_note",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ("enrolment",) if obj else ()

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k != "enrolment"}
        saved = services.venture_outcome_record(actor=request.user, enrolment=obj.enrolment, **data)
        obj.pk = saved.pk


@admin.register(TrainingUnitCost)
class TrainingUnitCostAdmin(CoordinatorAdmin):
    list_display = ["programme", "course_hour_rate", "participant_hour_rate", "reference", "updated_at"]
    fields = ["programme", "course_hour_rate", "participant_hour_rate", "reference"]

    def get_readonly_fields(self, request, obj=None):
        return ("programme",) if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.training_unit_cost_set(
            actor=request.user,
            programme=obj.programme,
            course_hour_rate=data["course_hour_rate"],
            participant_hour_rate=data["participant_hour_rate"],
            reference=data.get("reference", ""),
        )
        obj.pk = saved.pk


# --- pseudonyms and the read log ---------------------------------------------------------


@admin.register(Pseudonym)
class PseudonymAdmin(ReadOnlyCoordinatorAdmin):
    """The link from a pseudonymised export back to people: coordinators only."""

    sensitive = True
    list_display = ["code", "person", "created_at"]
    search_fields = ["code"]
    list_select_related = ["person"]


@admin.register(SensitiveDataRead)
class SensitiveDataReadAdmin(ReadOnlyCoordinatorAdmin):
    list_display = ["at", "reader_username", "person", "channel", "detail"]
    list_filter = ["channel"]
    search_fields = ["reader_username"]
    list_select_related = ["person"]
    date_hierarchy = "at"
