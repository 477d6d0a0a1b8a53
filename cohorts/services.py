"""Every write of the cohorts app: cohorts, curriculum, sessions, attendance registers,
their import, and cohort calendar links. Keyword-only functions taking an ``actor``;
each checks the actor, validates (naming the field at fault), writes atomically, locks
what two people may change at once, and records an audit event."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts import access as cohort_access
from cohorts import notices
from cohorts.marking import MarkError as MarkError
from cohorts.marking import MarkingResult as MarkingResult
from cohorts.marking import RegistersRefused as RegistersRefused
from cohorts.marking import attendance_mark_bulk as attendance_mark_bulk
from cohorts.marking import attendance_mark_registers as attendance_mark_registers
from cohorts.models import (
    DEFAULT_MODULES,
    Attendance,
    Cohort,
    CohortEnrolment,
    CurriculumModule,
    ModuleMode,
    TrainingSession,
)
from incubator import access, audit
from incubator.calendar import services as incubator_services
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Programme, Role, User
from incubator.path.models import Enrolment, EnrolmentStatus
from incubator.selection.models import ApplicationState, Call

MAX_SESSION = dt.timedelta(hours=12)


def _save(instance, *, exclude: Iterable[str] = ()) -> Any:
    instance.full_clean(exclude=list(exclude), validate_constraints=True)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a race the validation above could not see
        raise DomainError(_("This record conflicts with an existing one."), code="conflict") from exc
    return instance


def _percent(value, field_name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = Decimal("NaN")
    if not number.is_finite() or not (0 <= number <= 100):
        raise DomainError(_("Give a percentage between 0 and 100."), code="invalid", field=field_name)
    return number.quantize(Decimal("0.01"))


def _local_day(value: dt.datetime) -> dt.date:
    return timezone.localdate(value)


def _fmt_day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- cohorts -----------------------------------------------------------------------------

COHORT_FIELDS = ("name", "starts_on", "ends_on", "completion_threshold", "grant_threshold", "warning_threshold")


def _check_cohort_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise DomainError(_("The cohort must end on or after its start."), code="date_order", field="ends_on")


@transaction.atomic
def cohort_create(
    *,
    actor,
    programme: Programme,
    call: Call,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    completion_threshold: Decimal | None = None,
    grant_threshold: Decimal | None = None,
    warning_threshold: Decimal | None = None,
    modules: Iterable[Mapping[str, Any]] | None = None,
) -> Cohort:
    """A new cohort. Without ``modules`` it offers the seven INNESCO modules; the grant
    threshold defaults to the call's attendance threshold for grant eligibility."""
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    if call.programme_id != programme.pk:
        raise DomainError(_("The call belongs to another programme."), code="other_programme", field="call")
    if not (name or "").strip():
        raise DomainError(_("Give the cohort a name."), code="required", field="name")
    _check_cohort_dates(starts_on, ends_on)
    cohort = Cohort(
        programme=programme,
        call=call,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        grant_threshold=_percent(
            call.grant_attendance_threshold if grant_threshold is None else grant_threshold, "grant_threshold"
        ),
    )
    if completion_threshold is not None:
        cohort.completion_threshold = _percent(completion_threshold, "completion_threshold")
    if warning_threshold is not None:
        cohort.warning_threshold = _percent(warning_threshold, "warning_threshold")
    if Cohort.objects.filter(programme=programme, name=cohort.name).exists():
        raise DomainError(_("The programme already has a cohort with this name."), code="duplicate", field="name")
    _save(cohort)
    if modules is None:
        modules = [
            {"title": str(title), "planned_hours": hours, "mode": mode} for title, hours, mode in DEFAULT_MODULES
        ]
    for order, item in enumerate(modules, start=1):
        _module_new(cohort=cohort, order=item.get("order", order), **{k: v for k, v in item.items() if k != "order"})
    audit.record(
        actor=actor,
        verb="cohort.create",
        target=cohort,
        programme_id=programme.pk,
        after={f: getattr(cohort, f) for f in COHORT_FIELDS} | {"call": call.pk},
    )
    return cohort


