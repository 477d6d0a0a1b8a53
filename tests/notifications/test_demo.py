"""seed_demo: every persona has notifications in the inbox, the events of the demo among them."""

import io

from django.core.management import call_command

from incubator.demo_context import PERSONAS
from incubator.models import User
from incubator.notifications.kinds import Kind
from incubator.notifications.models import Notification


def test_every_demo_persona_has_notifications(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    for username in PERSONAS:
        user = User.objects.get(username=username)
        kinds = set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))
        assert Kind.WELCOME in kinds, username
    told = set(Notification.objects.exclude(kind=Kind.WELCOME).values_list("recipient__username", "kind"))
    assert ("participant", Kind.TUTORING_NOTES) in told
    assert ("evaluator", Kind.EVALUATOR_ASSIGNED) in told
    assert {kind for _user, kind in told} >= {Kind.APPLICATION_OUTCOME, Kind.GRANT_AWARDED, Kind.SUBMISSION_RECEIPT}
