"""Every write of mentoring. Keyword-only functions taking an ``actor``: each checks the
actor's role, validates (``DomainError`` naming the field), writes atomically, locks the
rows two people may change at once and records an audit event. Notes' text is never
copied into the audit trail: only which fields changed."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Person, Programme, Role, User, Venture
from incubator.path.models import Enrolment, Milestone
from incubator.services import _full_clean, _save_new
from mentoring import notices
from mentoring.models import (
    MAX_SESSION_MINUTES,
    ActionItem,
    Assignment,
    AssignmentRole,
    TutorConflict,
    TutoringSession,
    TutoringSessionPrivateNote,
    TutorProfile,
    UnitCostBand,
    VentureNeeds,
)
from mentoring.querysets import LIVE_ENROLMENT_STATUSES

# The author of a session may change it for this long; then only a coordinator may.
EDIT_WINDOW = dt.timedelta(days=30)


def _date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("Enter a number."), code="invalid", field=field) from None
    if not number.is_finite():
        raise DomainError(_("Enter a number."), code="invalid", field=field)
    return number


def _tags(values: Iterable[str] | None, field: str) -> list[str]:
    """Tags as the matching compares them: trimmed, lower-case, without repeats."""
    if values is None:
        return []
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise DomainError(_("Give a list of words."), code="invalid", field=field)
    seen: list[str] = []
    for value in values:
        tag = " ".join(value.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    if any(len(tag) > 60 for tag in seen):
        raise DomainError(_("Each entry may be at most 60 characters."), code="too_long", field=field)
    return seen


def _programme_of_enrolment(enrolment: Enrolment) -> int:
    return enrolment.application.call.programme_id


# --- unit-cost bands -----------------------------------------------------------------


@transaction.atomic
def unit_cost_band_create(
    *, actor, programme: Programme, code: str, label: str, hourly_rate: Decimal | str
) -> UnitCostBand:
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    rate = _decimal(hourly_rate, "hourly_rate")
    band = _save_new(UnitCostBand(programme=programme, code=code.strip(), label=label.strip(), hourly_rate=rate))
    audit.record(
        actor=actor, verb="unit_cost_band.create", target=band, programme_id=programme.pk, after={"rate": rate}
    )
    return band


@transaction.atomic
def unit_cost_band_update(*, actor, band: UnitCostBand, **fields) -> UnitCostBand:
    """Changes a band's label or rate. Sessions already logged keep the rate they were
    logged at, so reported timesheets do not change."""
    band = UnitCostBand.objects.select_for_update().get(pk=band.pk)
    access.require_role(actor, band.programme_id, Role.COORDINATOR)
    unknown = set(fields) - {"code", "label", "hourly_rate"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), code="read_only", field=sorted(unknown)[0])
    if "hourly_rate" in fields:
        fields["hourly_rate"] = _decimal(fields["hourly_rate"], "hourly_rate")
    before = {name: getattr(band, name) for name in fields}
    for name, value in fields.items():
        setattr(band, name, value)
    _full_clean(band)
    band.save()
    audit.record(
        actor=actor,
        verb="unit_cost_band.update",
        target=band,
        programme_id=band.programme_id,
        before=before,
        after=fields,
    )
    return band


# --- tutor profiles ------------------------------------------------------------------


def _profile_errors(profile: TutorProfile) -> None:
    programme_id = profile.programme_id
    if profile.unit_cost_band.programme_id != programme_id:
        raise DomainError(
            _("The unit-cost band belongs to another programme."), code="other_programme", field="unit_cost_band"
        )
    if profile.person_id and profile.person.programme_id != programme_id:
        raise DomainError(_("The person belongs to another programme."), code="other_programme", field="person")


@transaction.atomic
def tutor_profile_create(
    *,
    actor,
    programme: Programme,
    user: User,
    unit_cost_band: UnitCostBand,
    kind: str,
    capacity: int = 5,
    expertise: Iterable[str] = (),
    languages: Iterable[str] = ("it",),
    person: Person | None = None,
) -> TutorProfile:
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    if programme.pk not in access.programmes(user, Role.TUTOR):
        raise DomainError(
            _("%(user)s does not hold the tutor role in this programme.") % {"user": user},
            code="not_tutor",
            field="user",
        )
    profile = TutorProfile(
        programme=programme,
        user=user,
        person=person,
        unit_cost_band=unit_cost_band,
        kind=kind,
        capacity=capacity,
        expertise=_tags(expertise, "expertise"),
        languages=_tags(languages, "languages"),
    )
    _profile_errors(profile)
    _save_new(profile)
    audit.record(
        actor=actor,
        verb="tutor_profile.create",
        target=profile,
        programme_id=programme.pk,
        after={"user": user.pk, "capacity": capacity, "band": unit_cost_band.code},
    )
    return profile


# What a tutor may change of their own profile; the rest is the coordinator's.
TUTOR_EDITABLE = frozenset({"expertise", "languages"})
PROFILE_EDITABLE = frozenset({"expertise", "languages", "capacity", "kind", "unit_cost_band", "person"})


@transaction.atomic
def tutor_profile_update(*, actor, profile: TutorProfile, **fields) -> TutorProfile:
    profile = TutorProfile.objects.select_for_update().get(pk=profile.pk)
    unknown = set(fields) - PROFILE_EDITABLE
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), code="read_only", field=sorted(unknown)[0])
    is_coordinator = access.has_role(actor, profile.programme_id, Role.COORDINATOR)
    if not is_coordinator:
        if profile.user_id != actor.pk or not access.has_role(actor, profile.programme_id, Role.TUTOR):
            raise NotPermitted()
        if set(fields) - TUTOR_EDITABLE:
            raise NotPermitted(_("Only a coordinator changes capacity, kind and unit cost."))
    for name in ("expertise", "languages"):
        if name in fields:
            fields[name] = _tags(fields[name], name)
    before = {name: getattr(profile, name) for name in fields}
    for name, value in fields.items():
        setattr(profile, name, value)
    _profile_errors(profile)
    _full_clean(profile)
    profile.save()
    audit.record(
        actor=actor,
        verb="tutor_profile.update",
        target=profile,
        programme_id=profile.programme_id,
        before={k: getattr(v, "pk", v) for k, v in before.items()},
        after={k: getattr(v, "pk", v) for k, v in fields.items()},
    )
    return profile


@transaction.atomic
def tutor_conflict_declare(*, actor, tutor: TutorProfile, venture: Venture, note: str) -> TutorConflict:
    """The tutor (or a coordinator for them) declares a conflict of interest. An
    assignment already running is not ended here: the coordinator decides, seeing it."""
    is_coordinator = access.has_role(actor, tutor.programme_id, Role.COORDINATOR)
    if not is_coordinator and not (
        tutor.user_id == actor.pk and access.has_role(actor, tutor.programme_id, Role.TUTOR)
    ):
        raise NotPermitted()
    if venture.programme_id != tutor.programme_id:
        raise DomainError(_("The venture belongs to another programme."), code="other_programme", field="venture")
    if not note.strip():
        raise DomainError(_("Describe the conflict of interest."), code="required", field="note")
    if TutorConflict.objects.filter(tutor=tutor, venture=venture).exists():
        raise DomainError(_("This conflict was already declared."), code="duplicate", field="venture")
    conflict = _save_new(
        TutorConflict(tutor=tutor, venture=venture, note=note.strip(), declared_at=timezone.now(), declared_by=actor)
    )
    audit.record(
        actor=actor,
        verb="tutor_conflict.declare",
        target=conflict,
        programme_id=tutor.programme_id,
        after={"tutor": tutor.pk, "venture": venture.pk},
    )
    return conflict


@transaction.atomic
def venture_needs_set(
    *, actor, venture: Venture, keywords: Iterable[str] = (), languages: Iterable[str] = (), note: str = ""
) -> VentureNeeds:
    access.require_role(actor, venture.programme_id, Role.COORDINATOR)
    needs, _created = VentureNeeds.objects.select_for_update().get_or_create(venture=venture)
    before = {"keywords": needs.keywords, "languages": needs.languages}
    needs.keywords = _tags(keywords, "keywords")
    needs.languages = _tags(languages, "languages")
    needs.note = note
    _full_clean(needs)
    needs.save()
    audit.record(
        actor=actor,
        verb="venture_needs.set",
        target=venture,
        programme_id=venture.programme_id,
        before=before,
        after={"keywords": needs.keywords, "languages": needs.languages},
    )
    return needs


# --- assignments ---------------------------------------------------------------------


def _assignment_errors(
    *,
    tutor: TutorProfile,
    enrolment: Enrolment,
    role: str,
    starts_on: dt.date,
    ends_on: dt.date,
    exclude_pk: int | None = None,
) -> None:
    """The refusals of DESIGN/issue 4, each naming its field. Callers hold locks on the
    enrolment (one lead per period) and on the tutor's profile (capacity)."""
    programme_id = _programme_of_enrolment(enrolment)
    venture = enrolment.application.venture
    if tutor.programme_id != programme_id:
        raise DomainError(_("The tutor belongs to another programme."), code="other_programme", field="tutor")
    if programme_id not in access.programmes(tutor.user, Role.TUTOR):
        raise DomainError(
            _("%(tutor)s no longer holds the tutor role in this programme.") % {"tutor": tutor},
            code="not_tutor",
            field="tutor",
        )
    if enrolment.status not in LIVE_ENROLMENT_STATUSES:
        raise DomainError(
            _("The enrolment is %(status)s: tutors cannot be assigned.") % {"status": enrolment.get_status_display()},
            code="enrolment_closed",
            field="enrolment",
        )
    if role not in AssignmentRole.values:
        raise DomainError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(AssignmentRole.values)},
            code="invalid",
            field="role",
        )
    if TutorConflict.objects.filter(tutor=tutor, venture=venture).exists():
        raise DomainError(
            _("%(tutor)s declared a conflict of interest with %(venture)s.") % {"tutor": tutor, "venture": venture},
            code="conflict_of_interest",
            field="tutor",
        )
    if ends_on < starts_on:
        raise DomainError(_("The end must not be before the start."), code="date_order", field="ends_on")
    enrolment_end = min(enrolment.ends_on, enrolment.exited_on or enrolment.ends_on)
    if starts_on < enrolment.starts_on:
        raise DomainError(
            _("The assignment must fall within the enrolment (%(start)s - %(end)s).")
            % {"start": _date(enrolment.starts_on), "end": _date(enrolment_end)},
            code="outside_enrolment",
            field="starts_on",
        )
    if ends_on > enrolment_end:
        raise DomainError(
            _("The assignment must fall within the enrolment (%(start)s - %(end)s).")
            % {"start": _date(enrolment.starts_on), "end": _date(enrolment_end)},
            code="outside_enrolment",
            field="ends_on",
        )
    others = Assignment.objects.exclude(pk=exclude_pk).overlapping(starts_on, ends_on)
    if others.filter(tutor=tutor, enrolment=enrolment).exists():
        raise DomainError(
            _("%(tutor)s is already assigned to this venture in that period.") % {"tutor": tutor},
            code="duplicate",
            field="tutor",
        )
    if role == AssignmentRole.LEAD:
        lead = (
            others.filter(enrolment=enrolment, role=AssignmentRole.LEAD)
            .select_related("tutor__user")
            .order_by("starts_on")
            .first()
        )
        if lead is not None:
            raise DomainError(
                _(
                    "%(tutor)s is already the lead tutor from %(start)s to %(end)s: "
                    "a venture has one lead tutor at a time."
                )
                % {"tutor": lead.tutor, "start": _date(lead.starts_on), "end": _date(lead.ends_on)},
                code="second_lead",
                field="role",
            )
    # Capacity counts the other ventures the tutor accompanies at any time in the period;
    # it is conservative (two short assignments that never meet both count).
    load = others.live().filter(tutor=tutor).exclude(enrolment=enrolment).values("enrolment_id").distinct().count()
    if load >= tutor.capacity:
        raise DomainError(
            _("%(tutor)s already accompanies %(n)s ventures in that period (capacity %(capacity)s).")
            % {"tutor": tutor, "n": load, "capacity": tutor.capacity},
            code="over_capacity",
            field="tutor",
        )


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("application__call", "application__venture")
        .get(pk=enrolment.pk)
    )


