"""Every write of the participant's path: milestone templates, the plan copied into an
enrolment, milestone states, evidence, verification, waivers, and the suspension clock.

Who may act on a milestone:
- the venture's team (participant): start it, declare it achieved, attach evidence;
- the tutors the enrolment is assigned to (the access policy shows it to them) and the
  programme's coordinators: every state change, rescheduling and verification;
- coordinators only: waivers (with a reason), templates, plans, suspensions.
Nobody verifies a milestone of a venture whose team they are in.

Overdue is never stored: see ``incubator.path.selectors``."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit, uploads
from incubator.dates import add_months
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.models import Programme, Role, TeamMember
from incubator.path import notices
from incubator.path.models import Enrolment, EnrolmentStatus, EnrolmentSuspension, Milestone, MilestoneTemplate
from incubator.path.models import MilestoneState as M
from incubator.services import _full_clean, _save_new

OPEN_STATES = frozenset({M.PLANNED, M.IN_PROGRESS})
CLOSED_ENROLMENT = frozenset({EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN})

# The milestone state machine. Leaving "achieved" drops the verification with it.
TRANSITIONS: dict[str, frozenset[str]] = {
    M.PLANNED: frozenset({M.IN_PROGRESS, M.ACHIEVED, M.MISSED, M.WAIVED}),
    M.IN_PROGRESS: frozenset({M.PLANNED, M.ACHIEVED, M.MISSED, M.WAIVED}),
    M.ACHIEVED: frozenset({M.IN_PROGRESS}),
    M.MISSED: frozenset({M.IN_PROGRESS, M.ACHIEVED, M.WAIVED}),
    M.WAIVED: frozenset({M.PLANNED}),
}
# What the venture's own team may do; the rest is for tutors and coordinators.
TEAM_TRANSITIONS = frozenset({(M.PLANNED, M.IN_PROGRESS), (M.IN_PROGRESS, M.PLANNED)}) | {
    (source, M.ACHIEVED) for source in (M.PLANNED, M.IN_PROGRESS)
}
COORDINATOR_ONLY_TARGETS = frozenset({M.WAIVED})

# --- evidence files ----------------------------------------------------------------------

EVIDENCE_MAX_BYTES = getattr(settings, "EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
EVIDENCE_UPLOADS = uploads.Policy(kinds=("pdf", "png", "jpeg", "odt", "docx"), max_bytes=EVIDENCE_MAX_BYTES)

if TYPE_CHECKING:  # the enrolment is born from an admitted application (incubator.selection)
    from incubator.selection.models import Application


def evidence_content_type(name: str) -> str:
    """The content type a stored evidence file is served with (its extension was checked
    against its bytes on upload)."""
    return uploads.content_type_for(name)


def check_evidence_file(file: UploadedFile) -> str:
    """The sanitised file name to store ``file`` under, or a DomainError on ``file``
    (size, type by content and extension: ``incubator.uploads``)."""
    extension = uploads.validate_upload(file, EVIDENCE_UPLOADS, field="file")
    return uploads.safe_filename(file.name, extension, default="evidence")


# --- who may act -------------------------------------------------------------------------


def _programme_id(enrolment: Enrolment) -> int:
    return enrolment.application.call.programme_id


def _in_team(actor, venture_id: int) -> bool:
    if not getattr(actor, "pk", None):
        return False
    return TeamMember.objects.filter(
        venture_id=venture_id, person__user_id=actor.pk, person__anonymised_at__isnull=True
    ).exists()


def _is_coordinator(actor, enrolment: Enrolment) -> bool:
    return access.has_role(actor, _programme_id(enrolment), Role.COORDINATOR)


def _is_assigned_tutor(actor, enrolment: Enrolment) -> bool:
    """A tutor of the programme to whom the access policy shows this enrolment (the
    mentoring app grants that sight through the tutor's assignments)."""
    return (
        access.has_role(actor, _programme_id(enrolment), Role.TUTOR)
        and access.visible(actor, Enrolment).filter(pk=enrolment.pk).exists()
    )


def _require_staff(actor, enrolment: Enrolment) -> None:
    if not (_is_coordinator(actor, enrolment) or _is_assigned_tutor(actor, enrolment)):
        raise NotPermitted()


def _require_open_enrolment(actor, enrolment: Enrolment) -> None:
    """A closed path changes only by the coordinators' hand (e.g. marking what was missed)."""
    if enrolment.status in CLOSED_ENROLMENT and not _is_coordinator(actor, enrolment):
        raise DomainError(
            _("The accompaniment path is closed (%(status)s).") % {"status": EnrolmentStatus(enrolment.status).label},
            code="enrolment_closed",
            field="enrolment",
        )


def _locked_milestone(milestone: Milestone) -> Milestone:
    return (
        Milestone.objects.select_for_update()
        .select_related("enrolment__application__call", "enrolment__application__venture")
        .get(pk=milestone.pk)
    )


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update()
        .select_related("application__call", "application__venture")
        .get(pk=enrolment.pk)
    )