@transaction.atomic
def cohort_update(*, actor, cohort: Cohort, **fields) -> Cohort:
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    access.require_role(actor, cohort.programme_id, Role.COORDINATOR)
    unknown = set(fields) - set(COHORT_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="read_only",
            field=sorted(unknown)[0],
        )
    for name in ("completion_threshold", "grant_threshold", "warning_threshold"):
        if name in fields:
            fields[name] = _percent(fields[name], name)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise DomainError(_("Give the cohort a name."), code="required", field="name")
        if Cohort.objects.filter(programme_id=cohort.programme_id, name=fields["name"]).exclude(pk=cohort.pk).exists():
            raise DomainError(_("The programme already has a cohort with this name."), code="duplicate", field="name")
    starts_on = fields.get("starts_on", cohort.starts_on)
    ends_on = fields.get("ends_on", cohort.ends_on)
    _check_cohort_dates(starts_on, ends_on)
    live = cohort.sessions.not_cancelled().order_by("starts_at")
    first, last = live.first(), live.last()
    if first and _local_day(first.starts_at) < starts_on:
        raise DomainError(
            _("A session is scheduled on %(day)s, before this start.") % {"day": _fmt_day(_local_day(first.starts_at))},
            code="sessions_outside",
            field="starts_on",
        )
    if last and _local_day(last.starts_at) > ends_on:
        raise DomainError(
            _("A session is scheduled on %(day)s, after this end.") % {"day": _fmt_day(_local_day(last.starts_at))},
            code="sessions_outside",
            field="ends_on",
        )
    before = {name: getattr(cohort, name) for name in fields}
    for name, value in fields.items():
        setattr(cohort, name, value)
    _save(cohort)
    audit.record(
        actor=actor, verb="cohort.update", target=cohort, programme_id=cohort.programme_id, before=before, after=fields
    )
    return cohort


@transaction.atomic
def cohort_add_enrolment(*, actor, cohort: Cohort, enrolment: Enrolment) -> CohortEnrolment:
    """Places an admitted venture's enrolment in the cohort (one cohort per enrolment)."""
    access.require_role(actor, cohort.programme_id, Role.COORDINATOR)
    enrolment = Enrolment.objects.select_for_update().select_related("application__call").get(pk=enrolment.pk)
    if enrolment.application.call_id != cohort.call_id:
        raise DomainError(
            _("The enrolment comes from another call than the cohort's."), code="other_call", field="enrolment"
        )
    if enrolment.application.state != ApplicationState.ADMITTED or enrolment.status in (
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.WITHDRAWN,
    ):
        raise DomainError(
            _("Only the running enrolments of admitted ventures join a cohort."), code="not_running", field="enrolment"
        )
    existing = CohortEnrolment.objects.filter(enrolment=enrolment).select_related("cohort").first()
    if existing:
        raise DomainError(
            _("This enrolment is already in the cohort “%(name)s”.") % {"name": existing.cohort.name},
            code="already_in_cohort",
            field="enrolment",
        )
    membership = _save(CohortEnrolment(cohort=cohort, enrolment=enrolment))
    audit.record(
        actor=actor,
        verb="cohort.add_enrolment",
        target=cohort,
        programme_id=cohort.programme_id,
        after={"enrolment": enrolment.pk},
    )
    return membership


@transaction.atomic
def cohort_remove_enrolment(*, actor, cohort: Cohort, enrolment: Enrolment, reason: str) -> None:
    """Takes an enrolment out of a cohort; refused once its people are on a register
    (signed registers are evidence for the managing authority)."""
    access.require_role(actor, cohort.programme_id, Role.COORDINATOR)
    membership = CohortEnrolment.objects.select_for_update().filter(cohort=cohort, enrolment=enrolment).first()
    if membership is None:
        raise DomainError(_("This enrolment is not in the cohort."), code="not_in_cohort", field="enrolment")
    if not (reason or "").strip():
        raise DomainError(_("Give the reason."), code="reason_required", field="reason")
    team = enrolment.application.venture.team.values("person_id")
    if Attendance.objects.filter(session__cohort=cohort, person__in=team).exists():
        raise DomainError(
            _("Its participants are already on this cohort's registers."), code="has_attendance", field="enrolment"
        )
    membership.delete()
    audit.record(
        actor=actor,
        verb="cohort.remove_enrolment",
        target=cohort,
        programme_id=cohort.programme_id,
        before={"enrolment": enrolment.pk},
        reason=reason,
    )


