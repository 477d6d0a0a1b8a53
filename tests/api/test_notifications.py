"""The notification centre through the API, for each role: ``notifications`` (one's own
only: someone else's answers 404 and stays unread), the unread filter and count, marking
read; ``me/notification-preferences``; and ``notification-deliveries`` (administrators
only). Bad input answers 400 naming the field and changes nothing; each list costs the
same queries for 1 row and for 50."""

import datetime as dt

import pytest
from django.utils import timezone

from incubator import access
from incubator.models import AuditEvent
from incubator.notifications import services
from incubator.notifications.kinds import Channel, Kind
from incubator.notifications.models import EmailState, Notification, NotificationPreference, RecipientSettings
from incubator.notifications.tokens import default_language
from tests.api.helpers import ANONYMOUS, ROLES, client_as, client_for, ids, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"
PREFERENCES = "/api/v1/me/notification-preferences/"
DELIVERIES = "/api/v1/notification-deliveries/"
PEOPLE = ("coordinator", "evaluator", "tutor", "participant", "admin")


def _make(user, n=1, kind=Kind.RANKING_PUBLISHED, **fields) -> list[Notification]:
    start = Notification.objects.filter(recipient=user).count()
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            key=f"{kind}:{user.pk}:{start + i}",
            subject=f"Subject {start + i}",
            body=f"Body {start + i}",
            link="/my-path/",
            language="en",
            **fields,
        )
        for i in range(n)
    )
    return list(Notification.objects.filter(recipient=user).order_by("pk"))[start:]


def _user(role, world, admin_user):
    return admin_user if role == "admin" else getattr(world, role)


@pytest.mark.parametrize("role", PEOPLE)
def test_each_person_reads_and_marks_only_their_own(role, world, other, admin_user):
    user = _user(role, world, admin_user)
    mine = _make(user, 2)
    theirs = _make(other.participant, 1)[0]
    client = client_for(role, world, admin_user)
    assert ids(client.get(URL)) == {n.pk for n in mine}  # an administrator too: the inbox is one's own
    row = client.get(f"{URL}{mine[0].pk}/").json()
    assert row["subject"] == "Subject 0" and row["unread"] is True and row["kind_label"] == "Ranking published"
    # Someone else's: 404 to read it and to mark it, and it stays unread.
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    response = client.post(f"{URL}{mine[0].pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert client.get(f"{URL}unread-count/").json() == {"unread": 1}
    assert client.post(f"{URL}read-all/").json() == {"marked": 1}
    assert client.get(f"{URL}unread-count/").json() == {"unread": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_anonymous_callers_are_refused(world):
    mine = _make(world.participant)[0]
    client = client_for("anonymous", world, None)
    for url in (URL, f"{URL}{mine.pk}/", f"{URL}unread-count/", PREFERENCES, DELIVERIES):
        assert client.get(url).status_code in ANONYMOUS, url
    for url in (f"{URL}{mine.pk}/read/", f"{URL}read-all/"):
        assert client.post(url).status_code in ANONYMOUS, url
    assert client.patch(PREFERENCES, {"language": "it"}).status_code in ANONYMOUS
    assert Notification.objects.get(pk=mine.pk).read_at is None and not RecipientSettings.objects.exists()


def test_marking_read_twice_keeps_the_first_time(world):
    mine = _make(world.participant)[0]
    client = client_as(world.participant)
    first = client.post(f"{URL}{mine.pk}/read/").json()["read_at"]
    assert client.post(f"{URL}{mine.pk}/read/").json()["read_at"] == first


def test_the_unread_and_kind_filters(world):
    read = _make(world.participant, 2, read_at=timezone.now())
    unread = _make(world.participant, 3, kind=Kind.TRANCHE_PAID)
    client = client_as(world.participant)
    assert ids(client.get(URL, {"unread": "true"})) == {n.pk for n in unread}
    assert ids(client.get(URL, {"unread": "false"})) == {n.pk for n in read}
    assert ids(client.get(URL, {"kind": Kind.RANKING_PUBLISHED})) == {n.pk for n in read}
    newest_first = [row["id"] for row in results(client.get(URL))]
    assert newest_first == sorted(newest_first, reverse=True)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"unread": "perhaps"}, "unread"), ({"kind": "gossip"}, "kind"), ({"ordering": "body"}, None)],
)
def test_bad_filters_answer_400_naming_the_parameter(params, field, world):
    _make(world.participant)
    response = client_as(world.participant).get(URL, params)
    if field is None:  # an ordering that is not offered is ignored, never a 500
        assert response.status_code == 200
        return
    assert response.status_code == 400 and list(response.json()) == [field]


def test_an_id_that_is_not_a_number_or_too_large_answers_404(world):
    client = client_as(world.participant)
    assert client.get(f"{URL}abc/").status_code == 404
    assert client.post(f"{URL}{2**70}/read/").status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_costs_the_same_queries_for_1_and_50_rows(rows, world, django_assert_num_queries):
    _make(world.participant, rows)
    access.forget(world.participant)
    client = client_as(world.participant)
    # the page's count, its rows (the recipient's own: no role is read)
    with django_assert_num_queries(2):
        response = client.get(URL, {"page_size": 100})
    assert len(results(response)) == rows