# --- templates ---------------------------------------------------------------------------

TEMPLATE_FIELDS = ("title", "description", "offset_months", "evidence_required", "order", "crowdfunding_only")


def _check_offset(offset_months) -> None:
    if not isinstance(offset_months, int) or isinstance(offset_months, bool) or not 0 <= offset_months <= 36:
        raise DomainError(
            _("The offset is a whole number of months from 0 to 36."), code="invalid", field="offset_months"
        )


def _clean(instance) -> None:
    instance.full_clean(validate_constraints=True)


@transaction.atomic
def milestone_template_create(
    *,
    actor,
    programme: Programme,
    title: str,
    offset_months: int,
    description: str = "",
    evidence_required: str = "",
    order: int | None = None,
    crowdfunding_only: bool = False,
) -> MilestoneTemplate:
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    _check_offset(offset_months)
    if order is None:
        order = (programme.milestone_templates.aggregate(top=Max("order"))["top"] or 0) + 10
    template = MilestoneTemplate(
        programme=programme,
        title=title.strip(),
        description=description,
        offset_months=offset_months,
        evidence_required=evidence_required,
        order=order,
        crowdfunding_only=crowdfunding_only,
    )
    _clean(template)
    template.save()
    audit.record(
        actor=actor,
        verb="milestone_template.create",
        target=template,
        programme_id=programme.pk,
        after={f: getattr(template, f) for f in TEMPLATE_FIELDS},
    )
    return template


@transaction.atomic
def milestone_template_update(*, actor, template: MilestoneTemplate, **fields) -> MilestoneTemplate:
    """Changes the template for plans generated from now on; existing plans keep their copy."""
    template = MilestoneTemplate.objects.select_for_update().get(pk=template.pk)
    access.require_role(actor, template.programme_id, Role.COORDINATOR)
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="invalid",
            field=sorted(unknown)[0],
        )
    if "offset_months" in fields:
        _check_offset(fields["offset_months"])
    before = {f: getattr(template, f) for f in fields}
    for name, value in fields.items():
        setattr(template, name, value.strip() if name == "title" else value)
    _clean(template)
    template.save(update_fields=list(fields))
    audit.record(
        actor=actor,
        verb="milestone_template.update",
        target=template,
        programme_id=template.programme_id,
        before=before,
        after=fields,
    )
    return template


# --- the plan ----------------------------------------------------------------------------


def on_crowdfunding_track(enrolment: Enrolment) -> bool:
    """Referred to crowdfunding tutoring at selection, or running a campaign."""
    application = enrolment.application
    if application.crowdfunding_referral:
        return True
    campaigns = getattr(application.venture, "campaigns", None)
    return bool(campaigns is not None and campaigns.exists())


def _shift_for_suspensions(base: dt.date, ends_on: dt.date, closed: list[EnrolmentSuspension]) -> dt.date:
    """Where a date of the original plan lands once the clock's pauses are counted: each
    closed suspension that began on or before it pushes it by its length, up to the end.
    A date already past the end stays where it is (and is flagged)."""
    if base > ends_on:
        return base
    shift = sum((s.days for s in closed if s.starts_on <= base), 0)
    return min(base + dt.timedelta(days=shift), ends_on)