def _locked_tutor(tutor: TutorProfile | int) -> TutorProfile:
    pk = tutor if isinstance(tutor, int) else tutor.pk
    return TutorProfile.objects.select_for_update(of=("self",)).select_related("user", "unit_cost_band").get(pk=pk)


@transaction.atomic
def assignment_create(
    *,
    actor,
    tutor: TutorProfile,
    enrolment: Enrolment,
    hours_budget: Decimal | str,
    role: str = AssignmentRole.LEAD,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Assignment:
    """Assigns a tutor to an enrolment; by default from today (or the enrolment's start,
    if later) to the enrolment's end."""
    # Lock order everywhere: enrolment, then tutor profile.
    enrolment = _locked_enrolment(enrolment)
    programme_id = _programme_of_enrolment(enrolment)
    access.require_role(actor, programme_id, Role.COORDINATOR)
    tutor = _locked_tutor(tutor)
    starts_on = starts_on or max(enrolment.starts_on, timezone.localdate())
    ends_on = ends_on or enrolment.ends_on
    budget = _decimal(hours_budget, "hours_budget")
    if budget < 0:
        raise DomainError(_("The hours budget cannot be negative."), code="negative", field="hours_budget")
    _assignment_errors(tutor=tutor, enrolment=enrolment, role=role, starts_on=starts_on, ends_on=ends_on)
    assignment = _save_new(
        Assignment(
            tutor=tutor, enrolment=enrolment, role=role, starts_on=starts_on, ends_on=ends_on, hours_budget=budget
        )
    )
    audit.record(
        actor=actor,
        verb="assignment.create",
        target=assignment,
        programme_id=programme_id,
        after={"tutor": tutor.pk, "role": role, "starts_on": starts_on, "ends_on": ends_on, "hours_budget": budget},
    )
    return assignment


@transaction.atomic
def assignment_update(*, actor, assignment: Assignment, **fields) -> Assignment:
    """Changes the role, period or hours budget; the sessions already logged must stay
    within the new period."""
    unknown = set(fields) - {"role", "starts_on", "ends_on", "hours_budget"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), code="read_only", field=sorted(unknown)[0])
    enrolment = _locked_enrolment(assignment.enrolment)
    access.require_role(actor, _programme_of_enrolment(enrolment), Role.COORDINATOR)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    tutor = _locked_tutor(assignment.tutor_id)
    if "hours_budget" in fields:
        fields["hours_budget"] = _decimal(fields["hours_budget"], "hours_budget")
        if fields["hours_budget"] < 0:
            raise DomainError(_("The hours budget cannot be negative."), code="negative", field="hours_budget")
    before = {name: getattr(assignment, name) for name in fields}
    for name, value in fields.items():
        setattr(assignment, name, value)
    _assignment_errors(
        tutor=tutor,
        enrolment=enrolment,
        role=assignment.role,
        starts_on=assignment.starts_on,
        ends_on=assignment.ends_on,
        exclude_pk=assignment.pk,
    )
    span = assignment.sessions.aggregate(first=Min("starts_at"), last=Max("ends_at"))
    if span["first"] is not None:
        first_day = timezone.localdate(span["first"])
        last_day = timezone.localdate(span["last"] - dt.timedelta(microseconds=1))
        if first_day < assignment.starts_on or last_day > assignment.ends_on:
            raise DomainError(
                _("Sessions were logged from %(first)s to %(last)s: the period must include them.")
                % {"first": _date(first_day), "last": _date(last_day)},
                code="sessions_outside",
                field="starts_on" if first_day < assignment.starts_on else "ends_on",
            )
    _full_clean(assignment)
    assignment.save()
    audit.record(
        actor=actor,
        verb="assignment.update",
        target=assignment,
        programme_id=tutor.programme_id,
        before=before,
        after=fields,
    )
    return assignment


