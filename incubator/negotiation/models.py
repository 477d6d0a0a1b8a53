"""The negotiation procedure (procedura negoziale), chosen per call instead of scoring and
ranking: after submission the office and the applicant meet to co-design the proposal
(meetings logged), the office requests revisions with notes, the applicant resubmits a
revised proposal (every version kept, compared side by side), the parties agree, and the
agreement leads to the grant."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from incubator.models import MONEY


class NegotiationState(models.TextChoices):
    OPEN = "open", _("Co-design in progress")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    REVISED = "revised", _("Revised proposal received")
    AGREED = "agreed", _("Agreed")
    GRANTED = "granted", _("Grant proposed")


class Negotiation(models.Model):
    application = models.OneToOneField(
        "incubator.Application", on_delete=models.PROTECT, related_name="negotiation", verbose_name=_("application")
    )
    state = models.CharField(_("state"), max_length=20, choices=NegotiationState.choices, default=NegotiationState.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    agreed_amount = models.DecimalField(_("agreed amount (EUR)"), **MONEY, null=True, blank=True)
    agreement_note = models.TextField(_("agreement"), blank=True)

    class Meta:
        ordering = ["-opened_at", "id"]
        verbose_name = _("negotiation")
        verbose_name_plural = _("negotiations")
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed_amount__isnull=True) | Q(agreed_amount__gt=0), name="negotiation_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=("agreed", "granted"))
                | (Q(agreed_at__isnull=False) & Q(agreed_amount__isnull=False)),
                name="negotiation_agreed_has_terms",
            ),
        ]

    def __str__(self) -> str:
        return str(self.application)


class Meeting(models.Model):
    """A co-design meeting: when, who took part, what was discussed."""

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("negotiation")
    )
    held_at = models.DateTimeField(_("held at"))
    participants = models.TextField(_("participants"))
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["negotiation", "held_at", "id"]
        verbose_name = _("co-design meeting")
        verbose_name_plural = _("co-design meetings")
        constraints = [
            models.CheckConstraint(condition=~Q(participants=""), name="meeting_has_participants"),
            models.CheckConstraint(condition=~Q(notes=""), name="meeting_has_notes"),
        ]

    def __str__(self) -> str:
        return f"{self.negotiation} @ {self.held_at:%Y-%m-%d}"


class RevisionRequest(models.Model):
    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="revision_requests", verbose_name=_("negotiation")
    )
    notes = models.TextField(_("what to revise"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["negotiation", "requested_at", "id"]
        verbose_name = _("revision request")
        verbose_name_plural = _("revision requests")
        constraints = [
            models.CheckConstraint(condition=~Q(notes=""), name="revision_request_has_notes"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("requested_at")),
                name="revision_request_answered_after",
            ),
            # One open request at a time: the applicant answers it with one revised version.
            models.UniqueConstraint(
                fields=["negotiation"], condition=Q(answered_at__isnull=True), name="revision_request_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.negotiation}: {self.notes[:40]}"


class ProposalVersion(models.Model):
    """One version of the proposal: 1 is the submitted one (from the submission snapshot),
    each revision adds the next. ``content`` holds the answers (by question) and the
    budget; versions are never changed."""

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="versions", verbose_name=_("negotiation")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content"))
    note = models.TextField(_("what changed"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["negotiation", "number"]
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")
        constraints = [
            models.UniqueConstraint(fields=["negotiation", "number"], name="proposal_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="proposal_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.negotiation} v{self.number}"
