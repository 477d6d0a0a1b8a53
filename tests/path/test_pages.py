"""The portal and the path pages: each role allowed and 404, the forms they post
(evidence, states, verification, calendar link, suspension), "download my data", the
landing redirect per role, and the portal's query budget at 1 and 50 rows."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from incubator.calendar import services
from incubator.calendar.models import CalendarFeed
from incubator.models import RoleAssignment
from incubator.path import services as services_path
from incubator.path.models import EnrolmentStatus, Milestone
from incubator.path.models import MilestoneState as M
from tests import factories as f
from tests.path.conftest import PDF, build_picture, upload

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- the participant portal --------------------------------------------------------------------


@pytest.mark.usefixtures("italian_default")
def test_portal_shows_the_whole_path_in_italian_by_default(world, picture):
    response = browser(world.participant).get("/my-path/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="it">' in html
    assert world.venture.title in html
    for title in ("Idea canvas", "Business plan", "Exit", "Extra step 0"):
        assert title in html
    assert "Shared note 0" in html and "Action 0" in html
    assert "Upcoming lesson 0" in html and "Next meeting 0" in html
    assert "Produzioni dal Basso" in html
    for note in picture.private_notes:
        assert note not in html
    # 36 months on the timeline, the current one marked.
    assert len(re.findall(r'<span class="[^"]*"[^>]*title="[^"]+">\d+', html)) == 36
    assert html.count('class="past current"') + html.count('class=" current"') == 1
    assert 'href="/my-path/data.json"' in html


def test_portal_in_english(world, picture):
    c = browser(world.participant)
    response = c.post("/i18n/setlang/", {"language": "en", "next": "/my-path/"})
    assert response.status_code == 302
    html = c.get("/my-path/").content.decode()
    assert '<html lang="en">' in html and "My path" in html


def test_portal_needs_a_login(world, picture):
    response = browser().get("/my-path/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_portal_shows_nothing_of_another_venture(world, other, picture):
    html = browser(other.participant).get("/my-path/").content.decode()
    assert world.venture.title not in html and "Idea canvas" not in html


def test_calendar_link_issue_copy_and_rotate(world, picture):
    c = browser(world.participant)
    page = c.get("/my-path/").content.decode()
    assert "data-copy" not in page  # no link yet: a button creates it
    programme = world.programme.pk
    response = c.post(f"/path/calendar/{programme}/", {"action": "issue", "next": "/my-path/"})
    assert response.status_code == 302 and response["Location"] == "/my-path/"
    feed = CalendarFeed.objects.get(user=world.participant, revoked_at__isnull=True)
    page = c.get("/my-path/").content.decode()
    assert f"/calendar/{feed.token}.ics" in page and 'data-copy="calendar-url-' in page
    assert c.get(f"/calendar/{feed.token}.ics").status_code == 200
    c.post(f"/path/calendar/{programme}/", {"action": "rotate", "next": "/my-path/"})
    new = CalendarFeed.objects.get(user=world.participant, revoked_at__isnull=True)
    assert new.token != feed.token
    assert c.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert f"/calendar/{new.token}.ics" in c.get("/my-path/").content.decode()


def test_calendar_link_of_another_programme_answers_404(world, other, picture):
    response = browser(world.participant).post(f"/path/calendar/{other.programme.pk}/", {"action": "issue"})
    assert response.status_code == 404
    assert not CalendarFeed.objects.exists()


def test_next_is_kept_on_our_site(world, picture):
    response = browser(world.participant).post(
        f"/path/calendar/{world.programme.pk}/", {"action": "issue", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- download my data ----------------------------------------------------------------------------


def test_download_my_data_has_own_records_and_nobody_elses(world, picture):
    teammate = f.PersonFactory(programme=world.programme, tax_code=f.tax_code(9999))
    f.TeamMemberFactory(venture=world.venture, person=teammate, role="member")
    milestone = picture.path.milestone("Business plan")
    services_path.milestone_attach_evidence(actor=world.participant, milestone=milestone, file=upload("plan.pdf", PDF))
    feed = services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )
    response = browser(world.participant).get("/my-path/data.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    data = json.loads(body)
    assert data["account"]["username"] == world.participant.username
    assert data["person"]["tax_code"] == world.participant_person.tax_code
    assert {m["title"] for m in data["milestones"]} >= {"Idea canvas", "Business plan"}
    assert any(m["evidence_file"] for m in data["milestones"])
    assert {a["status"] for a in data["attendance"]} == {"absent"}
    assert data["tutoring_sessions"][0]["shared_notes"] == "Shared note 0"
    assert data["action_items"][0]["mine"] is True
    assert data["funding"][0]["campaigns"][0]["platform"] == "Produzioni dal Basso"
    assert data["calendar_feeds"][0]["kind"] == "participant"
    assert any(a["verb"] == "milestone.evidence" for a in data["my_actions"])
    for secret in [*picture.private_notes, teammate.tax_code, teammate.last_name, feed.token]:
        assert secret not in body


def test_download_my_data_needs_a_login(db):
    assert browser().get("/my-path/data.json").status_code == 302


# --- the path seen by tutors and coordinators --------------------------------------------------------


def test_venture_path_by_role(world, other, picture, admin_user):
    url = f"/path/enrolments/{picture.path.enrolment.pk}/"
    for user in (world.coordinator, world.tutor, world.participant, admin_user):
        response = browser(user).get(url)
        assert response.status_code == 200, user
        assert "Idea canvas" in response.content.decode()
    unassigned = f.UserFactory(username="A-tutor-unassigned")
    RoleAssignment.objects.create(user=unassigned, programme=world.programme, role="tutor")
    for user in (world.evaluator, unassigned, other.coordinator, other.tutor, other.participant):
        assert browser(user).get(url).status_code == 404, user
    assert browser(world.coordinator).get("/path/enrolments/999999/").status_code == 404


def test_venture_path_for_the_tutor_has_their_actions_not_private_notes(world, picture):
    html = browser(world.tutor).get(f"/path/enrolments/{picture.path.enrolment.pk}/").content.decode()
    assert "Mark missed" in html and "Verify" not in html  # nothing achieved yet
    assert "Waive this milestone" not in html  # coordinators only
    for note in picture.private_notes:
        assert note not in html
    coordinator_html = browser(world.coordinator).get(f"/path/enrolments/{picture.path.enrolment.pk}/").content
    assert b"Waive this milestone" in coordinator_html and b"Suspend the path" in coordinator_html


def test_overview_lists_overdue_milestones_of_all_ventures(world, other, picture):
    overdue = Milestone.objects.filter(
        enrolment=picture.path.enrolment, state__in=[M.PLANNED, M.IN_PROGRESS], due_on__lt=timezone.localdate()
    )
    assert overdue.exists()
    for user in (world.coordinator, world.tutor):
        html = browser(user).get("/path/").content.decode()
        for milestone in overdue:
            assert f'href="/path/enrolments/{picture.path.enrolment.pk}/#m-{milestone.pk}"' in html
    assert "Idea canvas" not in browser(other.coordinator).get("/path/").content.decode()
    assert browser(world.participant).get("/path/").status_code == 404
    assert browser(world.evaluator).get("/path/").status_code == 404


# --- the forms -------------------------------------------------------------------------------------


def test_evidence_upload_form(world, other, picture, media):
    milestone = picture.path.milestone("Business plan")
    url = f"/path/milestones/{milestone.pk}/evidence/upload/"
    response = browser(world.participant).post(url, {"file": upload("piano.pdf", PDF), "next": "/my-path/"})
    assert response.status_code == 302 and response["Location"] == "/my-path/"
    milestone.refresh_from_db()
    assert milestone.evidence_file.name.endswith("-piano.pdf")
    response = browser(world.participant).post(url, {"file": upload("piano.exe", b"MZ" + b"0" * 50)}, follow=True)
    assert any("not accepted" in m for m in _messages(response))
    assert browser(other.participant).post(url, {"url": "https://e.org"}).status_code == 404
    assert browser().post(url, {"url": "https://e.org"}).status_code == 302  # to the login
    milestone.refresh_from_db()
    assert milestone.evidence_url == ""


def test_evidence_download_only_through_the_checked_view(world, other, picture, media):
    milestone = picture.path.milestone("Business plan")
    services_path.milestone_attach_evidence(actor=world.participant, milestone=milestone, file=upload("p.pdf", PDF))
    milestone.refresh_from_db()
    url = f"/path/milestones/{milestone.pk}/evidence/"
    for user in (world.participant, world.coordinator, world.tutor):
        response = browser(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    for user in (other.participant, other.coordinator, world.evaluator):
        assert browser(user).get(url).status_code == 404
    assert browser().get(url).status_code == 302
    # No public URL serves the stored file.
    assert browser(world.participant).get(f"/media/{milestone.evidence_file.name}").status_code == 404
    assert browser(world.participant).get(milestone.evidence_file.url).status_code == 404


def test_state_and_verify_forms(world, other, picture):
    milestone = picture.path.milestone("Idea canvas")
    state_url = f"/path/milestones/{milestone.pk}/state/"
    assert browser(other.participant).post(state_url, {"state": "achieved"}).status_code == 404
    browser(world.participant).post(state_url, {"state": "achieved", "next": "/my-path/"})
    milestone.refresh_from_db()
    assert milestone.state == M.ACHIEVED
    verify_url = f"/path/milestones/{milestone.pk}/verify/"
    response = browser(world.participant).post(verify_url, follow=True)
    assert response.status_code == 200 and _messages(response)
    milestone.refresh_from_db()
    assert milestone.verified_at is None
    browser(world.tutor).post(verify_url)
    milestone.refresh_from_db()
    assert milestone.verified_by == world.tutor


def test_waiver_form_needs_a_reason(world, picture):
    milestone = picture.path.milestone("Grant application")
    url = f"/path/milestones/{milestone.pk}/state/"
    response = browser(world.coordinator).post(url, {"state": "waived", "reason": ""}, follow=True)
    assert any("reason" in m for m in _messages(response))
    milestone.refresh_from_db()
    assert milestone.state == M.PLANNED
    browser(world.coordinator).post(url, {"state": "waived", "reason": "Crowdfunding track"})
    milestone.refresh_from_db()
    assert (milestone.state, milestone.waiver_reason) == (M.WAIVED, "Crowdfunding track")


def test_suspension_form(world, other, picture):
    enrolment = picture.path.enrolment
    url = f"/path/enrolments/{enrolment.pk}/suspension/"
    today = timezone.localdate()
    assert browser(other.coordinator).post(url, {"action": "suspend", "reason": "x"}).status_code == 404
    browser(world.participant).post(url, {"action": "suspend", "reason": "x"})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    browser(world.coordinator).post(
        url, {"action": "suspend", "reason": "Illness", "on": str(today - dt.timedelta(days=5))}
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SUSPENDED
    assert "suspended" in browser(world.participant).get("/my-path/").content.decode().lower()
    browser(world.coordinator).post(url, {"action": "resume", "on": str(today)})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.suspensions.get().days == 5


# --- query budget -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 50])
def test_portal_query_count_does_not_grow_with_rows(world, django_assert_num_queries, n):
    build_picture(world, rows=n)
    c = browser(world.participant)
    c.get("/my-path/")  # the session and the language are settled by the first request
    # session, user, then the 19 queries of cohorts.path.participant_path, the own person
    # and the sessions left (the attendance warning), the decided applications (outcomes)
    with django_assert_num_queries(24):
        response = c.get("/my-path/")
    assert response.status_code == 200
    assert response.content.decode().count('<li class="milestone') == 8 + n


def test_enrolment_progress_in_one_selector(world, other, picture):
    from cohorts.portal.selectors import enrolment_progress

    progress = enrolment_progress(world.coordinator, picture.path.enrolment)
    enrolment = picture.path.enrolment
    today = timezone.localdate()
    assert progress.milestones_planned == enrolment.milestones.count()
    assert progress.milestones_due == enrolment.milestones.filter(due_on__lte=today).count()
    assert progress.milestones_achieved == 0
    assert progress.attendance_pct == 0  # the one held session was an absence
    assert progress.tutoring_hours == 1
    assert [e.kind for e in progress.next_events] == ["training", "tutoring", "training"]
    assert 0 < progress.elapsed_pct < 100
    assert enrolment_progress(other.coordinator, enrolment) is None
