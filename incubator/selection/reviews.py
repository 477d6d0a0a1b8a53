"""The coordinators' side of evaluation: the rubric of a criterion, assigning evaluators
in bulk with a balanced load, reassigning, and moderating a disagreement. Same rules as
``services``: keyword-only, an ``actor``, atomic, locked where two people may act, audited."""

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, TransitionNotAllowed
from incubator.models import Role, RoleAssignment, TeamMember, User
from incubator.organisations.models import OrganisationMember
from incubator.selection.models import (
    Application,
    ApplicationPartner,
    Call,
    Criterion,
    Evaluation,
    Moderation,
    ScoreBand,
)
from incubator.selection.models import ApplicationState as S
from incubator.selection.services import _decimal, _locked, _transition, evaluator_assign

ASSIGNABLE = (S.ELIGIBLE, S.UNDER_EVALUATION)


@transaction.atomic
def criterion_set_rubric(
    *, actor, criterion: Criterion, guidance: str, bands: Iterable[Mapping[str, Any]]
) -> Criterion:
    """The office's guidance for a criterion and its score bands (e.g. 0-3 "weak"),
    replaced whole. Bands lie within 0..max and do not overlap."""
    criterion = Criterion.objects.select_for_update().select_related("call").get(pk=criterion.pk)
    access.require_role(actor, criterion.call.programme_id, Role.COORDINATOR)
    rows = []
    for band in bands:
        low, high = _decimal(band.get("low"), "bands"), _decimal(band.get("high"), "bands")
        description = (band.get("description") or "").strip()
        if not description:
            raise DomainError(_("Describe every score band."), code="required", field="bands")
        if not (0 <= low <= high <= criterion.max_score):
            raise DomainError(
                _("Each band lies within 0 and %(max)s, its start not above its end.") % {"max": criterion.max_score},
                code="out_of_range",
                field="bands",
            )
        rows.append(ScoreBand(criterion=criterion, low=low, high=high, description=description))
    rows.sort(key=lambda b: b.low)
    for before, after in zip(rows, rows[1:], strict=False):
        if after.low <= before.high:
            raise DomainError(_("Score bands must not overlap."), code="overlap", field="bands")
    before = {"guidance": criterion.guidance, "bands": list(criterion.bands.values_list("low", "high", "description"))}
    criterion.bands.all().delete()
    ScoreBand.objects.bulk_create(rows)
    criterion.guidance = guidance.strip()
    criterion.save(update_fields=["guidance"])
    audit.record(
        actor=actor,
        verb="criterion.rubric",
        target=criterion,
        programme_id=criterion.call.programme_id,
        before=before,
        after={"guidance": criterion.guidance, "bands": [[b.low, b.high, b.description] for b in rows]},
    )
    return criterion


def _evaluators_of(call: Call) -> list[User]:
    ids = RoleAssignment.objects.filter(programme_id=call.programme_id, role=Role.EVALUATOR).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _affiliated_users(applications: list[Application]) -> list[tuple[int, int]]:
    """(application id, user id) of the members of each application's organisation and
    partners: two queries whatever the number of applications."""
    organisations: dict[int, set[int]] = {}
    for application in applications:
        if application.organisation_id:
            organisations.setdefault(application.organisation_id, set()).add(application.pk)
    for application_id, organisation_id in ApplicationPartner.objects.filter(
        application__in=[a.pk for a in applications]
    ).values_list("application_id", "organisation_id"):
        organisations.setdefault(organisation_id, set()).add(application_id)
    if not organisations:
        return []
    return [
        (application_id, user_id)
        for organisation_id, user_id in OrganisationMember.objects.filter(
            organisation_id__in=organisations
        ).values_list("organisation_id", "user_id")
        for application_id in organisations[organisation_id]
    ]


