"""The access export (GDPR art. 15 and 20): everything about a person, as JSON or CSV.

One selector, ``personal_data``, serves the participant's "download my data" and the
coordinators' export on a person's behalf: the same package either way, made of the
sections every app registers with ``incubator.privacy.registry.section`` (the core's are below).
It holds what the person may see about themself: never another team member's personal
data, an evaluator's score, a tutor's private note or a calendar feed's secret token.

Who may ask: the person (through their login) and the coordinators of the person's
programme; anyone else is refused. Reading the ESF+ entry data in it is logged like
every other read of it."""

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from incubator import access
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import NotPermitted
from incubator.funding.selectors import venture_funding_status
from incubator.imports.cells import cell_text
from incubator.models import AuditEvent, LegalFormChange, Person, RoleAssignment, TeamMember, Venture
from incubator.participants.models import ParticipantEntryData, ParticipantResult, ReadChannel, SensitiveDataRead
from incubator.path.models import EnrolmentSuspension, Milestone
from incubator.privacy import registry as gdpr
from incubator.privacy.models import ConsentRecord, ErasureRequest
from incubator.selection.models import Application

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


def rows(queryset: QuerySet, *fields: str) -> list[dict[str, Any]]:
    return list(queryset.values(*fields))


def may_export(reader, person: Person | None) -> bool:
    """The person themself, or a coordinator of their programme (an administrator as
    such is not enough: the export carries special-category data)."""
    if person is None or not getattr(reader, "is_authenticated", False) or not reader.is_active:
        return False
    return (person.user_id is not None and person.user_id == reader.pk) or person.programme_id in access.coordinated(
        reader
    )


def personal_data(*, reader, person: Person | None, user=None) -> dict[str, Any]:
    """The access export of ``person`` (or of ``user`` alone, when the login has no
    person record). Raises ``NotPermitted`` when ``reader`` may not have it."""
    if person is not None and not may_export(reader, person):
        raise NotPermitted()
    if person is None and (user is None or user.pk != reader.pk):
        raise NotPermitted()
    subject = gdpr.Subject(person=person, user=user)
    data: dict[str, Any] = {"generated_at": timezone.now()}
    for name, build in gdpr.sections():
        data[name] = build(subject)
    if data.get("entry_data") and person is not None:
        from incubator.participants.services import entry_data_log_reads

        entry_data_log_reads(
            reader=reader,
            people=[(person.pk, person.programme_id)],
            channel=ReadChannel.EXPORT,
            detail="personal data export",
        )
    return data


def own_personal_data(user) -> dict[str, Any]:
    """ "Download my data": the export of the user's own person record (if any)."""
    person = Person.objects.filter(user=user).select_related("programme").first()
    return personal_data(reader=user, person=person, user=user)


# --- CSV -------------------------------------------------------------------------------------

CSV_HEADER = ("section", "item", "field", "value")


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        if not value and prefix:
            yield prefix, ""
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple) and not (value and all(_scalar(v) for v in value)):
        if not value and prefix:
            yield prefix, ""
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    elif isinstance(value, list | tuple):
        yield prefix, ", ".join(cell_text(v) for v in value)
    else:
        yield prefix, value


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | Decimal | dt.date)


def personal_data_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    """(section, item number, field, value) rows: one per value, lists numbered from 1."""
    for name, content in data.items():
        if isinstance(content, list):
            for number, item in enumerate(content, start=1):
                for key, value in _flatten(item):
                    yield [name, number, key, value]
        elif isinstance(content, dict):
            for key, value in _flatten(content):
                yield [name, "", key, value]
        else:
            yield [name, "", "", content]