# --- tutoring sessions ---------------------------------------------------------------


def _is_coordinator_of(actor, programme_id: int) -> bool:
    return access.has_role(actor, programme_id, Role.COORDINATOR)


def _is_tutor_of(actor, assignment: Assignment) -> bool:
    return assignment.tutor.user_id == getattr(actor, "pk", None) and access.has_role(
        actor, assignment.tutor.programme_id, Role.TUTOR
    )


def edit_deadline(session: TutoringSession) -> dt.datetime:
    """Until when the author may change the session: 30 days after logging it, or after
    the session itself when it was booked ahead."""
    return max(session.created_at, session.starts_at) + EDIT_WINDOW


def can_edit(actor, session: TutoringSession, now: dt.datetime | None = None) -> bool:
    if _is_coordinator_of(actor, session.tutor.programme_id):
        return True
    return (
        session.author_id == getattr(actor, "pk", None)
        and _is_tutor_of(actor, session.assignment)
        and (now or timezone.now()) <= edit_deadline(session)
    )


def _require_edit(actor, session: TutoringSession) -> None:
    if not can_edit(actor, session):
        raise NotPermitted(
            _("The author may edit a session for 30 days after logging it; after that, ask a coordinator.")
        )


def _minutes(value: Any) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter the minutes as a whole number."), code="invalid", field="minutes") from None
    if not 1 <= minutes <= MAX_SESSION_MINUTES:
        raise DomainError(
            _("A session lasts from 1 to %(max)s minutes.") % {"max": MAX_SESSION_MINUTES},
            code="out_of_range",
            field="minutes",
        )
    return minutes


