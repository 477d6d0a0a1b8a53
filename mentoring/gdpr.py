"""What the mentoring app holds about a person, for the access export (``incubator.privacy.registry``):
the tutoring sessions of their ventures with the shared notes (never the private ones,
which live in their own model) and the action items. Registered from
``MentoringConfig.ready``."""

from incubator.privacy import registry as gdpr
from mentoring.models import ActionItem, TutoringSession


def _sessions(subject: gdpr.Subject):
    return TutoringSession.objects.filter(assignment__enrolment__in=subject.enrolments.values("pk"))


@gdpr.section("tutoring_sessions", 210)
def _tutoring_sessions(subject: gdpr.Subject):
    sessions = _sessions(subject)
    present = set(sessions.filter(participants_present=subject.person).values_list("pk", flat=True))
    return [
        {**row, "present": row["id"] in present}
        for row in sessions.order_by("starts_at", "pk").values(
            "id", "starts_at", "minutes", "mode", "topics", "shared_notes"
        )
    ]


@gdpr.section("action_items", 220)
def _action_items(subject: gdpr.Subject):
    items = ActionItem.objects.filter(session__in=_sessions(subject).values("pk")).order_by("pk")
    return [
        {
            "text": item["text"],
            "due_on": item["due_on"],
            "done_at": item["done_at"],
            "mine": subject.person is not None and item["owner_id"] == subject.person.pk,
        }
        for item in items.values("text", "due_on", "done_at", "owner_id")
    ]