def personal_data_csv(data: dict[str, Any]) -> bytes:
    """UTF-8 CSV, ISO dates; every text cell neutralised against formula injection."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in personal_data_rows(data):
        writer.writerow([cell_text(value) for value in row])
    return out.getvalue().encode("utf-8")


# --- the core's sections ---------------------------------------------------------------------


@gdpr.section("account", 10)
def _account(subject: gdpr.Subject):
    user = subject.user
    if user is None:
        return None
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "roles": rows(RoleAssignment.objects.filter(user=user).order_by("pk"), "programme__code", "role"),
    }


@gdpr.section("person", 20)
def _person(subject: gdpr.Subject):
    person = subject.person
    if person is None:
        return None
    return {
        "programme": person.programme.code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "tax_code": person.tax_code,
        "email": person.email,
        "phone": person.phone,
        "created_at": person.created_at,
        "anonymised_at": person.anonymised_at,
    }


@gdpr.section("entry_data", 30)
def _entry_data(subject: gdpr.Subject):
    if subject.person is None:
        return None
    return ParticipantEntryData.objects.filter(person=subject.person).values(*ENTRY_FIELDS).first()


@gdpr.section("results", 40)
def _results(subject: gdpr.Subject):
    return rows(
        ParticipantResult.objects.filter(person=subject.person).order_by("observed_on", "pk"),
        "enrolment_id",
        "timing",
        "left_on",
        "observed_on",
        "job_searching",
        "in_education",
        "qualification_gained",
        "employed",
        "better_situation",
        "source",
    )


@gdpr.section("consents", 50)
def _consents(subject: gdpr.Subject):
    return rows(
        ConsentRecord.objects.filter(person=subject.person).order_by("decided_at", "pk"),
        "purpose",
        "given",
        "decided_at",
        "note",
        "recorded_at",
        "withdrawn_at",
        "superseded_at",
    )


@gdpr.section("erasure_requests", 60)
def _erasure_requests(subject: gdpr.Subject):
    return rows(
        ErasureRequest.objects.filter(person=subject.person).order_by("requested_at", "pk"),
        "origin",
        "requested_at",
        "outcome",
        "reason",
        "retention_ends_on",
    )


@gdpr.section("team_memberships", 100)
def _team(subject: gdpr.Subject):
    # Their own membership only: no other member's personal data.
    return rows(
        TeamMember.objects.filter(person=subject.person).order_by("pk"),
        "venture_id",
        "venture__title",
        "role",
        "joined_on",
        "left_on",
    )


@gdpr.section("ventures", 110)
def _ventures(subject: gdpr.Subject):
    return rows(
        Venture.objects.filter(pk__in=subject.venture_ids).order_by("pk"),
        "id",
        "title",
        "summary",
        "social_need",
        "themes",
        "target_area",
        "applicant_kind",
        "created_at",
    )


@gdpr.section("legal_forms", 120)
def _legal_forms(subject: gdpr.Subject):
    return rows(
        LegalFormChange.objects.filter(venture__in=subject.venture_ids).order_by("venture", "effective_on"),
        "venture_id",
        "legal_form",
        "effective_on",
        "registration_number",
    )


@gdpr.section("applications", 130)
def _applications(subject: gdpr.Subject):
    # Without the evaluators' scores and comments (not the applicant's to see).
    return rows(
        Application.objects.filter(venture__in=subject.venture_ids).order_by("pk"),
        "id",
        "venture_id",
        "call__title",
        "state",
        "submitted_at",
        "decision_reason",
        "crowdfunding_referral",
        "created_at",
    )


@gdpr.section("enrolments", 140)
def _enrolments(subject: gdpr.Subject):
    return rows(
        subject.enrolments.order_by("pk"),
        "id",
        "application__venture_id",
        "starts_on",
        "ends_on",
        "status",
        "exited_on",
        "exit_reason",
    )


@gdpr.section("suspensions", 150)
def _suspensions(subject: gdpr.Subject):
    return rows(
        EnrolmentSuspension.objects.filter(enrolment__in=subject.enrolments.values("pk")).order_by("starts_on", "pk"),
        "enrolment_id",
        "starts_on",
        "ends_on",
        "reason",
    )


@gdpr.section("milestones", 160)
def _milestones(subject: gdpr.Subject):
    return rows(
        Milestone.objects.filter(enrolment__in=subject.enrolments.values("pk")).order_by("due_on", "pk"),
        "id",
        "enrolment_id",
        "title",
        "due_on",
        "state",
        "achieved_on",
        "waiver_reason",
        "evidence_url",
        "evidence_file",
        "verified_at",
    )


@gdpr.section("calendar_feeds", 300)
def _calendar_feeds(subject: gdpr.Subject):
    # Never the token: it is a secret that opens the feed.
    if subject.user is None:
        return []
    return rows(
        CalendarFeed.objects.filter(user=subject.user).order_by("pk"),
        "kind",
        "programme__code",
        "created_at",
        "revoked_at",
    )


@gdpr.section("funding", 400)
def _funding(subject: gdpr.Subject):
    return [
        {"venture_id": venture.pk, **asdict(venture_funding_status(venture))}
        for venture in Venture.objects.filter(pk__in=subject.venture_ids).order_by("pk")
    ]


@gdpr.section("my_actions", 900)
def _my_actions(subject: gdpr.Subject):
    if subject.user is None:
        return []
    return rows(AuditEvent.objects.filter(actor=subject.user).order_by("at", "pk"), "at", "verb", "target_repr")


@gdpr.section("events_about_me", 910)
def _events_about_me(subject: gdpr.Subject):
    """What was done to the person record (who did it is programme staff: not shown)."""
    if subject.person is None:
        return []
    from django.contrib.contenttypes.models import ContentType

    return rows(
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Person), target_id=subject.person.pk
        ).order_by("at", "pk"),
        "at",
        "verb",
    )


@gdpr.section("entry_data_reads", 920)
def _entry_data_reads(subject: gdpr.Subject):
    """Who read the entry data: the person themself or the programme's staff, and when."""
    if subject.person is None:
        return []
    user_id = subject.user.pk if subject.user is not None else None
    return [
        {"at": read["at"], "channel": read["channel"], "reader": "self" if read["reader_id"] == user_id else "staff"}
        for read in SensitiveDataRead.objects.filter(person=subject.person)
        .order_by("at", "pk")
        .values("at", "channel", "reader_id")
    ]