@transaction.atomic
def milestone_plan_generate(*, actor, enrolment: Enrolment, crowdfunding: bool | None = None) -> list[Milestone]:
    """Copies the programme's templates into the enrolment's plan, each due ``offset``
    months after the start (moved by past suspensions). Idempotent: a template already in
    the plan is skipped, so it can run again after templates are added. The crowdfunding
    step is copied only for ventures on that track (``crowdfunding`` overrides)."""
    enrolment = _locked_enrolment(enrolment)
    programme_id = _programme_id(enrolment)
    access.require_role(actor, programme_id, Role.COORDINATOR)
    if enrolment.status in CLOSED_ENROLMENT:
        raise DomainError(
            _("The accompaniment path is closed (%(status)s).") % {"status": EnrolmentStatus(enrolment.status).label},
            code="enrolment_closed",
            field="enrolment",
        )
    if crowdfunding is None:
        crowdfunding = on_crowdfunding_track(enrolment)
    templates = MilestoneTemplate.objects.filter(programme_id=programme_id).exclude(
        pk__in=enrolment.milestones.filter(template__isnull=False).values("template_id")
    )
    if not crowdfunding:
        templates = templates.filter(crowdfunding_only=False)
    closed = list(enrolment.suspensions.filter(ends_on__isnull=False))
    created = [
        Milestone(
            enrolment=enrolment,
            template=template,
            title=template.title,
            description=template.description,
            evidence_required=template.evidence_required,
            order=template.order,
            due_on=_shift_for_suspensions(
                add_months(enrolment.starts_on, template.offset_months), enrolment.ends_on, closed
            ),
        )
        for template in templates
    ]
    Milestone.objects.bulk_create(created)
    if created:
        audit.record(
            actor=actor,
            verb="milestone.plan",
            target=enrolment,
            programme_id=programme_id,
            after={"milestones": [[m.title, m.due_on] for m in created], "crowdfunding": crowdfunding},
        )
    return created


def _check_due_in_window(enrolment: Enrolment, due_on: dt.date) -> None:
    if not isinstance(due_on, dt.date):
        raise DomainError(_("Enter a valid date."), code="invalid", field="due_on")
    if not enrolment.starts_on <= due_on <= enrolment.ends_on:
        raise DomainError(
            _("The due date must fall within the path: %(start)s to %(end)s.")
            % {"start": enrolment.starts_on.strftime("%d/%m/%Y"), "end": enrolment.ends_on.strftime("%d/%m/%Y")},
            code="outside_path",
            field="due_on",
        )


@transaction.atomic
def milestone_create(
    *, actor, enrolment: Enrolment, title: str, due_on: dt.date, description: str = "", evidence_required: str = ""
) -> Milestone:
    """A step outside the programme's template, added to one venture's plan."""
    enrolment = _locked_enrolment(enrolment)
    _require_staff(actor, enrolment)
    _require_open_enrolment(actor, enrolment)
    _check_due_in_window(enrolment, due_on)
    order = (enrolment.milestones.aggregate(top=Max("order"))["top"] or 0) + 1
    milestone = Milestone(
        enrolment=enrolment,
        title=(title or "").strip(),
        due_on=due_on,
        description=description,
        evidence_required=evidence_required,
        order=order,
    )
    _clean(milestone)
    milestone.save()
    audit.record(
        actor=actor,
        verb="milestone.create",
        target=milestone,
        programme_id=_programme_id(enrolment),
        after={"title": milestone.title, "due_on": due_on},
    )
    return milestone


@transaction.atomic
def milestone_reschedule(*, actor, milestone: Milestone, due_on: dt.date, reason: str) -> Milestone:
    milestone = _locked_milestone(milestone)
    enrolment = milestone.enrolment
    _require_staff(actor, enrolment)
    _require_open_enrolment(actor, enrolment)
    if milestone.state not in OPEN_STATES:
        raise TransitionNotAllowed(_("Only planned or in-progress milestones can be rescheduled."), field="due_on")
    _check_due_in_window(enrolment, due_on)
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the new date."), code="reason_required", field="reason")
    before = {"due_on": milestone.due_on}
    milestone.due_on = due_on
    milestone.save(update_fields=["due_on", "updated_at"])
    audit.record(
        actor=actor,
        verb="milestone.reschedule",
        target=milestone,
        programme_id=_programme_id(enrolment),
        before=before,
        after={"due_on": due_on},
        reason=reason,
    )
    return milestone


# --- states, evidence, verification ----------------------------------------------------


