"""Serializers of the funding endpoints. Input serializers shape and type-check the
request (so a negative amount or a third decimal is a 400 naming the field before any
service runs); every rule lives in ``incubator.funding.services``. Output hides the
internal notes from everyone but the programme's coordinators."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.base import VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from incubator import access
from incubator.funding.models import (
    CampaignModel,
    CrowdfundingCampaign,
    DeMinimisAid,
    ExpenseCategory,
    ExpenseItem,
    ExpenseReport,
    Grant,
    MatchingRule,
    Tranche,
    TrancheKind,
)
from incubator.models import Measure, Role, Venture
from incubator.selection.models import Application

MONEY_FIELD = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
PERCENT_FIELD = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}


def Money(**kwargs) -> serializers.DecimalField:  # noqa: N802 - reads like a field class
    return serializers.DecimalField(**MONEY_FIELD, **kwargs)


class _CoordinatorOnly(ModelSerializer):
    """Drops ``internal_note`` unless the requesting user coordinates the programme."""

    programme_path: str = "venture.programme_id"
    omitted_for_some_readers = ("internal_note",)

    def _programme_id(self, instance) -> int:
        value = instance
        for part in self.programme_path.split("."):
            value = getattr(value, part)
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not access.has_role(user, self._programme_id(instance), Role.COORDINATOR):
            data.pop("internal_note", None)
        return data


# --- grants ------------------------------------------------------------------------------


class GrantAidSerializer(ModelSerializer):
    """One entry of the grant's aid in the de minimis register (one per single undertaking:
    with a partnership the lead and each partner with its share)."""

    class Meta:
        model = DeMinimisAid
        fields = ["id", "undertaking", "amount", "granted_on", "withdrawn_on"]
        read_only_fields = fields


class GrantSerializer(_CoordinatorOnly):
    venture_title = serializers.CharField(source="venture.title", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    paid = Money(read_only=True)
    committed = Money(read_only=True, help_text=_("Requested or paid tranches."))
    accepted_spending = Money(read_only=True)
    pending_spending = Money(read_only=True)
    internal_note = serializers.CharField(read_only=True, help_text=_("Coordinators only."))
    de_minimis_aid = GrantAidSerializer(
        many=True,
        read_only=True,
        help_text=_(
            "The grant's entries in the de minimis register, one per undertaking (empty until awarded); "
            "together they make the amount awarded."
        ),
    )

    class Meta:
        model = Grant
        fields = [
            "id",
            "venture",
            "venture_title",
            "application",
            "undertaking",
            "amount",
            "amount_min",
            "amount_max",
            "state",
            "state_label",
            "measure",
            "fund",
            "cup",
            "cor",
            "decided_on",
            "contract_signed_on",
            "starts_on",
            "ends_on",
            "closed_on",
            "revoked_on",
            "revocation_reason",
            "paid",
            "committed",
            "accepted_spending",
            "pending_spending",
            "de_minimis_aid",
            "internal_note",
            "created_at",
        ]
        read_only_fields = fields


class BudgetLinesSerializer(Serializer):
    """An amount (EUR) per expense category, each optional: typed in the schema, so that
    a client knows the categories. Unknown keys reach the service, which names them."""

    def get_fields(self):
        return {category: Money(required=False, label=label) for category, label in ExpenseCategory.choices}

    def to_internal_value(self, data):
        lines = dict(super().to_internal_value(data))
        if isinstance(data, dict):
            lines.update({key: value for key, value in data.items() if key not in self.fields})
        return lines


class GrantProposeSerializer(Serializer):
    application = VisibleRelatedField(queryset=Application.objects.all())
    amount = Money()
    undertaking = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    cup = serializers.CharField(max_length=15, required=False, allow_blank=True, default="")
    cor = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    internal_note = serializers.CharField(required=False, allow_blank=True, default="")
    budget = BudgetLinesSerializer(required=False)
    measure = VisibleRelatedField(
        queryset=Measure.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The measure the grant commits against; by default the call's (or programme's) only one."),
    )


class GrantUpdateSerializer(Serializer):
    amount = Money(required=False)
    cup = serializers.CharField(max_length=15, required=False, allow_blank=True)
    cor = serializers.CharField(max_length=20, required=False, allow_blank=True)
    internal_note = serializers.CharField(required=False, allow_blank=True)


class GrantAwardSerializer(Serializer):
    decided_on = serializers.DateField(required=False)
    cup = serializers.CharField(max_length=15, required=False)
    cor = serializers.CharField(max_length=20, required=False)


class GrantContractSerializer(Serializer):
    signed_on = serializers.DateField(required=False)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class GrantCloseSerializer(Serializer):
    closed_on = serializers.DateField(required=False)


class GrantRevokeSerializer(Serializer):
    reason = serializers.CharField()
    on = serializers.DateField(required=False)


class BudgetSerializer(Serializer):
    lines = BudgetLinesSerializer(help_text=_("Category -> amount (EUR)."))


class BudgetRowSerializer(Serializer):
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    label = serializers.CharField()
    budget = Money()
    accepted = Money()
    pending = Money()
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2)
    used_pct = serializers.DecimalField(max_digits=7, decimal_places=2)


class ProblemSerializer(Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField()


class EligibilitySerializer(Serializer):
    stage = serializers.CharField()
    eligible = serializers.BooleanField()
    problems = ProblemSerializer(many=True)


# --- tranches ----------------------------------------------------------------------------


class TrancheSerializer(ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Tranche
        fields = [
            "id",
            "grant",
            "kind",
            "kind_label",
            "amount",
            "state",
            "state_label",
            "guarantee_reference",
            "requested_at",
            "paid_on",
            "note",
        ]
        read_only_fields = fields


class TrancheRequestSerializer(Serializer):
    kind = serializers.ChoiceField(choices=TrancheKind.choices)
    amount = Money()
    guarantee_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TranchePaySerializer(Serializer):
    paid_on = serializers.DateField(required=False)


class FundingReasonSerializer(Serializer):
    reason = serializers.CharField()


# --- expenses ----------------------------------------------------------------------------


class ExpenseReportSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = ExpenseReport
        fields = [
            "id",
            "grant",
            "period_start",
            "period_end",
            "is_final",
            "state",
            "state_label",
            "submitted_at",
            "reviewed_at",
        ]
        read_only_fields = fields


class ExpenseReportCreateSerializer(Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    is_final = serializers.BooleanField(required=False, default=False)


class ExpenseItemSerializer(ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = ExpenseItem
        fields = [
            "id",
            "grant",
            "report",
            "category",
            "category_label",
            "description",
            "supplier",
            "supplier_tax_id",
            "invoice_number",
            "invoice_date",
            "amount",
            "invoice_has_cup",
            "document_url",
            "status",
            "status_label",
            "rejection_reason",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_url(self, item) -> str | None:
        """The document is served only through this access-checked URL."""
        if not item.document:
            return None
        return reverse("api:grant-expenses-document", kwargs={"grant_pk": item.grant_id, "pk": item.pk})


class ExpenseItemCreateSerializer(Serializer):
    report = serializers.IntegerField(help_text=_("An expense report of this grant, still a draft."))
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    supplier = serializers.CharField(max_length=200)
    supplier_tax_id = serializers.CharField(max_length=16)
    invoice_number = serializers.CharField(max_length=40)
    invoice_date = serializers.DateField()
    amount = Money()
    invoice_has_cup = serializers.BooleanField()
    # Optional here so that a missing document gets the service's reason, not a bare "required".
    document = serializers.FileField(required=False, allow_null=True, allow_empty_file=True, default=None)


class ExpenseReviewSerializer(Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- de minimis --------------------------------------------------------------------------


class DeMinimisAidSerializer(ModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = DeMinimisAid
        fields = [
            "id",
            "undertaking",
            "programme",
            "venture",
            "grant",
            "source",
            "source_label",
            "granting_body",
            "granted_on",
            "amount",
            "withdrawn_on",
            "note",
        ]
        read_only_fields = fields


class DeMinimisDeclareSerializer(Serializer):
    venture = VisibleRelatedField(queryset=Venture.objects.all())
    undertaking = serializers.CharField(max_length=16)
    granting_body = serializers.CharField(max_length=200)
    granted_on = serializers.DateField()
    amount = Money()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DeMinimisPositionSerializer(Serializer):
    undertaking = serializers.CharField()
    on = serializers.DateField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    ceiling = serializers.DecimalField(max_digits=14, decimal_places=2)
    headroom = serializers.DecimalField(max_digits=14, decimal_places=2)
    recorded_elsewhere = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text=_("Part of the total recorded by programmes you do not see (rows not listed)."),
    )
    aid = DeMinimisAidSerializer(many=True)


# --- crowdfunding ------------------------------------------------------------------------


class MatchingRuleSerializer(ModelSerializer):
    class Meta:
        model = MatchingRule
        fields = ["id", "programme", "threshold_pct", "match_rate_pct", "cap"]
        read_only_fields = fields


class MatchingRuleSetSerializer(Serializer):
    programme = serializers.IntegerField()
    threshold_pct = serializers.DecimalField(**PERCENT_FIELD)
    match_rate_pct = serializers.DecimalField(**PERCENT_FIELD)
    cap = Money()


class CampaignSerializer(_CoordinatorOnly):
    venture_title = serializers.CharField(source="venture.title", read_only=True)
    model_label = serializers.CharField(source="get_model_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    internal_note = serializers.CharField(read_only=True, help_text=_("Coordinators only."))

    class Meta:
        model = CrowdfundingCampaign
        fields = [
            "id",
            "venture",
            "venture_title",
            "platform",
            "url",
            "model",
            "model_label",
            "budget",
            "goal",
            "starts_on",
            "ends_on",
            "raised",
            "backers",
            "state",
            "state_label",
            "threshold_pct",
            "match_rate_pct",
            "match_cap",
            "matched",
            "closed_on",
            "internal_note",
            "created_at",
        ]
        read_only_fields = fields


class CampaignWriteSerializer(Serializer):
    platform = serializers.CharField(max_length=100)
    url = serializers.URLField(required=False, allow_blank=True)
    model = serializers.ChoiceField(choices=CampaignModel.choices)
    budget = Money()
    goal = Money()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    internal_note = serializers.CharField(required=False, allow_blank=True)


class CampaignCreateSerializer(CampaignWriteSerializer):
    venture = VisibleRelatedField(queryset=Venture.objects.all())


class CampaignProgressSerializer(Serializer):
    raised = Money(required=False)
    backers = serializers.IntegerField(min_value=0, required=False)


class CampaignCloseSerializer(CampaignProgressSerializer):
    on = serializers.DateField(required=False)


class CrowdfundingTrackSerializer(ModelSerializer):
    venture_title = serializers.CharField(source="venture.title", read_only=True)
    call_title = serializers.CharField(source="call.title", read_only=True)
    campaign_id = serializers.IntegerField(read_only=True, allow_null=True)
    campaign_state = serializers.CharField(read_only=True, allow_null=True)
    campaign_raised = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "venture",
            "venture_title",
            "call",
            "call_title",
            "state",
            "rank",
            "campaign_id",
            "campaign_state",
            "campaign_raised",
        ]
        read_only_fields = fields
