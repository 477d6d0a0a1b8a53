"""Every write of the selection pipeline. Keyword-only functions taking an ``actor``;
each checks the actor's role (``access``), the transition table, writes atomically,
locks the rows two people may change at once, and records an audit event."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.models import Programme, Role, TeamMember, User, Venture
from incubator.path.services import _enrolment_create
from incubator.selection import notices, partnerships, submission
from incubator.selection.models import (
    Application,
    Call,
    ChecklistAnswer,
    ChecklistItem,
    Criterion,
    Evaluation,
    IntegrationRequest,
    Procedure,
    Score,
)
from incubator.selection.models import ApplicationState as S
from incubator.services import _decimal, _save_new, _update

# The application state machine (DESIGN.md). Withdrawal is allowed from every open state.
OPEN_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.UNDER_EVALUATION, S.EVALUATED, S.WAITLISTED})

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ELIGIBLE, S.INELIGIBLE}),
    # Admitted straight from eligible only by a negotiation's agreement (application_admit_negotiated).
    S.ELIGIBLE: frozenset({S.UNDER_EVALUATION, S.ADMITTED}),
    S.UNDER_EVALUATION: frozenset({S.EVALUATED}),
    # Back to evaluation only when a coordinator replaces a recused evaluator (reviews).
    S.EVALUATED: frozenset({S.ADMITTED, S.WAITLISTED, S.REJECTED, S.UNDER_EVALUATION}),
    S.WAITLISTED: frozenset({S.ADMITTED, S.REJECTED}),
    S.INELIGIBLE: frozenset(),
    S.ADMITTED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


for _state in OPEN_STATES:
    TRANSITIONS[_state] = TRANSITIONS[_state] | {S.WITHDRAWN}


CENT = Decimal("0.01")


def _criterion_errors(criteria: list[Mapping[str, Any]]) -> None:
    if not criteria:
        raise DomainError(_("A call needs at least one evaluation criterion."), code="required", field="criteria")
    names = [c.get("name") for c in criteria]
    if len(set(names)) != len(names):
        raise DomainError(_("Criterion names must be unique."), code="duplicate", field="criteria")


@transaction.atomic
def call_create(
    *,
    actor,
    programme: Programme,
    criteria: list[Mapping[str, Any]],
    checklist: list[Mapping[str, Any]] | None = None,
    **fields,
) -> Call:
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    if criteria or fields.get("procedure") != Procedure.NEGOTIATION:  # a negotiation scores nothing
        _criterion_errors(criteria)
    call = _save_new(Call(programme=programme, **fields))
    for order, item in enumerate(criteria):
        _save_new(
            Criterion(call=call, order=item.get("order", order), **{k: v for k, v in item.items() if k != "order"})
        )
    for order, item in enumerate(checklist or []):
        _save_new(
            ChecklistItem(call=call, order=item.get("order", order), **{k: v for k, v in item.items() if k != "order"})
        )
    audit.record(actor=actor, verb="call.create", target=call, programme_id=programme.pk, after=fields)
    return call


# Which call fields may change, by the call's stage: before it opens everything; while it
# is open, what applicants rely on (dates, places, criteria) may only be extended; once the
# ranking is published, only labels and the grant-eligibility attendance threshold.
CALL_ALWAYS_EDITABLE = ("title", "reference", "grant_attendance_threshold")


CALL_BEFORE_RANKING = (
    *CALL_ALWAYS_EDITABLE,
    "evaluation_deadline",
    "blind_review",
    "disagreement_threshold",
    "closes_at",
    "places",
    "grant_min",
    "grant_max",
    "max_months",
    "pass_threshold",
)


CALL_BEFORE_OPENING = (*CALL_BEFORE_RANKING, "opens_at", "eligible_applicant_kinds", "themes")


def call_editable_fields(call: Call, now: dt.datetime | None = None) -> tuple[str, ...]:
    now = now or timezone.now()
    if call.ranking_published_at:
        return CALL_ALWAYS_EDITABLE
    if call.opens_at > now:
        return CALL_BEFORE_OPENING
    return CALL_BEFORE_RANKING


@transaction.atomic
def call_update(*, actor, call: Call, **fields) -> Call:
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    now = timezone.now()
    editable = call_editable_fields(call, now)
    if call.opens_at <= now < call.closes_at and "closes_at" in fields and fields["closes_at"] < call.closes_at:
        raise DomainError(
            _("An open call's deadline can be extended, not brought forward."),
            code="shorter_deadline",
            field="closes_at",
        )
    return _update(
        actor=actor, instance=call, fields=fields, editable=editable, verb="call.update", programme_id=call.programme_id
    )


def _is_team_member(actor, venture_id: int) -> bool:
    return TeamMember.objects.filter(venture_id=venture_id, person__user_id=actor.pk).exists()


def _require_applicant_or_coordinator(actor, application: Application) -> None:
    if access.has_role(actor, application.call.programme_id, Role.COORDINATOR):
        return
    if getattr(actor, "pk", None) and _is_team_member(actor, application.venture_id):
        return
    raise NotPermitted()


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("call", "venture").get(pk=application.pk)


def _transition(
    *, actor, application: Application, to: str, reason: str = "", verb: str | None = None, **changes
) -> Application:
    """Moves a (locked) application along the table and audits from/to/actor/reason."""
    current = application.state
    if to not in TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("An application cannot go from “%(from)s” to “%(to)s”.") % {"from": S(current).label, "to": S(to).label}
        )
    application.state = to
    for name, value in changes.items():
        setattr(application, name, value)
    application.save(update_fields=["state", *changes])
    audit.record(
        actor=actor,
        verb=verb or f"application.{to}",
        target=application,
        programme_id=application.call.programme_id,
        before={"state": current},
        after={"state": to, **changes},
        reason=reason,
    )
    notices.application_moved(application)
    return application


@transaction.atomic
def application_create(*, actor, venture: Venture, call: Call) -> Application:
    if venture.programme_id != call.programme_id:
        raise DomainError(_("The venture belongs to another programme."), code="other_programme", field="venture")
    if not (access.has_role(actor, call.programme_id, Role.COORDINATOR) or _is_team_member(actor, venture.pk)):
        raise NotPermitted()
    if call.eligible_applicant_kinds and venture.applicant_kind not in call.eligible_applicant_kinds:
        raise DomainError(
            _("This call is not open to applicants of kind “%(kind)s”.")
            % {"kind": venture.get_applicant_kind_display()},
            code="applicant_kind",
            field="venture",
        )
    application = _save_new(Application(venture=venture, call=call))
    audit.record(actor=actor, verb="application.create", target=application, programme_id=call.programme_id)
    return application


@transaction.atomic
def application_submit(*, actor, application: Application, at: dt.datetime | None = None) -> Application:
    application = _locked(application)
    _require_applicant_or_coordinator(actor, application)
    now = timezone.now()
    at = at or now
    call = application.call
    if at > now:
        raise DomainError(_("A submission cannot be dated in the future."), code="future", field="submitted_at")
    # A submission dated earlier (a paper application received in time, entered later)
    # is accepted only while the call's ranking is not yet drawn up: once applications
    # are ranked or decided, nothing joins them - by the API, the back office or an import.
    ranked = call.ranking_published_at is not None or (
        call.applications.filter(Q(rank__isnull=False) | Q(state__in=(S.ADMITTED, S.WAITLISTED, S.REJECTED)))
        .exclude(pk=application.pk)
        .exists()
    )
    if ranked:
        raise DomainError(
            _("The call's applications have already been ranked: no application can be submitted to it."),
            code="call_ranked",
            field="call",
        )
    if not (call.opens_at <= at < call.closes_at):
        raise DomainError(
            _("The call accepts applications from %(opens)s to %(closes)s.")
            % {
                "opens": timezone.localtime(call.opens_at).strftime("%d/%m/%Y %H:%M"),
                "closes": timezone.localtime(call.closes_at).strftime("%d/%m/%Y %H:%M"),
            },
            code="call_not_open",
            field="call",
        )
    if not application.venture.team.filter(role=TeamMember.TeamRole.LEAD).exists():
        raise DomainError(_("The venture needs an idea holder (lead)."), code="no_lead", field="venture")
    if application.state != S.DRAFT:
        # Two tabs submitting at once: the second finds the row (locked above) submitted.
        raise TransitionNotAllowed(_("This application has already been submitted."))
    partnerships.require_applicant_allowed(application)
    missing = submission.missing_by_section(application)
    if missing:
        raise DomainError(
            _("The application is incomplete: %(missing)s")
            % {"missing": " ".join(f"{section}: {' '.join(problems)}" for section, problems in missing)},
            code="incomplete",
            field="non_field_errors",
        )
    frozen = submission.freeze(application, at=at)
    return _transition(actor=actor, application=application, to=S.SUBMITTED, submitted_at=at, **frozen)


@transaction.atomic
def application_check(
    *, actor, application: Application, answers: Iterable[Mapping[str, Any]], eligible: bool, reason: str = ""
) -> Application:
    """Records the eligibility/prefeasibility checklist and marks the application
    eligible or ineligible (ineligible needs a reason)."""
    application = _locked(application)
    access.require_role(actor, application.call.programme_id, Role.COORDINATOR)
    if application.state != S.SUBMITTED:
        raise TransitionNotAllowed(_("Only submitted applications can be checked."))
    if IntegrationRequest.objects.filter(
        application=application, state=IntegrationRequest.State.OPEN, deadline__gt=timezone.now()
    ).exists():
        raise DomainError(
            _("Screening waits for the answer to the integration request."), code="integration_pending", field="state"
        )
    items = {item.pk: item for item in application.call.checklist.all()}
    answers = list(answers)
    given = {int(a["item"]) if not isinstance(a["item"], ChecklistItem) else a["item"].pk: a for a in answers}
    unknown = set(given) - set(items)
    if unknown:
        raise DomainError(
            _("Checklist items %(ids)s do not belong to this call.") % {"ids": sorted(unknown)},
            code="unknown_item",
            field="answers",
        )
    missing = set(items) - set(given)
    if missing:
        raise DomainError(
            _("Answer every checklist item: missing %(items)s.")
            % {"items": "; ".join(items[i].question for i in sorted(missing))},
            code="incomplete_checklist",
            field="answers",
        )
    if not eligible and not reason.strip():
        raise DomainError(_("Give the reason for ineligibility."), code="reason_required", field="reason")
    for item_id, answer in given.items():
        ChecklistAnswer.objects.update_or_create(
            application=application,
            item_id=item_id,
            defaults={"answer": bool(answer["answer"]), "note": answer.get("note", "")},
        )
    return _transition(actor=actor, application=application, to=S.ELIGIBLE if eligible else S.INELIGIBLE, reason=reason)


@transaction.atomic
def application_withdraw(*, actor, application: Application, reason: str) -> Application:
    application = _locked(application)
    _require_applicant_or_coordinator(actor, application)
    if not reason.strip():
        raise DomainError(_("Give the reason for the withdrawal."), code="reason_required", field="reason")
    call = application.call
    if timezone.now() >= call.closes_at and not access.has_role(actor, call.programme_id, Role.COORDINATOR):
        raise DomainError(
            _("Applications can be withdrawn until the call closes (%(closes)s).")
            % {"closes": timezone.localtime(call.closes_at).strftime("%d/%m/%Y %H:%M")},
            code="call_closed",
            field="non_field_errors",
        )
    return _transition(actor=actor, application=application, to=S.WITHDRAWN, reason=reason)


@transaction.atomic
def evaluator_assign(*, actor, application: Application, evaluator: User) -> Evaluation:
    application = _locked(application)
    programme_id = application.call.programme_id
    access.require_role(actor, programme_id, Role.COORDINATOR)
    if programme_id not in access.programmes(evaluator, Role.EVALUATOR):
        raise DomainError(
            _("%(user)s is not an evaluator of this programme.") % {"user": evaluator},
            code="not_evaluator",
            field="evaluator",
        )
    if application.state not in (S.ELIGIBLE, S.UNDER_EVALUATION):
        raise TransitionNotAllowed(_("Evaluators can be assigned only to eligible applications."))
    if _is_team_member(evaluator, application.venture_id):
        raise DomainError(_("An evaluator cannot evaluate their own venture."), code="own_venture", field="evaluator")
    if Evaluation.objects.filter(application=application, evaluator=evaluator).exists():
        raise DomainError(
            _("This evaluator is already assigned to the application."), code="duplicate", field="evaluator"
        )
    evaluation = _save_new(Evaluation(application=application, evaluator=evaluator))
    audit.record(
        actor=actor,
        verb="evaluation.assign",
        target=application,
        programme_id=programme_id,
        after={"evaluator": evaluator.pk},
    )
    if application.state == S.ELIGIBLE:
        _transition(actor=actor, application=application, to=S.UNDER_EVALUATION)
    notices.evaluator_assigned(evaluation)
    return evaluation


def _locked_evaluation(evaluation: Evaluation) -> Evaluation:
    # Lock the application too: the last evaluator's submission moves it to "evaluated".
    _locked(evaluation.application)
    return Evaluation.objects.select_for_update().select_related("application__call").get(pk=evaluation.pk)


def _complete_if_all_scored(actor, application: Application) -> None:
    counts = application.evaluations.aggregate(
        active=Count("pk", filter=Q(conflict_declared=False)),
        done=Count("pk", filter=Q(conflict_declared=False, submitted_at__isnull=False)),
    )
    if counts["active"] and counts["active"] == counts["done"] and application.state == S.UNDER_EVALUATION:
        _transition(actor=actor, application=application, to=S.EVALUATED)


@transaction.atomic
def evaluation_declare_conflict(*, actor, evaluation: Evaluation, note: str) -> Evaluation:
    """A declared conflict recuses the evaluator from this application."""
    evaluation = _locked_evaluation(evaluation)
    if evaluation.evaluator_id != actor.pk:
        raise NotPermitted()
    if evaluation.submitted_at:
        raise DomainError(_("Scores were already submitted; ask the coordinator to reassign."), code="already_scored")
    if not note.strip():
        raise DomainError(_("Describe the conflict of interest."), code="required", field="conflict_note")
    evaluation.conflict_declared = True
    evaluation.conflict_note = note
    evaluation.save(update_fields=["conflict_declared", "conflict_note"])
    notices.evaluation_conflict(evaluation)
    application = evaluation.application
    audit.record(
        actor=actor,
        verb="evaluation.recuse",
        target=application,
        programme_id=application.call.programme_id,
        after={"evaluator": actor.pk},
        reason=note,
    )
    _complete_if_all_scored(actor, Application.objects.select_related("call").get(pk=application.pk))
    return evaluation


def _checked_scores(
    criteria: Mapping[int, Criterion], scores: Mapping[Any, Any], *, complete: bool
) -> dict[int, Decimal | None]:
    """criterion id -> value (0..max, two decimals), every criterion when ``complete``;
    empty values are allowed (as None) in a draft only."""
    given = {int(k): v for k, v in scores.items()}
    if set(given) - set(criteria):
        raise DomainError(
            _("Criteria %(ids)s do not belong to this call.") % {"ids": sorted(set(given) - set(criteria))},
            code="unknown_criterion",
            field="scores",
        )
    checked: dict[int, Decimal | None] = {}
    for criterion_id, raw in given.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            checked[criterion_id] = None
            continue
        criterion = criteria[criterion_id]
        value = _decimal(raw, "scores")
        if not (0 <= value <= criterion.max_score) or value != value.quantize(CENT):
            raise DomainError(
                _("The score for “%(name)s” must be between 0 and %(max)s (two decimals at most).")
                % {"name": criterion.name, "max": criterion.max_score},
                code="out_of_range",
                field="scores",
            )
        checked[criterion_id] = value
    missing = [c for c in criteria if checked.get(c) is None]
    if complete and missing:
        names = ", ".join(criteria[c].name for c in sorted(missing))
        raise DomainError(
            _("Score every criterion: missing %(names)s.") % {"names": names}, code="incomplete", field="scores"
        )
    return checked


def _writable_evaluation(actor, evaluation: Evaluation) -> Evaluation:
    evaluation = _locked_evaluation(evaluation)
    if evaluation.evaluator_id != actor.pk:
        raise NotPermitted()
    if evaluation.conflict_declared:
        raise DomainError(
            _("You declared a conflict of interest on this application and cannot score it."), code="recused"
        )
    if evaluation.submitted_at:
        raise DomainError(_("You have already scored this application."), code="already_scored", field="scores")
    if evaluation.application.state != S.UNDER_EVALUATION:
        raise TransitionNotAllowed(_("The application is not under evaluation."))
    return evaluation


def _store_scores(
    evaluation: Evaluation,
    criteria: Mapping[int, Criterion],
    values: Mapping[int, Decimal | None],
    comments: Mapping[Any, str],
) -> Decimal:
    """Replaces the evaluation's scores (a draft's are rewritten whole); the weighted total."""
    comments = {int(k): (v or "").strip() for k, v in comments.items()}
    if set(comments) - set(criteria):
        raise DomainError(
            _("Criteria %(ids)s do not belong to this call.") % {"ids": sorted(set(comments) - set(criteria))},
            code="unknown_criterion",
            field="criterion_comments",
        )
    evaluation.scores.all().delete()
    rows, total = [], Decimal(0)
    for criterion_id, criterion in criteria.items():
        value, comment = values.get(criterion_id), comments.get(criterion_id, "")
        if value is None and not comment:
            continue
        rows.append(
            Score(
                evaluation=evaluation, criterion=criterion, value=value, max_score=criterion.max_score, comment=comment
            )
        )
        total += (value or 0) * criterion.weight
    Score.objects.bulk_create(rows)
    return total


@transaction.atomic
def evaluation_save_draft(
    *,
    actor,
    evaluation: Evaluation,
    scores: Mapping[Any, Any],
    comment: str = "",
    criterion_comments: Mapping[Any, str] | None = None,
) -> Evaluation:
    """Keeps the evaluator's work in progress: any score may still be empty; each given
    one is within 0..max. Others never see a draft (access rule on scores)."""
    evaluation = _writable_evaluation(actor, evaluation)
    criteria = {c.pk: c for c in evaluation.application.call.criteria.all()}
    values = _checked_scores(criteria, scores, complete=False)
    _store_scores(evaluation, criteria, values, criterion_comments or {})
    evaluation.comment = comment
    evaluation.draft_saved_at = timezone.now()
    evaluation.save(update_fields=["comment", "draft_saved_at"])
    return evaluation


@transaction.atomic
def evaluation_submit_scores(
    *,
    actor,
    evaluation: Evaluation,
    scores: Mapping[Any, Any],
    comment: str = "",
    criterion_comments: Mapping[Any, str] | None = None,
) -> Evaluation:
    """Scores every criterion of the call once (0..max each); stores the weighted total.
    Submitted scores are locked."""
    evaluation = _writable_evaluation(actor, evaluation)
    application = evaluation.application
    criteria = {c.pk: c for c in application.call.criteria.all()}
    values = _checked_scores(criteria, scores, complete=True)
    total = _store_scores(evaluation, criteria, values, criterion_comments or {})
    evaluation.weighted_total = total
    evaluation.comment = comment
    evaluation.submitted_at = timezone.now()
    evaluation.save(update_fields=["weighted_total", "comment", "submitted_at"])
    audit.record(
        actor=actor,
        verb="evaluation.submit",
        target=application,
        programme_id=application.call.programme_id,
        after={"evaluator": actor.pk, "weighted_total": total},
    )
    _complete_if_all_scored(actor, application)
    return evaluation


@transaction.atomic
def call_compute_ranking(*, actor, call: Call) -> list[Application]:
    """Ranks the evaluated applications by score (mean of the evaluators' weighted
    totals, or the agreed score where a coordinator moderated a disagreement), ties
    broken by earlier submission, then by id. Refused while the call is open or any
    application is still being checked or evaluated."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    if call.closes_at > timezone.now():
        raise DomainError(_("The ranking can be computed only after the call closes."), code="call_open")
    pending = call.applications.filter(state__in=[S.SUBMITTED, S.ELIGIBLE, S.UNDER_EVALUATION]).count()
    if pending:
        raise DomainError(
            _("%(n)s applications are still being checked or evaluated.") % {"n": pending}, code="pending"
        )
    ranked = list(
        call.applications.filter(state=S.EVALUATED)
        .annotate(
            mean=Coalesce(
                "moderation__agreed_score",
                Avg("evaluations__weighted_total", filter=Q(evaluations__submitted_at__isnull=False)),
            )
        )
        .order_by("-mean", "submitted_at", "pk")
    )
    for position, application in enumerate(ranked, start=1):
        application.score = application.mean.quantize(Decimal("0.001"))
        application.rank = position
    Application.objects.bulk_update(ranked, ["score", "rank"])
    call.ranking_published_at = timezone.now()
    call.save(update_fields=["ranking_published_at"])
    audit.record(
        actor=actor,
        verb="call.ranking",
        target=call,
        programme_id=call.programme_id,
        after={"ranking": [[a.pk, str(a.score)] for a in ranked]},
    )
    notices.ranking_published(call, ranked)
    return ranked


