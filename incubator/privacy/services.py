"""Writes of data-subject rights: consent and refusal records, erasure requests, and the
scheduled anonymisation of people whose programme's retention period has ended.

Erasure is anonymisation (``incubator.privacy.registry``): the person row stays, so that attendance,
results, team composition and every ESF+ figure computed from them stay true, but it no
longer says who the person was. Audit events name the fields replaced, never a value."""

import datetime as dt
import json
import logging

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import AuditEvent, Person, Role, RoleAssignment
from incubator.participants.models import ParticipantEntryData, ParticipantResult, SensitiveDataRead
from incubator.privacy import notices
from incubator.privacy import registry as gdpr
from incubator.privacy.models import ConsentPurpose, ConsentRecord, ErasureOrigin, ErasureOutcome, ErasureRequest
from incubator.services import _save_new

logger = logging.getLogger(__name__)
NOTE_MAX = ConsentRecord._meta.get_field("note").max_length


def _locked_person(person: Person) -> Person:
    # of=self: the login (a nullable join) is read, not locked (PostgreSQL refuses that).
    return Person.objects.select_for_update(of=("self",)).select_related("programme", "user").get(pk=person.pk)


def _require_coordinator_or_self(actor, person: Person) -> None:
    is_self = person.user_id is not None and person.user_id == getattr(actor, "pk", None)
    if not (is_self or person.programme_id in access.coordinated(actor)):
        raise NotPermitted()


def _not_anonymised(person: Person) -> None:
    if person.anonymised_at:
        raise DomainError(_("This person was anonymised."), code="anonymised", field="person")


# --- consent and refusal records ------------------------------------------------------------


@transaction.atomic
def consent_record(
    *, actor, person: Person, purpose: str, given: bool, decided_at: dt.datetime | None = None, note: str = ""
) -> ConsentRecord:
    """Records that the person gave (or refused) consent for ``purpose``. The current
    decision on the same purpose, if any, is superseded and kept as history. Recorded by
    a coordinator of the programme or by the person themself."""
    # The person row is the lock that serialises two decisions on the same purpose.
    person = _locked_person(person)
    _require_coordinator_or_self(actor, person)
    _not_anonymised(person)
    if purpose not in ConsentPurpose.values:
        raise DomainError(_("Choose one of the purposes."), code="invalid", field="purpose")
    if not isinstance(given, bool):
        raise DomainError(_("Say whether consent was given or refused."), code="invalid", field="given")
    now = timezone.now()
    decided_at = decided_at or now
    if decided_at > now:
        raise DomainError(_("The decision cannot be in the future."), code="future", field="decided_at")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": NOTE_MAX}, code="max_length", field="note")
    current = (
        ConsentRecord.objects.select_for_update()
        .filter(person=person, purpose=purpose, withdrawn_at__isnull=True, superseded_at__isnull=True)
        .first()
    )
    if current is not None:
        if decided_at < current.decided_at:
            raise DomainError(
                _("A later decision on this purpose is already recorded (%(date)s).")
                % {"date": timezone.localtime(current.decided_at).strftime("%d/%m/%Y %H:%M")},
                code="out_of_order",
                field="decided_at",
            )
        current.superseded_at = decided_at
        current.save(update_fields=["superseded_at"])
    record = _save_new(
        ConsentRecord(person=person, purpose=purpose, given=given, decided_at=decided_at, note=note, recorded_by=actor)
    )
    audit.record(
        actor=actor,
        verb="consent.record",
        target=record,
        programme_id=person.programme_id,
        after={"purpose": purpose, "given": given},
    )
    return record


@transaction.atomic
def consent_withdraw(*, actor, consent: ConsentRecord, at: dt.datetime | None = None) -> ConsentRecord:
    """The person withdraws a consent they gave (GDPR art. 7(3)): as easy as giving it,
    so the person may do it themself."""
    consent = ConsentRecord.objects.select_for_update().select_related("person").get(pk=consent.pk)
    _require_coordinator_or_self(actor, consent.person)
    if not consent.current:
        raise DomainError(
            _("This decision was already withdrawn or replaced."), code="not_current", field="withdrawn_at"
        )
    if not consent.given:
        raise DomainError(_("A refusal has nothing to withdraw."), code="refused", field="withdrawn_at")
    now = timezone.now()
    at = at or now
    if at > now or at < consent.decided_at:
        raise DomainError(
            _("The withdrawal comes after the consent and not in the future."), code="invalid", field="withdrawn_at"
        )
    consent.withdrawn_at = at
    consent.withdrawn_recorded_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_recorded_by"])
    audit.record(
        actor=actor,
        verb="consent.withdraw",
        target=consent,
        programme_id=consent.person.programme_id,
        after={"purpose": consent.purpose},
    )
    return consent