@transaction.atomic
def call_assign_evaluators(*, actor, call: Call, per_application: int) -> dict[str, Any]:
    """Gives every eligible or under-evaluation application of the call ``per_application``
    active (not recused) evaluators, choosing the least loaded evaluator of the programme
    first. Skipped: evaluators already on the application (a declared conflict stays
    declared), members of the applicant's team and members of the applying organisation or
    of any of its partners (issue #15). Returns what was assigned and the
    applications that could not be completed."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    if not 1 <= per_application <= 10:
        raise DomainError(_("Between 1 and 10 evaluators per application."), code="invalid", field="per_application")
    evaluators = _evaluators_of(call)
    if not evaluators:
        raise DomainError(_("The programme has no evaluator."), code="no_evaluator", field="per_application")
    applications = list(call.applications.filter(state__in=ASSIGNABLE).order_by("submitted_at", "pk"))
    existing = list(
        Evaluation.objects.filter(application__call=call).values_list(
            "application_id", "evaluator_id", "conflict_declared"
        )
    )
    load = Counter(evaluator for _a, evaluator, recused in existing if not recused)
    taken: dict[int, set[int]] = {}
    active: Counter = Counter()
    for application_id, evaluator_id, recused in existing:
        taken.setdefault(application_id, set()).add(evaluator_id)
        if not recused:
            active[application_id] += 1
    team: dict[int, set[int]] = {}
    for venture_id, user_id in TeamMember.objects.filter(
        venture__in=[a.venture_id for a in applications], person__user__isnull=False
    ).values_list("venture_id", "person__user_id"):
        team.setdefault(venture_id, set()).add(user_id)
    affiliated: dict[int, set[int]] = {}
    for application_id, user_id in _affiliated_users(applications):
        affiliated.setdefault(application_id, set()).add(user_id)
    assigned, short = [], []
    for application in applications:
        needed = per_application - active[application.pk]
        while needed > 0:
            candidates = [
                e
                for e in evaluators
                if e.pk not in taken.get(application.pk, set())
                and e.pk not in team.get(application.venture_id, set())
                and e.pk not in affiliated.get(application.pk, set())
            ]
            if not candidates:
                short.append(application.pk)
                break
            chosen = min(candidates, key=lambda e: (load[e.pk], e.pk))
            evaluator_assign(actor=actor, application=application, evaluator=chosen)
            application.refresh_from_db(fields=["state"])
            taken.setdefault(application.pk, set()).add(chosen.pk)
            load[chosen.pk] += 1
            needed -= 1
            assigned.append({"application": application.pk, "evaluator": chosen.pk})
    audit.record(
        actor=actor,
        verb="call.assign_evaluators",
        target=call,
        programme_id=call.programme_id,
        after={"per_application": per_application, "assigned": len(assigned), "short": short},
    )
    return {"assigned": assigned, "short": short}


@transaction.atomic
def evaluation_reassign(*, actor, evaluation: Evaluation, evaluator: User, reason: str = "") -> Evaluation:
    """Hands an application to another evaluator. A recused evaluation stays on record
    (the declaration is part of the file); an unsubmitted one is replaced; a submitted
    one cannot be taken away."""
    application = _locked(evaluation.application)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    access.require_role(actor, application.call.programme_id, Role.COORDINATOR)
    if evaluation.submitted_at:
        raise DomainError(_("Submitted scores cannot be reassigned."), code="already_scored", field="evaluation")
    if evaluator.pk == evaluation.evaluator_id:
        raise DomainError(_("Choose another evaluator."), code="same_evaluator", field="evaluator")
    previous = evaluation.evaluator_id
    if not evaluation.conflict_declared:
        evaluation.delete()
    if application.state == S.EVALUATED:
        if application.rank is not None:
            raise TransitionNotAllowed(_("The application is already ranked."))
        _transition(actor=actor, application=application, to=S.UNDER_EVALUATION, reason=reason)
    new = evaluator_assign(actor=actor, application=application, evaluator=evaluator)
    audit.record(
        actor=actor,
        verb="evaluation.reassign",
        target=application,
        programme_id=application.call.programme_id,
        before={"evaluator": previous},
        after={"evaluator": evaluator.pk},
        reason=reason,
    )
    # Replacing the last missing evaluator may leave every remaining one done.
    if (
        application.state == S.UNDER_EVALUATION
        and not application.evaluations.filter(conflict_declared=False, submitted_at__isnull=True).exists()
    ):
        _transition(actor=actor, application=application, to=S.EVALUATED)
    return new


@transaction.atomic
def application_moderate(*, actor, application: Application, agreed_score: Any, reason: str) -> Moderation:
    """Records the score the panel agreed on for an application whose evaluators
    disagreed; the ranking uses it instead of the mean, and shows the reason."""
    application = _locked(application)
    call = application.call
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    if call.ranking_published_at:
        raise TransitionNotAllowed(_("The ranking is already published."))
    if application.state not in (S.UNDER_EVALUATION, S.EVALUATED):
        raise TransitionNotAllowed(_("Only applications being evaluated can be moderated."))
    value = _decimal(agreed_score, "agreed_score")
    top = sum((c.weight * c.max_score for c in call.criteria.all()), Decimal(0))
    if not (0 <= value <= top):
        raise DomainError(
            _("The agreed score must be between 0 and %(max)s.") % {"max": top},
            code="out_of_range",
            field="agreed_score",
        )
    if not reason.strip():
        raise DomainError(_("Give the reason for the agreed score."), code="required", field="reason")
    previous = Moderation.objects.filter(application=application).first()
    moderation, _created = Moderation.objects.update_or_create(
        application=application,
        defaults={
            "agreed_score": value,
            "reason": reason.strip(),
            "moderated_by": actor,
            "moderated_at": timezone.now(),
        },
    )
    audit.record(
        actor=actor,
        verb="application.moderate",
        target=application,
        programme_id=call.programme_id,
        before={"agreed_score": previous.agreed_score} if previous else {},
        after={"agreed_score": value},
        reason=reason,
    )
    return moderation