def _when(session: TutoringSession, assignment: Assignment) -> None:
    """Timing rules: inside the assignment's period, never overlapping another session
    of the same tutor. The caller holds the lock on the tutor's profile row, so two
    sessions saved at once by the same tutor are checked one after the other."""
    if not isinstance(session.starts_at, dt.datetime) or timezone.is_naive(session.starts_at):
        raise DomainError(_("Enter the date and time of the session."), code="invalid", field="starts_at")
    session.ends_at = session.starts_at + dt.timedelta(minutes=session.minutes)
    first_day = timezone.localdate(session.starts_at)
    last_day = timezone.localdate(session.ends_at - dt.timedelta(microseconds=1))
    if first_day < assignment.starts_on or last_day > assignment.ends_on:
        raise DomainError(
            _("The session must fall within the assignment (%(start)s - %(end)s).")
            % {"start": _date(assignment.starts_on), "end": _date(assignment.ends_on)},
            code="outside_assignment",
            field="starts_at",
        )
    clash = (
        TutoringSession.objects.filter(tutor_id=assignment.tutor_id)
        .overlapping(session.starts_at, session.ends_at)
        .exclude(pk=session.pk)
        .select_related("assignment__enrolment__application__venture")
        .first()
    )
    if clash is not None:
        start, end = timezone.localtime(clash.starts_at), timezone.localtime(clash.ends_at)
        raise DomainError(
            _("It overlaps the session of %(day)s from %(start)s to %(end)s with %(venture)s.")
            % {
                "day": _date(start),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
                "venture": clash.assignment.enrolment.application.venture,
            },
            code="overlap",
            field="starts_at",
        )