# --- erasure --------------------------------------------------------------------------------


def retention_refusal(person: Person, today: dt.date) -> tuple[str, str] | None:
    """(code, reason) while the programme's retention period runs, else None."""
    programme = person.programme
    ends = gdpr.retention_ends_on(programme)
    if ends is None:
        return (
            "retention_not_started",
            _(
                "The documents of programme %(programme)s are kept for five years from 31 December of the year "
                "of its last payment (Regulation (EU) 2021/1060, art. 82), and no last payment is recorded yet: "
                "the person cannot be erased."
            )
            % {"programme": programme.code},
        )
    if today <= ends:
        return (
            "retention_running",
            _(
                "The documents of programme %(programme)s are kept until %(date)s, five years from 31 December of "
                "the year of its last payment (%(paid)s; Regulation (EU) 2021/1060, art. 82): the person can be "
                "erased from %(next)s."
            )
            % {
                "programme": programme.code,
                "date": ends.strftime("%d/%m/%Y"),
                "paid": programme.last_payment_on.strftime("%d/%m/%Y"),
                "next": (ends + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
            },
        )
    return None


@transaction.atomic
def person_erasure_request(*, actor, person: Person, today: dt.date | None = None) -> ErasureRequest:
    """A request to erase ``person`` (by the person or a coordinator of the programme).
    While the retention period runs it is refused, with the reason, and the refusal is
    kept; after it the person is anonymised at once. Returns the request either way."""
    person = _locked_person(person)
    _require_coordinator_or_self(actor, person)
    _not_anonymised(person)
    today = today or timezone.localdate()
    refusal = retention_refusal(person, today)
    if refusal is not None:
        code, reason = refusal
        request = ErasureRequest.objects.create(
            person=person,
            programme_id=person.programme_id,
            origin=ErasureOrigin.REQUEST,
            requested_by=actor,
            outcome=ErasureOutcome.REFUSED,
            refusal_code=code,
            reason=reason,
            retention_ends_on=gdpr.retention_ends_on(person.programme),
        )
        audit.record(
            actor=actor,
            verb="person.erasure_refused",
            target=person,
            programme_id=person.programme_id,
            after={"code": code},
            reason=reason,
        )
        return request
    erased_user_id = person.user_id
    request = _anonymise(person, actor=actor, origin=ErasureOrigin.REQUEST)
    notices.erasure_done(request, erased_user_id=erased_user_id)
    return request


def anonymise_expired(*, today: dt.date | None = None, dry_run: bool = False) -> dict[str, int]:
    """Anonymises everyone in the programmes whose retention period has ended; people
    already anonymised are left alone, so a second run changes nothing. One transaction
    per person: a failure stops at that person, and the next run resumes.
    Returns {programme code: people anonymised (or that would be, with ``dry_run``)}."""
    today = today or timezone.localdate()
    done: dict[str, int] = {}
    for programme in gdpr.programmes_past_retention(today).order_by("code"):
        pending = Person.objects.filter(programme=programme, anonymised_at__isnull=True).order_by("pk")
        if dry_run:
            done[programme.code] = pending.count()
            continue
        count = 0
        for person in pending.iterator(chunk_size=500):
            with transaction.atomic():
                locked = _locked_person(person)
                if locked.anonymised_at is None:
                    _anonymise(locked, actor=None, origin=ErasureOrigin.RETENTION)
                    count += 1
        done[programme.code] = count
        if count:
            logger.info("Anonymised %s people of programme %s (retention ended)", count, programme.pk)
    return done


def _identifiers(person: Person) -> list[str]:
    """The strings that identify the person, longest first (the full name before a part)."""
    values = {
        f"{person.first_name} {person.last_name}".strip(),
        f"{person.last_name} {person.first_name}".strip(),
        person.tax_code,
        person.email,
        person.phone,
    }
    if person.user is not None:
        values |= {person.user.email, person.user.get_full_name()}
    # Short strings (initials, a two-letter phone) would erase unrelated text.
    return sorted((v for v in values if v and len(v) >= 5), key=len, reverse=True)


def _anonymise(person: Person, *, actor, origin: str) -> ErasureRequest:
    """Replaces who the person is, keeps what they did. The caller holds the row lock."""
    identifiers = _identifiers(person)
    subject = gdpr.Subject(person=person, identifiers=identifiers)
    replaced = ["first_name", "last_name", "tax_code", "email", "phone"]
    user = person.user

    entry = ParticipantEntryData.objects.filter(person=person).first()
    if entry is not None:
        entry.birth_date = gdpr.reduced_birth_date(entry.birth_date, entry.entered_on)
        entry.save(update_fields=["birth_date", "updated_at"])
        replaced.append("entry_data.birth_date")
    if ParticipantResult.objects.filter(person=person).exclude(source_note="").update(source_note=""):
        replaced.append("results.source_note")
    if ConsentRecord.objects.filter(person=person).exclude(note="").update(note=""):
        replaced.append("consents.note")
    for anonymiser in gdpr.anonymisers():
        replaced += anonymiser(subject)
    if user is not None:
        replaced += _release_account(user, person)

    person.first_name = gdpr.ANONYMOUS_FIRST_NAME
    person.last_name = gdpr.anonymous_last_name(person.pk)
    person.tax_code = gdpr.anonymous_tax_code(person.pk)
    person.email = ""
    person.phone = ""
    person.user = None
    person.anonymised_at = timezone.now()
    person.save(update_fields=["first_name", "last_name", "tax_code", "email", "phone", "user", "anonymised_at"])

    _scrub_audit_trail(person, identifiers)
    request = ErasureRequest.objects.create(
        person=person,
        programme_id=person.programme_id,
        origin=origin,
        requested_by=actor if getattr(actor, "pk", None) else None,
        outcome=ErasureOutcome.ANONYMISED,
        retention_ends_on=gdpr.retention_ends_on(person.programme),
    )
    audit.record(
        actor=actor,
        verb="person.anonymise",
        target=person,
        programme_id=person.programme_id,
        after={"origin": origin, "replaced": sorted(set(replaced))},
    )
    return request


def _release_account(user, person: Person) -> list[str]:
    """The login no longer opens anything of the person: API tokens and calendar feeds
    revoked; an account that is only this participant's is emptied and disabled, one that
    has other work (staff, another role) keeps it but loses the participant role here."""
    now = timezone.now()
    if apps.is_installed("rest_framework.authtoken"):
        apps.get_model("authtoken", "Token").objects.filter(user=user).delete()
    other_work = (
        user.is_staff
        or user.is_superuser
        or RoleAssignment.objects.filter(user=user).exclude(role=Role.PARTICIPANT).exists()
    )
    feeds = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True)
    if other_work:
        feeds = feeds.filter(programme=person.programme, kind=CalendarFeed.Kind.PARTICIPANT)
        RoleAssignment.objects.filter(user=user, programme=person.programme, role=Role.PARTICIPANT).delete()
        access.forget(user)
    feeds.update(revoked_at=now)
    if other_work:
        return ["user (unlinked)"]
    SensitiveDataRead.objects.filter(reader=user).update(reader_username=f"erased-{user.pk}")
    user.username = f"erased-{user.pk}"
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.set_unusable_password()  # also ends every open session (the session hash changes)
    user.save(update_fields=["username", "first_name", "last_name", "email", "is_active", "password"])
    notices.forget_recipient(user)
    return ["user.username", "user.first_name", "user.last_name", "user.email", "user.password", "notifications"]