# --- curriculum --------------------------------------------------------------------------

MODULE_FIELDS = ("title", "planned_hours", "mode", "order")


def _module_checks(*, cohort: Cohort, title: str, planned_hours, mode: str, exclude_pk: int | None = None):
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the module a title."), code="required", field="title")
    try:
        hours = Decimal(str(planned_hours))
    except (InvalidOperation, ValueError, TypeError):
        hours = Decimal("NaN")
    if not hours.is_finite() or hours <= 0 or hours > 1000:
        raise DomainError(_("Planned hours must be more than 0."), code="invalid", field="planned_hours")
    if mode not in ModuleMode.values:
        raise DomainError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(ModuleMode.values)}, code="invalid", field="mode"
        )
    clash = CurriculumModule.objects.filter(cohort=cohort, title=title)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(_("The cohort already has a module with this title."), code="duplicate", field="title")
    return title, hours.quantize(Decimal("0.01"))


def _module_new(*, cohort: Cohort, title: str, planned_hours, mode: str = ModuleMode.IN_PRESENCE, order: int = 0):
    title, hours = _module_checks(cohort=cohort, title=title, planned_hours=planned_hours, mode=mode)
    return _save(CurriculumModule(cohort=cohort, title=title, planned_hours=hours, mode=mode, order=order))


