"""Back office for funding: grants (with budget, tranches and reports inline), tranches,
expense reports and items, the de minimis register, crowdfunding campaigns and the
matching rule. Built on ``incubator.admin.BackOfficeAdmin``: the reach is
``access.visible`` within the programmes the user coordinates, every write and state
change calls ``incubator.funding.services``, and exports go through the shared formats,
which neutralise cells a spreadsheet would run as formulas. Nothing is imported: grants
and expenses enter only through their services."""

import uuid

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields as export_fields
from import_export.resources import ModelResource

from incubator import idempotency
from incubator.admin import BOTH, BackOfficeAdmin, BackOfficeInline, RelatedOnly
from incubator.forms import ActionForm, DateForm, ReasonDateForm, ReasonForm
from incubator.funding import services
from incubator.funding.admin_measures import GrantMeasureMixin
from incubator.funding.admin_measures import revoke as revoke_with_covar
from incubator.funding.models import (
    CrowdfundingCampaign,
    DeMinimisAid,
    ExpenseItem,
    ExpenseReport,
    Grant,
    GrantBudgetLine,
    MatchingRule,
    Tranche,
)
from incubator.funding.selectors import with_totals
from incubator.imports.admin import ServiceImportExportMixin
from incubator.models import Measure

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


# --- export columns ----------------------------------------------------------------------


class GrantResource(ModelResource):
    venture = export_fields.Field(attribute="venture__title", column_name="venture")
    programme = export_fields.Field(attribute="venture__programme__code", column_name="programme")

    class Meta:
        model = Grant
        fields = (
            "id",
            "programme",
            "venture",
            "undertaking",
            "amount",
            "state",
            "cup",
            "cor",
            "decided_on",
            "contract_signed_on",
            "starts_on",
            "ends_on",
            "closed_on",
            "revoked_on",
            "revocation_reason",
        )
        export_order = fields


class TrancheResource(ModelResource):
    venture = export_fields.Field(attribute="grant__venture__title", column_name="venture")
    cup = export_fields.Field(attribute="grant__cup", column_name="cup")

    class Meta:
        model = Tranche
        fields = ("id", "grant", "venture", "cup", "kind", "amount", "state", "guarantee_reference", "paid_on")
        export_order = fields


class ExpenseItemResource(ModelResource):
    venture = export_fields.Field(attribute="grant__venture__title", column_name="venture")
    cup = export_fields.Field(attribute="grant__cup", column_name="cup")

    class Meta:
        model = ExpenseItem
        fields = (
            "id",
            "grant",
            "venture",
            "cup",
            "report",
            "category",
            "description",
            "supplier",
            "supplier_tax_id",
            "invoice_number",
            "invoice_date",
            "amount",
            "invoice_has_cup",
            "status",
            "rejection_reason",
        )
        export_order = fields


class DeMinimisAidResource(ModelResource):
    class Meta:
        model = DeMinimisAid
        fields = (
            "id",
            "undertaking",
            "source",
            "granting_body",
            "granted_on",
            "amount",
            "withdrawn_on",
            "grant",
            "note",
        )
        export_order = fields


class CampaignResource(ModelResource):
    venture = export_fields.Field(attribute="venture__title", column_name="venture")

    class Meta:
        model = CrowdfundingCampaign
        fields = (
            "id",
            "venture",
            "platform",
            "url",
            "model",
            "budget",
            "goal",
            "starts_on",
            "ends_on",
            "raised",
            "backers",
            "state",
            "matched",
        )
        export_order = fields


class ExportOnly(ServiceImportExportMixin):
    """Export in the shared safe formats; never import (these records have services)."""

    def has_import_permission(self, request):
        return False


# --- action pages ------------------------------------------------------------------------


class AwardForm(ActionForm):
    decided_on = forms.DateField(label=_("decision date"), required=False, widget=_DATE)
    cup = forms.CharField(label=_("CUP"), max_length=15, required=False, help_text=_("Kept when empty."))
    cor = forms.CharField(label=_("COR"), max_length=20, required=False, help_text=_("Kept when empty."))


