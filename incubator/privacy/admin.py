"""Back office of data-subject rights: consent and refusal records (record a decision,
withdraw a consent) and erasure requests (ask for one: anonymised at once, or refused with
the reason while the retention period runs). Built on ``incubator.admin.BackOfficeAdmin``
(reach within the programmes the user coordinates, writes through the services).
Imported at the end of ``incubator.admin``. The access export of a person is the page
``/people/<id>/data.json`` (or ``.csv``) and the API's ``people/{id}/personal-data/``."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator.admin import BOTH, BackOfficeAdmin
from incubator.privacy import services as services_gdpr
from incubator.privacy.models import ConsentRecord, ErasureOutcome, ErasureRequest


class ConsentRecordForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = ("person", "purpose", "given", "decided_at", "note")


@admin.register(ConsentRecord)
class ConsentRecordAdmin(BackOfficeAdmin):
    programme_path = "person__programme"
    addable = True
    form = ConsentRecordForm
    list_display = ("person", "purpose", "given", "decided_at", "withdrawn_at", "superseded_at", "recorded_by")
    list_filter = ("purpose", "given")
    search_fields = ("person__last_name", "person__first_name")
    list_select_related = ("person", "recorded_by")
    autocomplete_fields = ("person",)
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*ConsentRecordForm.Meta.fields, "recorded_by", "recorded_at", "withdrawn_at", "superseded_at")

    def save_with_services(self, request, obj, form, formsets, change):
        return services_gdpr.consent_record(actor=request.user, **form.cleaned_data)

    @admin.action(description=_("Withdraw the consent"), location=BOTH)
    def withdraw(self, request, queryset):
        self.run_services(
            request,
            queryset.select_related("person"),
            lambda consent: services_gdpr.consent_withdraw(actor=request.user, consent=consent),
            gettext("%(n)s consents withdrawn."),
        )


class ErasureRequestForm(forms.ModelForm):
    class Meta:
        model = ErasureRequest
        fields = ("person",)


@admin.register(ErasureRequest)
class ErasureRequestAdmin(BackOfficeAdmin):
    """The erasure log; adding a row asks for an erasure."""

    programme_path = "programme"
    addable = True
    form = ErasureRequestForm
    list_display = ("requested_at", "person", "programme", "origin", "outcome", "retention_ends_on", "requested_by")
    list_filter = ("outcome", "origin")
    list_select_related = ("person", "programme", "requested_by")
    autocomplete_fields = ("person",)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "person",
            "programme",
            "origin",
            "requested_by",
            "requested_at",
            "outcome",
            "reason",
            "retention_ends_on",
        )

    def save_with_services(self, request, obj, form, formsets, change):
        erasure = services_gdpr.person_erasure_request(actor=request.user, person=form.cleaned_data["person"])
        if erasure.outcome == ErasureOutcome.REFUSED:
            self.message_user(request, erasure.reason, messages.WARNING)
        return erasure