def _ids(values: Iterable[Any]) -> set[int]:
    try:
        return {v.pk if hasattr(v, "pk") else int(v) for v in values}
    except (TypeError, ValueError):
        raise DomainError(_("Give a list of ids."), code="invalid", field="ids") from None


def _team(assignment: Assignment, people: Iterable[Any], field: str) -> list[int]:
    wanted = _ids(people)
    team = set(
        Person.objects.filter(
            memberships__venture_id=assignment.enrolment.application.venture_id, pk__in=wanted
        ).values_list("pk", flat=True)
    )
    if wanted - team:
        raise DomainError(_("Choose people of the venture's team."), code="not_in_team", field=field)
    return sorted(wanted)


def _milestones(assignment: Assignment, milestones: Iterable[Any]) -> list[int]:
    wanted = _ids(milestones)
    found = set(
        Milestone.objects.filter(enrolment_id=assignment.enrolment_id, pk__in=wanted).values_list("pk", flat=True)
    )
    if wanted - found:
        raise DomainError(_("Choose milestones of this venture's plan."), code="other_enrolment", field="milestones")
    return sorted(wanted)


def _action_item(assignment: Assignment, item: Mapping[str, Any]) -> dict[str, Any]:
    text = (item.get("text") or "").strip()
    if not text:
        raise DomainError(_("Describe the action item."), code="required", field="action_items")
    owner = item.get("owner")
    owner_id = _team(assignment, [owner], "action_items")[0] if owner not in (None, "") else None
    due_on = item.get("due_on") or None
    if due_on is not None and not isinstance(due_on, dt.date):
        try:
            due_on = dt.date.fromisoformat(str(due_on))
        except ValueError:
            raise DomainError(_("Enter a valid due date."), code="invalid", field="action_items") from None
    return {"text": text, "owner_id": owner_id, "due_on": due_on}