@transaction.atomic
def milestone_change_state(
    *, actor, milestone: Milestone, state: str, reason: str = "", on: dt.date | None = None
) -> Milestone:
    """Moves a milestone along the table. ``on`` is the day it was achieved (today when
    omitted); a waiver needs a reason and a coordinator."""
    milestone = _locked_milestone(milestone)
    enrolment = milestone.enrolment
    current = milestone.state
    if state not in M.values:
        raise DomainError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(M.values)}, code="invalid", field="state"
        )
    coordinator = _is_coordinator(actor, enrolment)
    staff = coordinator or _is_assigned_tutor(actor, enrolment)
    team = _in_team(actor, enrolment.application.venture_id)
    if not staff and not (team and access.has_role(actor, _programme_id(enrolment), Role.PARTICIPANT)):
        raise NotPermitted()
    if state not in TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("A milestone cannot go from “%(from)s” to “%(to)s”.") % {"from": M(current).label, "to": M(state).label}
        )
    if not staff and (current, state) not in TEAM_TRANSITIONS:
        raise NotPermitted(_("Ask your tutor or coordinator to make this change."))
    if (state in COORDINATOR_ONLY_TARGETS or current in COORDINATOR_ONLY_TARGETS) and not coordinator:
        raise NotPermitted(_("Only the programme's coordinators waive milestones."))
    _require_open_enrolment(actor, enrolment)
    reason = (reason or "").strip()
    if state == M.WAIVED and not reason:
        raise DomainError(_("Give the reason for the waiver."), code="reason_required", field="reason")
    today = timezone.localdate()
    changes: dict = {"state": state}
    if state == M.ACHIEVED:
        achieved_on = on or today
        if not isinstance(achieved_on, dt.date) or not enrolment.starts_on <= achieved_on <= today:
            raise DomainError(
                _("The day it was achieved must fall between the start of the path and today."),
                code="invalid_date",
                field="achieved_on",
            )
        changes["achieved_on"] = achieved_on
    elif current == M.ACHIEVED:
        changes.update(achieved_on=None, verified_by=None, verified_at=None)
    changes["waiver_reason"] = reason if state == M.WAIVED else ""
    for name, value in changes.items():
        setattr(milestone, name, value)
    _clean(milestone)
    milestone.save(update_fields=[*changes, "updated_at"])
    audit.record(
        actor=actor,
        verb=f"milestone.{state}",
        target=milestone,
        programme_id=_programme_id(enrolment),
        before={"state": current},
        after={k: (v.pk if hasattr(v, "pk") else v) for k, v in changes.items()},
        reason=reason,
    )
    if staff and current == M.ACHIEVED and state == M.IN_PROGRESS:
        notices.evidence_sent_back(milestone)
    return milestone


@transaction.atomic
def milestone_verify(*, actor, milestone: Milestone) -> Milestone:
    """A tutor or coordinator confirms an achieved milestone (who and when are kept)."""
    milestone = _locked_milestone(milestone)
    enrolment = milestone.enrolment
    if _in_team(actor, enrolment.application.venture_id):
        raise NotPermitted(_("You cannot verify a milestone of your own venture."))
    _require_staff(actor, enrolment)
    if milestone.state != M.ACHIEVED:
        raise TransitionNotAllowed(_("Only achieved milestones can be verified."))
    if milestone.verified_at:
        raise DomainError(
            _("This milestone was already verified on %(date)s.")
            % {"date": timezone.localtime(milestone.verified_at).strftime("%d/%m/%Y")},
            code="already_verified",
            field="state",
        )
    if milestone.evidence_required and not (milestone.evidence_file or milestone.evidence_url):
        raise DomainError(
            _("This milestone needs evidence (%(what)s) before it is verified.")
            % {"what": milestone.evidence_required},
            code="evidence_missing",
            field="evidence",
        )
    milestone.verified_by = actor
    milestone.verified_at = timezone.now()
    milestone.save(update_fields=["verified_by", "verified_at", "updated_at"])
    audit.record(
        actor=actor,
        verb="milestone.verify",
        target=milestone,
        programme_id=_programme_id(enrolment),
        after={"verified_by": actor.pk},
    )
    notices.evidence_verified(milestone)
    return milestone


def _check_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(_("Enter a valid web address (http or https)."), code="invalid", field="url") from None
    if len(url) > Milestone._meta.get_field("evidence_url").max_length:
        raise DomainError(_("The web address is too long."), code="invalid", field="url")
    return url


