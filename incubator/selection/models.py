"""The selection: calls (avvisi) with their criteria and checklist, applications with their
states, checklist answers, evaluations and scores."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from incubator.models import MONEY, Programme, Venture
from incubator.selection.querysets import ApplicationQuerySet, CallQuerySet


class Procedure(models.TextChoices):
    SCORING = "scoring", _("Scoring and ranking")
    NEGOTIATION = "negotiation", _("Negotiation (co-design)")


class Call(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="calls", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    eligible_applicant_kinds = models.JSONField(_("eligible applicant kinds"), default=list, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    places = models.PositiveIntegerField(_("places"))
    pass_threshold = models.DecimalField(_("pass threshold"), max_digits=7, decimal_places=2)
    grant_min = models.DecimalField(_("minimum grant (EUR)"), **MONEY, default=Decimal("25000.00"))
    grant_max = models.DecimalField(_("maximum grant (EUR)"), **MONEY, default=Decimal("140000.00"))
    max_months = models.PositiveSmallIntegerField(_("maximum accompaniment months"), default=36)
    grant_attendance_threshold = models.DecimalField(
        _("attendance % for grant eligibility"), max_digits=5, decimal_places=2, default=Decimal("80.00")
    )
    ranking_published_at = models.DateTimeField(_("ranking published at"), null=True, blank=True)
    evaluation_deadline = models.DateTimeField(
        _("evaluation deadline"), null=True, blank=True, help_text=_("By when evaluators submit their scores.")
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Evaluators do not see applicants' names, tax codes, e-mails or team names."),
    )
    procedure = models.CharField(
        _("procedure"),
        max_length=12,
        choices=Procedure.choices,
        default=Procedure.SCORING,
        help_text=_("Negotiation: co-design meetings and revised proposals up to an agreement, instead of a ranking."),
    )
    # Who may apply as an organisation (incubator.selection.partnerships checks them at submission).
    eligible_organisation_kinds = models.JSONField(
        _("organisation kinds that may apply"),
        default=list,
        blank=True,
        help_text=_("Empty: the call is not restricted by kind of organisation."),
    )
    min_population = models.PositiveIntegerField(
        _("municipalities over (residents)"),
        null=True,
        blank=True,
        help_text=_("An applying municipality must have more residents than this."),
    )
    eligible_company_sizes = models.JSONField(
        _("company size classes that may apply"), default=list, blank=True, help_text=_("Empty: any size class.")
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold"),
        max_digits=9,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Spread of the evaluators' weighted totals above which an application is flagged."),
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="call_dates_ordered"),
            models.CheckConstraint(
                condition=Q(grant_min__gte=0) & Q(grant_max__gte=F("grant_min")), name="call_grant_range_valid"
            ),
            models.CheckConstraint(condition=Q(max_months__gte=1, max_months__lte=36), name="call_max_months_1_36"),
            models.CheckConstraint(condition=Q(pass_threshold__gte=0), name="call_threshold_not_negative"),
            models.CheckConstraint(
                condition=Q(disagreement_threshold__isnull=True) | Q(disagreement_threshold__gte=0),
                name="call_disagreement_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(evaluation_deadline__isnull=True) | Q(evaluation_deadline__gt=F("closes_at")),
                name="call_evaluation_after_closing",
            ),
            models.CheckConstraint(
                condition=Q(grant_attendance_threshold__gte=0, grant_attendance_threshold__lte=100),
                name="call_attendance_threshold_pct",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call"))
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    guidance = models.TextField(_("guidance for evaluators"), blank=True)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="criterion_name_unique_per_call"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (x{self.weight}, max {self.max_score})"


class ScoreBand(models.Model):
    """A band of the criterion's rubric: what a score from ``low`` to ``high`` means."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="bands", verbose_name=_("criterion")
    )
    low = models.DecimalField(_("from"), max_digits=6, decimal_places=2)
    high = models.DecimalField(_("to"), max_digits=6, decimal_places=2)
    description = models.CharField(_("description"), max_length=500)

    class Meta:
        ordering = ["criterion", "low", "id"]
        verbose_name = _("score band")
        verbose_name_plural = _("score bands")
        constraints = [
            models.CheckConstraint(condition=Q(low__gte=0) & Q(high__gte=F("low")), name="score_band_ordered"),
            models.UniqueConstraint(fields=["criterion", "low"], name="score_band_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.low}-{self.high}: {self.description}"


class ChecklistItem(models.Model):
    class Kind(models.TextChoices):
        ELIGIBILITY = "eligibility", _("Eligibility")
        PREFEASIBILITY = "prefeasibility", _("Prefeasibility")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("call"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ELIGIBILITY)
    question = models.CharField(_("question"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [models.UniqueConstraint(fields=["call", "question"], name="checklist_question_unique_per_call")]

    def __str__(self) -> str:
        return self.question


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
    EVALUATED = "evaluated", _("Evaluated")
    ADMITTED = "admitted", _("Admitted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    venture = models.ForeignKey(
        Venture, on_delete=models.PROTECT, related_name="applications", verbose_name=_("venture")
    )
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    # The applying organisation (the lead applicant of a partnership); empty for people.
    organisation = models.ForeignKey(
        "incubator.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("applicant organisation"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Snapshot written when the coordinator computes the ranking (the published graduatoria).
    score = models.DecimalField(_("score"), max_digits=9, decimal_places=3, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    crowdfunding_referral = models.BooleanField(
        _("referred to crowdfunding tutoring"), default=False, help_text=_("For ideas not admitted to grants.")
    )
    # Given at submission (incubator.selection.submission): consecutive per call.
    protocol_number = models.PositiveIntegerField(_("protocol number"), null=True, blank=True)
    content_sha256 = models.CharField(_("SHA-256 of the submitted content"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["call", "rank", "submitted_at", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["venture", "call"], name="application_one_per_venture_call"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(state="withdrawn") | Q(submitted_at__isnull=False),
                name="application_submitted_has_time",
            ),
            models.UniqueConstraint(
                fields=["call", "protocol_number"],
                condition=Q(protocol_number__isnull=False),
                name="application_protocol_unique_per_call",
            ),
        ]
        indexes = [models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return f"{self.venture} → {self.call}"


class ChecklistAnswer(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="checklist_answers", verbose_name=_("application")
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    answer = models.BooleanField(_("answer"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(fields=["application", "item"], name="checklist_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {'yes' if self.answer else 'no'}"


class Evaluation(models.Model):
    """An evaluator's assignment to an application, their conflict declaration and scores."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("application")
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("evaluator")
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    conflict_declared = models.BooleanField(_("conflict of interest declared"), default=False)
    conflict_note = models.CharField(_("conflict note"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)
    draft_saved_at = models.DateTimeField(_("draft saved at"), null=True, blank=True)
    weighted_total = models.DecimalField(_("weighted total"), max_digits=9, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["application", "evaluator"], name="evaluation_one_per_evaluator"),
            models.CheckConstraint(
                condition=~(Q(conflict_declared=True) & Q(submitted_at__isnull=False)),
                name="evaluation_recused_cannot_score",
            ),
            models.CheckConstraint(
                condition=Q(weighted_total__isnull=True) | Q(weighted_total__gte=0),
                name="evaluation_total_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} / {self.application}"

    @property
    def progress(self) -> str:
        """to do / draft / submitted / recused, as the evaluator's list shows it."""
        if self.conflict_declared:
            return "recused"
        if self.submitted_at:
            return "submitted"
        if self.draft_saved_at:
            return "draft"
        return "todo"


class Score(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    # Empty only in a draft: submitting needs every criterion scored (service rule).
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    # Copied from the criterion so that the range is a database rule, not only a form rule.
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=F("max_score")), name="score_within_range"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.value}"


class Moderation(models.Model):
    """The agreed score of an application whose evaluators disagreed: it replaces the
    mean of their weighted totals in the ranking, with its reason shown beside it."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="moderation", verbose_name=_("application")
    )
    agreed_score = models.DecimalField(_("agreed score"), max_digits=9, decimal_places=3)
    reason = models.TextField(_("reason"))
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("moderated by")
    )
    moderated_at = models.DateTimeField(_("moderated at"))

    class Meta:
        verbose_name = _("moderation")
        verbose_name_plural = _("moderations")
        constraints = [
            models.CheckConstraint(condition=Q(agreed_score__gte=0), name="moderation_score_not_negative"),
            models.CheckConstraint(condition=~Q(reason=""), name="moderation_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.agreed_score}"


# The applicant portal's models (forms, answers, snapshots, integration requests).
from incubator.selection.partner_models import ApplicationPartner, PartnerRole  # noqa: E402, F401
from incubator.selection.portal_models import (  # noqa: E402, F401
    Answer,
    BudgetCategory,
    BudgetItem,
    CallDocument,
    CallFaq,
    CoApplicantInvitation,
    FormSection,
    IntegrationFile,
    IntegrationRequest,
    ProtocolCounter,
    Question,
    QuestionKind,
    SubmissionSnapshot,
)
