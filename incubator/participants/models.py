"""Participants' ESF+ data and outcomes, kept apart from ``Person`` (DESIGN.md, "Sensitive
data apart"): entry data (Annex I of Regulation (EU) 2021/1057) with the special
categories and the "woman victim of violence" flag, results at exit and six months after,
venture outcomes, the per-programme training unit costs, the pseudonyms used in exports
and the log of every read of entry data.

Imported at the end of ``incubator.models``; writes go through
``incubator.participants.services``; visibility is ``incubator.participants.access``."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AgeBand",
    "Gender",
    "IscedBand",
    "LabourStatus",
    "OutcomeSource",
    "ParticipantEntryData",
    "ParticipantResult",
    "Pseudonym",
    "ReadChannel",
    "ResultTiming",
    "SensitiveDataRead",
    "SpecialCategoryAnswer",
    "TrainingUnitCost",
    "VentureOutcome",
    "age_at_entry",
    "age_band_of",
]

_MONEY = {"max_digits": 12, "decimal_places": 2}


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_BINARY = "non_binary", _("Non-binary")


class LabourStatus(models.TextChoices):
    """Labour-market status at entry. Annex I counts "unemployed including long-term
    unemployed" (both values below) and "long-term unemployed" (the second only)."""

    UNEMPLOYED = "unemployed", _("Unemployed (not long-term)")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("Long-term unemployed")
    INACTIVE = "inactive", _("Inactive")
    EMPLOYED = "employed", _("Employed, including self-employed")


class IscedBand(models.TextChoices):
    ISCED_0_2 = "isced_0_2", _("ISCED 0-2 (up to lower secondary)")
    ISCED_3_4 = "isced_3_4", _("ISCED 3-4 (upper secondary, post-secondary)")
    ISCED_5_8 = "isced_5_8", _("ISCED 5-8 (tertiary)")