@transaction.atomic
def milestone_attach_evidence(
    *, actor, milestone: Milestone, file: UploadedFile | None = None, url: str = ""
) -> Milestone:
    """A file (type checked by content and extension, size limited, name sanitised) or a
    link as the milestone's evidence; a new file replaces the previous one."""
    milestone = _locked_milestone(milestone)
    enrolment = milestone.enrolment
    team = _in_team(actor, enrolment.application.venture_id)
    if not (team or _is_coordinator(actor, enrolment) or _is_assigned_tutor(actor, enrolment)):
        raise NotPermitted()
    _require_open_enrolment(actor, enrolment)
    if milestone.state == M.WAIVED:
        raise TransitionNotAllowed(_("A waived milestone needs no evidence."), field="file")
    if milestone.verified_at:
        raise DomainError(
            _("The milestone was verified: ask your tutor to reopen it before changing its evidence."),
            code="already_verified",
            field="file",
        )
    if file is None and not (url or "").strip():
        raise DomainError(_("Attach a file or give a link."), code="required", field="file")
    changes = {}
    if url and url.strip():
        changes["evidence_url"] = _check_url(url)
    old_name = milestone.evidence_file.name if milestone.evidence_file else ""
    storage = milestone.evidence_file.storage
    stored = ""
    if file is not None:
        # Under MEDIA_ROOT, never served publicly (see incubator.path.views).
        stored = storage.save(
            milestone.evidence_file.field.generate_filename(milestone, check_evidence_file(file)), file
        )
        changes["evidence_file"] = stored
    try:
        for name, value in changes.items():
            setattr(milestone, name, value)
        milestone.save(update_fields=[*changes, "updated_at"])
        audit.record(
            actor=actor,
            verb="milestone.evidence",
            target=milestone,
            programme_id=_programme_id(enrolment),
            after={"file": stored, "url": changes.get("evidence_url", "")},
        )
    except Exception:
        if stored:
            storage.delete(stored)
        raise
    if stored and old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return milestone


# --- the suspension clock ------------------------------------------------------------------


@transaction.atomic
def enrolment_suspend(*, actor, enrolment: Enrolment, reason: str, on: dt.date | None = None) -> EnrolmentSuspension:
    """Pauses the path's clock from ``on`` (today when omitted) until it is resumed."""
    from incubator.path.services import _enrolment_set_status

    enrolment = _locked_enrolment(enrolment)
    access.require_role(actor, _programme_id(enrolment), Role.COORDINATOR)
    on = on or timezone.localdate()
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the suspension."), code="reason_required", field="reason")
    if not isinstance(on, dt.date) or not enrolment.starts_on <= on <= enrolment.ends_on:
        raise DomainError(
            _("The suspension must start within the path: %(start)s to %(end)s.")
            % {"start": enrolment.starts_on.strftime("%d/%m/%Y"), "end": enrolment.ends_on.strftime("%d/%m/%Y")},
            code="outside_path",
            field="on",
        )
    last = enrolment.suspensions.order_by("-starts_on").first()
    if last and last.ends_on and on < last.ends_on:
        raise DomainError(
            _("The path was resumed on %(date)s: a new suspension starts on that day or later.")
            % {"date": last.ends_on.strftime("%d/%m/%Y")},
            code="overlap",
            field="on",
        )
    _enrolment_set_status(actor=actor, enrolment=enrolment, status=EnrolmentStatus.SUSPENDED, reason=reason)
    suspension = EnrolmentSuspension(enrolment=enrolment, starts_on=on, reason=reason.strip(), created_by=actor)
    _clean(suspension)
    suspension.save()
    audit.record(
        actor=actor,
        verb="enrolment.suspension",
        target=enrolment,
        programme_id=_programme_id(enrolment),
        after={"from": on},
        reason=reason,
    )
    return suspension


