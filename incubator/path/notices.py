"""What the path tells the venture's team (``incubator.notifications``): evidence verified or
sent back, and the reminders of milestones due in 14 days and overdue."""

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from incubator.notifications import recipients
from incubator.notifications.kinds import Kind
from incubator.notifications.links import page
from incubator.notifications.reminders import reminder
from incubator.notifications.services import Event, event_key, notify
from incubator.path.models import EnrolmentStatus, Milestone
from incubator.path.models import MilestoneState as M

DUE_AHEAD = dt.timedelta(days=14)
OVERDUE_WITHIN = dt.timedelta(days=7)  # an older overdue milestone was told about already


def _context(milestone: Milestone) -> dict:
    venture = milestone.enrolment.application.venture
    return {"milestone": milestone.title, "venture": venture.title}


def evidence_verified(milestone: Milestone) -> None:
    notify(
        Kind.EVIDENCE_VERIFIED,
        recipients.venture_team(milestone.enrolment.application.venture_id),
        about=milestone,
        context=_context(milestone),
        link=page("cohorts:my-path"),
    )


def evidence_sent_back(milestone: Milestone) -> None:
    notify(
        Kind.EVIDENCE_SENT_BACK,
        recipients.venture_team(milestone.enrolment.application.venture_id),
        key=f"milestone:{milestone.pk}:{milestone.updated_at.isoformat()}",
        context=_context(milestone),
        link=page("cohorts:my-path"),
    )


@reminder
def milestones_due(now: dt.datetime) -> Iterator[Event]:
    """Open milestones of active paths due within 14 days, or overdue since at most a week:
    two queries (the milestones with their venture, then the teams)."""
    today = timezone.localdate(now)
    rows = list(
        Milestone.objects.filter(
            state__in=(M.PLANNED, M.IN_PROGRESS),
            due_on__gte=today - OVERDUE_WITHIN,
            due_on__lte=today + DUE_AHEAD,
            enrolment__status=EnrolmentStatus.ACTIVE,
        )
        .values_list(
            "pk", "title", "due_on", "enrolment__application__venture_id", "enrolment__application__venture__title"
        )
        .order_by("pk")
    )
    teams = recipients.team_users({row[3] for row in rows})
    link = page("cohorts:my-path")
    for pk, title, due_on, venture_id, venture in rows:
        users = teams.get(venture_id)
        if not users:
            continue
        kind = Kind.MILESTONE_OVERDUE if due_on < today else Kind.MILESTONE_DUE
        yield Event(
            kind,
            event_key(kind, None, f"milestone:{pk}:{due_on.isoformat()}"),
            users,
            {"milestone": title, "venture": venture, "due": due_on},
            link,
        )
