"""Funding: grants with their budget, tranches and expense reports, the de minimis
register, and civic crowdfunding campaigns with the programme's matching rule.
Writes go through ``incubator.funding.services``; figures through
``incubator.funding.selectors``."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from incubator.models import MONEY, Fund, Measure, Programme, Venture, validate_tax_code
from incubator.selection.models import Application, Call

__all__ = [
    "AidVariation",
    "CallBudget",
    "CampaignModel",
    "CampaignState",
    "CrowdfundingCampaign",
    "DeMinimisAid",
    "DeMinimisCheck",
    "ExpenseCategory",
    "ExpenseItem",
    "ExpenseItemStatus",
    "ExpenseReport",
    "ExpenseReportState",
    "Grant",
    "GrantBudgetLine",
    "GrantState",
    "MatchingRule",
    "Tranche",
    "TrancheKind",
    "TrancheState",
]

# CUP (Codice Unico di Progetto): 15 characters, letters and digits.
validate_cup = RegexValidator(r"^[A-Z0-9]{15}$", _("A CUP is 15 capital letters and digits."), code="invalid_cup")


class GrantState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AWARDED = "awarded", _("Awarded")
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")
    REVOKED = "revoked", _("Revoked")


class Grant(models.Model):
    """A non-repayable grant to a venture admitted through ``application``."""

    venture = models.ForeignKey(Venture, on_delete=models.PROTECT, related_name="grants", verbose_name=_("venture"))
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="grants", verbose_name=_("application")
    )
    # The single undertaking (tax code or VAT number) whose de minimis aid this grant is.
    undertaking = models.CharField(
        _("single undertaking (tax code / VAT)"), max_length=16, validators=[validate_tax_code]
    )
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)
    # Copied from the call when proposed, so the range is a database rule.
    amount_min = models.DecimalField(_("minimum of the call (EUR)"), **MONEY)
    amount_max = models.DecimalField(_("maximum of the call (EUR)"), **MONEY)
    state = models.CharField(_("state"), max_length=16, choices=GrantState.choices, default=GrantState.PROPOSED)
    # The measure and fund the grant commits against (the fund copied from the measure, so
    # that figures by fund are a column); set when proposed, checked under a lock when awarded.
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="grants", verbose_name=_("measure")
    )
    fund = models.CharField(_("fund"), max_length=8, choices=Fund.choices, blank=True)
    cup = models.CharField(_("CUP"), max_length=15, blank=True, validators=[validate_cup])
    cor = models.CharField(_("COR (state-aid register code)"), max_length=20, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    contract_signed_on = models.DateField(_("contract date"), null=True, blank=True)
    starts_on = models.DateField(_("eligible period start"), null=True, blank=True)
    ends_on = models.DateField(_("eligible period end"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.TextField(_("revocation reason"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True, help_text=_("Coordinators only."))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount__gte=F("amount_min"), amount__lte=F("amount_max")), name="grant_amount_in_range"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="grant_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(state="revoked") | (~Q(revocation_reason="") & Q(revoked_on__isnull=False)),
                name="grant_revoked_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["proposed", "revoked"]) | Q(decided_on__isnull=False),
                name="grant_awarded_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["proposed", "awarded", "revoked"])
                | Q(contract_signed_on__isnull=False, starts_on__isnull=False, ends_on__isnull=False),
                name="grant_contract_has_dates",
            ),
            models.UniqueConstraint(
                fields=["application"], condition=~Q(state="revoked"), name="grant_one_live_per_application"
            ),
            models.CheckConstraint(
                condition=Q(measure__isnull=True, fund="") | Q(measure__isnull=False) & ~Q(fund=""),
                name="grant_measure_has_fund",
            ),
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.venture} - {self.amount} EUR"


class ExpenseCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICES = "services", _("Services and consultancy")
    MATERIALS = "materials", _("Materials and supplies")
    PREMISES = "premises", _("Premises and utilities")
    PROMOTION = "promotion", _("Promotion and communication")
    TRAVEL = "travel", _("Travel")
    OTHER = "other", _("Other")


class GrantBudgetLine(models.Model):
    """The approved budget of a grant per expense category."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("grant"))
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    amount = models.DecimalField(_("budget (EUR)"), **MONEY)

    class Meta:
        ordering = ["grant", "category"]
        verbose_name = _("grant budget line")
        verbose_name_plural = _("grant budget")
        constraints = [
            models.UniqueConstraint(fields=["grant", "category"], name="budget_line_one_per_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount}"


class TrancheKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    INTERIM = "interim", _("Interim payment (SAL)")
    BALANCE = "balance", _("Balance")


class TrancheState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Tranche(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="tranches", verbose_name=_("grant"))
    kind = models.CharField(_("kind"), max_length=8, choices=TrancheKind.choices)
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)
    # Copied from the grant so that "advance <= 30 %" and "<= grant" are database rules.
    grant_amount = models.DecimalField(_("grant amount (EUR)"), **MONEY)
    state = models.CharField(_("state"), max_length=10, choices=TrancheState.choices, default=TrancheState.REQUESTED)
    guarantee_reference = models.CharField(_("guarantee reference"), max_length=100, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["grant", "requested_at", "id"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(condition=Q(amount__lte=F("grant_amount")), name="tranche_within_grant"),
            # SQLite computes this in floating point: the tolerance (a tenth of a cent,
            # below any amount's precision) keeps an advance of exactly 30 % valid there.
            models.CheckConstraint(
                condition=~Q(kind="advance") | Q(amount__lte=F("grant_amount") * Decimal("0.30") + Decimal("0.001")),
                name="tranche_advance_max_30_pct",
            ),
            models.CheckConstraint(
                condition=~Q(kind="advance") | ~Q(guarantee_reference=""), name="tranche_advance_has_guarantee"
            ),
            models.CheckConstraint(condition=~Q(state="paid") | Q(paid_on__isnull=False), name="tranche_paid_has_date"),
            models.UniqueConstraint(
                fields=["grant", "kind"],
                condition=Q(kind__in=["advance", "balance"]) & ~Q(state="cancelled"),
                name="tranche_one_advance_one_balance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} EUR"


class ExpenseReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")


class ExpenseReport(models.Model):
    """The expenses of one reporting period; the final report opens the balance."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="expense_reports", verbose_name=_("grant"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    is_final = models.BooleanField(_("final report"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=ExpenseReportState.choices, default=ExpenseReportState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["grant", "period_start", "id"]
        verbose_name = _("expense report")
        verbose_name_plural = _("expense reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="expense_report_period_ordered"
            ),
            models.UniqueConstraint(fields=["grant"], condition=Q(is_final=True), name="expense_report_one_final"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False), name="expense_report_submitted_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start} - {self.period_end}"


class ExpenseItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


def expense_document_path(instance, filename: str) -> str:
    return f"grants/{instance.grant_id}/expenses/{filename}"


class ExpenseItem(models.Model):
    report = models.ForeignKey(ExpenseReport, on_delete=models.PROTECT, related_name="items", verbose_name=_("report"))
    # The report's grant, repeated so that lists and the budget selector filter by it directly.
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="expense_items", verbose_name=_("grant"))
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200)
    supplier_tax_id = models.CharField(_("supplier VAT / tax code"), max_length=16)
    invoice_number = models.CharField(_("invoice number"), max_length=40)
    invoice_date = models.DateField(_("invoice date"))
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)
    invoice_has_cup = models.BooleanField(_("CUP written on the invoice"))
    document = models.FileField(_("document"), upload_to=expense_document_path, max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ExpenseItemStatus.choices, default=ExpenseItemStatus.PENDING
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["grant", "invoice_date", "id"]
        verbose_name = _("expense item")
        verbose_name_plural = _("expense items")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(condition=Q(invoice_has_cup=True), name="expense_invoice_has_cup"),
            models.CheckConstraint(condition=~Q(document=""), name="expense_has_document"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="expense_rejected_has_reason"
            ),
            # A rejected item may be corrected and reported again; a live one only once,
            # across every grant (no double funding of one invoice).
            models.UniqueConstraint(
                fields=["supplier_tax_id", "invoice_number"],
                condition=~Q(status="rejected"),
                name="expense_invoice_unique_per_supplier",
            ),
        ]
        indexes = [models.Index(fields=["grant", "status", "category"])]

    def __str__(self) -> str:
        return f"{self.supplier} {self.invoice_number} ({self.amount} EUR)"


class CallBudget(models.Model):
    """The share of a call's budget drawn on one measure (and so one fund): a call financed
    by two funds has two rows. The fund is the measure's, copied so that a call's split by
    fund is a column; the services keep the calls' shares within the measure's budget."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="budget_split", verbose_name=_("call"))
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="call_budgets", verbose_name=_("measure")
    )
    fund = models.CharField(_("fund"), max_length=8, choices=Fund.choices)
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)

    class Meta:
        ordering = ["call", "measure__code"]
        verbose_name = _("call budget by measure")
        verbose_name_plural = _("call budget by measure")
        constraints = [
            models.UniqueConstraint(fields=["call", "measure"], name="call_budget_one_per_measure"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="call_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.call} / {self.measure.code}: {self.amount} EUR"


class DeMinimisCheck(models.Model):
    """The de minimis check made before a concession (the register's visura): the
    undertaking's three-year total, the ceiling and the headroom it found for the amount.
    The concession links it; without one it is refused."""

    grant = models.ForeignKey(
        Grant, on_delete=models.PROTECT, related_name="de_minimis_checks", verbose_name=_("grant")
    )
    undertaking = models.CharField(_("single undertaking (tax code / VAT)"), max_length=16)
    on = models.DateField(_("checked for the date"))
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end"))
    total = models.DecimalField(_("aid in the window (EUR)"), **MONEY)
    ceiling = models.DecimalField(_("ceiling (EUR)"), **MONEY)
    headroom = models.DecimalField(_("headroom (EUR)"), **MONEY)
    amount = models.DecimalField(_("amount checked (EUR)"), **MONEY)
    passed = models.BooleanField(_("passed"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        ordering = ["grant", "-checked_at", "-id"]
        verbose_name = _("de minimis check")
        verbose_name_plural = _("de minimis checks")
        constraints = [
            models.CheckConstraint(condition=Q(window_end__gte=F("window_start")), name="de_minimis_check_window"),
            models.CheckConstraint(
                condition=Q(passed=False) | Q(amount__lte=F("headroom")), name="de_minimis_check_passed_fits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.undertaking} {self.on}: {self.headroom} EUR"


class DeMinimisAid(models.Model):
    """One aid in the de minimis register of a single undertaking (Reg. EU 2023/2831):
    ours (a grant, recorded when awarded: one entry per undertaking receiving it) or
    declared by the undertaking (other bodies)."""

    class Source(models.TextChoices):
        OURS = "ours", _("This programme's grant")
        DECLARED = "declared", _("Declared by the undertaking")

    undertaking = models.CharField(_("single undertaking (tax code / VAT)"), max_length=16, db_index=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="de_minimis_aid", verbose_name=_("programme")
    )
    venture = models.ForeignKey(
        Venture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="de_minimis_aid",
        verbose_name=_("venture"),
    )
    # Our grant's aid: one entry per single undertaking receiving it (a partnership's lead
    # and each partner with its share, ``incubator.funding.aid_shares``).
    grant = models.ForeignKey(
        Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="de_minimis_aid", verbose_name=_("grant")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    granting_body = models.CharField(_("granting body"), max_length=200)
    granted_on = models.DateField(_("granted on"))
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)
    withdrawn_on = models.DateField(
        _("withdrawn on"), null=True, blank=True, help_text=_("Revoked aid no longer counts.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The national state-aid register (RNA): the concession code of our aid, and the
    # de minimis check made before it (aid registered before migration 0022 has none).
    cor = models.CharField(_("COR (concession code)"), max_length=20, blank=True)
    check_record = models.OneToOneField(
        DeMinimisCheck,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aid",
        verbose_name=_("de minimis check"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["undertaking", "-granted_on", "-id"]
        verbose_name = _("de minimis aid")
        verbose_name_plural = _("de minimis register")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="de_minimis_amount_positive"),
            models.CheckConstraint(
                condition=Q(source="ours", grant__isnull=False) | Q(source="declared", grant__isnull=True),
                name="de_minimis_ours_has_grant",
            ),
            models.CheckConstraint(condition=Q(source="declared") | ~Q(cor=""), name="de_minimis_ours_has_cor"),
            models.UniqueConstraint(fields=["grant", "undertaking"], name="de_minimis_one_per_grant_undertaking"),
        ]
        indexes = [models.Index(fields=["undertaking", "granted_on"])]

    def __str__(self) -> str:
        return f"{self.undertaking} {self.granted_on} {self.amount} EUR"


class AidVariation(models.Model):
    """A change to an aid in the state-aid register (revocation, reduction at closing),
    with the variation code (COVAR) the register gave it."""

    aid = models.ForeignKey(DeMinimisAid, on_delete=models.PROTECT, related_name="variations", verbose_name=_("aid"))
    covar = models.CharField(_("COVAR (variation code)"), max_length=20)
    varied_on = models.DateField(_("varied on"))
    amount_before = models.DecimalField(_("amount before (EUR)"), **MONEY)
    amount_after = models.DecimalField(_("amount after (EUR)"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["aid", "varied_on", "id"]
        verbose_name = _("aid variation")
        verbose_name_plural = _("aid variations")
        constraints = [
            models.CheckConstraint(condition=~Q(covar=""), name="aid_variation_has_covar"),
            # A COVAR varies every entry of one grant (each its own row); the services refuse
            # a code already recorded.
            models.UniqueConstraint(fields=["aid", "covar"], name="aid_variation_covar_once_per_aid"),
            models.CheckConstraint(
                condition=Q(amount_after__gte=0, amount_after__lte=F("amount_before")),
                name="aid_variation_reduces",
            ),
        ]

    def __str__(self) -> str:
        return f"COVAR {self.covar} ({self.varied_on})"


class MatchingRule(models.Model):
    """The city's matching of crowdfunding: matched = min(cap, budget x rate) when the
    raised amount reaches threshold x budget, else nothing."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="matching_rule", verbose_name=_("programme")
    )
    threshold_pct = models.DecimalField(_("threshold (% of the budget raised)"), max_digits=5, decimal_places=2)
    match_rate_pct = models.DecimalField(_("match rate (% of the budget)"), max_digits=5, decimal_places=2)
    cap = models.DecimalField(_("cap (EUR)"), **MONEY)

    class Meta:
        verbose_name = _("crowdfunding matching rule")
        verbose_name_plural = _("crowdfunding matching rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_pct__gte=0, threshold_pct__lte=100), name="matching_threshold_pct"
            ),
            models.CheckConstraint(
                condition=Q(match_rate_pct__gte=0, match_rate_pct__lte=100), name="matching_rate_pct"
            ),
            models.CheckConstraint(condition=Q(cap__gte=0), name="matching_cap_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.threshold_pct} % / {self.match_rate_pct} % / {self.cap} EUR"


class CampaignModel(models.TextChoices):
    DONATION = "donation", _("Donation")
    REWARD = "reward", _("Reward")
    LENDING = "lending", _("Lending")
    EQUITY = "equity", _("Equity")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LIVE = "live", _("Live")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class CrowdfundingCampaign(models.Model):
    venture = models.ForeignKey(Venture, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("venture"))
    platform = models.CharField(_("platform"), max_length=100)
    url = models.URLField(_("campaign URL"), blank=True)
    model = models.CharField(_("model"), max_length=10, choices=CampaignModel.choices)
    budget = models.DecimalField(_("project budget (EUR)"), **MONEY)
    goal = models.DecimalField(_("crowdfunding goal (EUR)"), **MONEY)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    raised = models.DecimalField(_("raised (EUR)"), **MONEY, default=0)
    backers = models.PositiveIntegerField(_("backers"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT)
    # The programme's rule as it stood when the campaign went live.
    threshold_pct = models.DecimalField(
        _("matching threshold (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    match_rate_pct = models.DecimalField(_("match rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    match_cap = models.DecimalField(_("matching cap (EUR)"), **MONEY, null=True, blank=True)
    matched = models.DecimalField(_("matched (EUR)"), **MONEY, default=0)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    internal_note = models.TextField(_("internal note"), blank=True, help_text=_("Coordinators only."))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("crowdfunding campaign")
        verbose_name_plural = _("crowdfunding campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0, goal__gt=0, raised__gte=0, matched__gte=0), name="campaign_money_valid"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_dates_ordered"),
            models.CheckConstraint(
                condition=Q(matched=0) | Q(match_cap__isnull=False, matched__lte=F("match_cap")),
                name="campaign_matched_within_cap",
            ),
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.venture} @ {self.platform}"