@transaction.atomic
def enrolment_resume(*, actor, enrolment: Enrolment, on: dt.date | None = None) -> EnrolmentSuspension:
    """Restarts the clock on ``on`` (today when omitted). The days it stood still push the
    end of the path and the due dates of the milestones still open that fell on or after
    the first day of the suspension; the end never passes the cap (start + max months)
    and no milestone moves past the end. One already past the end stays (and is flagged)."""
    from incubator.path.services import _enrolment_set_status, enrolment_update_dates

    enrolment = _locked_enrolment(enrolment)
    programme_id = _programme_id(enrolment)
    access.require_role(actor, programme_id, Role.COORDINATOR)
    suspension = enrolment.suspensions.select_for_update().filter(ends_on__isnull=True).first()
    if enrolment.status != EnrolmentStatus.SUSPENDED or suspension is None:
        raise TransitionNotAllowed(_("The path is not suspended."), field="status")
    on = on or timezone.localdate()
    if not isinstance(on, dt.date) or on < suspension.starts_on:
        raise DomainError(
            _("The path resumes on or after the first day of the suspension (%(date)s).")
            % {"date": suspension.starts_on.strftime("%d/%m/%Y")},
            code="invalid_date",
            field="on",
        )
    suspension.ends_on = on
    suspension.save(update_fields=["ends_on"])
    paused = dt.timedelta(days=suspension.days)
    _enrolment_set_status(actor=actor, enrolment=enrolment, status=EnrolmentStatus.ACTIVE)
    cap = add_months(enrolment.starts_on, enrolment.max_months)
    new_end = min(enrolment.ends_on + paused, cap)
    if new_end != enrolment.ends_on:
        enrolment = enrolment_update_dates(
            actor=actor,
            enrolment=enrolment,
            ends_on=new_end,
            reason=_("Suspended for %(days)s days.") % {"days": suspension.days},
        )
    moved = []
    for milestone in enrolment.milestones.select_for_update().filter(
        state__in=OPEN_STATES, due_on__gte=suspension.starts_on, due_on__lte=enrolment.ends_on
    ):
        new_due = min(milestone.due_on + paused, enrolment.ends_on)
        if new_due != milestone.due_on:
            moved.append([milestone.pk, milestone.due_on, new_due])
            milestone.due_on = new_due
            milestone.save(update_fields=["due_on", "updated_at"])
    audit.record(
        actor=actor,
        verb="enrolment.resume",
        target=enrolment,
        programme_id=programme_id,
        before={"suspended_from": suspension.starts_on},
        after={"resumed_on": on, "days": suspension.days, "ends_on": enrolment.ends_on, "moved": moved},
    )
    return suspension


CENT = Decimal("0.01")


ENROLMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    EnrolmentStatus.ACTIVE: frozenset(
        {EnrolmentStatus.SUSPENDED, EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN}
    ),
    EnrolmentStatus.SUSPENDED: frozenset({EnrolmentStatus.ACTIVE, EnrolmentStatus.WITHDRAWN}),
    EnrolmentStatus.COMPLETED: frozenset(),
    EnrolmentStatus.WITHDRAWN: frozenset(),
}


