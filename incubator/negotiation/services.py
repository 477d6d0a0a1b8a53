"""Every write of the negotiation procedure: opening it on a screened application of a
negotiation call, logging co-design meetings, requesting a revision, resubmitting a
revised proposal (a new version), agreeing (the application is admitted) and proposing
the grant on the agreed terms. Keyword-only, an ``actor``, atomic, the negotiation row
locked (the office and the applicant may act at once), audited, and the other side told
(``notify``). Importing this module also registers the partners' de minimis check."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.funding import services as funding_services
from incubator.funding.models import Grant
from incubator.models import Role
from incubator.negotiation import notices, partner_aid  # noqa: F401 (partner_aid registers a grant check)
from incubator.negotiation.models import Meeting, Negotiation, ProposalVersion, RevisionRequest
from incubator.negotiation.models import NegotiationState as N
from incubator.selection import services as selection_services
from incubator.selection import submission
from incubator.selection.models import Application, ApplicationState, BudgetCategory, Procedure, Question
from incubator.services import _decimal, _save_new

CENT = Decimal("0.01")


def is_team_member(actor, application: Application) -> bool:
    return application.venture.team.filter(person__user_id=getattr(actor, "pk", None)).exists()


def _locked(negotiation: Negotiation) -> Negotiation:
    return (
        Negotiation.objects.select_for_update()
        .select_related("application__call", "application__venture")
        .get(pk=negotiation.pk)
    )


def _coordinator(actor, negotiation: Negotiation) -> None:
    access.require_role(actor, negotiation.application.call.programme_id, Role.COORDINATOR)


def _move(*, actor, negotiation: Negotiation, to: str, verb: str, allowed: Iterable[str], **changes) -> Negotiation:
    if negotiation.state not in allowed:
        raise TransitionNotAllowed(
            _("The negotiation is “%(state)s”: this step is not possible now.") % {"state": N(negotiation.state).label}
        )
    before = negotiation.state
    negotiation.state = to
    for name, value in changes.items():
        setattr(negotiation, name, value)
    negotiation.save(update_fields=["state", *changes])
    audit.record(
        actor=actor,
        verb=verb,
        target=negotiation,
        programme_id=negotiation.application.call.programme_id,
        before={"state": before},
        after={"state": to, **changes},
    )
    return negotiation


def _first_version_content(application: Application) -> dict[str, Any]:
    snapshot = getattr(application, "snapshot", None)
    content = snapshot.content if snapshot else {}
    answers = {
        str(q["id"]): q.get("value")
        for section in content.get("sections", [])
        for q in section.get("questions", [])
        if q.get("kind") != "file"
    }
    budget = [
        {"category": i["category"], "description": i["description"], "amount": i["amount"]}
        for i in content.get("budget", {}).get("items", [])
    ]
    return {"answers": answers, "budget": budget}


@transaction.atomic
def negotiation_open(*, actor, application: Application) -> Negotiation:
    """Opens the negotiation of a screened (eligible) application of a negotiation call;
    version 1 of the proposal is what was submitted."""
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    access.require_role(actor, application.call.programme_id, Role.COORDINATOR)
    if application.call.procedure != Procedure.NEGOTIATION:
        raise DomainError(
            _("This call ranks applications by score: it has no negotiation."), code="not_negotiation", field="call"
        )
    if application.state != ApplicationState.ELIGIBLE:
        raise TransitionNotAllowed(_("Only an application found eligible can be negotiated."))
    if Negotiation.objects.filter(application=application).exists():
        raise DomainError(_("The negotiation is already open."), code="duplicate", field="application")
    now = timezone.now()
    negotiation = _save_new(Negotiation(application=application, opened_at=now))
    ProposalVersion.objects.create(
        negotiation=negotiation,
        number=1,
        content=_first_version_content(application),
        note=_("Submitted proposal"),
        submitted_by=actor,
        submitted_at=application.submitted_at or now,
    )
    audit.record(actor=actor, verb="negotiation.open", target=negotiation, programme_id=application.call.programme_id)
    return negotiation


def _text(value: Any, field: str, message: str) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not value:
        raise DomainError(message, code="required", field=field)
    return value


@transaction.atomic
def meeting_log(*, actor, negotiation: Negotiation, held_at: dt.datetime, participants: str, notes: str) -> Meeting:
    """A co-design meeting held (not in the future) while the negotiation is open."""
    negotiation = _locked(negotiation)
    _coordinator(actor, negotiation)
    if negotiation.state in (N.AGREED, N.GRANTED):
        raise TransitionNotAllowed(_("The negotiation is concluded."))
    if not isinstance(held_at, dt.datetime) or timezone.is_naive(held_at):
        raise DomainError(_("Give the date and time of the meeting."), code="required", field="held_at")
    if held_at > timezone.now():
        raise DomainError(_("A meeting is logged once it has been held."), code="future", field="held_at")
    meeting = _save_new(
        Meeting(
            negotiation=negotiation,
            held_at=held_at,
            participants=_text(participants, "participants", _("Name who took part.")),
            notes=_text(notes, "notes", _("Write what was discussed.")),
            recorded_by=actor,
        )
    )
    audit.record(
        actor=actor,
        verb="negotiation.meeting",
        target=negotiation,
        programme_id=negotiation.application.call.programme_id,
        after={"held_at": held_at, "participants": meeting.participants},
    )
    return meeting


@transaction.atomic
def revision_request(*, actor, negotiation: Negotiation, notes: str) -> RevisionRequest:
    negotiation = _locked(negotiation)
    _coordinator(actor, negotiation)
    notes = _text(notes, "notes", _("Write what the applicant should revise."))
    _move(
        actor=actor,
        negotiation=negotiation,
        to=N.REVISION_REQUESTED,
        verb="negotiation.revision_request",
        allowed=(N.OPEN, N.REVISED),
    )
    request = _save_new(
        RevisionRequest(negotiation=negotiation, notes=notes, requested_by=actor, requested_at=timezone.now())
    )
    notices.revision_requested(negotiation)
    return request


def _revised_answers(application: Application, answers: Mapping[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    questions = {str(q.pk): q for q in Question.objects.filter(section__call_id=application.call_id)}
    merged = dict(previous)
    for key, value in answers.items():
        question = questions.get(str(key).removeprefix("q"))
        if question is None or question.kind == "file":
            raise DomainError(_("No such question in this call's form."), code="unknown_question", field="answers")
        error = submission.answer_error(question, value)
        if error:
            raise DomainError(error, code="invalid", field=submission.field_name(question))
        merged[str(question.pk)] = submission.normalised(question, value)
    return merged


def _revised_budget(budget: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for row in budget:
        category = row.get("category")
        if category not in BudgetCategory.values:
            raise DomainError(_("Choose a budget category."), code="invalid", field="budget")
        amount = _decimal(row.get("amount"), "budget")
        if amount < 0 or amount != amount.quantize(CENT):
            raise DomainError(
                _("Enter an amount in euro, not negative, with at most 2 decimals."), code="invalid", field="budget"
            )
        rows.append(
            {"category": category, "description": (row.get("description") or "").strip(), "amount": str(amount)}
        )
    return rows


@transaction.atomic
def proposal_revise(
    *,
    actor,
    negotiation: Negotiation,
    answers: Mapping[str, Any] | None = None,
    budget: Iterable[Mapping[str, Any]] | None = None,
    note: str = "",
) -> ProposalVersion:
    """The applicant's revised proposal answering the open revision request: the answers
    changed (the others carried over) and, if given, the whole budget; a new version."""
    negotiation = _locked(negotiation)
    application = negotiation.application
    if not is_team_member(actor, application):
        raise NotPermitted()
    if negotiation.state != N.REVISION_REQUESTED:
        raise TransitionNotAllowed(_("A revised proposal answers a revision request: none is open."))
    last = negotiation.versions.order_by("-number").first()
    content = {
        "answers": _revised_answers(application, answers or {}, last.content.get("answers", {})),
        "budget": _revised_budget(budget) if budget is not None else last.content.get("budget", []),
    }
    if content == last.content:
        raise DomainError(_("Nothing changed from the previous version."), code="unchanged", field="answers")
    now = timezone.now()
    version = ProposalVersion.objects.create(
        negotiation=negotiation,
        number=last.number + 1,
        content=content,
        note=note.strip(),
        submitted_by=actor,
        submitted_at=now,
    )
    RevisionRequest.objects.filter(negotiation=negotiation, answered_at__isnull=True).update(answered_at=now)
    _move(
        actor=actor, negotiation=negotiation, to=N.REVISED, verb="negotiation.revise", allowed=(N.REVISION_REQUESTED,)
    )
    notices.proposal_revised(negotiation, version)
    return version


@transaction.atomic
def negotiation_agree(*, actor, negotiation: Negotiation, amount: Any, note: str) -> Negotiation:
    """The agreement on the latest version: the amount within the call's grant range;
    the application is admitted (no ranking: the negotiation replaced it)."""
    negotiation = _locked(negotiation)
    _coordinator(actor, negotiation)
    call = negotiation.application.call
    amount = _decimal(amount, "amount")
    if not (call.grant_min <= amount <= call.grant_max):
        raise DomainError(
            _("The amount must be between %(min)s and %(max)s EUR.") % {"min": call.grant_min, "max": call.grant_max},
            code="out_of_range",
            field="amount",
        )
    note = _text(note, "agreement_note", _("Write the terms agreed."))
    if negotiation.revision_requests.filter(answered_at__isnull=True).exists():
        raise TransitionNotAllowed(_("A revision request is still open."))
    _move(
        actor=actor,
        negotiation=negotiation,
        to=N.AGREED,
        verb="negotiation.agree",
        allowed=(N.OPEN, N.REVISED),
        agreed_at=timezone.now(),
        agreed_amount=amount,
        agreement_note=note,
    )
    selection_services.application_admit_negotiated(actor=actor, application=negotiation.application, reason=note)
    notices.agreed(negotiation)
    return negotiation


@transaction.atomic
def negotiation_grant(*, actor, negotiation: Negotiation, undertaking: str = "", cup: str = "", cor: str = "") -> Grant:
    """The grant proposed on the agreed terms (the funding checks run: call range, de
    minimis of the undertaking and of every partner)."""
    negotiation = _locked(negotiation)
    _coordinator(actor, negotiation)
    if negotiation.state != N.AGREED:
        raise TransitionNotAllowed(_("The grant follows the agreement."))
    organisation = negotiation.application.organisation
    grant = funding_services.grant_propose(
        actor=actor,
        application=negotiation.application,
        amount=negotiation.agreed_amount,
        # The applying organisation (a partnership's lead) is the undertaking by default.
        undertaking=undertaking or (organisation.tax_code if organisation else ""),
        cup=cup,
        cor=cor,
        internal_note=_("Agreed in the negotiation."),
    )
    _move(actor=actor, negotiation=negotiation, to=N.GRANTED, verb="negotiation.grant", allowed=(N.AGREED,))
    return grant
