"""What selection tells people (``incubator.notifications``): receipts and outcomes to the
applicant's team, assignments to evaluators, the published ranking; and the reminders of
evaluations due soon or overdue. Outcomes go to the team only, never scores of others."""

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from incubator.notifications import recipients
from incubator.notifications.kinds import Kind
from incubator.notifications.links import page
from incubator.notifications.reminders import reminder
from incubator.notifications.services import Event, event_key, notify
from incubator.selection.models import Application, ApplicationState, Call, Evaluation, IntegrationRequest

S = ApplicationState
KIND_OF_STATE = {
    S.SUBMITTED: Kind.SUBMISSION_RECEIPT,
    S.ELIGIBLE: Kind.ELIGIBILITY_OUTCOME,
    S.INELIGIBLE: Kind.ELIGIBILITY_OUTCOME,
    S.ADMITTED: Kind.APPLICATION_OUTCOME,
    S.WAITLISTED: Kind.APPLICATION_OUTCOME,
    S.REJECTED: Kind.APPLICATION_OUTCOME,
}


def application_moved(application: Application) -> None:
    """The team hears of its submission and of each outcome (one notice per state reached)."""
    kind = KIND_OF_STATE.get(application.state)
    if kind is None:
        return
    notify(
        kind,
        recipients.venture_team(application.venture_id),
        key=f"application:{application.pk}:{application.state}",
        context={
            "call": application.call.title,
            "at": application.submitted_at or "",
            "outcome": S(application.state).label,
        },
        link=page("cohorts:my-path") if application.state == S.ADMITTED else "",
    )


def evaluator_assigned(evaluation: Evaluation) -> None:
    notify(
        Kind.EVALUATOR_ASSIGNED,
        [evaluation.evaluator_id],
        about=evaluation,
        context={"call": evaluation.application.call.title},
        link=page("selection-evaluation", evaluation.pk),
    )


def evaluation_conflict(evaluation: Evaluation) -> None:
    """The programme's coordinators hear of a declared conflict: they reassign it."""
    call = evaluation.application.call
    notify(
        Kind.EVALUATION_CONFLICT,
        recipients.coordinators(call.programme_id),
        about=evaluation,
        context={"call": call.title},
        link=page("selection-reassign", evaluation.pk),
    )


def ranking_published(call: Call, ranked: list[Application]) -> None:
    teams = recipients.team_users(a.venture_id for a in ranked)
    notify(
        Kind.RANKING_PUBLISHED,
        [user_id for users in teams.values() for user_id in users],
        about=call,
        context={"call": call.title},
    )


DRAFT_AHEAD = dt.timedelta(days=3)


@reminder
def drafts_unsubmitted(now: dt.datetime) -> Iterator[Event]:
    """Drafts of calls that close within three days: two queries (the drafts, the teams)."""
    rows = list(
        Application.objects.filter(state=S.DRAFT, call__closes_at__gt=now, call__closes_at__lte=now + DRAFT_AHEAD)
        .values_list("pk", "venture_id", "call__title", "call__closes_at")
        .order_by("pk")
    )
    teams = recipients.team_users({row[1] for row in rows})
    for pk, venture_id, title, closes_at in rows:
        users = teams.get(venture_id)
        if users:
            key = event_key(Kind.DRAFT_UNSUBMITTED, None, f"application:{pk}")
            yield Event(Kind.DRAFT_UNSUBMITTED, key, users, {"call": title, "closes": closes_at})


def evaluation_days() -> int:
    return int(getattr(settings, "NOTIFICATIONS_EVALUATION_DAYS", 14))


@reminder
def evaluations_late(now: dt.datetime) -> Iterator[Event]:
    """Open evaluations (no scores, no conflict) three days before and after they are due:
    the call's evaluation deadline when it has one, else the time an evaluator has from
    assignment (``NOTIFICATIONS_EVALUATION_DAYS``). One query."""
    days = dt.timedelta(days=evaluation_days())
    soon = dt.timedelta(days=3)
    rows = (
        Evaluation.objects.filter(
            submitted_at__isnull=True,
            conflict_declared=False,
            application__state=S.UNDER_EVALUATION,
            evaluator__is_active=True,
        )
        .filter(
            Q(application__call__evaluation_deadline__lte=now + soon)
            | Q(application__call__evaluation_deadline__isnull=True, assigned_at__lte=now - days + soon)
        )
        .values_list(
            "pk", "evaluator_id", "assigned_at", "application__call__title", "application__call__evaluation_deadline"
        )
        .order_by("pk")
    )
    for pk, evaluator_id, assigned_at, title, deadline in rows.iterator(chunk_size=2000):
        due = deadline or assigned_at + days
        kind = Kind.EVALUATION_OVERDUE if due <= now else Kind.EVALUATION_DUE
        yield Event(
            kind,
            event_key(kind, None, f"evaluation:{pk}"),
            [evaluator_id],
            {"call": title, "due": timezone.localtime(due).date()},
            page("selection-evaluation", pk),
        )


def integration_requested(request: IntegrationRequest) -> None:
    """The applicant's team hears that the office asks for more (items are on the page)."""
    application = request.application
    notify(
        Kind.INTEGRATION_REQUESTED,
        recipients.venture_team(application.venture_id),
        about=request,
        context={"call": application.call.title, "deadline": request.deadline},
        link=page("selection:application", application.pk),
    )


def integration_answered(request: IntegrationRequest) -> None:
    """The coordinator who asked (and the programme's coordinators) hear of the answer."""
    application = request.application
    notify(
        Kind.INTEGRATION_ANSWERED,
        [request.requested_by_id, *recipients.coordinators(application.call.programme_id)],
        about=request,
        context={"call": application.call.title},
        link=page("selection:office-application", application.pk),
    )


INTEGRATION_AHEAD = dt.timedelta(days=2)


@reminder
def integrations_due(now: dt.datetime) -> Iterator[Event]:
    """Open integration requests due within two days: two queries (the requests, the teams)."""
    rows = list(
        IntegrationRequest.objects.filter(
            state=IntegrationRequest.State.OPEN, deadline__gt=now, deadline__lte=now + INTEGRATION_AHEAD
        )
        .values_list("pk", "application_id", "application__venture_id", "application__call__title", "deadline")
        .order_by("pk")
    )
    teams = recipients.team_users({row[2] for row in rows}) if rows else {}
    for pk, application_id, venture_id, title, deadline in rows:
        users = teams.get(venture_id)
        if users:
            yield Event(
                Kind.INTEGRATION_DEADLINE,
                event_key(Kind.INTEGRATION_DEADLINE, None, f"integration:{pk}"),
                users,
                {"call": title, "deadline": deadline},
                page("selection:application", application_id),
            )
