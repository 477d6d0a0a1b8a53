"""Writes of participants' ESF+ data and outcomes, and the read log.

Only the coordinators of the person's programme write here; a superuser who is not one of
them is refused (the data would be echoed back to them). Audit events name the fields
that changed, never their values: the audit trail is readable more widely than the data."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.dates import add_months
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Person, Programme, TeamMember
from incubator.participants.access import can_manage_participants
from incubator.participants.models import (
    Gender,
    ParticipantEntryData,
    ParticipantResult,
    Pseudonym,
    ReadChannel,
    ResultTiming,
    SensitiveDataRead,
    TrainingUnitCost,
    VentureOutcome,
)
from incubator.path.models import Enrolment
from incubator.services import _decimal, _full_clean, _save_new

EXIT_WINDOW = dt.timedelta(weeks=4)
SIX_MONTHS = 6
CENT = Decimal("0.01")

ENTRY_FIELDS = frozenset(
    {
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
    }
)
EXIT_FIELDS = ("job_searching", "in_education", "qualification_gained", "employed")
SIX_MONTH_FIELDS = ("employed", "better_situation")
OUTCOME_FIELDS = frozenset(
    {"observed_on", "jobs_women", "jobs_men", "jobs_non_binary", "revenue", "funds_raised", "source", "source_note"}
)


def _require_coordinator(actor, programme_id: int) -> None:
    if not can_manage_participants(actor, programme_id):
        raise NotPermitted()


def _reject_unknown(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for name in fields:
        if name not in allowed:
            raise DomainError(_("Unknown field."), code="unknown_field", field=name)


def _money(value, field: str) -> Decimal:
    amount = _decimal(value, field)
    if amount < 0:
        raise DomainError(_("The amount cannot be negative."), code="negative", field=field)
    if amount != amount.quantize(CENT):
        raise DomainError(_("Use at most two decimals (euro cents)."), code="precision", field=field)
    return amount


def _not_future(day: dt.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), code="future", field=field)


# --- entry data --------------------------------------------------------------------------


def entry_data_check(entry: ParticipantEntryData) -> None:
    """Validates unsaved entry data (also used by the admin form): each field, then the
    rules across fields (named after the field to change), then the database rules."""
    entry.clean_fields(exclude=["person", "recorded_by"])
    _not_future(entry.entered_on, "entered_on")
    if entry.birth_date and entry.entered_on and entry.birth_date >= entry.entered_on:
        raise DomainError(
            _("The date of birth must come before the date of entry."), code="date_order", field="birth_date"
        )
    if entry.victim_of_violence and entry.gender != Gender.FEMALE:
        raise DomainError(
            _("This flag records women victims of violence: set the gender to female or clear it."),
            code="women_only",
            field="victim_of_violence",
        )
    _full_clean(entry, exclude=["person"])


@transaction.atomic
def entry_data_create(*, actor, person: Person, **fields) -> ParticipantEntryData:
    _require_coordinator(actor, person.programme_id)
    _reject_unknown(fields, ENTRY_FIELDS)
    if person.anonymised_at:
        raise DomainError(_("This person was anonymised."), code="anonymised", field="person")
    if ParticipantEntryData.objects.filter(person=person).exists():
        raise DomainError(_("This person's entry data is already recorded."), code="duplicate", field="person")
    entry = ParticipantEntryData(person=person, recorded_by=actor, **fields)
    entry_data_check(entry)
    entry = _save_new(entry)
    audit.record(
        actor=actor,
        verb="entry_data.create",
        target=entry,
        programme_id=person.programme_id,
        after={"fields": sorted(fields)},
    )
    return entry


@transaction.atomic
def entry_data_update(*, actor, entry: ParticipantEntryData, **fields) -> ParticipantEntryData:
    entry = ParticipantEntryData.objects.select_for_update().select_related("person").get(pk=entry.pk)
    _require_coordinator(actor, entry.person.programme_id)
    _reject_unknown(fields, ENTRY_FIELDS)
    changed = sorted(name for name, value in fields.items() if getattr(entry, name) != value)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry_data_check(entry)
    entry.save()
    audit.record(
        actor=actor,
        verb="entry_data.update",
        target=entry,
        programme_id=entry.person.programme_id,
        after={"changed": changed},
    )
    return entry


def entry_data_log_reads(
    *, reader, people: Iterable[tuple[int, int]], channel: str, detail: str = ""
) -> list[SensitiveDataRead]:
    """Logs that ``reader`` read the entry data of ``people`` ((person id, programme id)
    pairs), in one insert whatever their number."""
    if channel not in ReadChannel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    rows = [
        SensitiveDataRead(
            reader=reader if getattr(reader, "pk", None) else None,
            reader_username=getattr(reader, "username", "") or "",
            person_id=person_id,
            programme_id=programme_id,
            channel=channel,
            detail=detail[:300],
        )
        for person_id, programme_id in dict.fromkeys(people)
    ]
    return SensitiveDataRead.objects.bulk_create(rows, batch_size=2000)


# --- results at exit and six months after --------------------------------------------------


def _left_on(person: Person, enrolment: Enrolment) -> dt.date | None:
    member = TeamMember.objects.filter(venture_id=enrolment.application.venture_id, person=person).first()
    if member is None:
        raise DomainError(_("The person is not in this venture's team."), code="not_in_team", field="person")
    if member.left_on and (enrolment.exited_on is None or member.left_on < enrolment.exited_on):
        return member.left_on
    return enrolment.exited_on


def result_check(
    *,
    person: Person,
    enrolment: Enrolment,
    timing: str,
    observed_on: dt.date,
    left_on: dt.date | None = None,
    indicators: Mapping[str, bool] | None = None,
) -> dt.date:
    """Validates a result before it is recorded (also used by the admin form); returns
    the date the person left the operation (given, or read from the team and enrolment)."""
    if person.programme_id != enrolment.application.call.programme_id:
        raise DomainError(_("The person belongs to another programme."), code="other_programme", field="person")
    if timing not in ResultTiming.values:
        raise DomainError(_("Choose at exit or six months after."), code="invalid", field="timing")
    allowed = EXIT_FIELDS if timing == ResultTiming.AT_EXIT else SIX_MONTH_FIELDS
    for name, value in (indicators or {}).items():
        if name not in allowed and value:
            raise DomainError(_("Not asked at this moment."), code="not_applicable", field=name)
    left_on = left_on or _left_on(person, enrolment)
    if left_on is None:
        raise DomainError(
            _("The participant has not left the operation yet: give the date they left."),
            code="not_left",
            field="left_on",
        )
    if left_on < enrolment.starts_on:
        raise DomainError(
            _("The participant cannot leave before the enrolment starts (%(date)s).")
            % {"date": enrolment.starts_on.strftime("%d/%m/%Y")},
            code="before_start",
            field="left_on",
        )
    _not_future(observed_on, "observed_on")
    if observed_on < left_on:
        raise DomainError(_("The result is observed after leaving."), code="before_leaving", field="observed_on")
    if timing == ResultTiming.AT_EXIT and observed_on > left_on + EXIT_WINDOW:
        raise DomainError(
            _("Results at exit are observed within four weeks of leaving (by %(date)s).")
            % {"date": (left_on + EXIT_WINDOW).strftime("%d/%m/%Y")},
            code="exit_window",
            field="observed_on",
        )
    if timing == ResultTiming.SIX_MONTHS and observed_on < add_months(left_on, SIX_MONTHS):
        raise DomainError(
            _("The six-month result is observed from %(date)s.")
            % {"date": add_months(left_on, SIX_MONTHS).strftime("%d/%m/%Y")},
            code="too_early",
            field="observed_on",
        )
    return left_on


@transaction.atomic
def result_record(
    *,
    actor,
    person: Person,
    enrolment: Enrolment,
    timing: str,
    observed_on: dt.date,
    source: str,
    source_note: str = "",
    left_on: dt.date | None = None,
    **indicators: bool,
) -> ParticipantResult:
    """Records (or corrects) a participant's result at exit or six months after leaving.
    At exit: job searching, in education or training, qualification gained, employed;
    observed within four weeks of leaving. Six months after: employed, better situation."""
    enrolment = Enrolment.objects.select_related("application__call").get(pk=enrolment.pk)
    _require_coordinator(actor, enrolment.application.call.programme_id)
    for name in indicators:
        if name not in EXIT_FIELDS + SIX_MONTH_FIELDS:
            raise DomainError(_("Unknown field."), code="unknown_field", field=name)
    left_on = result_check(
        person=person,
        enrolment=enrolment,
        timing=timing,
        observed_on=observed_on,
        left_on=left_on,
        indicators=indicators,
    )
    allowed = EXIT_FIELDS if timing == ResultTiming.AT_EXIT else SIX_MONTH_FIELDS
    values = {name: bool(indicators.get(name, False)) for name in allowed}
    result = (
        ParticipantResult.objects.select_for_update().filter(person=person, enrolment=enrolment, timing=timing).first()
    )
    created = result is None
    if created:
        result = ParticipantResult(person=person, enrolment=enrolment, timing=timing, recorded_by=actor)
    for name, value in {
        "left_on": left_on,
        "observed_on": observed_on,
        "source": source,
        "source_note": source_note,
        **values,
    }.items():
        setattr(result, name, value)
    if created:
        _save_new(result)
    else:
        _full_clean(result)
        result.save()
    audit.record(
        actor=actor,
        verb="result.record",
        target=enrolment,
        programme_id=enrolment.application.call.programme_id,
        after={"person": person.pk, "timing": timing},
    )
    return result


# --- venture outcomes ----------------------------------------------------------------------


@transaction.atomic
def venture_outcome_record(*, actor, enrolment: Enrolment, **fields) -> VentureOutcome:
    """Records what the venture has become (jobs by gender, revenue, other funds raised)
    as last observed; a new observation replaces the previous one."""
    enrolment = Enrolment.objects.select_related("application__call").get(pk=enrolment.pk)
    programme_id = enrolment.application.call.programme_id
    access.require_role(actor, programme_id, "coordinator")
    _reject_unknown(fields, OUTCOME_FIELDS)
    for name in ("revenue", "funds_raised"):
        if name in fields:
            fields[name] = _money(fields[name], name)
    for name in ("jobs_women", "jobs_men", "jobs_non_binary"):
        value = fields.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DomainError(_("Give a whole number, 0 or more."), code="invalid", field=name)
    _not_future(fields.get("observed_on"), "observed_on")
    outcome = VentureOutcome.objects.select_for_update().filter(enrolment=enrolment).first()
    created = outcome is None
    if created:
        outcome = VentureOutcome(enrolment=enrolment)
    outcome.recorded_by = actor
    for name, value in fields.items():
        setattr(outcome, name, value)
    if created:
        _save_new(outcome)
    else:
        _full_clean(outcome)
        outcome.save()
    audit.record(
        actor=actor,
        verb="venture_outcome.record",
        target=enrolment,
        programme_id=programme_id,
        after={k: v for k, v in fields.items() if k != "source_note"},
    )
    return outcome


# --- unit costs and pseudonyms -----------------------------------------------------------


@transaction.atomic
def training_unit_cost_set(
    *, actor, programme: Programme, course_hour_rate, participant_hour_rate, reference: str = ""
) -> TrainingUnitCost:
    access.require_role(actor, programme.pk, "coordinator")
    rates = {
        "course_hour_rate": _money(course_hour_rate, "course_hour_rate"),
        "participant_hour_rate": _money(participant_hour_rate, "participant_hour_rate"),
    }
    cost = TrainingUnitCost.objects.select_for_update().filter(programme=programme).first()
    before = {k: getattr(cost, k) for k in rates} if cost else {}
    if cost is None:
        cost = _save_new(TrainingUnitCost(programme=programme, reference=reference, **rates))
    else:
        for name, value in {**rates, "reference": reference}.items():
            setattr(cost, name, value)
        _full_clean(cost)
        cost.save()
    audit.record(
        actor=actor,
        verb="training_unit_cost.set",
        target=cost,
        programme_id=programme.pk,
        before=before,
        after=rates,
    )
    return cost


@transaction.atomic
def pseudonyms_ensure(*, actor, people: QuerySet) -> int:
    """Gives every person of ``people`` (a Person queryset) a pseudonym if they have none:
    random, stable across exports, and linked to the person only in ``Pseudonym``.
    Returns how many were created."""
    for programme_id in people.order_by().values_list("programme_id", flat=True).distinct():
        _require_coordinator(actor, programme_id)
    created = 0
    # A new random code could collide with an existing one (48 bits: rare, not never);
    # the rows skipped then are tried again with fresh codes.
    for _attempt in range(3):
        missing = list(people.filter(pseudonym__isnull=True).order_by().values_list("pk", flat=True))
        if not missing:
            break
        rows = Pseudonym.objects.bulk_create(
            [Pseudonym(person_id=pk) for pk in missing], batch_size=2000, ignore_conflicts=True
        )
        created += len(rows)
    return created