class SpecialCategoryAnswer(models.TextChoices):
    """GDPR art. 9 data: the person may decline to answer."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    REFUSED = "refused", _("Refused to answer")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    AGE_18_29 = "18_29", _("18-29")
    AGE_30_54 = "30_54", _("30-54")
    AGE_55_PLUS = "55_plus", _("55 and over")


def age_band_of(age: int) -> AgeBand:
    if age < 18:
        return AgeBand.UNDER_18
    if age < 30:
        return AgeBand.AGE_18_29
    if age < 55:
        return AgeBand.AGE_30_54
    return AgeBand.AGE_55_PLUS


def age_at_entry(prefix: str = "") -> models.Expression:
    """Completed years between birth and entry, computed by the database (so reports can
    count age bands in the same aggregate query): the difference of the years, minus one
    when the birthday had not come yet in the year of entry."""
    birth, entry = f"{prefix}birth_date", f"{prefix}entered_on"
    before_birthday = Q(**{f"{entry}__month__lt": ExtractMonth(birth)}) | Q(
        **{f"{entry}__month": ExtractMonth(birth), f"{entry}__day__lt": ExtractDay(birth)}
    )
    return (
        ExtractYear(entry)
        - ExtractYear(birth)
        - Case(When(before_birthday, then=Value(1)), default=Value(0), output_field=models.IntegerField())
    )


class ParticipantEntryData(models.Model):
    """A person's ESF+ data at entry into the operation. Visible only to the programme's
    coordinators and to the person; every read is logged (``SensitiveDataRead``)."""

    person = models.OneToOneField(
        "incubator.Person", on_delete=models.CASCADE, related_name="entry_data", verbose_name=_("person")
    )
    entered_on = models.DateField(_("date of entry"), help_text=_("The age band is computed at this date."))
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"))
    labour_status = models.CharField(_("labour-market status at entry"), max_length=24, choices=LabourStatus.choices)
    isced = models.CharField(_("education (ISCED)"), max_length=10, choices=IscedBand.choices)
    third_country_national = models.BooleanField(_("third-country national"), default=False)
    foreign_background = models.BooleanField(_("participant with a foreign background"), default=False)
    homeless = models.BooleanField(_("homeless or affected by housing exclusion"), default=False)
    rural = models.BooleanField(_("from a rural area"), default=False)
    disability = models.CharField(
        _("disability"), max_length=8, choices=SpecialCategoryAnswer.choices, default=SpecialCategoryAnswer.REFUSED
    )
    minority = models.CharField(
        _("minority (incl. marginalised communities such as Roma)"),
        max_length=8,
        choices=SpecialCategoryAnswer.choices,
        default=SpecialCategoryAnswer.REFUSED,
    )
    # Project-specific and the most restricted datum: never exported except to the person.
    victim_of_violence = models.BooleanField(_("woman victim of violence"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("participant entry data (ESF+)")
        verbose_name_plural = _("participant entry data (ESF+)")
        constraints = [
            models.CheckConstraint(
                condition=Q(entered_on__gt=F("birth_date")),
                name="entry_data_born_before_entry",
                violation_error_message=_("The date of birth must come before the date of entry."),
            ),
            models.CheckConstraint(
                condition=Q(victim_of_violence=False) | Q(gender="female"),
                name="entry_data_violence_flag_women",
                violation_error_message=_(
                    "This flag records women victims of violence: set the gender to female or clear it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(gender__in=Gender.values)
                & Q(labour_status__in=LabourStatus.values)
                & Q(isced__in=IscedBand.values)
                & Q(disability__in=SpecialCategoryAnswer.values)
                & Q(minority__in=SpecialCategoryAnswer.values),
                name="entry_data_choices_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(_("ESF+ entry data #%(pk)s") % {"pk": self.pk})

    @property
    def age(self) -> int:
        e, b = self.entered_on, self.birth_date
        return e.year - b.year - ((e.month, e.day) < (b.month, b.day))

    @property
    def age_band(self) -> str:
        return age_band_of(self.age)


class ResultTiming(models.TextChoices):
    AT_EXIT = "exit", _("At exit (within 4 weeks)")
    SIX_MONTHS = "six_months", _("Six months after exit")


class OutcomeSource(models.TextChoices):
    SELF_DECLARATION = "self_declaration", _("Participant's declaration")
    ADMINISTRATIVE = "administrative", _("Administrative records (e.g. Comunicazioni Obbligatorie, INPS)")
    EMPLOYER = "employer", _("Employer's statement")
    EDUCATION_PROVIDER = "education_provider", _("Education or training provider")
    CERTIFICATE = "certificate", _("Certificate or qualification document")
    SURVEY = "survey", _("Follow-up survey")


class ParticipantResult(models.Model):
    """The ESF+ result indicators of one participant for one enrolment, at exit (within
    four weeks of leaving) or six months after leaving, with the source of the data."""

    person = models.ForeignKey(
        "incubator.Person", on_delete=models.CASCADE, related_name="results", verbose_name=_("person")
    )
    enrolment = models.ForeignKey(
        "incubator.Enrolment", on_delete=models.CASCADE, related_name="participant_results", verbose_name=_("enrolment")
    )
    timing = models.CharField(_("when"), max_length=12, choices=ResultTiming.choices)
    left_on = models.DateField(_("left the operation on"))
    observed_on = models.DateField(_("observed on"))
    job_searching = models.BooleanField(_("engaged in job searching"), default=False)
    in_education = models.BooleanField(_("in education or training"), default=False)
    qualification_gained = models.BooleanField(_("gained a qualification"), default=False)
    employed = models.BooleanField(_("employed, including self-employed"), default=False)
    better_situation = models.BooleanField(_("better labour-market situation"), default=False)
    source = models.CharField(_("source"), max_length=20, choices=OutcomeSource.choices)
    source_note = models.CharField(_("source details"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["enrolment", "person", "timing"]
        verbose_name = _("participant result (ESF+)")
        verbose_name_plural = _("participant results (ESF+)")
        constraints = [
            models.UniqueConstraint(fields=["person", "enrolment", "timing"], name="result_one_per_timing"),
            # "Six months after" is checked by the service: SQLite's month arithmetic rolls
            # over where PostgreSQL clamps, so as a constraint it would differ by database.
            models.CheckConstraint(condition=Q(observed_on__gte=F("left_on")), name="result_observed_after_leaving"),
            # Annex I asks different questions at the two moments.
            models.CheckConstraint(
                condition=~Q(timing="exit") | Q(better_situation=False), name="result_exit_fields_only"
            ),
            models.CheckConstraint(
                condition=~Q(timing="six_months")
                | Q(job_searching=False, in_education=False, qualification_gained=False),
                name="result_six_months_fields_only",
            ),
            models.CheckConstraint(
                condition=Q(timing__in=ResultTiming.values) & Q(source__in=OutcomeSource.values),
                name="result_choices_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_timing_display()} ({self.observed_on})"


class VentureOutcome(models.Model):
    """What a venture has become, as last observed for its enrolment. The legal entity is
    read from the venture's legal-form history, the one record of it."""

    enrolment = models.OneToOneField(
        "incubator.Enrolment", on_delete=models.CASCADE, related_name="venture_outcome", verbose_name=_("enrolment")
    )
    observed_on = models.DateField(_("observed on"))
    jobs_women = models.PositiveIntegerField(_("jobs created: women"), default=0)
    jobs_men = models.PositiveIntegerField(_("jobs created: men"), default=0)
    jobs_non_binary = models.PositiveIntegerField(_("jobs created: non-binary"), default=0)
    revenue = models.DecimalField(_("revenue of the last year (EUR)"), **_MONEY, default=Decimal("0.00"))
    funds_raised = models.DecimalField(
        _("other funds raised (EUR)"),
        **_MONEY,
        default=Decimal("0.00"),
        help_text=_("Loans, investment and other grants beyond this programme's grant and matched crowdfunding."),
    )
    source = models.CharField(_("source"), max_length=20, choices=OutcomeSource.choices)
    source_note = models.CharField(_("source details"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["enrolment"]
        verbose_name = _("venture outcome")
        verbose_name_plural = _("venture outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(revenue__gte=0, funds_raised__gte=0), name="venture_outcome_money_not_negative"
            ),
            models.CheckConstraint(condition=Q(source__in=OutcomeSource.values), name="venture_outcome_source_valid"),
        ]

    def __str__(self) -> str:
        return str(_("Outcome of %(enrolment)s") % {"enrolment": self.enrolment_id})

    @property
    def jobs_total(self) -> int:
        return self.jobs_women + self.jobs_men + self.jobs_non_binary


class TrainingUnitCost(models.Model):
    """A programme's standard unit costs for training (Reg. (EU) 2021/1060 art. 53(1)(b)):
    reimbursable = course hours x ``course_hour_rate`` + participant-hours attended x
    ``participant_hour_rate``. Tutoring is valued at the tutors' own unit-cost bands."""

    programme = models.OneToOneField(
        "incubator.Programme", on_delete=models.CASCADE, related_name="training_unit_cost", verbose_name=_("programme")
    )
    course_hour_rate = models.DecimalField(_("rate per course hour (EUR)"), max_digits=9, decimal_places=2)
    participant_hour_rate = models.DecimalField(_("rate per participant-hour (EUR)"), max_digits=9, decimal_places=2)
    reference = models.CharField(
        _("reference"), max_length=300, blank=True, help_text=_("The act that sets the rates (e.g. a decree).")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("training unit cost")
        verbose_name_plural = _("training unit costs")
        constraints = [
            models.CheckConstraint(
                condition=Q(course_hour_rate__gte=0, participant_hour_rate__gte=0),
                name="training_unit_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_hour_rate} EUR/h + {self.participant_hour_rate} EUR/participant-h"


def new_pseudonym() -> str:
    return "P-" + secrets.token_hex(6).upper()


class Pseudonym(models.Model):
    """The random id that stands for a person in pseudonymised exports. This table is the
    only link back to the person and only the programme's coordinators may read it."""

    person = models.OneToOneField(
        "incubator.Person", on_delete=models.CASCADE, related_name="pseudonym", verbose_name=_("person")
    )
    code = models.CharField(_("pseudonym"), max_length=20, unique=True, default=new_pseudonym, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("pseudonym")
        verbose_name_plural = _("pseudonyms")

    def __str__(self) -> str:
        return self.code


class ReadChannel(models.TextChoices):
    API = "api", _("API")
    PAGE = "page", _("Page")
    ADMIN = "admin", _("Admin")
    EXPORT = "export", _("Export")


class SensitiveDataRead(models.Model):
    """One read of one person's entry data: who, when, through what. Written by
    ``services_participants.entry_data_log_reads`` wherever entry data leaves the database."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reader"),
    )
    # Kept so that the log still names the reader if the account is deleted.
    reader_username = models.CharField(_("reader"), max_length=150)
    person = models.ForeignKey(
        "incubator.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sensitive_reads",
        verbose_name=_("person"),
    )
    programme = models.ForeignKey(
        "incubator.Programme", on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=ReadChannel.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sensitive data read")
        verbose_name_plural = _("sensitive data reads")
        indexes = [models.Index(fields=["person", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reader_username} {self.get_channel_display()}"
