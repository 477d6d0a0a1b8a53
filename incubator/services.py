"""Every write of the core: programmes, roles, people, ventures and their teams. Keyword-only
functions taking an ``actor``; each checks the actor's role (``access``), the transition table, writes atomically,
locks the rows two people may change at once, and records an audit event."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import LegalFormChange, Person, Programme, Role, RoleAssignment, TeamMember, User, Venture

CENT = Decimal("0.01")


def _full_clean(instance, exclude: Iterable[str] | None = None) -> None:
    """Model validation before any write, so a bad value is a field error, not a 500."""
    instance.full_clean(exclude=list(exclude or []), validate_constraints=True)


def _save_new(instance, **clean_kwargs):
    _full_clean(instance, **clean_kwargs)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a race the validation above could not see
        raise DomainError(_("This record conflicts with an existing one."), code="conflict") from exc
    return instance


def _snapshot(instance, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(instance, f) for f in fields}


def _audited(value):
    """What the audit trail keeps of a value: a file is its stored name."""
    if isinstance(value, File):
        return value.name or ""
    return value


@transaction.atomic
def programme_create(*, actor, **fields) -> Programme:
    if not access.is_admin(actor):
        raise NotPermitted()
    programme = _save_new(Programme(**{**fields, "logo": fields.get("logo") or ""}))
    after = {k: _audited(getattr(programme, k) if k == "logo" else v) for k, v in fields.items()}
    audit.record(actor=actor, verb="programme.create", target=programme, programme_id=programme.pk, after=after)
    return programme


def _update(*, actor, instance, fields: Mapping[str, Any], editable: Iterable[str], verb: str, programme_id: int):
    """Locks the row, changes only ``editable`` fields, validates, saves and audits."""
    editable = set(editable)
    for name in fields:
        if name not in editable:
            raise DomainError(_("This field cannot be changed here."), code="read_only", field=name)
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    before = _snapshot(instance, fields)
    for name, value in fields.items():
        setattr(instance, name, value)
    _full_clean(instance)
    changed = [name for name in fields if before[name] != getattr(instance, name)]
    if changed:
        instance.save(update_fields=changed)
        audit.record(
            actor=actor,
            verb=verb,
            target=instance,
            programme_id=programme_id,
            before={k: _audited(before[k]) for k in changed},
            after={k: _audited(getattr(instance, k)) for k in changed},
        )
    return instance


PROGRAMME_EDITABLE = (
    "name",
    "action",
    "fund",
    "cup",
    "budget",
    "starts_on",
    "ends_on",
    "target_areas",
    "managing_body",
    "last_payment_on",
    "logo",
)


@transaction.atomic
def programme_update(*, actor, programme: Programme, **fields) -> Programme:
    """Administrators and the programme's coordinators; the code identifies it and stays.
    ``logo``: an uploaded PNG/JPEG (checked by the field's validator), or empty to remove
    it; the file it replaces is deleted once the change is committed."""
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    if "logo" in fields and not fields["logo"]:
        fields = {**fields, "logo": ""}  # the admin's "clear" box gives False
    old_logo = Programme.objects.filter(pk=programme.pk).values_list("logo", flat=True).first() or ""
    programme = _update(
        actor=actor,
        instance=programme,
        fields=fields,
        editable=PROGRAMME_EDITABLE,
        verb="programme.update",
        programme_id=programme.pk,
    )
    if old_logo and old_logo != programme.logo.name:
        storage = programme.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return programme


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    if assignment.role == Role.COORDINATOR and not access.is_admin(actor):
        raise NotPermitted()
    access.require_role(actor, assignment.programme_id, Role.COORDINATOR)
    if assignment.user_id == getattr(actor, "pk", None) and assignment.role == Role.COORDINATOR:
        raise DomainError(_("You cannot revoke your own coordinator role."), code="self_revoke", field="role")
    audit.record(
        actor=actor,
        verb="role.revoke",
        target=assignment,
        programme_id=assignment.programme_id,
        before={"role": assignment.role, "user": assignment.user_id},
    )
    assignment.delete()
    access.forget(assignment.user)


@transaction.atomic
def role_grant(*, actor, user: User, programme: Programme, role: str) -> RoleAssignment:
    """Administrators grant any role; a programme's coordinators grant the other roles."""
    if role == Role.COORDINATOR and not access.is_admin(actor):
        raise NotPermitted()
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, programme=programme, role=role)
    if created:
        audit.record(actor=actor, verb="role.grant", target=assignment, programme_id=programme.pk, after={"role": role})
    access.forget(user)
    return assignment


VENTURE_EDITABLE = ("title", "summary", "social_need", "themes", "target_area", "applicant_kind")


@transaction.atomic
def venture_update(*, actor, venture: Venture, **fields) -> Venture:
    access.require_role(actor, venture.programme_id, Role.COORDINATOR)
    return _update(
        actor=actor,
        instance=venture,
        fields=fields,
        editable=VENTURE_EDITABLE,
        verb="venture.update",
        programme_id=venture.programme_id,
    )