class ContractForm(ActionForm):
    signed_on = forms.DateField(label=_("contract date"), required=False, widget=_DATE)
    starts_on = forms.DateField(label=_("eligible period start"), widget=_DATE)
    ends_on = forms.DateField(label=_("eligible period end"), widget=_DATE)


class ProgressForm(ActionForm):
    raised = forms.DecimalField(label=_("raised (EUR)"), max_digits=12, decimal_places=2, min_value=0, required=False)
    backers = forms.IntegerField(label=_("backers"), min_value=0, required=False)


class CloseCampaignForm(ProgressForm):
    on = forms.DateField(label=_("closed on"), required=False, widget=_DATE)


def _blank_to_none(data: dict) -> dict:
    return {k: (None if v in ("", None) else v) for k, v in data.items()}


# --- grants ------------------------------------------------------------------------------


class BudgetLineInline(BackOfficeInline):
    model = GrantBudgetLine
    fields = ("category", "amount")


class TrancheInline(BackOfficeInline):
    model = Tranche
    fields = ("kind", "amount", "state", "guarantee_reference", "requested_at", "paid_on", "note")
    readonly_fields = ("requested_at",)


class ExpenseReportInline(BackOfficeInline):
    model = ExpenseReport
    fields = ("period_start", "period_end", "is_final", "state", "submitted_at", "reviewed_at")


class DeMinimisAidInline(BackOfficeInline):
    """The grant's entries in the de minimis register: one per undertaking receiving its aid
    (with a partnership the lead and each partner with its share), written when awarded."""

    model = DeMinimisAid
    fields = ("undertaking", "amount", "granted_on", "cor", "note", "withdrawn_on")
    readonly_fields = fields
    verbose_name_plural = _("de minimis register entries")


def new_form_token() -> str:
    return uuid.uuid4().hex


class GrantForm(forms.ModelForm):
    # One token per rendered form (the initial is called for each form, never stored on
    # the shared field): a double click or a resubmitted page proposes the grant once.
    form_token = forms.CharField(widget=forms.HiddenInput, initial=new_form_token, required=False)

    class Meta:
        model = Grant
        fields = ("application", "amount", "undertaking", "cup", "cor", "internal_note")