# --- preferences ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_and_changes_only_its_own_preferences(role, world, other, admin_user):
    client = client_for(role, world, admin_user)
    response = client.get(PREFERENCES)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    user = _user(role, world, admin_user)
    data = response.json()
    assert data["language"] == default_language() and data["emails_off"] is False
    chosen = "it" if default_language() != "it" else "en"
    kinds = {row["kind"]: row for row in data["kinds"]}
    assert set(kinds) == set(Kind.values)
    assert kinds[Kind.MILESTONE_DUE]["channel"] == Channel.DIGEST == kinds[Kind.MILESTONE_DUE]["default"]
    response = client.patch(
        PREFERENCES,
        {"language": chosen, "channels": {Kind.TRANCHE_PAID: Channel.OFF, Kind.MILESTONE_DUE: "instant"}},
    )
    assert response.status_code == 200, response.content
    kinds = {row["kind"]: row for row in response.json()["kinds"]}
    assert kinds[Kind.TRANCHE_PAID]["channel"] == Channel.OFF and kinds[Kind.MILESTONE_DUE]["channel"] == "instant"
    assert response.json()["language"] == chosen == RecipientSettings.objects.get(user=user).language
    assert services.channels_of(user)[Kind.TRANCHE_PAID] == Channel.OFF
    assert services.channels_of(other.participant)[Kind.TRANCHE_PAID] == Channel.INSTANT
    assert not NotificationPreference.objects.exclude(user=user).exists()
    assert AuditEvent.objects.filter(verb="notification_preferences.update", actor=user).count() == 1
    # What is left out stays as it was.
    response = client.patch(PREFERENCES, {"emails_off": True})
    assert response.json()["language"] == chosen and response.json()["emails_off"] is True
    assert services.channels_of(user)[Kind.TRANCHE_PAID] == Channel.OFF


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"language": "de"}, {"language"}),
        ({"emails_off": "maybe"}, {"emails_off"}),
        ({"channels": {Kind.TRANCHE_PAID: "sometimes"}}, {"channels"}),
        ({"channels": {"gossip": "off"}}, {"channels"}),
        ({"channels": ["off"]}, {"channels"}),
        ({"language": "xx", "channels": {Kind.TRANCHE_PAID: "off", "gossip": "off"}}, {"language", "channels"}),
    ],
)
def test_bad_preferences_answer_400_naming_the_field_and_change_nothing(body, errors, world):
    response = client_as(world.participant).patch(PREFERENCES, body)
    assert response.status_code == 400
    assert set(response.json()) == errors
    channels = body.get("channels")
    if isinstance(channels, dict):
        bad = {kind for kind, channel in channels.items() if kind not in Kind.values or channel not in Channel.values}
        assert set(response.json()["channels"]) == bad  # the kind at fault is named
    assert not RecipientSettings.objects.exists() and not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.filter(verb="notification_preferences.update").exists()


def test_a_body_that_is_not_json_answers_415(world):
    response = client_as(world.participant).generic(
        "PATCH", PREFERENCES, "language=it", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415 and not RecipientSettings.objects.exists()


# --- deliveries (administrators) -----------------------------------------------------------


def _failed(user) -> Notification:
    return _make(
        user,
        kind=Kind.SESSION_SCHEDULED,
        email_state=EmailState.FAILED,
        email_attempts=5,
        email_error="550 mailbox unavailable",
        email_next_at=timezone.now() - dt.timedelta(hours=1),
    )[0]


@pytest.mark.parametrize("role", ROLES)
def test_failed_deliveries_are_shown_to_administrators_only(role, world, admin_user):
    failed = _failed(world.participant)
    sent = _make(world.coordinator, email_state=EmailState.SENT)[0]
    client = client_for(role, world, admin_user)
    response = client.get(DELIVERIES, {"state": "failed"})
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    detail = client.get(f"{DELIVERIES}{failed.pk}/")
    if role != "admin":
        # Not even one's own row: the back office's view of e-mails is the administrators'.
        assert results(response) == [] and detail.status_code == 404
        return
    (row,) = results(response)
    assert row["id"] == failed.pk and row["recipient"] == world.participant.pk
    assert row["email_state"] == "failed" and row["email_attempts"] == 5 and "550" in row["email_error"]
    assert "subject" not in row and "body" not in row  # the texts are the recipient's
    assert detail.status_code == 200 and detail.json() == row
    assert ids(client.get(DELIVERIES, {"state": "sent"})) == {sent.pk}
    assert client.get(DELIVERIES, {"state": "lost"}).status_code == 400
    assert list(client.get(DELIVERIES, {"recipient": 2**70}).json()) == ["recipient"]


@pytest.mark.parametrize("rows", [1, 50])
def test_the_deliveries_list_costs_the_same_queries_for_1_and_50_rows(
    rows, world, admin_user, django_assert_num_queries
):
    for _ in range(rows):
        _failed(world.participant)
    client = client_as(admin_user)
    # the page's count, its rows
    with django_assert_num_queries(2):
        response = client.get(DELIVERIES, {"state": "failed", "page_size": 100})
    assert len(results(response)) == rows
