"""Back office for participants' ESF+ data: entry data, results at exit and six months
after, venture outcomes, the training unit costs, pseudonyms and the read log. Built on
``incubator.admin.BackOfficeAdmin`` (reach within the programmes the user coordinates,
writes through the services, a refusal shown on the form, 404 for what is out of reach).
Imported at the end of ``incubator.admin``.

Entry data, results and pseudonyms start from ``access_participants.visible_sensitive``:
an administrator who does not coordinate the programme sees none of them. Every list
page and change page that shows entry data logs the read (one row per person shown).
Nothing here is exported or imported: entry data leaves the database only through the
logged API and the pseudonymised export."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from incubator.admin import BackOfficeAdmin
from incubator.participants import services
from incubator.participants.access import visible_sensitive
from incubator.participants.models import (
    ParticipantEntryData,
    ParticipantResult,
    Pseudonym,
    ReadChannel,
    ResultTiming,
    SensitiveDataRead,
    TrainingUnitCost,
    VentureOutcome,
)

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class SensitiveAdmin(BackOfficeAdmin):
    """The stricter reach of entry data, results and pseudonyms (no administrator bypass)."""

    def get_queryset(self, request):
        return visible_sensitive(request.user, super(BackOfficeAdmin, self).get_queryset(request))


# --- entry data ----------------------------------------------------------------------------

ENTRY_FIELDS = (
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
)


class EntryDataForm(forms.ModelForm):
    class Meta:
        model = ParticipantEntryData
        fields = ("person", *ENTRY_FIELDS)
        widgets = {"entered_on": _DATE, "birth_date": _DATE}


@admin.register(ParticipantEntryData)
class EntryDataAdmin(SensitiveAdmin):
    form = EntryDataForm
    programme_path = "person__programme"
    addable = writable = True
    list_display = ["id", "person", "entered_on", "gender", "labour_status", "isced"]
    list_filter = ["gender", "labour_status", "isced"]
    autocomplete_fields = ["person"]
    search_fields = ["person__last_name", "person__first_name"]
    list_select_related = ["person"]

    def get_readonly_fields(self, request, obj=None):
        # Whose data it is does not change; corrections change the answers.
        return ("person", "recorded_at", "updated_at") if obj else ()

    def _log(self, request, entries) -> None:
        services.entry_data_log_reads(
            reader=request.user,
            people=[(entry.person_id, entry.person.programme_id) for entry in entries],
            channel=ReadChannel.ADMIN,
            detail=request.get_full_path(),
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self._log(request, changelist.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # Logged when the page shows the data (a refused or redirected request does not).
        entry = (getattr(response, "context_data", None) or {}).get("original")
        if response.status_code == 200 and entry is not None:
            self._log(request, [entry])
        return response

    def save_with_services(self, request, obj, form, formsets, change):
        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data if name in ENTRY_FIELDS}
            return services.entry_data_update(actor=request.user, entry=obj, **changed)
        return services.entry_data_create(
            actor=request.user, person=data["person"], **{name: data[name] for name in ENTRY_FIELDS}
        )


# --- results and outcomes ----------------------------------------------------------------

RESULT_KEY = ("person", "enrolment", "timing")
INDICATORS = ("job_searching", "in_education", "qualification_gained", "employed", "better_situation")


class ResultForm(forms.ModelForm):
    class Meta:
        model = ParticipantResult
        fields = (*RESULT_KEY, "left_on", "observed_on", *INDICATORS, "source", "source_note")
        widgets = {"left_on": _DATE, "observed_on": _DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "left_on" in self.fields:
            self.fields["left_on"].required = False
            self.fields["left_on"].help_text = _("Empty: the day the enrolment ended or the person left the team.")

    def _post_clean(self):
        # The date they left may be read from the enrolment by the service; the model's
        # own checks then run there, on the complete record.
        if self.cleaned_data.get("left_on"):
            super()._post_clean()
        else:
            forms.models.construct_instance(self, self.instance, self._meta.fields)


@admin.register(ParticipantResult)
class ResultAdmin(SensitiveAdmin):
    form = ResultForm
    programme_path = "person__programme"
    addable = writable = True
    list_display = ["id", "person", "enrolment", "timing", "observed_on", "employed", "source"]
    list_filter = ["timing", "source"]
    autocomplete_fields = ["person", "enrolment"]
    list_select_related = ["person", "enrolment__application__venture"]

    def get_readonly_fields(self, request, obj=None):
        return RESULT_KEY if obj else ()

    def save_with_services(self, request, obj, form, formsets, change):
        data = form.cleaned_data
        key = {name: getattr(obj, name) if change else data[name] for name in RESULT_KEY}
        asked = services.EXIT_FIELDS if key["timing"] == ResultTiming.AT_EXIT else services.SIX_MONTH_FIELDS
        return services.result_record(
            actor=request.user,
            **key,
            observed_on=data["observed_on"],
            left_on=data.get("left_on"),
            source=data["source"],
            source_note=data.get("source_note", ""),
            **{name: data.get(name, False) for name in asked},
        )


OUTCOME_FIELDS = (
    "observed_on",
    "jobs_women",
    "jobs_men",
    "jobs_non_binary",
    "revenue",
    "funds_raised",
    "source",
    "source_note",
)


@admin.register(VentureOutcome)
class VentureOutcomeAdmin(BackOfficeAdmin):
    autocomplete_fields = ["enrolment"]
    programme_path = "enrolment__application__call__programme"
    addable = writable = True
    fields = ("enrolment", *OUTCOME_FIELDS)
    list_display = ["enrolment", "observed_on", "jobs_women", "jobs_men", "jobs_non_binary", "revenue", "funds_raised"]
    list_select_related = ["enrolment__application__venture"]

    def get_readonly_fields(self, request, obj=None):
        return ("enrolment",) if obj else ()

    def save_with_services(self, request, obj, form, formsets, change):
        enrolment = obj.enrolment if change else form.cleaned_data["enrolment"]
        return services.venture_outcome_record(
            actor=request.user, enrolment=enrolment, **{name: form.cleaned_data[name] for name in OUTCOME_FIELDS}
        )


@admin.register(TrainingUnitCost)
class TrainingUnitCostAdmin(BackOfficeAdmin):
    programme_path = "programme"
    addable = writable = True
    fields = ("programme", "course_hour_rate", "participant_hour_rate", "reference")
    list_display = ["programme", "course_hour_rate", "participant_hour_rate", "reference", "updated_at"]
    list_select_related = ["programme"]

    def get_readonly_fields(self, request, obj=None):
        return ("programme",) if obj else ()

    def save_with_services(self, request, obj, form, formsets, change):
        data = form.cleaned_data
        return services.training_unit_cost_set(
            actor=request.user,
            programme=obj.programme if change else data["programme"],
            course_hour_rate=data["course_hour_rate"],
            participant_hour_rate=data["participant_hour_rate"],
            reference=data.get("reference", ""),
        )


# --- pseudonyms and the read log ---------------------------------------------------------


@admin.register(Pseudonym)
class PseudonymAdmin(SensitiveAdmin):
    """The only link from a pseudonymised export back to people: coordinators only."""

    programme_path = "person__programme"
    list_display = ["code", "person", "created_at"]
    search_fields = ["code"]
    list_select_related = ["person"]


@admin.register(SensitiveDataRead)
class SensitiveDataReadAdmin(BackOfficeAdmin):
    programme_path = "programme"
    list_display = ["at", "reader_username", "person", "channel", "detail"]
    # A date filter, not a date hierarchy: the hierarchy reads the years and months of
    # every row on each page (the log grows with every read).
    list_filter = ["channel", ("at", admin.DateFieldListFilter)]
    search_fields = ["reader_username"]
    list_select_related = ["person"]
