"""The inbox, read marks, preferences and unsubscribe pages, for each role: a person sees
and changes only their own (someone else's notification answers 404)."""

import pytest
from django.test import Client

from incubator.notifications import services
from incubator.notifications.kinds import Channel, Kind
from incubator.notifications.models import Notification, NotificationPreference, RecipientSettings

ROLES = ("coordinator", "evaluator", "tutor", "participant")


def _make(user, n=1, kind=Kind.RANKING_PUBLISHED):
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            key=f"{kind}:{user.pk}:{i}",
            subject=f"Subject {i}",
            body=f"Body {i}",
            link="/my-path/",
            language="en",
        )
        for i in range(n)
    )
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_own_inbox(role, world, other):
    user = getattr(world, role)
    mine = _make(user, 2)
    theirs = _make(getattr(other, role), 1)[0]
    client = page_as(user)
    body = client.get("/notifications/").content.decode()
    assert "Subject 0" in body and "Subject 1" in body
    assert f'id="n-{theirs.pk}"' not in body
    assert "2 unread notifications" in body
    # Someone else's notification: 404, and it stays unread.
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get(f"/notifications/{mine[0].pk}/read/").status_code == 405
    response = client.post(f"/notifications/{mine[0].pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/my-path/"
    assert Notification.objects.get(pk=mine[0].pk).read_at is not None
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_anonymous_visitors_are_sent_to_log_in(world):
    client = Client()
    for url in ("/notifications/", "/notifications/preferences/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_unread_count_is_on_every_page_through_the_context_processor(world):
    _make(world.participant, 3)
    response = page_as(world.participant).get("/notifications/preferences/")
    assert response.context["notifications_unread"] == 3
    from django.template.loader import render_to_string

    bell = render_to_string("notifications/_bell.html", {"user": world.participant, "notifications_unread": 3})
    assert 'href="/notifications/"' in bell and ">3<" in bell


@pytest.mark.parametrize("rows", [1, 50])
def test_the_inbox_runs_the_same_queries_for_1_and_50_rows(rows, world, django_assert_num_queries):
    _make(world.participant, rows)
    client = page_as(world.participant)
    # session, user, the page's count and rows, the unread count, the menu's roles (navigation)
    with django_assert_num_queries(6):
        response = client.get("/notifications/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sets_its_own_preferences(role, world):
    user = getattr(world, role)
    client = page_as(user)
    form = client.get("/notifications/preferences/")
    assert form.status_code == 200
    data = {f"kind_{kind}": Channel.INSTANT for kind in Kind.values}
    data |= {"language": "it", "kind_milestone_due": Channel.OFF, "kind_tranche_paid": Channel.DIGEST}
    assert client.post("/notifications/preferences/", data).status_code == 302
    assert services.channels_of(user)[Kind.MILESTONE_DUE] == Channel.OFF
    assert services.channels_of(user)[Kind.TRANCHE_PAID] == Channel.DIGEST
    assert RecipientSettings.objects.get(user=user).language == "it"
    assert not NotificationPreference.objects.exclude(user=user).exists()


def test_bad_preferences_answer_400_naming_the_field_and_change_nothing(world):
    client = page_as(world.participant)
    data = {f"kind_{kind}": Channel.INSTANT for kind in Kind.values}
    data |= {"language": "de", "kind_tranche_paid": "sometimes"}
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"language", "kind_tranche_paid"}
    assert 'href="#id_language"' in response.content.decode()
    assert not RecipientSettings.objects.exists() and not NotificationPreference.objects.exists()


def test_unsubscribe_asks_on_get_and_acts_on_post(world):
    token = services.unsubscribe_token(world.participant.pk, Kind.TRANCHE_PAID)
    client = Client()
    page = client.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200 and "Tranche paid" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # a link scanner changes nothing
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 200
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 200  # twice is fine
    assert services.channels_of(world.participant)[Kind.TRANCHE_PAID] == Channel.OFF
    assert services.channels_of(world.participant)[Kind.GRANT_AWARDED] == Channel.INSTANT


def test_the_digest_link_stops_every_e_mail(world):
    token = services.unsubscribe_token(world.participant.pk, services.ALL_KINDS)
    assert Client().post(f"/notifications/unsubscribe/{token}/").status_code == 200
    assert RecipientSettings.objects.get(user=world.participant).emails_off


def test_a_forged_or_altered_token_answers_404(world):
    token = services.unsubscribe_token(world.participant.pk, Kind.TRANCHE_PAID)
    client = Client()
    assert client.post(f"/notifications/unsubscribe/{token[:-2]}xy/").status_code == 404
    assert client.post("/notifications/unsubscribe/not-a-token/").status_code == 404
    assert not NotificationPreference.objects.exists()