def _enrolment_create(*, actor, application: "Application", starts_on: dt.date, ends_on: dt.date | None) -> Enrolment:
    max_months = application.call.max_months
    ends_on = ends_on or add_months(starts_on, max_months)
    if ends_on > add_months(starts_on, max_months):
        raise DomainError(
            _("The accompaniment can last at most %(n)s months: end by %(date)s.")
            % {"n": max_months, "date": add_months(starts_on, max_months).strftime("%d/%m/%Y")},
            code="over_max_months",
            field="ends_on",
        )
    enrolment = _save_new(
        Enrolment(application=application, starts_on=starts_on, ends_on=ends_on, max_months=max_months)
    )
    audit.record(
        actor=actor,
        verb="enrolment.create",
        target=enrolment,
        programme_id=application.call.programme_id,
        after={"starts_on": starts_on, "ends_on": ends_on},
    )
    from incubator.path.services import milestone_plan_generate

    milestone_plan_generate(actor=actor, enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrolment_update_dates(
    *, actor, enrolment: Enrolment, ends_on: dt.date | None = None, starts_on: dt.date | None = None, reason: str = ""
) -> Enrolment:
    """Moves the end (never beyond the start plus the call's months) and, before the path
    has started, the start: a postponed start moves the end and the open milestones by
    the same number of days (the end stays within the cap), unless a new end is given."""
    enrolment = Enrolment.objects.select_for_update().select_related("application__call").get(pk=enrolment.pk)
    access.require_role(actor, enrolment.application.call.programme_id, Role.COORDINATOR)
    before = {"starts_on": enrolment.starts_on, "ends_on": enrolment.ends_on}
    shift = dt.timedelta(0)
    if starts_on is not None and starts_on != enrolment.starts_on:
        today = timezone.localdate()
        if enrolment.starts_on <= today or starts_on < today:
            raise DomainError(
                _("The start can be changed only before the path starts, and not to a past day."),
                code="started",
                field="starts_on",
            )
        shift = starts_on - enrolment.starts_on
        if ends_on is None:
            old_cap = add_months(enrolment.starts_on, enrolment.max_months)
            moved = enrolment.ends_on + shift
            new_cap = add_months(starts_on, enrolment.max_months)
            ends_on = new_cap if enrolment.ends_on == old_cap else min(moved, new_cap)
        enrolment.starts_on = starts_on
    if ends_on is None:
        ends_on = enrolment.ends_on
    cap = add_months(enrolment.starts_on, enrolment.max_months)
    if ends_on > cap:
        raise DomainError(
            _("The accompaniment can last at most %(n)s months: end by %(date)s.")
            % {"n": enrolment.max_months, "date": cap.strftime("%d/%m/%Y")},
            code="over_max_months",
            field="ends_on",
        )
    enrolment.ends_on = ends_on
    _full_clean(enrolment)
    enrolment.save(update_fields=["starts_on", "ends_on"])
    if shift:
        for milestone in enrolment.milestones.select_for_update().filter(state__in=(M.PLANNED, M.IN_PROGRESS)):
            milestone.due_on = min(milestone.due_on + shift, enrolment.ends_on)
            milestone.save(update_fields=["due_on"])
    audit.record(
        actor=actor,
        verb="enrolment.dates",
        target=enrolment,
        programme_id=enrolment.application.call.programme_id,
        before=before,
        after={"starts_on": enrolment.starts_on, "ends_on": ends_on},
        reason=reason,
    )
    return enrolment


@transaction.atomic
def _enrolment_set_status(
    *, actor, enrolment: Enrolment, status: str, reason: str = "", on: dt.date | None = None
) -> Enrolment:
    """The status change itself; suspension and resumption also move the clock, so they
    come through ``services_path.enrolment_suspend`` / ``enrolment_resume``."""
    enrolment = Enrolment.objects.select_for_update().select_related("application__call").get(pk=enrolment.pk)
    access.require_role(actor, enrolment.application.call.programme_id, Role.COORDINATOR)
    if status not in ENROLMENT_TRANSITIONS.get(enrolment.status, ()):
        raise TransitionNotAllowed(
            _("An enrolment cannot go from “%(from)s” to “%(to)s”.")
            % {"from": EnrolmentStatus(enrolment.status).label, "to": status},
            field="status",
        )
    if status == EnrolmentStatus.WITHDRAWN and not reason.strip():
        raise DomainError(_("Give the reason for the withdrawal."), code="reason_required", field="reason")
    before = {"status": enrolment.status}
    enrolment.status = status
    if status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN):
        enrolment.exited_on = on or timezone.localdate()
        enrolment.exit_reason = reason
    _full_clean(enrolment)
    enrolment.save(update_fields=["status", "exited_on", "exit_reason"])
    audit.record(
        actor=actor,
        verb=f"enrolment.{status}",
        target=enrolment,
        programme_id=enrolment.application.call.programme_id,
        before=before,
        after={"status": status},
        reason=reason,
    )
    return enrolment


@transaction.atomic
def enrolment_change_status(
    *, actor, enrolment: Enrolment, status: str, reason: str = "", on: dt.date | None = None
) -> Enrolment:
    """Suspend, resume, complete or withdraw a path. Suspending pauses its clock and
    resuming moves the end and the open milestones."""

    access.require_role(
        actor,
        Enrolment.objects.values_list("application__call__programme_id", flat=True).get(pk=enrolment.pk),
        Role.COORDINATOR,
    )
    if status == EnrolmentStatus.SUSPENDED:
        if not reason.strip():
            raise DomainError(_("Give the reason for the suspension."), code="reason_required", field="reason")
        enrolment_suspend(actor=actor, enrolment=enrolment, reason=reason, on=on)
    elif status == EnrolmentStatus.ACTIVE and enrolment.status == EnrolmentStatus.SUSPENDED:
        enrolment_resume(actor=actor, enrolment=enrolment, on=on)
    else:
        return _enrolment_set_status(actor=actor, enrolment=enrolment, status=status, reason=reason, on=on)
    return Enrolment.objects.get(pk=enrolment.pk)
