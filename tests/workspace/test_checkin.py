"""QR self check-in: the code, its expiry, its session, the roster, and "once"."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Attendance, AttendanceStatus
from cohorts.workspace import checkin
from incubator.audit import AuditEvent
from incubator.exceptions import DomainError
from tests import factories as f
from tests.cohorts.helpers import build_cohort
from tests.workspace.helpers import session_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    cw = build_cohort(world, extra_people=1)
    cw.now = session_now(cw)
    return cw


def _refused(why: str, **kwargs) -> None:
    with pytest.raises(DomainError) as caught:
        checkin.attendance_check_in(**kwargs)
    assert caught.value.code == why, caught.value


def test_a_participant_checks_in_once_with_the_time(cw, world):
    code = checkin.checkin_code(cw.now)
    result = checkin.attendance_check_in(actor=world.participant, session_id=cw.now.pk, code=code)
    assert result.created
    mark = Attendance.objects.get(session=cw.now, person=world.participant_person)
    assert (mark.status, mark.marked_by, mark.minutes_attended) == (AttendanceStatus.PRESENT, world.participant, None)
    assert abs((mark.marked_at - timezone.now()).total_seconds()) < 5
    assert AuditEvent.objects.filter(verb="attendance.check_in", actor=world.participant).count() == 1

    again = checkin.attendance_check_in(actor=world.participant, session_id=cw.now.pk, code=code)
    assert not again.created and again.mark.pk == mark.pk
    assert Attendance.objects.filter(session=cw.now).count() == 1
    assert AuditEvent.objects.filter(verb="attendance.check_in").count() == 1


def test_a_trainers_correction_is_kept(cw, world):
    cw.mark(cw.now, (world.participant_person, "partial", 40))
    result = checkin.attendance_check_in(
        actor=world.participant, session_id=cw.now.pk, code=checkin.checkin_code(cw.now)
    )
    assert not result.created
    assert Attendance.objects.get(session=cw.now, person=world.participant_person).status == "partial"


def test_the_code_is_good_for_its_window_and_the_next_then_expires(cw, world):
    shown = timezone.now()
    code = checkin.checkin_code(cw.now, at=shown)
    with time_machine.travel(shown + dt.timedelta(seconds=checkin.WINDOW_SECONDS), tick=False):
        checkin.check_code(cw.now.pk, code)  # the next window: still good
    with time_machine.travel(shown + dt.timedelta(seconds=2 * checkin.WINDOW_SECONDS + 1), tick=False):
        _refused("expired", actor=world.participant, session_id=cw.now.pk, code=code)
    assert not Attendance.objects.filter(session=cw.now).exists()


def test_a_code_of_another_session_or_made_up_is_refused(cw, world):
    other = session_now(cw, topic="Altra lezione")
    foreign = checkin.checkin_code(other)
    _refused("wrong_code", actor=world.participant, session_id=cw.now.pk, code=foreign)
    window = foreign.split("-")[0]
    for made_up in (f"{window}-0000", "", "abc", f"{int(window) + 5}-{foreign.split('-')[1]}"):
        _refused("wrong_code", actor=world.participant, session_id=cw.now.pk, code=made_up)
    assert not Attendance.objects.filter(session=cw.now).exists()


def test_someone_not_on_the_roster_is_refused(cw, world, other):
    code = checkin.checkin_code(cw.now)
    _refused("not_on_roster", actor=other.participant, session_id=cw.now.pk, code=code)
    _refused("not_on_roster", actor=world.coordinator, session_id=cw.now.pk, code=code)
    stranger = f.UserFactory(username="stranger")
    _refused("not_on_roster", actor=stranger, session_id=cw.now.pk, code=code)
    assert not Attendance.objects.filter(session=cw.now).exists()


def test_check_in_is_closed_outside_the_session(cw, world):
    code = checkin.checkin_code(cw.now)
    with time_machine.travel(cw.now.ends_at + dt.timedelta(minutes=1), tick=False):
        late = checkin.checkin_code(cw.now)
        _refused("closed", actor=world.participant, session_id=cw.now.pk, code=late)
    assert code


# --- the pages -------------------------------------------------------------------------------


def test_the_participant_page_checks_in_on_post(client, cw, world):
    url = reverse("cohorts:check-in", kwargs={"pk": cw.now.pk, "code": checkin.checkin_code(cw.now)})
    client.force_login(world.participant)
    page = client.get(url)
    assert page.status_code == 200 and cw.now.topic in page.content.decode()
    assert not Attendance.objects.filter(session=cw.now).exists()  # opening it changes nothing
    done = client.post(url)
    assert done.status_code == 200
    assert 'data-testid="checkin-done"' in done.content.decode()
    assert Attendance.objects.filter(session=cw.now, person=world.participant_person, status="present").exists()


def test_the_participant_page_names_the_refusal(client, cw, world, other):
    code = checkin.checkin_code(cw.now)
    client.force_login(other.participant)
    refused = client.post(reverse("cohorts:check-in", kwargs={"pk": cw.now.pk, "code": code}))
    assert refused.status_code == 404  # nothing said about the session
    assert "not on this session&#x27;s register" in refused.content.decode()
    assert cw.now.topic not in refused.content.decode()
    client.force_login(world.participant)
    wrong = client.get(reverse("cohorts:check-in", kwargs={"pk": cw.now.pk + 999, "code": code}))
    assert wrong.status_code == 404 and "not valid for this session" in wrong.content.decode()
    assert cw.now.topic not in wrong.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, cw):
    url = reverse("cohorts:check-in", kwargs={"pk": cw.now.pk, "code": checkin.checkin_code(cw.now)})
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_expired_code_on_the_page_is_refused_with_400(client, cw, world):
    shown = timezone.now()
    url = reverse("cohorts:check-in", kwargs={"pk": cw.now.pk, "code": checkin.checkin_code(cw.now, at=shown)})
    client.force_login(world.participant)
    with time_machine.travel(shown + dt.timedelta(seconds=3 * checkin.WINDOW_SECONDS), tick=False):
        response = client.post(url)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not Attendance.objects.filter(session=cw.now).exists()