@transaction.atomic
def tutoring_session_log(
    *,
    actor,
    assignment: Assignment,
    starts_at: dt.datetime,
    minutes: int = 60,
    mode: str = "in_person",
    activity: str = "tutoring",
    topics: str = "",
    shared_notes: str = "",
    private_notes: str = "",
    participants_present: Iterable[Any] = (),
    milestones: Iterable[Any] = (),
    action_items: Sequence[Mapping[str, Any]] = (),
) -> TutoringSession:
    """Logs a session for the assignment's tutor (or a coordinator on their behalf).
    Exceeding the hours budget is allowed: ``selectors.budget_status`` warns about it."""
    assignment = Assignment.objects.select_related("enrolment__application__venture", "tutor").get(pk=assignment.pk)
    programme_id = assignment.tutor.programme_id
    if not (_is_tutor_of(actor, assignment) or _is_coordinator_of(actor, programme_id)):
        raise NotPermitted()
    tutor = _locked_tutor(assignment.tutor_id)
    session = TutoringSession(
        assignment=assignment,
        tutor=tutor,
        starts_at=starts_at,
        minutes=_minutes(minutes),
        mode=mode,
        activity=activity,
        topics=topics.strip(),
        shared_notes=shared_notes.strip(),
        hourly_rate=tutor.unit_cost_band.hourly_rate,
        author=actor,
    )
    _when(session, assignment)
    present = _team(assignment, participants_present, "participants_present")
    linked = _milestones(assignment, milestones)
    items = [_action_item(assignment, item) for item in action_items]
    _save_new(session)
    session.participants_present.set(present)
    session.milestones.set(linked)
    if private_notes.strip():
        TutoringSessionPrivateNote.objects.create(session=session, text=private_notes.strip())
    ActionItem.objects.bulk_create([ActionItem(session=session, **item) for item in items])
    audit.record(
        actor=actor,
        verb="tutoring_session.log",
        target=session,
        programme_id=programme_id,
        after={
            "assignment": assignment.pk,
            "starts_at": session.starts_at,
            "minutes": session.minutes,
            "mode": mode,
            "activity": activity,
            "participants_present": present,
            "milestones": linked,
            "action_items": len(items),
            "private_notes": bool(private_notes.strip()),
        },
    )
    notices.tutoring_notes_shared(session)
    return session


SESSION_EDITABLE = frozenset(
    {
        "starts_at",
        "minutes",
        "mode",
        "activity",
        "topics",
        "shared_notes",
        "private_notes",
        "participants_present",
        "milestones",
    }
)


def _locked_session(session: TutoringSession) -> TutoringSession:
    return (
        TutoringSession.objects.select_for_update(of=("self",))
        .select_related("assignment__enrolment__application__venture", "assignment__tutor", "tutor")
        .get(pk=session.pk)
    )