def _scrub_audit_trail(person: Person, identifiers: list[str]) -> None:
    """The audit trail keeps its events but not the person's name, tax code or contacts:
    in the programme's events (and those of no programme) every occurrence is replaced,
    and the events about the person are relabelled with the anonymous name."""
    label = str(person)[:300]
    AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(Person, for_concrete_model=False), target_id=person.pk
    ).update(target_repr=label)
    if not identifiers:
        return
    # JSON text escapes non-ASCII letters on some databases: look for both spellings.
    needles = sorted({form for value in identifiers for form in (value, json.dumps(value)[1:-1])})
    found = Q()
    for needle in needles:
        found |= Q(target_repr__icontains=needle) | Q(reason__icontains=needle)
        found |= Q(before_text__icontains=needle) | Q(after_text__icontains=needle)
    events = (
        AuditEvent.objects.filter(Q(programme_id=person.programme_id) | Q(programme__isnull=True))
        .annotate(before_text=Cast("before", TextField()), after_text=Cast("after", TextField()))
        .filter(found)
    )
    changed = []
    for event in events.iterator(chunk_size=500):
        event.target_repr = gdpr.scrub(event.target_repr, identifiers)[:300]
        event.reason = gdpr.scrub(event.reason, identifiers)
        event.before = gdpr.scrub(event.before, identifiers)
        event.after = gdpr.scrub(event.after, identifiers)
        changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["target_repr", "reason", "before", "after"], batch_size=500)
