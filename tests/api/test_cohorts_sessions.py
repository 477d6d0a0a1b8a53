"""API: training sessions (filters, writes, cancel) and their registers (GET the roster
with marks, POST bulk marks), each role allowed and refused."""

import datetime as dt

import pytest

from cohorts.models import Attendance, TrainingSession
from tests.api.test_cohorts import client_as, ids
from tests.cohorts.helpers import build_cohort, days_ago, local, make_trainer, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    cw = build_cohort(world, extra_people=2)
    cw.held = cw.session(day=days_ago(10), minutes=120)
    cw.second_module = cw.cohort.modules.order_by("order")[1]
    cw.later = cw.session(day=days_ago(3), module=cw.second_module)
    cw.colleague = make_trainer(world, "collega")
    cw.theirs = cw.session(day=days_ago(5), trainers=[cw.colleague])
    return cw


@pytest.fixture
def ocw(other):
    ocw = build_cohort(other, name="B")
    ocw.held = ocw.session(day=days_ago(2))
    return ocw


# --- listing and filters -------------------------------------------------------------------


def test_sessions_by_role(world, cw, ocw):
    everything = {cw.held.pk, cw.later.pk, cw.theirs.pk}
    assert ids(client_as(world.coordinator).get("/api/v1/training-sessions/")) == everything
    assert ids(client_as(world.participant).get("/api/v1/training-sessions/")) == everything
    assert ids(client_as(world.tutor).get("/api/v1/training-sessions/")) == {cw.held.pk, cw.later.pk}
    assert ids(client_as(cw.colleague).get("/api/v1/training-sessions/")) == {cw.theirs.pk}
    assert ids(client_as(world.evaluator).get("/api/v1/training-sessions/")) == set()
    assert client_as(world.tutor).get(f"/api/v1/training-sessions/{cw.theirs.pk}/").status_code == 404
    assert client_as(world.coordinator).get(f"/api/v1/training-sessions/{ocw.held.pk}/").status_code == 404


def test_filters_by_cohort_module_dates_trainer_kind_cancelled(world, cw, ocw):
    client = client_as(world.coordinator)
    base = "/api/v1/training-sessions/"
    assert ids(client.get(f"{base}?cohort={cw.cohort.pk}")) == {cw.held.pk, cw.later.pk, cw.theirs.pk}
    assert ids(client.get(f"{base}?cohort={ocw.cohort.pk}")) == set()
    assert ids(client.get(f"{base}?module={cw.second_module.pk}")) == {cw.later.pk}
    assert ids(client.get(f"{base}?date_from={days_ago(5)}")) == {cw.later.pk, cw.theirs.pk}
    assert ids(client.get(f"{base}?date_from={days_ago(6)}&date_to={days_ago(4)}")) == {cw.theirs.pk}
    assert ids(client.get(f"{base}?trainer={cw.colleague.pk}")) == {cw.theirs.pk}
    assert ids(client.get(f"{base}?kind=outreach")) == set()
    assert ids(client.get(f"{base}?cancelled=true")) == set()
    assert client.get(f"{base}?date_from=yesterday").status_code == 400


def test_session_shape(world, cw):
    data = client_as(world.participant).get(f"/api/v1/training-sessions/{cw.held.pk}/").json()
    assert data["duration_minutes"] == 120 and data["module_title"] == cw.module.title
    assert data["trainers"] == [{"id": world.tutor.pk, "name": world.tutor.get_full_name() or world.tutor.username}]
    assert data["is_cancelled"] is False


# --- writes --------------------------------------------------------------------------------


def _body(cw, **extra):
    start = local(today() + dt.timedelta(days=7), 9, 30)
    return {
        "cohort": cw.cohort.pk,
        "module": cw.module.pk,
        "topic": "Piano economico",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "place": "Napoli",
        "trainers": [cw.trainer.pk],
        **extra,
    }


