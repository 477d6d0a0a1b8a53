"""The trainer's register on the phone and the QR check-in, in real Chromium at 390x844:
the trainer starts at home, opens the session's check-in screen; a participant checks in
with the code read from that screen and the trainer's roster fills in; expired and
foreign codes are refused; the trainer marks the register (all present, then an exception)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Attendance
from cohorts.workspace import checkin
from tests.browser.conftest import PHONE, open_context
from tests.cohorts.helpers import build_cohort
from tests.workspace.helpers import session_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-12345"  # tests.factories.UserFactory's


def _log_in(page, user, next_url: str) -> None:
    page.goto(f"/login/?next={next_url}")
    page.locator("#id_login").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{next_url}")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


def _watch(page, errors: list) -> None:
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and "favicon" not in r.url and "/check-in/" not in r.url
            else None
        ),
    )


def test_trainer_and_participant_on_their_phones(chromium, live_server, world, artifacts):
    cw = build_cohort(world, extra_people=2)
    session = session_now(cw)
    other_session = session_now(cw, topic="Altra aula")
    errors: list[str] = []

    trainer_context = open_context(chromium, live_server, PHONE, phone=True)
    trainer = trainer_context.new_page()
    _watch(trainer, errors)
    _log_in(trainer, world.tutor, "/")
    assert trainer.locator("html").get_attribute("lang") == "it"
    # From home to the session, by clicks.
    trainer.locator("main a[href='/sessions/']").click()
    trainer.wait_for_url("**/sessions/")
    trainer.get_by_text(session.topic).first.wait_for()
    checkin_url = reverse("cohorts:workspace-checkin", kwargs={"pk": session.pk})
    trainer.locator(f"a[href='{checkin_url}']").click()
    trainer.wait_for_url(f"**{checkin_url}")
    trainer.locator("#checkin-qr").wait_for()
    trainer.wait_for_function("document.getElementById('checkin-qr').complete")
    assert trainer.evaluate("document.getElementById('checkin-qr').naturalWidth") > 0  # the QR drew
    _no_sideways_scroll(trainer)
    trainer.screenshot(path=str(artifacts / "phone-trainer-checkin.png"), full_page=True)
    code_url = trainer.get_by_test_id("checkin-url").get_attribute("href")
    assert f"/check-in/{session.pk}/" in code_url

    # The participant scans it (opens the address), logged in, and confirms.
    participant_context = open_context(chromium, live_server, PHONE, phone=True)
    participant = participant_context.new_page()
    _watch(participant, errors)
    path = code_url.split(live_server.url, 1)[-1]
    _log_in(participant, world.participant, path)
    participant.locator("main form button[type=submit]").click()
    participant.get_by_test_id("checkin-done").wait_for()
    _no_sideways_scroll(participant)
    participant.screenshot(path=str(artifacts / "phone-participant-checked-in.png"), full_page=True)
    mark = Attendance.objects.get(session=session, person=world.participant_person)
    assert mark.status == "present" and mark.marked_by == world.participant

    # The trainer's roster fills in by itself (polling).
    trainer.locator(
        f"#checkin-roster li[data-person='{world.participant_person.pk}'][data-status='present']"
    ).wait_for()

    # An expired code and another session's code are refused, with the reason.
    expired = checkin.checkin_code(session, at=timezone.now() - dt.timedelta(minutes=3))
    participant.goto(reverse("cohorts:check-in", kwargs={"pk": session.pk, "code": expired}))
    assert "scad" in participant.get_by_test_id("checkin-error").inner_text()  # "Il codice è scaduto"
    foreign = checkin.checkin_code(other_session)
    participant.goto(reverse("cohorts:check-in", kwargs={"pk": session.pk, "code": foreign}))
    participant.get_by_test_id("checkin-error").wait_for()
    participant.screenshot(path=str(artifacts / "phone-participant-refused.png"), full_page=True)
    assert Attendance.objects.filter(session=session).count() == 1
    assert not Attendance.objects.filter(session=other_session).exists()

    # The trainer marks the register: all present, then one exception.
    trainer.locator(f"a[href='{reverse('cohorts:workspace-register', kwargs={'pk': session.pk})}']").first.click()
    trainer.locator("button[name=all_present]").click()
    trainer.locator(".messages li.success, [role=status]").first.wait_for()
    assert Attendance.objects.filter(session=session, status="present").count() == len(cw.people)
    absentee = cw.people[2]
    # Bootstrap Italia draws the radio on its label, which takes the click
    trainer.locator(f"label[for=status-{absentee.pk}-absent]").click()
    assert trainer.locator(f"#status-{absentee.pk}-absent").is_checked()
    _no_sideways_scroll(trainer)
    trainer.locator("button[name=save]").click()
    trainer.locator(".messages li.success, [role=status]").first.wait_for()
    trainer.screenshot(path=str(artifacts / "phone-trainer-register.png"), full_page=True)
    marks = dict(Attendance.objects.filter(session=session).values_list("person_id", "status"))
    assert marks[absentee.pk] == "absent" and marks[world.participant_person.pk] == "present"

    assert not errors, errors
    trainer_context.close()
    participant_context.close()


def test_participants_first_screen_on_a_phone(chromium, live_server, world, artifacts):
    """At 390x844, without scrolling: the next session and the next milestone by name."""
    from tests.path.conftest import build_picture

    build_picture(world)
    context = open_context(chromium, live_server, PHONE, phone=True)
    page = context.new_page()
    _log_in(page, world.participant, "/my-path/")
    for test_id in ("next-session", "next-milestone"):
        box = page.get_by_test_id(test_id).bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], (test_id, box)
    assert page.evaluate("window.scrollY") == 0
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "phone-participant-first-screen.png"), full_page=False)
    context.close()
