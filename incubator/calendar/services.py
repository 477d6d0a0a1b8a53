"""Calendar feeds: issuing a person's secret feed URL for a role and rotating it."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Programme, Role, User
from incubator.services import _save_new

CENT = Decimal("0.01")


FEED_ROLES = {
    CalendarFeed.Kind.PARTICIPANT: (Role.PARTICIPANT,),
    CalendarFeed.Kind.TUTOR: (Role.TUTOR,),
    CalendarFeed.Kind.COHORT: (Role.TUTOR, Role.PARTICIPANT),
}


def _require_feed_owner(actor, *, kind: str, programme_id: int, user_id: int | None) -> None:
    if access.has_role(actor, programme_id, Role.COORDINATOR):
        return
    if kind == CalendarFeed.Kind.COHORT:
        # Cohort feeds: the cohorts app checks membership before calling; here the role.
        access.require_role(actor, programme_id, *FEED_ROLES[kind])
        return
    if user_id != actor.pk:
        raise NotPermitted()
    access.require_role(actor, programme_id, *FEED_ROLES[kind])


@transaction.atomic
def calendar_feed_get_or_issue(
    *, actor, kind: str, programme: Programme, user: User | None = None, subject_id: int | None = None
) -> CalendarFeed:
    """The active feed for this subject, or a new one (one active feed per subject)."""
    user_id = user.pk if user else None
    _require_feed_owner(actor, kind=kind, programme_id=programme.pk, user_id=user_id)
    lookup = {"kind": kind, "programme": programme, "user_id": user_id, "subject_id": subject_id}
    feed = CalendarFeed.objects.select_for_update().filter(revoked_at__isnull=True, **lookup).first()
    if feed is None:
        feed = _save_new(CalendarFeed(**lookup))
        audit.record(actor=actor, verb="calendar.issue", target=feed, programme_id=programme.pk)
    return feed


@transaction.atomic
def calendar_feed_rotate(*, actor, feed: CalendarFeed) -> CalendarFeed:
    """Revokes the feed's URL (it answers 404 from now on) and issues a new one."""
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    _require_feed_owner(actor, kind=feed.kind, programme_id=feed.programme_id, user_id=feed.user_id)
    if feed.revoked_at:
        raise DomainError(_("This calendar link was already revoked."), code="revoked", field="token")
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    new = _save_new(
        CalendarFeed(kind=feed.kind, programme_id=feed.programme_id, user_id=feed.user_id, subject_id=feed.subject_id)
    )
    audit.record(actor=actor, verb="calendar.rotate", target=new, programme_id=feed.programme_id)
    return new