def test_create_session(world, cw):
    response = client_as(world.coordinator).post("/api/v1/training-sessions/", _body(cw), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["duration_minutes"] == 120
    event = client_as(world.coordinator).post(
        "/api/v1/training-sessions/", _body(cw, kind="outreach", module=None), format="json"
    )
    assert event.status_code == 201 and event.json()["module"] is None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"ends_at": local(today(), 8).isoformat()}, "ends_at"),
        ({"module": None}, "module"),
        ({"place": ""}, "place"),
        ({"online_url": "not a link", "place": ""}, "online_url"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"kind": "party"}, "kind"),
        ({"trainers": [0]}, "trainers"),
    ],
)
def test_bad_session_is_400_naming_the_field(world, cw, extra, field):
    before = TrainingSession.objects.count()
    response = client_as(world.coordinator).post("/api/v1/training-sessions/", _body(cw, **extra), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert TrainingSession.objects.count() == before


def test_a_trainer_of_another_programme_is_not_a_choice(world, other, cw):
    response = client_as(world.coordinator).post(
        "/api/v1/training-sessions/", _body(cw, trainers=[other.tutor.pk]), format="json"
    )
    assert response.status_code == 400 and "trainers" in response.json()


@pytest.mark.parametrize("role", ["tutor", "participant"])
def test_only_coordinators_create_or_edit(world, cw, role):
    client = client_as(getattr(world, role))
    # Without trainers: naming one they may not choose would already be a 400.
    assert client.post("/api/v1/training-sessions/", _body(cw, trainers=[]), format="json").status_code == 403
    assert client.patch(f"/api/v1/training-sessions/{cw.held.pk}/", {"topic": "x"}, format="json").status_code == 403
    assert (
        client.post(f"/api/v1/training-sessions/{cw.held.pk}/cancel/", {"reason": "x"}, format="json").status_code
        == 403
    )


def test_patch_and_cancel(world, cw, other):
    upcoming = client_as(world.coordinator).post("/api/v1/training-sessions/", _body(cw), format="json").json()
    url = f"/api/v1/training-sessions/{upcoming['id']}/"
    moved = client_as(world.coordinator).patch(url, {"place": "Salerno", "trainers": [cw.colleague.pk]}, format="json")
    assert moved.status_code == 200
    assert moved.json()["place"] == "Salerno" and [t["id"] for t in moved.json()["trainers"]] == [cw.colleague.pk]
    no_reason = client_as(world.coordinator).post(f"{url}cancel/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert client_as(other.coordinator).post(f"{url}cancel/", {"reason": "x"}, format="json").status_code == 404
    cancelled = client_as(world.coordinator).post(f"{url}cancel/", {"reason": "Allerta meteo"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["is_cancelled"] is True
    again = client_as(world.coordinator).post(f"{url}cancel/", {"reason": "x"}, format="json")
    assert again.status_code == 400 and "session" in again.json()
    assert ids(client_as(world.coordinator).get("/api/v1/training-sessions/?cancelled=true")) == {upcoming["id"]}


# --- registers -----------------------------------------------------------------------------


def _register(cw, session, user):
    return client_as(user).get(f"/api/v1/training-sessions/{session.pk}/attendance/")


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 200), ("tutor", 200), ("colleague", 404), ("participant", 404), ("evaluator", 404)],
)
def test_register_read_access(world, cw, who, status):
    user = cw.colleague if who == "colleague" else getattr(world, who)
    assert _register(cw, cw.held, user).status_code == status


def test_register_of_another_programme_is_404(world, cw, ocw):
    assert _register(cw, ocw.held, world.coordinator).status_code == 404


def test_register_lists_the_roster_with_names_only(world, cw):
    cw.mark(cw.held, (cw.people[0], "partial", 30))
    rows = _register(cw, cw.held, world.tutor).json()
    assert sorted(r["person"] for r in rows) == sorted(p.pk for p in cw.people)
    first = next(r for r in rows if r["person"] == cw.people[0].pk)
    assert (first["status"], first["minutes_attended"], first["on_roster"]) == ("partial", 30, True)
    assert set(first) == {
        "person",
        "first_name",
        "last_name",
        "on_roster",
        "status",
        "minutes_attended",
        "note",
        "marked_at",
    }
    assert world.participant_person.tax_code not in str(rows)


def test_bulk_marking_through_the_api(world, cw):
    url = f"/api/v1/training-sessions/{cw.held.pk}/attendance/"
    a, b, c = cw.people
    body = {
        "marks": [
            {"person": a.pk, "status": "present"},
            {"person": b.pk, "status": "partial", "minutes_attended": 60},
            {"person": c.pk, "status": "justified", "note": "Certificato"},
        ]
    }
    response = client_as(world.tutor).post(url, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert sorted(data["created"]) == sorted(p.pk for p in cw.people) and data["unchanged"] == []
    assert {r["person"]: r["status"] for r in data["register"]} == {a.pk: "present", b.pk: "partial", c.pk: "justified"}
    again = client_as(world.coordinator).post(url, body, format="json").json()
    assert sorted(again["unchanged"]) == sorted(p.pk for p in cw.people)
    assert Attendance.objects.count() == 3


@pytest.mark.parametrize(
    ("mark", "field"),
    [
        ({"status": "partial", "minutes_attended": 121}, "marks"),
        ({"status": "partial"}, "marks"),
        ({"status": "late"}, "marks"),
        ({"status": "present", "minutes_attended": 0}, "marks"),
    ],
)
def test_bad_marks_are_400_and_write_nothing(world, cw, mark, field):
    url = f"/api/v1/training-sessions/{cw.held.pk}/attendance/"
    body = {"marks": [{"person": cw.people[0].pk, "status": "present"}, {"person": cw.people[1].pk, **mark}]}
    response = client_as(world.tutor).post(url, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Attendance.objects.exists()


def test_marking_refusals_name_the_row_and_the_session(world, other, cw):
    url = f"/api/v1/training-sessions/{cw.held.pk}/attendance/"
    outsider = {"marks": [{"person": other.participant_person.pk, "status": "present"}]}
    response = client_as(world.tutor).post(url, outsider, format="json")
    assert response.status_code == 400
    assert response.json()["marks"][0].startswith("Row 1:") and "roster" in response.json()["marks"][0]
    assert client_as(world.tutor).post(url, {"marks": []}, format="json").status_code == 400
    upcoming = cw.session(day=today() + dt.timedelta(days=3))
    early = client_as(world.tutor).post(
        f"/api/v1/training-sessions/{upcoming.pk}/attendance/",
        {"marks": [{"person": cw.people[0].pk, "status": "present"}]},
        format="json",
    )
    assert early.status_code == 400 and "session" in early.json()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "participant", "evaluator"])
def test_marking_is_404_for_whoever_may_not_mark(world, cw, who):
    user = cw.colleague if who == "colleague" else getattr(world, who)
    body = {"marks": [{"person": cw.people[0].pk, "status": "present"}]}
    response = client_as(user).post(f"/api/v1/training-sessions/{cw.held.pk}/attendance/", body, format="json")
    assert response.status_code == 404
    assert not Attendance.objects.exists()