@transaction.atomic
def module_create(
    *, actor, cohort: Cohort, title: str, planned_hours, mode: str = ModuleMode.IN_PRESENCE, order: int | None = None
) -> CurriculumModule:
    access.require_role(actor, cohort.programme_id, Role.COORDINATOR)
    if order is None:
        order = (cohort.modules.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    module = _module_new(cohort=cohort, title=title, planned_hours=planned_hours, mode=mode, order=order)
    audit.record(
        actor=actor,
        verb="module.create",
        target=module,
        programme_id=cohort.programme_id,
        after={"title": module.title, "planned_hours": module.planned_hours, "mode": mode},
    )
    return module


@transaction.atomic
def module_update(*, actor, module: CurriculumModule, **fields) -> CurriculumModule:
    module = CurriculumModule.objects.select_for_update().select_related("cohort").get(pk=module.pk)
    access.require_role(actor, module.cohort.programme_id, Role.COORDINATOR)
    unknown = set(fields) - set(MODULE_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="read_only",
            field=sorted(unknown)[0],
        )
    title, hours = _module_checks(
        cohort=module.cohort,
        title=fields.get("title", module.title),
        planned_hours=fields.get("planned_hours", module.planned_hours),
        mode=fields.get("mode", module.mode),
        exclude_pk=module.pk,
    )
    before = {name: getattr(module, name) for name in fields}
    module.title, module.planned_hours = title, hours
    module.mode = fields.get("mode", module.mode)
    module.order = fields.get("order", module.order)
    _save(module)
    audit.record(
        actor=actor,
        verb="module.update",
        target=module,
        programme_id=module.cohort.programme_id,
        before=before,
        after={name: getattr(module, name) for name in fields},
    )
    return module


@transaction.atomic
def module_delete(*, actor, module: CurriculumModule) -> None:
    module = CurriculumModule.objects.select_for_update().select_related("cohort").get(pk=module.pk)
    access.require_role(actor, module.cohort.programme_id, Role.COORDINATOR)
    if module.sessions.exists():
        raise DomainError(_("The module has sessions: move or cancel them first."), code="has_sessions", field="module")
    audit.record(
        actor=actor,
        verb="module.delete",
        target=module,
        programme_id=module.cohort.programme_id,
        before={"title": module.title},
    )
    module.delete()


# --- training sessions -------------------------------------------------------------------

SESSION_FIELDS = ("kind", "module", "topic", "starts_at", "ends_at", "place", "online_url", "trainers")


def _minute(value, field_name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise DomainError(_("Give a date and time with its time zone."), code="naive_datetime", field=field_name)
    # Registers count whole minutes: seconds would only make the lengths disagree.
    return value.replace(second=0, microsecond=0)


def _session_checks(session: TrainingSession, trainers: list[User] | None) -> None:
    cohort = session.cohort
    session.starts_at = _minute(session.starts_at, "starts_at")
    session.ends_at = _minute(session.ends_at, "ends_at")
    if session.ends_at <= session.starts_at:
        raise DomainError(_("The session must end after it starts."), code="date_order", field="ends_at")
    if session.ends_at - session.starts_at > MAX_SESSION:
        raise DomainError(_("A session lasts at most 12 hours."), code="too_long", field="ends_at")
    day = _local_day(session.starts_at)
    if not (cohort.starts_on <= day <= cohort.ends_on):
        raise DomainError(
            _("The cohort runs from %(start)s to %(end)s.")
            % {"start": _fmt_day(cohort.starts_on), "end": _fmt_day(cohort.ends_on)},
            code="outside_cohort",
            field="starts_at",
        )
    if session.kind not in TrainingSession.Kind.values:
        raise DomainError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(TrainingSession.Kind.values)},
            code="invalid",
            field="kind",
        )
    if session.module_id is None and session.kind == TrainingSession.Kind.TRAINING:
        raise DomainError(_("A training session belongs to a module."), code="required", field="module")
    if session.module_id is not None and session.module.cohort_id != cohort.pk:
        raise DomainError(_("The module belongs to another cohort."), code="other_cohort", field="module")
    session.topic = (session.topic or "").strip()
    if not session.topic:
        raise DomainError(_("Give the session a topic."), code="required", field="topic")
    session.place, session.online_url = (session.place or "").strip(), (session.online_url or "").strip()
    if not session.place and not session.online_url:
        raise DomainError(_("Give a place or an online link."), code="required", field="place")
    if trainers is not None:
        allowed = access.programmes
        for trainer in trainers:
            if cohort.programme_id not in allowed(trainer, Role.TUTOR):
                raise DomainError(
                    _("%(user)s is not a trainer of this programme.") % {"user": trainer},
                    code="not_trainer",
                    field="trainers",
                )


def _trainer_ids(trainers: Iterable[User] | None) -> list[int]:
    return sorted(t.pk for t in trainers or [])


@transaction.atomic
def session_create(
    *,
    actor,
    cohort: Cohort,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str = TrainingSession.Kind.TRAINING,
    module: CurriculumModule | None = None,
    place: str = "",
    online_url: str = "",
    trainers: Iterable[User] = (),
) -> TrainingSession:
    access.require_role(actor, cohort.programme_id, Role.COORDINATOR)
    trainers = list(trainers)
    session = TrainingSession(
        cohort=cohort,
        module=module,
        kind=kind,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
    )
    _session_checks(session, trainers)
    _save(session)
    session.trainers.set(trainers)
    audit.record(
        actor=actor,
        verb="session.create",
        target=session,
        programme_id=cohort.programme_id,
        after={
            "kind": kind,
            "module": module.pk if module else None,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "trainers": _trainer_ids(trainers),
        },
    )
    notices.session_scheduled(session)
    return session


def _locked_session(session: TrainingSession) -> TrainingSession:
    return TrainingSession.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=session.pk)


