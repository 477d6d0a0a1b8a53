"""What tutoring tells people (``incubator.notifications``): a session logged with shared
notes (to the venture's team; the notes themselves stay on the page, and private notes are
never read here), and the reminder of an action item due today or tomorrow (to its owner,
or to the tutor when it has none)."""

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from incubator.notifications import recipients
from incubator.notifications.kinds import Kind
from incubator.notifications.links import page
from incubator.notifications.reminders import reminder
from incubator.notifications.services import Event, event_key, notify
from mentoring.models import ActionItem, TutoringSession


def tutoring_notes_shared(session: TutoringSession) -> None:
    if not session.shared_notes:
        return
    venture = session.assignment.enrolment.application.venture
    notify(
        Kind.TUTORING_NOTES,
        recipients.venture_team(venture.pk),
        about=session,
        context={"on": timezone.localdate(session.starts_at), "venture": venture.title},
        link=page("mentoring:venture-log", venture.pk),
    )


@reminder
def action_items_due(now: dt.datetime) -> Iterator[Event]:
    """Open action items due today or tomorrow: one query (owner's or tutor's account with
    the item)."""
    today = timezone.localdate(now)
    rows = (
        ActionItem.objects.filter(done_at__isnull=True, due_on__gte=today, due_on__lte=today + dt.timedelta(days=1))
        .values_list(
            "pk",
            "text",
            "due_on",
            "owner__user_id",
            "owner__anonymised_at",
            "session__tutor__user_id",
            "session__assignment__enrolment__application__venture_id",
        )
        .order_by("pk")
    )
    for pk, text, due_on, owner_user, anonymised, tutor_user, venture_id in rows.iterator(chunk_size=2000):
        user_id = tutor_user if owner_user is None else (None if anonymised else owner_user)
        if user_id is None:
            continue
        link = page("mentoring:venture-log", venture_id) if owner_user else page("mentoring:my-ventures")
        key = event_key(Kind.ACTION_ITEM_DUE, None, f"action-item:{pk}:{due_on.isoformat()}")
        yield Event(Kind.ACTION_ITEM_DUE, key, [user_id], {"item": text, "due": due_on}, link)