@transaction.atomic
def tutoring_session_update(*, actor, session: TutoringSession, **fields) -> TutoringSession:
    unknown = set(fields) - SESSION_EDITABLE
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), code="read_only", field=sorted(unknown)[0])
    session = _locked_session(session)
    _require_edit(actor, session)
    assignment = session.assignment
    _locked_tutor(session.tutor_id)
    changed = sorted(fields)
    for name in ("starts_at", "mode", "activity"):
        if name in fields:
            setattr(session, name, fields[name])
    if "minutes" in fields:
        session.minutes = _minutes(fields["minutes"])
    for name in ("topics", "shared_notes"):
        if name in fields:
            setattr(session, name, (fields[name] or "").strip())
    _when(session, assignment)
    _full_clean(session)
    session.save()
    if "participants_present" in fields:
        session.participants_present.set(_team(assignment, fields["participants_present"], "participants_present"))
    if "milestones" in fields:
        session.milestones.set(_milestones(assignment, fields["milestones"]))
    if "private_notes" in fields:
        text = (fields["private_notes"] or "").strip()
        if text:
            TutoringSessionPrivateNote.objects.update_or_create(session=session, defaults={"text": text})
        else:
            TutoringSessionPrivateNote.objects.filter(session=session).delete()
    audit.record(
        actor=actor,
        verb="tutoring_session.update",
        target=session,
        programme_id=session.tutor.programme_id,
        after={"changed": changed},
    )
    return session


@transaction.atomic
def tutoring_session_delete(*, actor, session: TutoringSession) -> None:
    session = _locked_session(session)
    _require_edit(actor, session)
    audit.record(
        actor=actor,
        verb="tutoring_session.delete",
        target=session,
        programme_id=session.tutor.programme_id,
        before={"assignment": session.assignment_id, "starts_at": session.starts_at, "minutes": session.minutes},
    )
    session.delete()


# --- action items --------------------------------------------------------------------


@transaction.atomic
def action_item_add(
    *, actor, session: TutoringSession, text: str, owner: Person | int | None = None, due_on: dt.date | None = None
) -> ActionItem:
    session = _locked_session(session)
    _require_edit(actor, session)
    values = _action_item(session.assignment, {"text": text, "owner": owner, "due_on": due_on})
    item = _save_new(ActionItem(session=session, **values))
    audit.record(
        actor=actor,
        verb="action_item.add",
        target=item,
        programme_id=session.tutor.programme_id,
        after={"session": session.pk, "due_on": values["due_on"]},
    )
    return item


@transaction.atomic
def action_item_update(*, actor, item: ActionItem, **fields) -> ActionItem:
    """Changes the text, owner or due date (same rule as editing the session)."""
    unknown = set(fields) - {"text", "owner", "due_on"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), code="read_only", field=sorted(unknown)[0])
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    session = _locked_session(item.session)
    _require_edit(actor, session)
    current = {"text": item.text, "owner": item.owner_id, "due_on": item.due_on}
    values = _action_item(session.assignment, {**current, **fields})
    for name, value in values.items():
        setattr(item, name, value)
    _full_clean(item)
    item.save()
    audit.record(
        actor=actor,
        verb="action_item.update",
        target=item,
        programme_id=session.tutor.programme_id,
        after={"changed": sorted(fields)},
    )
    return item


@transaction.atomic
def action_item_set_done(*, actor, item: ActionItem, done: bool = True) -> ActionItem:
    """Anyone who follows the venture may tick an item: its tutors, its coordinators and
    its own team."""
    item = ActionItem.objects.select_for_update(of=("self",)).select_related("session__tutor").get(pk=item.pk)
    if not access.visible(actor, ActionItem).filter(pk=item.pk).exists():
        raise NotPermitted()
    if done == item.done:
        return item
    before = {"done": item.done}
    item.done_at, item.done_by = (timezone.now(), actor) if done else (None, None)
    item.save(update_fields=["done_at", "done_by"])
    audit.record(
        actor=actor,
        verb="action_item.done" if done else "action_item.reopen",
        target=item,
        programme_id=item.session.tutor.programme_id,
        before=before,
        after={"done": done},
    )
    return item
