"""The path's API: each role allowed and denied (404 out of reach) on every endpoint,
bad input answered 400 naming the field with nothing written, the filters, evidence
upload and download, and the query budget of every list at 1 and 50 rows."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from incubator import access
from incubator.models import AuditEvent
from incubator.path import services as services_path
from incubator.path.models import EnrolmentStatus, EnrolmentSuspension, Milestone, MilestoneTemplate
from incubator.path.models import MilestoneState as M
from tests import factories as f
from tests.path.conftest import PDF, build_picture, make_enrolment, make_templates, upload

pytestmark = pytest.mark.django_db

ANONYMOUS = (401, 403)


def client(user=None) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- milestones: who sees what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"), [("coordinator", True), ("participant", True), ("tutor", False), ("evaluator", False)]
)
def test_milestone_list_by_role(world, other, path, who, sees):
    other_path_enrolment = make_enrolment(other, dt.date(2026, 1, 1))
    make_templates(other)
    services_path.milestone_plan_generate(actor=other.coordinator, enrolment=other_path_enrolment)
    ids = {r["id"] for r in rows(client(getattr(world, who)).get("/api/v1/milestones/"))}
    mine = set(path.enrolment.milestones.values_list("pk", flat=True))
    assert ids == (mine if sees else set())
    assert not ids & set(other_path_enrolment.milestones.values_list("pk", flat=True))


def test_assigned_tutor_and_admin_see_the_milestones(world, path, assigned, admin_user):
    mine = set(path.enrolment.milestones.values_list("pk", flat=True))
    assert {r["id"] for r in rows(client(world.tutor).get("/api/v1/milestones/"))} == mine
    assert {r["id"] for r in rows(client(admin_user).get("/api/v1/milestones/"))} == mine


@pytest.mark.parametrize("who", ["coordinator", "participant", "tutor", "evaluator"])
def test_another_programmes_milestone_answers_404(world, other, path, who):
    milestone = path.milestone("Idea canvas")
    c = client(getattr(other, who))
    assert c.get(f"/api/v1/milestones/{milestone.pk}/").status_code == 404
    for action, body in [
        ("transition", {"state": "in_progress"}),
        ("verify", {}),
        ("evidence", {"url": "https://e.org"}),
    ]:
        assert c.post(f"/api/v1/milestones/{milestone.pk}/{action}/", body, format="json").status_code == 404
    assert c.get(f"/api/v1/milestones/{milestone.pk}/evidence/").status_code == 404
    assert _state(milestone) == M.PLANNED


def test_anonymous_is_refused(path):
    milestone = path.milestone("Idea canvas")
    assert client().get("/api/v1/milestones/").status_code in ANONYMOUS
    assert client().get(f"/api/v1/milestones/{milestone.pk}/evidence/").status_code in ANONYMOUS
    assert client().get("/api/v1/me/path/").status_code in ANONYMOUS
    assert client().get("/api/v1/milestone-templates/").status_code in ANONYMOUS


def test_milestone_representation_has_the_derived_flags(world, path):
    data = client(world.participant).get(f"/api/v1/milestones/{path.milestone('Idea canvas').pk}/").json()
    assert data["title"] == "Idea canvas"
    assert data["is_overdue"] is True  # due nine months ago, still planned
    assert data["after_end"] is False
    assert data["venture"] == {"id": world.venture.pk, "title": world.venture.title}
    assert data["evidence_download"] is None


# --- milestones: filters -------------------------------------------------------------------------


def _state(milestone) -> str:
    milestone.refresh_from_db()
    return milestone.state


def test_milestone_filters(world, path):
    c = client(world.coordinator)
    enrolment = path.enrolment
    second = make_enrolment(world, dt.date(2026, 1, 1), venture=f.VentureFactory(programme=world.programme))
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=second)
    canvas = path.milestone("Idea canvas")
    services_path.milestone_change_state(actor=world.coordinator, milestone=canvas, state=M.ACHIEVED)
    today = timezone.localdate()

    by_enrolment = {r["id"] for r in rows(c.get(f"/api/v1/milestones/?enrolment={enrolment.pk}"))}
    assert by_enrolment == set(enrolment.milestones.values_list("pk", flat=True))
    achieved = {r["id"] for r in rows(c.get("/api/v1/milestones/?state=achieved"))}
    assert achieved == {canvas.pk}
    both = {r["id"] for r in rows(c.get("/api/v1/milestones/?state=achieved&state=waived"))}
    assert both == {canvas.pk}
    later = today + dt.timedelta(days=400)
    window = rows(c.get(f"/api/v1/milestones/?enrolment={enrolment.pk}&due_after={today}&due_before={later}"))
    assert window and all(today <= dt.date.fromisoformat(r["due_on"]) <= later for r in window)
    overdue = rows(c.get(f"/api/v1/milestones/?enrolment={enrolment.pk}&overdue=true"))
    expected = set(
        enrolment.milestones.filter(state__in=[M.PLANNED, M.IN_PROGRESS], due_on__lt=today).values_list("pk", flat=True)
    )
    assert {r["id"] for r in overdue} == expected and canvas.pk not in expected and expected
    assert all(r["is_overdue"] for r in overdue)
    not_overdue = {r["id"] for r in rows(c.get(f"/api/v1/milestones/?enrolment={enrolment.pk}&overdue=false"))}
    assert not_overdue == set(enrolment.milestones.values_list("pk", flat=True)) - expected
    assert c.get("/api/v1/milestones/?state=done").status_code == 400
    assert c.get("/api/v1/milestones/?due_after=yesterday").status_code == 400


# --- milestones: writes ----------------------------------------------------------------------------


def test_participant_moves_own_milestone_and_cannot_verify_it(world, path):
    c = client(world.participant)
    milestone = path.milestone("Idea canvas")
    response = c.post(f"/api/v1/milestones/{milestone.pk}/transition/", {"state": "achieved"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "achieved"
    response = c.post(f"/api/v1/milestones/{milestone.pk}/verify/")
    assert response.status_code == 403
    milestone.refresh_from_db()
    assert milestone.verified_at is None


def test_coordinator_verifies(world, path):
    milestone = path.milestone("Idea canvas")
    services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.ACHIEVED)
    response = client(world.coordinator).post(f"/api/v1/milestones/{milestone.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["verified_by"] and response.json()["verified_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"state": "waived"}, "reason"),
        ({"state": "waived", "reason": "  "}, "reason"),
        ({"state": "finished"}, "state"),
        ({"state": "achieved", "achieved_on": "not a date"}, "achieved_on"),
    ],
)
def test_transition_bad_input_answers_400_and_writes_nothing(world, path, body, field):
    milestone = path.milestone("Grant application")
    events = AuditEvent.objects.count()
    response = client(world.coordinator).post(f"/api/v1/milestones/{milestone.pk}/transition/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert _state(milestone) == M.PLANNED
    assert AuditEvent.objects.count() == events


def test_participant_waiving_answers_403(world, path):
    milestone = path.milestone("Grant application")
    response = client(world.participant).post(
        f"/api/v1/milestones/{milestone.pk}/transition/", {"state": "waived", "reason": "no"}, format="json"
    )
    assert response.status_code == 403
    assert _state(milestone) == M.PLANNED


def test_create_and_reschedule(world, path, assigned):
    enrolment = path.enrolment
    due = enrolment.starts_on + dt.timedelta(days=300)
    response = client(world.tutor).post(
        "/api/v1/milestones/", {"enrolment": enrolment.pk, "title": "Pitch day", "due_on": str(due)}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client(world.tutor).post(
        f"/api/v1/milestones/{pk}/reschedule/", {"due_on": str(due + dt.timedelta(days=7)), "reason": "Room"}
    )
    assert response.status_code == 200
    assert response.json()["due_on"] == str(due + dt.timedelta(days=7))
    # Refusals: outside the path, no reason, a participant, another programme's enrolment.
    late = str(enrolment.ends_on + dt.timedelta(days=1))
    response = client(world.coordinator).post(
        "/api/v1/milestones/", {"enrolment": enrolment.pk, "title": "Late", "due_on": late}, format="json"
    )
    assert response.status_code == 400 and "due_on" in response.json()
    response = client(world.coordinator).post(
        f"/api/v1/milestones/{pk}/reschedule/", {"due_on": str(due), "reason": ""}
    )
    assert response.status_code == 400 and "reason" in response.json()
    response = client(world.participant).post(
        "/api/v1/milestones/", {"enrolment": enrolment.pk, "title": "Mine", "due_on": str(due)}, format="json"
    )
    assert response.status_code == 403
    assert not Milestone.objects.filter(title__in=["Late", "Mine"]).exists()


def test_create_on_another_programmes_enrolment_answers_404(world, other, path):
    response = client(other.coordinator).post(
        "/api/v1/milestones/",
        {"enrolment": path.enrolment.pk, "title": "Intrusion", "due_on": str(path.enrolment.ends_on)},
        format="json",
    )
    assert response.status_code == 404
    assert not Milestone.objects.filter(title="Intrusion").exists()


# --- evidence ------------------------------------------------------------------------------------


def test_evidence_upload_and_download(world, other, path, assigned):
    milestone = path.milestone("Business plan")
    response = client(world.participant).post(
        f"/api/v1/milestones/{milestone.pk}/evidence/", {"file": upload("piano.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 200, response.content
    download = response.json()["evidence_download"]
    assert download.endswith(f"/api/v1/milestones/{milestone.pk}/evidence/")
    for user in (world.participant, world.coordinator, world.tutor):
        got = client(user).get(download)
        assert got.status_code == 200
        assert b"".join(got.streaming_content) == PDF
        assert got["Content-Type"] == "application/pdf"
        assert got["Content-Disposition"].startswith("attachment;") and "piano.pdf" in got["Content-Disposition"]
        assert got["X-Content-Type-Options"] == "nosniff"
    for user in (other.participant, other.coordinator, world.evaluator):
        assert client(user).get(download).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "too large"), ("trojan.pdf", b"MZ" + b"\x00" * 100, "PDF")],
)
def test_evidence_upload_refusals_answer_400_on_file(world, path, name, content, code):
    milestone = path.milestone("Business plan")
    response = client(world.participant).post(
        f"/api/v1/milestones/{milestone.pk}/evidence/", {"file": upload(name, content)}, format="multipart"
    )
    assert response.status_code == 400
    assert code in " ".join(response.json()["file"])
    milestone.refresh_from_db()
    assert not milestone.evidence_file


def test_evidence_link_and_missing_input(world, path):
    milestone = path.milestone("Business plan")
    c = client(world.participant)
    response = c.post(f"/api/v1/milestones/{milestone.pk}/evidence/", {"url": "javascript:alert(1)"}, format="json")
    assert response.status_code == 400 and "url" in response.json()
    response = c.post(f"/api/v1/milestones/{milestone.pk}/evidence/", {}, format="json")
    assert response.status_code == 400 and "file" in response.json()
    response = c.post(f"/api/v1/milestones/{milestone.pk}/evidence/", {"url": "https://drive.example.org/x"})
    assert response.status_code == 200 and response.json()["evidence_url"] == "https://drive.example.org/x"
    assert c.get(f"/api/v1/milestones/{milestone.pk}/evidence/").status_code == 404  # a link, no file


# --- templates -------------------------------------------------------------------------------------


def test_templates_by_role(world, other):
    make_templates(world)
    make_templates(other)
    mine = set(MilestoneTemplate.objects.filter(programme=world.programme).values_list("pk", flat=True))
    for who in ("coordinator", "tutor", "participant", "evaluator"):
        assert {r["id"] for r in rows(client(getattr(world, who)).get("/api/v1/milestone-templates/"))} == mine
    theirs = MilestoneTemplate.objects.filter(programme=other.programme).first()
    assert client(world.coordinator).get(f"/api/v1/milestone-templates/{theirs.pk}/").status_code == 404


def test_template_writes(world, other):
    c = client(world.coordinator)
    response = c.post(
        "/api/v1/milestone-templates/",
        {"programme": world.programme.pk, "title": "Pitch", "offset_months": 9, "crowdfunding_only": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = c.patch(f"/api/v1/milestone-templates/{pk}/", {"offset_months": 10}, format="json")
    assert response.status_code == 200 and response.json()["offset_months"] == 10
    response = c.post(
        "/api/v1/milestone-templates/", {"programme": world.programme.pk, "title": "Late", "offset_months": 40}
    )
    assert response.status_code == 400 and "offset_months" in response.json()
    response = client(world.participant).post(
        "/api/v1/milestone-templates/", {"programme": world.programme.pk, "title": "Mine", "offset_months": 2}
    )
    assert response.status_code == 403
    response = client(other.coordinator).post(
        "/api/v1/milestone-templates/", {"programme": world.programme.pk, "title": "Theirs", "offset_months": 2}
    )
    assert response.status_code == 404
    assert client(other.coordinator).patch(f"/api/v1/milestone-templates/{pk}/", {"order": 1}).status_code == 404
    assert set(MilestoneTemplate.objects.values_list("title", flat=True)) == {"Pitch"}


# --- suspensions ----------------------------------------------------------------------------------


def test_suspend_and_resume_through_the_api(world, other, path):
    enrolment = path.enrolment
    today = timezone.localdate()
    response = client(world.coordinator).post(
        "/api/v1/enrolment-suspensions/",
        {"enrolment": enrolment.pk, "reason": "Maternity leave", "on": str(today - dt.timedelta(days=20))},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client(world.participant).get(f"/api/v1/enrolment-suspensions/{pk}/").status_code == 200
    assert client(other.coordinator).get(f"/api/v1/enrolment-suspensions/{pk}/").status_code == 404
    assert client(world.participant).post(f"/api/v1/enrolment-suspensions/{pk}/resume/", {}).status_code == 403
    response = client(world.coordinator).post(f"/api/v1/enrolment-suspensions/{pk}/resume/", {"on": str(today)})
    assert response.status_code == 200 and response.json()["days"] == 20
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    response = client(world.coordinator).post(f"/api/v1/enrolment-suspensions/{pk}/resume/", {})
    assert response.status_code == 400


def test_suspension_refusals_over_the_api(world, other, path):
    enrolment = path.enrolment
    response = client(world.coordinator).post(
        "/api/v1/enrolment-suspensions/", {"enrolment": enrolment.pk, "reason": ""}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()
    response = client(world.participant).post(
        "/api/v1/enrolment-suspensions/", {"enrolment": enrolment.pk, "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    response = client(other.coordinator).post(
        "/api/v1/enrolment-suspensions/", {"enrolment": enrolment.pk, "reason": "x"}, format="json"
    )
    assert response.status_code == 404
    assert not EnrolmentSuspension.objects.exists()


# --- me/path --------------------------------------------------------------------------------------


def test_me_path_is_the_whole_picture_without_private_notes(world, picture):
    response = client(world.participant).get("/api/v1/me/path/")
    assert response.status_code == 200, response.content
    body = response.content.decode()
    for note in picture.private_notes:
        assert note not in body
    (venture,) = response.json()["ventures"]
    assert venture["venture"]["id"] == world.venture.pk
    assert len(venture["milestones"]) == picture.path.enrolment.milestones.count()
    assert venture["cohort"] == "Coorte 2026"
    assert venture["next_training"][0]["topic"] == "Upcoming lesson 0"
    assert venture["next_tutoring"][0]["topics"] == "Next meeting 0"
    assert venture["shared_notes"][0]["shared_notes"] == "Shared note 0"
    assert [a["text"] for a in venture["open_action_items"]] == ["Action 0"]
    (figures,) = venture["attendance"]
    assert figures["percent"] == "0.00"  # the one held session was marked absent
    assert venture["progress"]["tutoring_hours"] == "1.00"
    assert len(venture["progress"]["next_events"]) == 3
    assert venture["funding"]["campaigns"][0]["goal"] == "5000.00"
    assert venture["calendar_url"] is None


def test_me_path_of_someone_without_a_path_is_empty(world, other, picture):
    assert client(other.participant).get("/api/v1/me/path/").json()["ventures"] == []
    # A coordinator is not a participant of the venture: their "own path" is empty too.
    assert client(world.coordinator).get("/api/v1/me/path/").json()["ventures"] == []


# --- query budgets (1 and 50 rows) ---------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 50])
def test_me_path_query_count_does_not_grow_with_rows(world, django_assert_num_queries, n):
    build_picture(world, rows=n)
    access.forget(world.participant)
    c = client(world.participant)
    # roles (1); enrolments (1), milestones (1), suspensions (1), counts (1); feeds (1);
    # cohort (1), team (1), training (1), next tutoring (1), notes (1), hours (1),
    # actions (1), grants (1), campaigns (1), viewer's person (1), attendance (3:
    # members, sessions, marks), tutor check: none (a participant)
    with django_assert_num_queries(19):
        response = c.get("/api/v1/me/path/")
    assert response.status_code == 200
    venture = response.json()["ventures"][0]
    assert len(venture["milestones"]) == 8 + n
    assert len(venture["shared_notes"]) == min(n, 5)
    assert len(venture["open_action_items"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_milestone_list_query_count(world, django_assert_num_queries, n):
    enrolment = make_enrolment(world, dt.date(2026, 1, 1))
    for i in range(n):
        services_path.milestone_create(
            actor=world.coordinator, enrolment=enrolment, title=f"Step {i}", due_on=dt.date(2026, 2, 1)
        )
    milestone = enrolment.milestones.first()
    services_path.milestone_change_state(actor=world.coordinator, milestone=milestone, state=M.ACHIEVED)
    services_path.milestone_verify(actor=world.coordinator, milestone=milestone)
    access.forget(world.participant)
    c = client(world.participant)
    # roles (1), count (1), page (1)
    with django_assert_num_queries(3):
        assert len(rows(c.get("/api/v1/milestones/"))) == n


@pytest.mark.parametrize("n", [1, 50])
def test_template_list_query_count(world, django_assert_num_queries, n):
    for i in range(n):
        services_path.milestone_template_create(
            actor=world.coordinator, programme=world.programme, title=f"T{i}", offset_months=i % 36
        )
    access.forget(world.tutor)
    c = client(world.tutor)
    with django_assert_num_queries(3):  # roles, count, page
        assert len(rows(c.get("/api/v1/milestone-templates/"))) == n


@pytest.mark.parametrize("n", [1, 50])
def test_suspension_list_query_count(world, django_assert_num_queries, n):
    for i in range(n):
        venture = f.VentureFactory(programme=world.programme)
        enrolment = make_enrolment(world, dt.date(2026, 1, 1), venture=venture)
        services_path.enrolment_suspend(
            actor=world.coordinator, enrolment=enrolment, reason=f"Reason {i}", on=dt.date(2026, 2, 1)
        )
    access.forget(world.coordinator)  # the services above cached its roles
    c = client(world.coordinator)
    with django_assert_num_queries(3):  # roles, count, page
        assert len(rows(c.get("/api/v1/enrolment-suspensions/"))) == n