@admin.register(Grant)
class GrantAdmin(GrantMeasureMixin, ExportOnly, BackOfficeAdmin):
    """Proposed here (``grant_propose``, with the measure when a call is split:
    ``admin_measures``); every later step is an action (revoking asks the COVAR)."""

    programme_path = "venture__programme"
    form = GrantForm
    addable = True
    show_history = True
    resource_classes = [GrantResource]
    list_display = ("venture", "amount", "state", "decided_on", "contract_signed_on", "paid", "accepted_spending")
    list_filter = ("state", ("venture__programme", RelatedOnly))
    search_fields = ("venture__title", "cup", "cor", "undertaking")
    list_select_related = ("venture",)
    autocomplete_fields = ("application",)
    inlines = [BudgetLineInline, TrancheInline, ExpenseReportInline, DeMinimisAidInline]
    actions = ["award", "sign_contract", "start", "close", "revoke"]

    def get_queryset(self, request):
        return with_totals(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.with_measure(request, obj, (*GrantForm.Meta.fields, "form_token"))
        return self.with_measure(
            request,
            obj,
            (
                "venture",
                "application",
                "undertaking",
                "amount",
                "state",
                "cup",
                "cor",
                "decided_on",
                "contract_signed_on",
                "starts_on",
                "ends_on",
                "closed_on",
                "revoked_on",
                "revocation_reason",
                "internal_note",
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description=_("paid (EUR)"), ordering="paid")
    def paid(self, grant):
        return grant.paid

    @admin.display(description=_("accepted spending (EUR)"), ordering="accepted_spending")
    def accepted_spending(self, grant):
        return grant.accepted_spending

    def save_with_services(self, request, obj, form, formsets, change):
        data = dict(form.cleaned_data)
        token = data.pop("form_token", "") or None
        grant, _created = idempotency.run_once(
            actor=request.user,
            scope="page:grant",
            key=token,
            request={name: str(value) for name, value in data.items()},
            create=lambda: services.grant_propose(actor=request.user, **data),
            field="form_token",
        )
        obj.venture = grant.venture  # the admin's log names the form's instance
        return grant

    @admin.action(description=_("Award (decision, CUP, COR)"), location=BOTH)
    def award(self, request, queryset):
        form = AwardForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Award"))
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        self.run_services(
            request,
            queryset,
            lambda grant: services.grant_award(actor=request.user, grant=grant, **data),
            gettext("%(n)s grants awarded."),
        )

    @admin.action(description=_("Sign the contract"), location=BOTH)
    def sign_contract(self, request, queryset):
        form = ContractForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Sign the contract"))
        self.run_services(
            request,
            queryset,
            lambda grant: services.grant_sign_contract(actor=request.user, grant=grant, **form.cleaned_data),
            gettext("%(n)s contracts signed."),
        )

    @admin.action(description=_("Start (in progress)"), location=BOTH)
    def start(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda grant: services.grant_start(actor=request.user, grant=grant),
            gettext("%(n)s grants in progress."),
        )

    @admin.action(description=_("Close"), location=BOTH)
    def close(self, request, queryset):
        form = DateForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Close"))
        self.run_services(
            request,
            queryset,
            lambda grant: services.grant_close(actor=request.user, grant=grant, closed_on=form.cleaned_data["on"]),
            gettext("%(n)s grants closed."),
        )

    @admin.action(description=_("Revoke (asks the reason and the COVAR)"), location=BOTH)
    def revoke(self, request, queryset):
        return revoke_with_covar(self, request, queryset)


@admin.register(Tranche)
class TrancheAdmin(ExportOnly, BackOfficeAdmin):
    """Requested by the beneficiary (API) or here by action on the grant's page; paid here."""

    programme_path = "grant__venture__programme"
    resource_classes = [TrancheResource]
    list_display = ("grant", "kind", "amount", "state", "guarantee_reference", "requested_at", "paid_on")
    list_filter = ("kind", "state", ("grant__venture__programme", RelatedOnly))
    search_fields = ("grant__venture__title", "grant__cup", "guarantee_reference")
    list_select_related = ("grant__venture",)
    readonly_fields = ("grant", "kind", "amount", "state", "guarantee_reference", "requested_at", "paid_on", "note")
    fields = readonly_fields
    actions = ["pay", "cancel"]

    @admin.action(description=_("Mark paid"), location=BOTH)
    def pay(self, request, queryset):
        form = DateForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Mark paid"))
        self.run_services(
            request,
            queryset,
            lambda tranche: services.tranche_pay(actor=request.user, tranche=tranche, paid_on=form.cleaned_data["on"]),
            gettext("%(n)s tranches paid."),
        )

    @admin.action(description=_("Cancel (asks the reason)"), location=BOTH)
    def cancel(self, request, queryset):
        form = ReasonForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Cancel"))
        self.run_services(
            request,
            queryset,
            lambda tranche: services.tranche_cancel(
                actor=request.user, tranche=tranche, reason=form.cleaned_data["reason"]
            ),
            gettext("%(n)s tranches cancelled."),
        )


# --- expenses ----------------------------------------------------------------------------


def _document_link(item: ExpenseItem):
    """Through the API view that checks access, never a public media URL."""
    if not item.document:
        return "—"
    url = reverse("api:grant-expenses-document", kwargs={"grant_pk": item.grant_id, "pk": item.pk})
    return format_html('<a href="{}">{}</a>', url, gettext("document"))


class ExpenseItemInline(BackOfficeInline):
    model = ExpenseItem
    fields = ("category", "supplier", "invoice_number", "invoice_date", "amount", "status", "document_link")
    readonly_fields = ("document_link",)

    @admin.display(description=_("document"))
    def document_link(self, item):
        return _document_link(item)


@admin.register(ExpenseReport)
class ExpenseReportAdmin(BackOfficeAdmin):
    programme_path = "grant__venture__programme"
    list_display = ("grant", "period_start", "period_end", "is_final", "state", "submitted_at", "reviewed_at")
    list_filter = ("state", "is_final", ("grant__venture__programme", RelatedOnly))
    search_fields = ("grant__venture__title", "grant__cup")
    list_select_related = ("grant__venture",)
    fields = ("grant", "period_start", "period_end", "is_final", "state", "submitted_at", "reviewed_at")
    readonly_fields = fields
    inlines = [ExpenseItemInline]
    actions = ["submit"]

    @admin.action(description=_("Submit on the beneficiary's behalf"), location=BOTH)
    def submit(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda report: services.expense_report_submit(actor=request.user, report=report),
            gettext("%(n)s reports submitted."),
        )


@admin.register(ExpenseItem)
class ExpenseItemAdmin(ExportOnly, BackOfficeAdmin):
    """Items are reported by the beneficiary; coordinators accept or reject each."""

    programme_path = "grant__venture__programme"
    resource_classes = [ExpenseItemResource]
    list_display = (
        "supplier",
        "invoice_number",
        "invoice_date",
        "amount",
        "category",
        "status",
        "grant",
        "document_link",
    )
    list_filter = ("status", "category", ("grant__venture__programme", RelatedOnly))
    search_fields = ("supplier", "supplier_tax_id", "invoice_number", "grant__venture__title")
    list_select_related = ("grant__venture",)
    fields = (
        "grant",
        "report",
        "category",
        "description",
        "supplier",
        "supplier_tax_id",
        "invoice_number",
        "invoice_date",
        "amount",
        "invoice_has_cup",
        "document_link",
        "status",
        "rejection_reason",
        "reviewed_by",
        "reviewed_at",
    )
    readonly_fields = fields
    actions = ["accept", "reject"]

    @admin.display(description=_("document"))
    def document_link(self, item):
        return _document_link(item)

    @admin.action(description=_("Accept"), location=BOTH)
    def accept(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda item: services.expense_item_review(actor=request.user, item=item, accept=True),
            gettext("%(n)s expense items accepted."),
        )

    @admin.action(description=_("Reject (asks the reason)"), location=BOTH)
    def reject(self, request, queryset):
        form = ReasonForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Reject"))
        self.run_services(
            request,
            queryset,
            lambda item: services.expense_item_review(
                actor=request.user, item=item, accept=False, reason=form.cleaned_data["reason"]
            ),
            gettext("%(n)s expense items rejected."),
        )


# --- de minimis --------------------------------------------------------------------------


class DeMinimisForm(forms.ModelForm):
    class Meta:
        model = DeMinimisAid
        fields = ("venture", "undertaking", "granting_body", "granted_on", "amount", "note")
        widgets = {"granted_on": _DATE}


@admin.register(DeMinimisAid)
class DeMinimisAidAdmin(ExportOnly, BackOfficeAdmin):
    """Our grants enter when awarded; other aid is declared here (``de_minimis_declare``)."""

    form = DeMinimisForm
    addable = True
    resource_classes = [DeMinimisAidResource]
    list_display = ("undertaking", "source", "granting_body", "granted_on", "amount", "withdrawn_on", "venture")
    list_filter = ("source", ("programme", RelatedOnly))
    search_fields = ("undertaking", "granting_body", "venture__title")
    list_select_related = ("venture",)
    autocomplete_fields = ("venture",)
    actions = ["withdraw"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return DeMinimisForm.Meta.fields
        return (
            "undertaking",
            "source",
            "programme",
            "venture",
            "grant",
            *DeMinimisForm.Meta.fields[2:],
            "withdrawn_on",
        )

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def save_with_services(self, request, obj, form, formsets, change):
        return services.de_minimis_declare(actor=request.user, **form.cleaned_data)

    @admin.action(description=_("Withdraw a declaration (asks the reason)"), location=BOTH)
    def withdraw(self, request, queryset):
        form = ReasonDateForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Withdraw"))
        self.run_services(
            request,
            queryset,
            lambda aid: services.de_minimis_withdraw(
                actor=request.user, aid=aid, reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]
            ),
            gettext("%(n)s declarations withdrawn."),
        )


# --- crowdfunding ------------------------------------------------------------------------


class MatchingRuleForm(forms.ModelForm):
    class Meta:
        model = MatchingRule
        fields = ("programme", "threshold_pct", "match_rate_pct", "cap")


@admin.register(MatchingRule)
class MatchingRuleAdmin(BackOfficeAdmin):
    """One rule per programme, set with ``matching_rule_set``."""

    form = MatchingRuleForm
    addable = True
    writable = True
    list_display = ("programme", "threshold_pct", "match_rate_pct", "cap")
    list_select_related = ("programme",)
    autocomplete_fields = ("programme",)

    def get_readonly_fields(self, request, obj=None):
        return ("programme",) if obj is not None else ()

    def save_with_services(self, request, obj, form, formsets, change):
        data = dict(form.cleaned_data)
        programme = obj.programme if change else data.pop("programme")
        data.pop("programme", None)
        return services.matching_rule_set(actor=request.user, programme=programme, **data)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = CrowdfundingCampaign
        fields = ("venture", "platform", "url", "model", "budget", "goal", "starts_on", "ends_on", "internal_note")
        widgets = {"starts_on": _DATE, "ends_on": _DATE}


@admin.register(CrowdfundingCampaign)
class CampaignAdmin(ExportOnly, BackOfficeAdmin):
    """Created and edited through ``campaign_create`` / ``campaign_update`` (what may
    change depends on the state); launch, progress and close are actions."""

    programme_path = "venture__programme"
    form = CampaignForm
    addable = True
    writable = True
    show_history = True
    resource_classes = [CampaignResource]
    list_display = ("venture", "platform", "model", "goal", "raised", "backers", "state", "matched", "ends_on")
    list_filter = ("state", "model", ("venture__programme", RelatedOnly))
    search_fields = ("venture__title", "platform")
    list_select_related = ("venture",)
    autocomplete_fields = ("venture",)
    actions = ["launch", "record_progress", "close"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("venture", "raised", "backers", "state", "threshold_pct", "match_rate_pct", "match_cap", "matched")

    def get_fields(self, request, obj=None):
        if obj is None:
            return CampaignForm.Meta.fields
        return (*CampaignForm.Meta.fields, *self.get_readonly_fields(request, obj)[1:])

    def save_with_services(self, request, obj, form, formsets, change):
        data = dict(form.cleaned_data)
        if not change:
            return services.campaign_create(actor=request.user, venture=data.pop("venture"), **data)
        changed = {name: data[name] for name in form.changed_data if name in data}
        return services.campaign_update(actor=request.user, campaign=obj, **changed)

    @admin.action(description=_("Launch (goes live)"), location=BOTH)
    def launch(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda campaign: services.campaign_launch(actor=request.user, campaign=campaign),
            gettext("%(n)s campaigns live."),
        )

    @admin.action(description=_("Record progress"), location=BOTH)
    def record_progress(self, request, queryset):
        form = ProgressForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Record progress"))
        data = _blank_to_none(form.cleaned_data)
        self.run_services(
            request,
            queryset,
            lambda campaign: services.campaign_record_progress(actor=request.user, campaign=campaign, **data),
            gettext("Progress recorded for %(n)s campaigns."),
        )

    @admin.action(description=_("Close (succeeded or failed, computes the match)"), location=BOTH)
    def close(self, request, queryset):
        form = CloseCampaignForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Close"))
        data = _blank_to_none(form.cleaned_data)
        self.run_services(
            request,
            queryset,
            lambda campaign: services.campaign_close(actor=request.user, campaign=campaign, **data),
            gettext("%(n)s campaigns closed."),
        )


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ("programme", "code", "title", "fund", "action", "budget", "incubation")


@admin.register(Measure)
class MeasureAdmin(BackOfficeAdmin):
    """A programme's measures, created with ``measure_create``; the title, budget and the
    incubation flag change with ``measure_update`` (the budget not below what is committed)."""

    form = MeasureForm
    addable = True
    writable = True
    list_display = ("code", "title", "programme", "fund", "action", "budget", "incubation")
    list_filter = ("fund", "incubation")
    list_select_related = ("programme",)
    autocomplete_fields = ("programme",)

    def get_readonly_fields(self, request, obj=None):
        return ("programme", "code", "fund", "action") if obj is not None else ()

    def save_with_services(self, request, obj, form, formsets, change):
        data = dict(form.cleaned_data)
        if change:
            return services.measure_update(
                actor=request.user,
                measure=obj,
                title=data["title"],
                budget=data["budget"],
                incubation=data["incubation"],
            )
        return services.measure_create(actor=request.user, **data)