class Decision:
    ADMIT = "admit"
    WAITLIST = "waitlist"
    REJECT = "reject"
    CHOICES = (ADMIT, WAITLIST, REJECT)
    TARGET = {ADMIT: S.ADMITTED, WAITLIST: S.WAITLISTED, REJECT: S.REJECTED}


@transaction.atomic
def application_decide(
    *,
    actor,
    application: Application,
    decision: str,
    reason: str = "",
    crowdfunding_referral: bool = False,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Application:
    """Admit (creates the enrolment), waitlist or reject (with a reason) a ranked
    application. A rejected or waitlisted idea may be referred to crowdfunding tutoring."""
    application = _locked(application)
    access.require_role(actor, application.call.programme_id, Role.COORDINATOR)
    if decision not in Decision.CHOICES:
        raise DomainError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(Decision.CHOICES)},
            code="invalid",
            field="decision",
        )
    if application.state == S.ELIGIBLE:
        # Eligible -> admitted is the negotiation's path; a decision follows the evaluation.
        raise TransitionNotAllowed(_("The application has not been evaluated yet."))
    if application.rank is None and application.state in (S.EVALUATED, S.WAITLISTED):
        raise DomainError(_("Compute the ranking before deciding."), code="not_ranked", field="decision")
    if decision == Decision.REJECT and not reason.strip():
        raise DomainError(_("Give the reason for the rejection."), code="reason_required", field="reason")
    if decision == Decision.ADMIT and crowdfunding_referral:
        raise DomainError(
            _("Admitted ventures are not referred to crowdfunding tutoring."),
            code="invalid",
            field="crowdfunding_referral",
        )
    if (
        decision == Decision.ADMIT
        and application.score is not None
        and application.score < application.call.pass_threshold
    ):
        raise DomainError(
            _("The score %(score)s is below the pass threshold %(threshold)s.")
            % {"score": application.score, "threshold": application.call.pass_threshold},
            code="below_threshold",
            field="decision",
        )
    _transition(
        actor=actor,
        application=application,
        to=Decision.TARGET[decision],
        reason=reason,
        decision_reason=reason,
        crowdfunding_referral=crowdfunding_referral,
    )
    if decision == Decision.ADMIT:
        _enrolment_create(
            actor=actor, application=application, starts_on=starts_on or timezone.localdate(), ends_on=ends_on
        )
    return application


