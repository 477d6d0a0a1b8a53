"""The workspace pages: my sessions, the register on the phone, the check-in screen, each
role allowed or refused (404), and saving through the bulk service."""

import datetime as dt

import pytest
from django.urls import reverse

from cohorts.models import Attendance
from cohorts.workspace import checkin
from tests.cohorts.helpers import build_cohort, days_ago, make_trainer, today
from tests.workspace.helpers import session_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    cw = build_cohort(world, extra_people=2)
    cw.now = session_now(cw)
    cw.next = cw.session(day=today() + dt.timedelta(days=3), topic="Prossima lezione")
    cw.past = cw.session(day=days_ago(3), topic="Lezione passata")
    return cw


def _status(client, user, url) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def _pages(session) -> list[str]:
    return [
        reverse("cohorts:workspace-register", kwargs={"pk": session.pk}),
        reverse("cohorts:workspace-checkin", kwargs={"pk": session.pk}),
        reverse("cohorts:workspace-checkin-state", kwargs={"pk": session.pk}),
        reverse("cohorts:workspace-checkin-qr", kwargs={"pk": session.pk}),
    ]


def test_each_role_on_the_session_pages(client, cw, world, other, admin_user):
    lone_trainer = make_trainer(world, "lone-trainer")  # a trainer of the programme, not of this session
    for url in _pages(cw.now):
        assert _status(client, world.tutor, url) == 200, url  # the session's trainer
        assert _status(client, world.coordinator, url) == 200, url
        for user in (lone_trainer, world.participant, world.evaluator, other.coordinator, other.tutor):
            assert _status(client, user, url) == 404, (user.username, url)
        assert _status(client, None, url) == 302, url


def test_my_sessions_for_each_role(client, cw, world, other):
    url = reverse("cohorts:my-sessions")
    client.force_login(world.tutor)
    html = client.get(url).content.decode()
    for topic in (cw.now.topic, cw.next.topic, cw.past.topic):
        assert topic in html
    assert reverse("cohorts:workspace-checkin", kwargs={"pk": cw.now.pk}) in html
    assert _status(client, world.coordinator, url) == 200
    client.force_login(other.tutor)
    assert cw.now.topic not in client.get(url).content.decode()  # another programme's trainer
    for user in (world.participant, world.evaluator):
        assert _status(client, user, url) == 404


def test_a_trainer_who_is_not_staff_marks_all_present_then_the_exceptions(client, cw, world):
    assert not world.tutor.is_staff
    url = reverse("cohorts:workspace-register", kwargs={"pk": cw.now.pk})
    client.force_login(world.tutor)
    page = client.get(url).content.decode()
    for person in cw.people:
        assert f'id="status-{person.pk}-present"' in page and f'for="minutes-{person.pk}"' in page
    assert client.post(url, {"all_present": "1"}).status_code == 302
    assert set(Attendance.objects.filter(session=cw.now).values_list("status", flat=True)) == {"present"}

    a, b, c = cw.people
    posted = {
        f"status-{a.pk}": "present",
        f"status-{b.pk}": "partial",
        f"minutes-{b.pk}": "45",
        f"status-{c.pk}": "justified",
        "save": "1",
    }
    assert client.post(url, posted).status_code == 302
    marks = {m.person_id: (m.status, m.minutes_attended) for m in Attendance.objects.filter(session=cw.now)}
    assert marks == {a.pk: ("present", None), b.pk: ("partial", 45), c.pk: ("justified", None)}
    # The same again changes nothing (idempotent) and says so.
    response = client.post(url, posted, follow=True)
    assert "0 marks recorded, 3 unchanged" in response.content.decode()


def test_a_wrong_line_is_named_and_nothing_is_saved(client, cw, world):
    url = reverse("cohorts:workspace-register", kwargs={"pk": cw.now.pk})
    client.force_login(world.tutor)
    a, b, c = cw.people
    posted = {f"status-{a.pk}": "present", f"status-{b.pk}": "partial", f"minutes-{b.pk}": "", f"status-{c.pk}": "x"}
    response = client.post(url, posted)
    assert response.status_code == 400
    html = response.content.decode()
    assert "partial attendance needs the minutes attended" in html and b.last_name in html
    assert f'id="error-{b.pk}"' in html
    assert not Attendance.objects.filter(session=cw.now).exists()
    over = client.post(url, {**posted, f"minutes-{b.pk}": "999", f"status-{c.pk}": "absent"})
    assert over.status_code == 400 and "more than the session" in over.content.decode()
    assert not Attendance.objects.filter(session=cw.now).exists()


def test_a_future_session_has_no_register_form_and_refuses_a_post(client, cw, world):
    url = reverse("cohorts:workspace-register", kwargs={"pk": cw.next.pk})
    client.force_login(world.tutor)
    assert "register-form" not in client.get(url).content.decode()
    response = client.post(url, {"all_present": "1"})
    assert response.status_code == 400 and "not started yet" in response.content.decode()
    assert not Attendance.objects.filter(session=cw.next).exists()


def test_the_check_in_screen_shows_the_code_and_the_roster_fills_in(client, cw, world):
    client.force_login(world.tutor)
    screen = client.get(reverse("cohorts:workspace-checkin", kwargs={"pk": cw.now.pk})).content.decode()
    code = checkin.checkin_code(cw.now)
    assert reverse("cohorts:check-in", kwargs={"pk": cw.now.pk, "code": code}) in screen
    assert "cohorts/checkin.js" in screen and "<script>" not in screen
    qr = client.get(reverse("cohorts:workspace-checkin-qr", kwargs={"pk": cw.now.pk}))
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")

    checkin.attendance_check_in(actor=world.participant, session_id=cw.now.pk, code=code)
    state = client.get(reverse("cohorts:workspace-checkin-state", kwargs={"pk": cw.now.pk})).json()
    assert state["present"] == 1 and state["open"] is True
    row = next(r for r in state["rows"] if r["id"] == world.participant_person.pk)
    assert row["status"] == "present" and row["marked_at"]


def test_my_sessions_reads_a_fixed_number_of_queries(client, cw, world, django_assert_num_queries):
    client.force_login(world.tutor)
    url = reverse("cohorts:my-sessions")
    client.get(url)
    # session, user, roles; today's, next and last sessions; the enrolments the tutor follows.
    with django_assert_num_queries(7):
        assert len(client.get(url).context["sessions"].upcoming) == 1
    for day in range(1, 50):
        cw.session(day=today() + dt.timedelta(days=10 + day), topic=f"Lezione {day}")
    with django_assert_num_queries(7):
        assert len(client.get(url).context["sessions"].upcoming) == 10  # the next ten
