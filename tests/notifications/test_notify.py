"""notify(): one row per event and recipient (a database rule), rendered in each
recipient's language, routed by their preferences, made only when the action commits."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from incubator.notifications import services
from incubator.notifications.kinds import Channel, Kind
from incubator.notifications.models import EmailState, Notification, NotificationPreference, RecipientSettings
from tests import factories as f


def _notify(users, key="call:1", **kwargs):
    services.notify(
        Kind.RANKING_PUBLISHED, users, key=key, context={"call": "Avviso INNESCO"}, link="/my-path/", **kwargs
    )


def test_one_row_per_recipient_and_event_even_when_told_twice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify([world.participant, world.tutor])
    with django_capture_on_commit_callbacks(execute=True):
        _notify([world.participant, world.tutor, world.participant.pk])
    rows = Notification.objects.order_by("recipient_id")
    assert [(n.recipient_id, n.key) for n in rows] == sorted(
        [(world.participant.pk, "ranking_published:call:1"), (world.tutor.pk, "ranking_published:call:1")]
    )
    assert len(mail.outbox) == 2  # each sent once, never again
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.participant.email, world.tutor.email])


def test_the_database_refuses_a_second_row_for_the_same_event_and_recipient(world):
    Notification.objects.create(recipient=world.participant, kind=Kind.TRANCHE_PAID, key="k", subject="s", body="b")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=world.participant, kind=Kind.TRANCHE_PAID, key="k", subject="s", body="b")


def test_nothing_is_made_when_the_action_rolls_back(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _notify([world.participant])
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists() and mail.outbox == []


def test_each_recipient_reads_it_in_their_language(world, django_capture_on_commit_callbacks):
    RecipientSettings.objects.create(user=world.participant, language="it")
    RecipientSettings.objects.create(user=world.tutor, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([world.participant, world.tutor])
    italian = Notification.objects.get(recipient=world.participant)
    english = Notification.objects.get(recipient=world.tutor)
    assert (italian.language, english.language) == ("it", "en")
    assert english.subject == "A ranking was published"
    assert italian.subject == "È stata pubblicata una graduatoria"
    assert "Avviso INNESCO" in italian.body and "graduatoria" in italian.body
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[world.participant.email].subject == italian.subject
    assert "preferenze" in by_address[world.participant.email].body


def test_preferences_route_each_kind(world, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=world.participant, kind=Kind.RANKING_PUBLISHED, channel=Channel.OFF)
    NotificationPreference.objects.create(user=world.tutor, kind=Kind.RANKING_PUBLISHED, channel=Channel.DIGEST)
    RecipientSettings.objects.create(user=world.evaluator, language="en", emails_off=True)
    no_address = f.UserFactory(username="no-mail", email="")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([world.participant, world.tutor, world.evaluator, world.coordinator, no_address])
    states = dict(Notification.objects.values_list("recipient_id", "email_state"))
    assert states == {
        world.participant.pk: EmailState.NONE,  # inbox only
        world.tutor.pk: EmailState.DIGEST,
        world.evaluator.pk: EmailState.NONE,  # no e-mails at all
        world.coordinator.pk: EmailState.SENT,
        no_address.pk: EmailState.NONE,
    }
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]


def test_an_unknown_kind_is_a_programming_error(world):
    with pytest.raises(ValueError):
        services.notify("no_such_kind", [world.participant], key="x")