@transaction.atomic
def session_update(*, actor, session: TrainingSession, **fields) -> TrainingSession:
    """Reschedules or edits a session. A cancelled session is closed; times cannot change
    once the register has marks (the minutes marked were of those times)."""
    session = _locked_session(session)
    access.require_role(actor, session.cohort.programme_id, Role.COORDINATOR)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="read_only",
            field=sorted(unknown)[0],
        )
    if session.is_cancelled:
        raise DomainError(_("The session was cancelled."), code="session_cancelled", field="session")
    trainers = list(fields.pop("trainers")) if "trainers" in fields else None
    before = {name: getattr(session, name) for name in fields if name != "module"}
    if "module" in fields:
        before["module"] = session.module_id
    for name in ("starts_at", "ends_at"):
        if name in fields:
            fields[name] = _minute(fields[name], name)
    times_changed = any(name in fields and fields[name] != getattr(session, name) for name in ("starts_at", "ends_at"))
    if times_changed and session.attendance.exists():
        raise DomainError(
            _("The register already has marks: the times cannot change."), code="has_attendance", field="starts_at"
        )
    for name, value in fields.items():
        setattr(session, name, value)
    _session_checks(session, trainers)
    _save(session)
    if trainers is not None:
        before["trainers"] = sorted(session.trainers.values_list("pk", flat=True))
        # The save above already moved updated_at: the feed's Last-Modified follows.
        session.trainers.set(trainers)
    after = {name: getattr(session, name) for name in fields if name != "module"}
    if "module" in fields:
        after["module"] = session.module_id
    if trainers is not None:
        after["trainers"] = _trainer_ids(trainers)
    audit.record(
        actor=actor,
        verb="session.update",
        target=session,
        programme_id=session.cohort.programme_id,
        before=before,
        after=after,
    )
    if times_changed or before.get("place", session.place) != session.place:
        notices.session_moved(session)
    return session


@transaction.atomic
def session_cancel(*, actor, session: TrainingSession, reason: str) -> TrainingSession:
    """Marks a session cancelled (it stays, and calendars show it as cancelled)."""
    session = _locked_session(session)
    access.require_role(actor, session.cohort.programme_id, Role.COORDINATOR)
    if session.is_cancelled:
        raise DomainError(_("The session is already cancelled."), code="session_cancelled", field="session")
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the cancellation."), code="reason_required", field="reason")
    if session.attendance.exists():
        raise DomainError(
            _("The session has attendance marks: it took place and cannot be cancelled."),
            code="has_attendance",
            field="session",
        )
    session.cancelled_at = timezone.now()
    session.cancellation_reason = reason.strip()[:300]
    session.save(update_fields=["cancelled_at", "cancellation_reason", "updated_at"])
    audit.record(
        actor=actor,
        verb="session.cancel",
        target=session,
        programme_id=session.cohort.programme_id,
        after={"cancelled_at": session.cancelled_at},
        reason=reason,
    )
    notices.session_cancelled(session)
    return session


# --- attendance: cohorts.marking (the register's rules, checked for many registers at once)


# --- cohort calendar links ---------------------------------------------------------------


def _require_cohort_member(actor, cohort: Cohort, *, participants: bool) -> None:
    if access.has_role(actor, cohort.programme_id, Role.COORDINATOR):
        return
    if cohort_access.is_cohort_trainer(actor, cohort):
        return
    if participants and cohort_access.is_cohort_participant(actor, cohort):
        return
    raise NotPermitted()


def cohort_calendar_feed(*, actor, cohort: Cohort) -> CalendarFeed:
    """The cohort's subscription link (issued on first request): for its coordinators,
    its trainers and its participants."""
    _require_cohort_member(actor, cohort, participants=True)
    return incubator_services.calendar_feed_get_or_issue(
        actor=actor, kind=CalendarFeed.Kind.COHORT, programme=cohort.programme, subject_id=cohort.pk
    )


@transaction.atomic
def cohort_calendar_feed_rotate(*, actor, cohort: Cohort) -> CalendarFeed:
    """Revokes the cohort's link and issues a new one. Only coordinators and the cohort's
    trainers: the link is shared by the whole cohort, so one participant rotating it
    would silently cut everyone else's subscription (a participant who wants a private,
    revocable link has their own participant feed)."""
    _require_cohort_member(actor, cohort, participants=False)
    feed = cohort_calendar_feed(actor=actor, cohort=cohort)
    return incubator_services.calendar_feed_rotate(actor=actor, feed=feed)