@transaction.atomic
def person_create(*, actor, programme: Programme, **fields) -> Person:
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    if "tax_code" in fields and fields["tax_code"]:
        fields["tax_code"] = fields["tax_code"].strip().upper()
    person = _save_new(Person(programme=programme, **fields))
    audit.record(actor=actor, verb="person.create", target=person, programme_id=programme.pk)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **fields) -> Person:
    access.require_role(actor, person.programme_id, Role.COORDINATOR)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at:
        raise DomainError(_("This person was anonymised."), code="anonymised", field="person")
    if fields.get("tax_code"):
        fields["tax_code"] = fields["tax_code"].strip().upper()
    before = _snapshot(person, fields)
    for name, value in fields.items():
        setattr(person, name, value)
    _full_clean(person)
    person.save()
    # Personal values are not copied into the audit trail: only which fields changed.
    audit.record(
        actor=actor,
        verb="person.update",
        target=person,
        programme_id=person.programme_id,
        after={"changed": sorted(k for k in fields if before[k] != fields[k])},
    )
    return person


@transaction.atomic
def venture_create(
    *,
    actor,
    programme: Programme,
    team: Iterable[tuple[Person, str]] = (),
    legal_form: str = "informal_group",
    legal_form_since: dt.date | None = None,
    **fields,
) -> Venture:
    access.require_role(actor, programme.pk, Role.COORDINATOR, Role.PARTICIPANT)
    venture = _save_new(Venture(programme=programme, **fields))
    team = list(team)
    # A participant registers their own idea: they must be in its team.
    if not access.has_role(actor, programme.pk, Role.COORDINATOR) and not any(
        person.user_id == actor.pk for person, _role in team
    ):
        raise DomainError(_("You must be a member of the team."), code="not_in_team", field="team")
    for person, role in team:
        team_member_add(actor=actor, venture=venture, person=person, role=role)
    _save_new(
        LegalFormChange(venture=venture, legal_form=legal_form, effective_on=legal_form_since or timezone.localdate())
    )
    audit.record(actor=actor, verb="venture.create", target=venture, programme_id=programme.pk, after=fields)
    return venture


@transaction.atomic
def team_member_add(*, actor, venture: Venture, person: Person, role: str = "member", joined_on=None) -> TeamMember:
    access.require_role(actor, venture.programme_id, Role.COORDINATOR, Role.PARTICIPANT)
    if person.programme_id != venture.programme_id:
        raise DomainError(_("The person belongs to another programme."), code="other_programme", field="person")
    member = _save_new(TeamMember(venture=venture, person=person, role=role, joined_on=joined_on))
    audit.record(
        actor=actor, verb="team.add", target=venture, programme_id=venture.programme_id, after={"person": person.pk}
    )
    return member


@transaction.atomic
def venture_change_legal_form(
    *, actor, venture: Venture, legal_form: str, effective_on: dt.date, registration_number: str = "", note: str = ""
) -> LegalFormChange:
    access.require_role(actor, venture.programme_id, Role.COORDINATOR)
    latest = venture.legal_forms.order_by("-effective_on").first()
    if latest and effective_on <= latest.effective_on:
        raise DomainError(
            _("The change must be dated after the current form (%(date)s).") % {"date": latest.effective_on},
            code="date_order",
            field="effective_on",
        )
    change = _save_new(
        LegalFormChange(
            venture=venture,
            legal_form=legal_form,
            effective_on=effective_on,
            registration_number=registration_number,
            note=note,
        )
    )
    audit.record(
        actor=actor,
        verb="venture.legal_form",
        target=venture,
        programme_id=venture.programme_id,
        before={"legal_form": latest.legal_form if latest else None},
        after={"legal_form": legal_form, "effective_on": effective_on},
    )
    return change


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("“%(value)s” is not a number.") % {"value": value}, code="invalid", field=field) from None
    if not number.is_finite():
        raise DomainError(_("“%(value)s” is not a number.") % {"value": value}, code="invalid", field=field)
    return number


def validation_message(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]} (used by the API and the admin)."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": list(exc.messages)}


@transaction.atomic
def person_create_login(*, actor, person: Person, username: str, email: str = "") -> User:
    """A login for a person known to a programme: by an administrator or a coordinator of
    the person's programme. No password is set: the person chooses one through the
    password reset e-mail, so nobody else ever knows it. Roles are granted separately."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    access.require_role(actor, person.programme_id, Role.COORDINATOR)
    if person.anonymised_at:
        raise DomainError(_("This person's data has been erased."), code="anonymised", field="person")
    if person.user_id:
        raise DomainError(_("This person already has a login."), code="has_login", field="person")
    user = User(
        username=username, email=email or person.email, first_name=person.first_name, last_name=person.last_name
    )
    user.set_unusable_password()
    _save_new(user, exclude=["password"])
    person.user = user
    person.save(update_fields=["user"])
    audit.record(
        actor=actor,
        verb="person.login",
        target=person,
        programme_id=person.programme_id,
        after={"user": user.pk, "username": username},
    )
    return user


TEAM_MEMBER_EDITABLE = ("role", "joined_on", "left_on")


@transaction.atomic
def team_member_update(*, actor, member: TeamMember, **fields) -> TeamMember:
    """A coordinator changes a member's role or dates (``left_on`` records that they left:
    the history stays, the row is never deleted)."""
    access.require_role(actor, member.venture.programme_id, Role.COORDINATOR)
    return _update(
        actor=actor,
        instance=member,
        fields=fields,
        editable=TEAM_MEMBER_EDITABLE,
        verb="team.update",
        programme_id=member.venture.programme_id,
    )