@transaction.atomic
def application_admit_negotiated(*, actor, application: Application, reason: str) -> Application:
    """Admission by agreement (``incubator.negotiation``): an eligible application of a
    negotiation call is admitted without a ranking. No accompaniment path is opened: a
    negotiated project is not an incubated venture."""
    application = _locked(application)
    access.require_role(actor, application.call.programme_id, Role.COORDINATOR)
    if application.call.procedure != Procedure.NEGOTIATION:
        raise TransitionNotAllowed(_("Only a negotiation call admits by agreement."))
    if application.state != S.ELIGIBLE:
        raise TransitionNotAllowed(_("Only an application found eligible can be admitted by agreement."))
    return _transition(
        actor=actor,
        application=application,
        to=S.ADMITTED,
        reason=reason,
        verb="application.admitted_by_agreement",
        decision_reason=reason,
    )


@transaction.atomic
def call_decide_ranking(*, actor, call: Call, starts_on: dt.date | None = None) -> dict[str, int]:
    """The decision step in bulk: in rank order, the top ``places`` applications at or
    above the pass threshold are admitted, the others above it waitlisted, the rest
    rejected as below the threshold."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    ranked = list(call.applications.filter(state=S.EVALUATED, rank__isnull=False).order_by("rank"))
    if not ranked:
        raise DomainError(_("There is no ranked application to decide."), code="not_ranked")
    free = call.places - call.applications.filter(state=S.ADMITTED).count()
    outcome = {"admitted": 0, "waitlisted": 0, "rejected": 0}
    for application in ranked:
        if application.score >= call.pass_threshold and free > 0:
            application_decide(actor=actor, application=application, decision=Decision.ADMIT, starts_on=starts_on)
            free -= 1
            outcome["admitted"] += 1
        elif application.score >= call.pass_threshold:
            application_decide(
                actor=actor,
                application=application,
                decision=Decision.WAITLIST,
                reason=_("Above the threshold, no place left."),
            )
            outcome["waitlisted"] += 1
        else:
            application_decide(
                actor=actor,
                application=application,
                decision=Decision.REJECT,
                reason=_("Score below the pass threshold (%(threshold)s).") % {"threshold": call.pass_threshold},
            )
            outcome["rejected"] += 1
    return outcome


@transaction.atomic
def application_refer_to_crowdfunding(*, actor, application: Application, referred: bool = True) -> Application:
    application = _locked(application)
    access.require_role(actor, application.call.programme_id, Role.COORDINATOR)
    if application.state not in (S.REJECTED, S.WAITLISTED):
        raise DomainError(
            _("Only rejected or waitlisted ideas are referred to crowdfunding tutoring."),
            code="invalid_state",
            field="crowdfunding_referral",
        )
    application.crowdfunding_referral = referred
    application.save(update_fields=["crowdfunding_referral"])
    audit.record(
        actor=actor,
        verb="application.crowdfunding_referral",
        target=application,
        programme_id=application.call.programme_id,
        after={"crowdfunding_referral": referred},
    )
    return application


@transaction.atomic
def call_close_early(*, actor, call: Call, reason: str) -> Call:
    """Closes an open call now (e.g. the budget is exhausted): applications submitted so
    far stay, no more are accepted. Bringing the deadline forward through ``call_update``
    stays refused, so that a closure is always an explicit, reasoned act."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    now = timezone.now()
    if not call.opens_at <= now < call.closes_at:
        raise TransitionNotAllowed(_("Only an open call can be closed early."), field="closes_at")
    if not reason.strip():
        raise DomainError(_("Say why the call closes early."), code="required", field="reason")
    before = {"closes_at": call.closes_at}
    call.closes_at = now
    call.save(update_fields=["closes_at"])
    audit.record(
        actor=actor,
        verb="call.close_early",
        target=call,
        programme_id=call.programme_id,
        before=before,
        after={"closes_at": now},
        reason=reason,
    )
    return call
